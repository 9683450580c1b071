"""Vietnamese and English strings, and number formatting.

Every user-facing string lives here once, in both languages, keyed by a stable code;
Vietnamese is the default. Numbers use babel's vi_VN / en_US formats (36,7 % / 36.7%).
"""

from __future__ import annotations

from typing import Any, Literal

from babel.numbers import format_decimal, format_percent

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
DEFAULT_LANG: Lang = "vi"

STRINGS: dict[str, tuple[str, str]] = {
    # --- problems in an uploaded file -------------------------------------------------
    "required": ("Ô này đang trống; hãy nhập giá trị.", "This cell is empty; enter a value."),
    "count_not_number": (
        "«{value}» không phải là số; hãy nhập một số nguyên (ví dụ 1200).",
        "'{value}' is not a number; enter a whole number (e.g. 1200).",
    ),
    "count_not_whole": (
        "«{value}» có phần thập phân; đây là số người/đơn vị nên phải là số nguyên.",
        "'{value}' has a decimal part; this is a count and must be a whole number.",
    ),
    "count_negative": ("Số {value} âm; hãy nhập số lớn hơn hoặc bằng 0.", "{value} is negative; enter 0 or more."),
    "year_invalid": (
        "«{value}» không phải là năm; hãy nhập năm 4 chữ số, ví dụ 2025.",
        "'{value}' is not a year; enter a 4-digit year such as 2025.",
    ),
    "year_range": ("Năm {value} nằm ngoài khoảng {low}–{high}.", "Year {value} is outside {low}-{high}."),
    "quarter_invalid": (
        "«{value}» không phải là quý; hãy nhập 1, 2, 3 hoặc 4 (hoặc Q1, Quý I...).",
        "'{value}' is not a quarter; enter 1, 2, 3 or 4 (or Q1, Quý I...).",
    ),
    "province_unknown": (
        "Không tìm thấy tỉnh «{value}» trong danh mục.{suggest_vi}",
        "Province '{value}' is not in the registry.{suggest_en}",
    ),
    "commune_unknown": (
        "Không tìm thấy xã «{value}» thuộc tỉnh {province} trong danh mục.{suggest_vi}",
        "Commune '{value}' is not registered in {province}.{suggest_en}",
    ),
    "indicator_unknown": (
        "Chỉ tiêu «{value}» không có trong danh mục; dùng một mã: {known}.",
        "Indicator '{value}' is unknown; use one of the codes: {known}.",
    ),
    "denominator_zero": ("Tổng số phải lớn hơn 0.", "The total must be greater than 0."),
    "numerator_gt_denominator": (
        "Số đạt ({numerator}) lớn hơn Tổng số ({denominator}); hãy kiểm tra lại hai ô này.",
        "The achieved count ({numerator}) exceeds the total ({denominator}); check both cells.",
    ),
    "duplicate_row": (
        "Dòng này trùng với dòng {other} (cùng đơn vị, năm, quý, chỉ tiêu); hãy xóa một dòng.",
        "This row repeats row {other} (same unit, year, quarter, indicator); delete one of them.",
    ),
    "column_missing": ("Thiếu cột «{expected}» ở dòng tiêu đề.", "The header row lacks the column '{expected}'."),
    "file_no_rows": ("Tệp không có dòng số liệu nào dưới dòng tiêu đề.", "The file has no data rows below the header."),
    "file_empty": ("Tệp rỗng.", "The file is empty."),
    "file_type": (
        "Không đọc được «{name}»: chỉ nhận tệp .xlsx hoặc .csv.",
        "Cannot read '{name}': only .xlsx and .csv files are accepted.",
    ),
    "file_not_xlsx": (
        "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ; hãy mở bằng Excel và lưu lại dạng .xlsx.",
        "The file is not a valid Excel workbook (.xlsx); open it in Excel and save it as .xlsx.",
    ),
    "file_no_header": (
        "Không tìm thấy dòng tiêu đề (Tỉnh, Xã, Đơn vị, Năm, Quý, Chỉ tiêu, Số đạt, Tổng số); hãy dùng biểu mẫu.",
        "No header row found (province, commune, unit, year, quarter, indicator, numerator, denominator); use the template.",
    ),
    "file_encoding": (
        "Không đọc được bảng mã của tệp CSV; hãy lưu lại dạng «CSV UTF-8».",
        "The CSV file's encoding cannot be read; save it as 'CSV UTF-8'.",
    ),
    "did_you_mean": (" Có phải là: {names}?", " Did you mean: {names}?"),
    "problem_at": ("Dòng {row}, cột «{column}»: {message}", "Row {row}, column '{column}': {message}"),
    "problem_at_row": ("Dòng {row}: {message}", "Row {row}: {message}"),
    # --- results --------------------------------------------------------------------
    "result_accepted": (
        "{file}: đã nhận {rows} dòng (lần nộp số {submission}).",
        "{file}: accepted {rows} rows (submission {submission}).",
    ),
    "result_duplicate": (
        "{file}: tệp này đã được nộp trước đó (lần nộp số {submission}); không ghi thêm.",
        "{file}: this exact file was already imported (submission {submission}); nothing written.",
    ),
    "result_refused": (
        "{file}: bị từ chối, {count} lỗi; không ghi gì vào cơ sở dữ liệu.",
        "{file}: refused, {count} problem(s); nothing was written.",
    ),
    # --- interface ----------------------------------------------------------------------
    "app_caption": (
        "Theo dõi thực hiện Chương trình truyền thông Nghị quyết 57-NQ/TW (Quyết định 1169/QĐ-TTg).",
        "Tracking the Resolution 57-NQ/TW communication programme (Decision 1169/QĐ-TTg).",
    ),
    "demo_notice": (
        "Đây là SỐ LIỆU MINH HỌA (tự tạo, không có thật) để làm quen với hệ thống, xem như tính đến ngày {day}. "
        "Số liệu thật được nộp ở trang «Nộp báo cáo».",
        "This is DEMO DATA (made up, not real) to try the system, shown as of {day}. "
        "Real figures are submitted on the 'Upload' page.",
    ),
    "building_demo": (
        "Lần chạy đầu: đang dựng cơ sở dữ liệu từ các tệp minh họa (khoảng nửa phút)...",
        "First start: building the database from the demo files (about half a minute)...",
    ),
    "no_data_yet": (
        "Chưa có số liệu nào. Hãy nộp báo cáo quý ở trang «Nộp báo cáo».",
        "No figures yet. Submit a quarterly report on the 'Upload' page.",
    ),
    "no_data_for": ("Chưa có số liệu «{indicator}» năm {year}.", "No figures for '{indicator}' in {year}."),
    "page_overview": ("Tổng quan", "Overview"),
    "page_communes": ("Theo xã và năm", "By commune and year"),
    "page_upload": ("Nộp báo cáo", "Upload"),
    "page_plans": ("Kế hoạch và chỉ tiêu", "Plans and targets"),
    "pick_year": ("Năm", "Year"),
    "pick_province": ("Tỉnh", "Province"),
    "pick_indicator": ("Chỉ tiêu", "Indicator"),
    "pick_commune": ("Xã", "Commune"),
    "overview_cards": (
        "Tỉnh {province}, năm {year}: kết quả so với chỉ tiêu",
        "{province} province, {year}: results against targets",
    ),
    "overview_table": ("Các xã năm {year}", "Communes in {year}"),
    "overview_table_note": (
        "Tỷ lệ = tổng Số đạt / tổng Tổng số của các đơn vị (không lấy trung bình các tỷ lệ). "
        "Cột cuối: số chỉ tiêu «{behind}». {units} xã có số liệu.",
        "Rate = sum of achieved counts / sum of totals over units (never a mean of rates). "
        "Last column: indicators '{behind}'. {units} communes with figures.",
    ),
    "card_target": ("Chỉ tiêu {target} ({year})", "Target {target} ({year})"),
    "card_communes": ("Số xã", "Communes"),
    "card_counts": ("{numerator} / {denominator}", "{numerator} / {denominator}"),
    "communes_trend": ("Một xã qua các năm", "One commune across years"),
    "communes_trend_note": (
        "Nét liền: kết quả từng năm. Nét đứt: lộ trình thẳng từ năm đầu có số liệu đến chỉ tiêu của Kế hoạch.",
        "Solid: the result each year. Dashed: the straight path from the first year with figures to the plan's target.",
    ),
    "communes_table": ("Bảng xã × năm: {indicator}", "Commune × year table: {indicator}"),
    "chart_bars_title": ("{indicator}, năm {year}", "{indicator}, {year}"),
    "chart_trend_title": ("Xã {commune}: các chỉ tiêu qua các năm", "{commune}: indicators across years"),
    "chart_value_axis": ("Tỷ lệ (%)", "Rate (%)"),
    "chart_target": ("Chỉ tiêu", "Target"),
    "chart_path": ("lộ trình", "path"),
    "col_province": ("Tỉnh", "Province"),
    "col_commune": ("Xã", "Commune"),
    "col_unit": ("Đơn vị", "Unit"),
    "col_year": ("Năm", "Year"),
    "col_quarter": ("Quý", "Quarter"),
    "col_indicator": ("Chỉ tiêu", "Indicator"),
    "col_code": ("Mã", "Code"),
    "col_numerator": ("Số đạt", "Achieved"),
    "col_denominator": ("Tổng số", "Total"),
    "col_old_numerator": ("Số đạt (cũ)", "Achieved (before)"),
    "col_old_denominator": ("Tổng số (cũ)", "Total (before)"),
    "col_behind": ("Chậm tiến độ", "Behind"),
    "col_target_year": ("Năm chỉ tiêu", "Target year"),
    "col_target_pct": ("Chỉ tiêu (%)", "Target (%)"),
    "col_quote": ("Trích Kế hoạch", "Quoted from the plan"),
    "col_row": ("Dòng", "Row"),
    "col_column": ("Cột", "Column"),
    "col_problem": ("Cần sửa", "What to fix"),
    "upload_help": (
        "Chọn một hoặc nhiều tệp báo cáo quý (.xlsx hoặc .csv), mỗi dòng là một đơn vị × năm × quý × chỉ tiêu, "
        "với các cột: Tỉnh, Xã, Đơn vị, Năm, Quý, Chỉ tiêu, Số đạt, Tổng số, Ghi chú. "
        "Tệp có lỗi sẽ bị từ chối toàn bộ và không ghi gì; danh sách lỗi cho biết dòng, cột và cách sửa.",
        "Pick one or more quarterly report files (.xlsx or .csv), one row per unit × year × quarter × indicator, "
        "with the columns province, commune, unit, year, quarter, indicator, numerator, denominator, note. "
        "A file with any problem is refused whole and nothing is written; the list names the row, column and fix.",
    ),
    "upload_pick": ("Chọn tệp báo cáo", "Choose report files"),
    "upload_ready": ("{file}: hợp lệ, {rows} dòng, sẵn sàng ghi.", "{file}: valid, {rows} rows, ready to write."),
    "upload_commit": ("Ghi {count} tệp hợp lệ vào cơ sở dữ liệu", "Write {count} valid file(s) to the database"),
    "rules_title": ("**Cách tính và đánh giá**", "**How figures and statuses are worked out**"),
    "rules_text": (
        "- Mỗi đơn vị báo cáo số liệu lũy kế đến cuối quý; số của một năm là số của quý gần nhất đã báo cáo trong năm.\n"
        "- Tỷ lệ của xã = tổng Số đạt của các đơn vị / tổng Tổng số của các đơn vị; tỷ lệ của tỉnh tính tương tự trên các xã. "
        "Không lấy trung bình cộng các tỷ lệ.\n"
        "- Xã áp dụng Kế hoạch của xã; chỉ tiêu nào Kế hoạch của xã không đặt thì áp dụng Kế hoạch của tỉnh. "
        "Chỉ tiêu áp dụng cho năm Y là chỉ tiêu của năm mốc đầu tiên từ năm Y trở đi; "
        "sau năm mốc cuối cùng, chỉ tiêu đó vẫn giữ nguyên.\n"
        "- **Đạt**: tỷ lệ bằng hoặc cao hơn chỉ tiêu.\n"
        "- **Chậm tiến độ**: chưa đạt khi đã đến hoặc quá năm mốc.\n"
        "- **Đúng tiến độ**: trước năm mốc, tỷ lệ bằng hoặc cao hơn lộ trình thẳng — đường nối từ tỷ lệ của năm đầu tiên "
        "xã có số liệu đến chỉ tiêu ở năm mốc. Ví dụ: năm 2025 đạt 40 %, chỉ tiêu 80 % năm 2030, "
        "thì lộ trình năm 2026 là 48 %; "
        "đạt 49 % là đúng tiến độ, 47 % là chậm tiến độ.\n"
        "- **Chưa có chỉ tiêu**: không Kế hoạch nào đặt chỉ tiêu cho chỉ số này.",
        "- Each unit reports a running total at the end of the quarter; "
        "a year's figure is the latest quarter reported that year.\n"
        "- A commune's rate = sum of its units' achieved counts / sum of their totals; a province's the same over its communes. "
        "Never a mean of rates.\n"
        "- A commune follows its own plan; where its plan sets no target for an indicator, the province plan applies. "
        "The target for year Y is that of the first target year from Y on; after the last target year it stays in force.\n"
        "- **Met**: the rate is at or above the target.\n"
        "- **Behind**: not met in or after the target year.\n"
        "- **On track**: before the target year, the rate is at or above the straight path from the commune's first "
        "reported year's rate to the target in the target year. Example: 40% in 2025, target 80% by 2030, so the path "
        "for 2026 is 48%; 49% is on track, 47% is behind.\n"
        "- **No target**: no plan sets a target for this indicator.",
    ),
    "no_plans": ("Chưa có Kế hoạch nào trong danh mục.", "No plans in the catalog."),
    "plan_source": ("Văn bản", "Source document"),
    "plan_issuer": ("Cơ quan ban hành", "Issued by"),
    "plan_deadlines": ("Thời hạn báo cáo", "Reporting deadlines"),
    "plan_no_targets": (
        "Kế hoạch này không đặt chỉ tiêu bằng tỷ lệ phần trăm.",
        "This plan sets no percentage targets.",
    ),
    "plan_no_deadlines": ("Kế hoạch không ghi thời hạn cụ thể.", "The plan gives no specific date."),
    "scope_commune": ("Xã {commune} ({province})", "{commune} commune ({province})"),
    "scope_province": ("Tỉnh {province}", "{province} province"),
    # --- uploads, template and history (issue 3) ----------------------------------------
    "unit_ambiguous": (
        "Đơn vị «{value}» có thể là: {names}; hãy ghi đúng tên đầy đủ (kèm Thôn/Bản).",
        "Unit '{value}' could be any of: {names}; write its full registered name (with Thôn/Bản).",
    ),
    "page_history": ("Lịch sử nộp", "History"),
    "upload_preview_note": (
        "Xem trước: mỗi dòng sẽ ghi vào cơ sở dữ liệu; cột «(cũ)» là số đang hiển thị, trống nếu là số liệu mới.",
        "Preview: each row will be written; the '(before)' columns show the value shown now, empty when new.",
    ),
    "upload_marked": (
        "Tải lại tệp của bạn, các ô lỗi đã được tô màu và ghi chú cách sửa",
        "Download your file back with each wrong cell coloured and a note on how to fix it",
    ),
    "upload_cancel": ("Hủy, không ghi gì", "Cancel, write nothing"),
    "template_get": ("Tải biểu mẫu báo cáo quý (.xlsx)", "Get the quarterly report template (.xlsx)"),
    "template_any_commune": ("(biểu mẫu trống)", "(blank template)"),
    "template_download": ("Tải biểu mẫu", "Download the template"),
    "history_help": (
        "Mọi lần nộp đều được lưu cùng tệp gốc. Rút một lần nộp thì số liệu quay về bản nộp trước đó; "
        "lịch sử vẫn giữ cả hai.",
        "Every submission is kept with its original file. Withdrawing one makes the figures fall back to the "
        "previous version; history keeps both.",
    ),
    "history_empty": ("Chưa có lần nộp nào.", "No submissions yet."),
    "history_id": ("Số", "No."),
    "history_file": ("Tệp", "File"),
    "history_by": ("Người nộp", "Submitted by"),
    "history_at": ("Thời điểm", "When"),
    "history_rows": ("Số dòng", "Rows"),
    "history_state": ("Tình trạng", "State"),
    "history_live": ("Đang dùng", "In use"),
    "history_withdrawn": ("Đã rút ({who}, {when})", "Withdrawn ({who}, {when})"),
    "history_pick": ("Chọn lần nộp", "Pick a submission"),
    "history_download": ("Tải tệp gốc «{file}»", "Download the original '{file}'"),
    "history_withdraw_help": (
        "Rút lần nộp này: số liệu của nó không còn được tính, số liệu trước đó hiển thị lại.",
        "Withdraw this submission: its figures stop counting and the previous ones show again.",
    ),
    "history_reason": ("Lý do", "Reason"),
    "history_withdraw": ("Rút lần nộp số {id}", "Withdraw submission {id}"),
    "history_need_reason": ("Hãy ghi lý do rút.", "Enter the reason for withdrawing."),
    "history_withdraw_who": (
        "Chỉ cán bộ có quyền với các xã trong lần nộp này (đã đăng nhập) mới rút được.",
        "Only a signed-in officer with rights over this submission's communes can withdraw it.",
    ),
    "history_withdrawn_ok": ("Đã rút lần nộp số {id}.", "Submission {id} withdrawn."),
    "template_title": (
        "BIỂU MẪU BÁO CÁO QUÝ – TRUYỀN THÔNG NGHỊ QUYẾT 57-NQ/TW",
        "QUARTERLY REPORT TEMPLATE – RESOLUTION 57-NQ/TW COMMUNICATION",
    ),
    "template_instructions": (
        "1. Nhập số liệu ở trang «Số liệu». Mỗi dòng là một đơn vị (cơ quan, Thôn/Bản) × năm × quý × chỉ tiêu.\n"
        "2. Tỉnh, Xã, Chỉ tiêu và Quý chọn trong danh sách thả xuống; Năm là 4 chữ số (ví dụ 2026).\n"
        "3. «Số đạt» và «Tổng số» là số nguyên (số người, số đơn vị, số nhiệm vụ...), không nhập tỷ lệ %. "
        "Số đạt không được lớn hơn Tổng số; Tổng số phải lớn hơn 0.\n"
        "4. Số liệu là số lũy kế đến cuối quý (ví dụ: số người dân đã được tiếp cận tính đến hết quý).\n"
        "5. Các dòng đã điền sẵn lấy từ lần báo cáo trước của xã: chỉ cần nhập Số đạt, kiểm tra lại Tổng số.\n"
        "6. Không sửa dòng tiêu đề. Có thể thêm dòng mới cho đơn vị mới.\n"
        "7. Lưu tệp dạng .xlsx và nộp ở trang «Nộp báo cáo». Nếu tệp có lỗi, hệ thống trả lại chính tệp này "
        "với các ô lỗi được tô màu và ghi chú cách sửa.",
        "1. Enter the figures on the 'Số liệu' sheet. One row per unit (agency, village) × year × quarter × indicator.\n"
        "2. Province, commune, indicator and quarter come from the drop-down lists; the year has 4 digits (e.g. 2026).\n"
        "3. 'Số đạt' (achieved) and 'Tổng số' (total) are whole counts (people, units, tasks), never a percentage. "
        "Achieved may not exceed the total; the total must be above 0.\n"
        "4. Figures are running totals at the end of the quarter.\n"
        "5. Pre-filled rows come from the commune's previous report: enter the achieved count and check the total.\n"
        "6. Do not change the header row. You may add rows for new units.\n"
        "7. Save as .xlsx and submit it on the 'Upload' page. If the file has problems you get this same file back "
        "with the wrong cells coloured and a note on each saying what to fix.",
    ),
    "template_codes": ("Mã chỉ tiêu", "Indicator codes"),
    "template_indicator_hint": (
        "Chọn mã chỉ tiêu trong danh sách; ý nghĩa từng mã ở trang «Hướng dẫn».",
        "Pick an indicator code from the list; each code's meaning is on the instructions sheet.",
    ),
    "template_error_title": ("Giá trị không hợp lệ", "Invalid value"),
    "template_error_list": ("Hãy chọn một giá trị trong danh sách.", "Pick a value from the list."),
    "template_error_quarter": ("Quý là 1, 2, 3 hoặc 4.", "The quarter is 1, 2, 3 or 4."),
    "template_error_year": ("Năm từ 2024 đến 2035.", "The year is between 2024 and 2035."),
    "template_error_count": ("Nhập số nguyên lớn hơn hoặc bằng 0.", "Enter a whole number of 0 or more."),
    "file_too_large": (
        "Tệp nặng {size} MB, vượt giới hạn {limit} MB; hãy chia nhỏ tệp hoặc xóa các trang không cần thiết.",
        "The file is {size} MB, over the {limit} MB limit; split it or remove sheets that are not needed.",
    ),
    "file_inflates": (
        "Tệp khi giải nén lên tới {size} MB, vượt giới hạn {limit} MB; tệp có thể bị hỏng hoặc chứa quá nhiều dữ liệu.",
        "The file inflates to {size} MB, over the {limit} MB limit; it may be damaged or hold far too much data.",
    ),
    "file_too_many_rows": (
        "Tệp có hơn {limit} dòng số liệu; hãy chia thành nhiều tệp.",
        "The file has more than {limit} data rows; split it into several files.",
    ),
    "file_password": (
        "Tệp được đặt mật khẩu; hãy bỏ mật khẩu rồi lưu lại.",
        "The file is password-protected; remove the password and save it again.",
    ),
    "file_csv_broken": (
        "Tệp CSV bị lỗi định dạng ({detail}); hãy mở bằng Excel và lưu lại.",
        "The CSV file is malformed ({detail}); open it in Excel and save it again.",
    ),
    "totals_mismatch": (
        "Dòng tổng cộng ghi {stated} nhưng tổng các dòng phía trên là {summed}; dòng tổng cộng được bỏ qua, "
        "hãy kiểm tra lại số liệu.",
        "The totals row says {stated} but the rows above add up to {summed}; the totals row is skipped, "
        "check the figures.",
    ),
    # --- meeting exports (issue 4) ---------------------------------------------------------
    "export_overdue_reports": (
        "Báo cáo quá hạn, {area}, ngày {date}",
        "Overdue reports, {area}, {date}",
    ),
    "export_overdue_tasks": (
        "Nhiệm vụ quá hạn, {area}, ngày {date}",
        "Overdue tasks, {area}, {date}",
    ),
    "export_area_province": ("tỉnh {province}", "{province} province"),
    "export_area_commune": ("xã {commune}, tỉnh {province}", "{commune} commune, {province} province"),
    "export_plan_cite": ("Kế hoạch số {number} ngày {date} của {issuer}", "Plan No. {number} of {date} by {issuer}"),
    "export_and": (" và ", " and "),
    "export_source": ("Nguồn: {data}; {targets}.", "Source: {data}; {targets}."),
    "export_source_data": ("số liệu báo cáo {period} của {who}", "quarterly reports for {period} from {who}"),
    "export_source_no_data": ("chưa có số liệu báo cáo", "no reports yet"),
    "export_period_range": ("từ {first} đến {last}", "{first} to {last}"),
    "export_source_communes": ("{count} xã thuộc {area}", "{count} communes of {area}"),
    "export_source_units": ("{count} đơn vị thuộc {area}", "{count} units of {area}"),
    "export_source_plans": ("chỉ tiêu theo {plans}", "targets from {plans}"),
    "export_source_no_plan": ("chưa có Kế hoạch nào đặt chỉ tiêu", "no plan sets a target"),
    "export_s_value": (
        "Năm {year}, {area} đạt {value} ({numerator}/{denominator}; số liệu đến {quarter} của {reporters}).",
        "In {year}, {area} reached {value} ({numerator}/{denominator}; reports up to {quarter} from {reporters}).",
    ),
    "export_s_communes": ("{count}/{total} xã", "{count} of {total} communes"),
    "export_s_units": ("{count} đơn vị", "{count} units"),
    "export_s_no_data": (
        "Năm {year}, {area} chưa có số liệu cho nội dung này.",
        "In {year}, {area} has no figures for this indicator.",
    ),
    "export_s_no_target": (
        "Chưa có Kế hoạch nào đặt chỉ tiêu cho nội dung này.",
        "No plan sets a target for this indicator.",
    ),
    "export_s_met": (
        "Đã đạt chỉ tiêu {target} đặt cho năm {target_year}.",
        "This meets the target of {target} set for {target_year}.",
    ),
    "export_s_on_track": (
        "Chỉ tiêu là {target} vào năm {target_year}; kết quả đúng tiến độ (lộ trình năm {year}: {path}).",
        "The target is {target} by {target_year}; the figure is on track (path for {year}: {path}).",
    ),
    "export_s_behind": (
        "Chỉ tiêu là {target} vào năm {target_year}; kết quả đang chậm tiến độ, còn cách chỉ tiêu {gap} điểm phần trăm.",
        "The target is {target} by {target_year}; the figure is behind, {gap} percentage points short of it.",
    ),
    "export_s_named": ("{name} ({value}, chỉ tiêu {target})", "{name} ({value}, target {target})"),
    "export_s_behind_communes_one": ("Xã duy nhất chưa đạt chỉ tiêu: {names}.", "The only commune below its target: {names}."),
    "export_s_behind_communes_many": (
        "{count} xã chưa đạt chỉ tiêu; cách xa chỉ tiêu nhất: {names}.",
        "{count} communes are below their target; furthest behind: {names}.",
    ),
    "export_s_behind_units_one": ("Đơn vị duy nhất chưa đạt chỉ tiêu: {names}.", "The only unit below the target: {names}."),
    "export_s_behind_units_many": (
        "{count} đơn vị chưa đạt chỉ tiêu; cách xa chỉ tiêu nhất: {names}.",
        "{count} units are below the target; furthest behind: {names}.",
    ),
    "export_s_all_met_communes": ("Cả {count} xã có chỉ tiêu đều đã đạt.", "All {count} communes with a target have met it."),
    "export_s_all_met_units": (
        "Cả {count} đơn vị đều đã đạt chỉ tiêu của xã.",
        "All {count} units have met the commune's target.",
    ),
    "export_s_lowest_communes": ("Xã có tỷ lệ thấp nhất: {names}.", "Lowest communes: {names}."),
    "export_s_lowest_units": ("Đơn vị có tỷ lệ thấp nhất: {names}.", "Lowest units: {names}."),
    "export_col_value": ("Kết quả", "Result"),
    "export_col_counts": ("Số đạt/Tổng số", "Achieved/Total"),
    "export_col_target": ("Chỉ tiêu Kế hoạch (năm)", "Plan target (year)"),
    "export_col_status": ("Đánh giá", "Status"),
    "export_col_rate": ("Tỷ lệ", "Rate"),
    "export_col_plan": ("Kế hoạch áp dụng", "Plan applied"),
    "export_ranking_communes": (
        "Các xã của {area}, xếp theo tỷ lệ; vạch đen: chỉ tiêu",
        "Communes of {area}, ranked; black tick: target",
    ),
    "export_ranking_units": (
        "Các đơn vị của {area}, xếp theo tỷ lệ; vạch đen: chỉ tiêu của xã",
        "Units of {area}, ranked; black tick: the commune's target",
    ),
    "export_trend_title": ("{area}: các chỉ tiêu qua các năm", "{area}: indicators across years"),
    "export_heatmap_title": ("{indicator}: các xã qua các năm", "{indicator}: communes across years"),
    "export_heatmap_subtitle": (
        "Các xã của {area}; ô càng sáng, tỷ lệ càng cao",
        "Communes of {area}; the lighter the cell, the higher the rate",
    ),
    "export_summary_title": (
        "{area}, năm {year}: số xã theo mức độ thực hiện chỉ tiêu",
        "{area}, {year}: communes by status against their targets",
    ),
    "export_axis_communes": ("Số xã", "Communes"),
    "export_pack_title": (
        "Tiến độ thực hiện Chương trình truyền thông Nghị quyết 57-NQ/TW",
        "Progress of the Resolution 57-NQ/TW communication programme",
    ),
    "export_pack_year": ("Năm {year}", "Year {year}"),
    "export_pack_made": ("Lập ngày {date}", "Prepared on {date}"),
    "export_pack_demo": ("SỐ LIỆU MINH HỌA – không dùng để báo cáo", "DEMO DATA – not for reporting"),
    "export_summary_slide": ("Các xã theo mức độ thực hiện chỉ tiêu", "Communes by status"),
    "export_trend_slide": ("Các chỉ tiêu qua các năm", "Indicators across years"),
    "export_indicator_slide": ("{indicator} – năm {year}", "{indicator} – {year}"),
    "export_summary_table_title": ("{area}, năm {year}: kết quả so với chỉ tiêu", "{area}, {year}: results against targets"),
    "export_no_rows": ("Không có dòng nào.", "No rows."),
    "export_continued": ("(tiếp)", "(continued)"),
    "export_no_browser": (
        "Chức năng tải ảnh biểu đồ (PNG, SVG) và bộ trình chiếu (PPTX) đang tắt vì máy chủ {where}; "
        "cần Chrome hoặc Chromium để vẽ ảnh (Debian/Ubuntu: `apt-get install chromium`, hoặc đặt biến BROWSER_PATH). "
        "Các chức năng khác, kể cả tải bảng số liệu Excel, vẫn dùng bình thường.",
        "Chart images (PNG, SVG) and the slide pack (PPTX) are off because the server {where}; "
        "drawing them needs Chrome or Chromium (Debian/Ubuntu: `apt-get install chromium`, or set BROWSER_PATH). "
        "Everything else, including the Excel workbook, keeps working.",
    ),
    "export_no_browser_found": ("không tìm thấy trình duyệt Chrome/Chromium", "has no Chrome/Chromium browser"),
    "export_no_browser_at": (
        "không tìm thấy trình duyệt tại BROWSER_PATH={path}",
        "finds no browser at BROWSER_PATH={path}",
    ),
    "export_page_title": ("Tài liệu họp", "Meeting pack"),
    "export_page_help": (
        "Chọn năm và địa bàn, rồi tải bộ trình chiếu (PowerPoint 16:9: trang bìa, bảng tổng hợp, mỗi chỉ tiêu một trang "
        "có biểu đồ và nhận xét) hoặc bảng số liệu Excel (tỉnh, xã, đơn vị). Tệp được lập khi bấm nút.",
        "Pick the year and the area, then download the slide pack (16:9 PowerPoint: title, summary table, one slide per "
        "indicator with its chart and comments) or the Excel workbook (province, commune, unit). Files are made on click.",
    ),
    "export_whole_province": ("(toàn tỉnh)", "(whole province)"),
    "export_download_pptx": ("Tải bộ trình chiếu (.pptx)", "Download the slide pack (.pptx)"),
    "export_download_xlsx": ("Tải bảng số liệu (.xlsx)", "Download the figures (.xlsx)"),
    "export_download_png": ("Tải ảnh PNG", "Download PNG"),
    "export_download_svg": ("Tải ảnh SVG", "Download SVG"),
    "export_preview": ("Xem trước: {title}", "Preview: {title}"),
    "export_sheet_province": ("Tỉnh", "Province"),
    "export_sheet_commune": ("Xã", "Commune"),
    "export_sheet_unit": ("Đơn vị", "Unit"),
    "export_sheet_about": ("Ghi chú", "About"),
    "export_about_rules": (
        "Tỷ lệ = tổng Số đạt / tổng Tổng số (không lấy trung bình các tỷ lệ). Số liệu của một năm là số của quý "
        "gần nhất đã báo cáo trong năm. Trạng thái của đơn vị so với chỉ tiêu của xã, theo cùng quy tắc như của xã.",
        "Rate = sum of achieved / sum of totals (never a mean of rates). A year's figure is the latest quarter reported "
        "that year. A unit's status compares it with its commune's target, by the same rules as a commune's.",
    ),
    # --- reporting compliance, tasks and milestones (issue 5) ------------------------------
    "compliance_page": ("Tình hình báo cáo", "Reporting compliance"),
    "compliance_as_of": ("Tính đến ngày", "As of"),
    "compliance_rules_title": (
        "**Cách xác định đúng hạn, trễ hạn, quá hạn**",
        "**How on time, late and overdue are decided**",
    ),
    "compliance_rules_text": (
        "- Mỗi xã gửi số liệu **theo quý**, từ Quý I/2025. Một quý được tính là **đã nộp** khi có tệp (không bị rút lại) "
        "chứa số liệu của bất kỳ đơn vị nào thuộc xã cho quý đó; tính theo ngày tệp đầu tiên được tải lên.\n"
        "- Xã theo **thời hạn báo cáo trong Kế hoạch của xã**; Kế hoạch của xã không ghi ngày thì theo Kế hoạch của tỉnh. "
        "Thời hạn chỉ tính từ ngày ban hành Kế hoạch.\n"
        "- Số liệu của một quý phải nộp **trước kỳ báo cáo đầu tiên sau khi hết quý**: báo cáo 6 tháng (hạn tháng 6) gồm "
        "số liệu quý IV năm trước và quý I; báo cáo năm (hạn tháng 12) gồm số liệu quý II và quý III. Ví dụ Điện Biên: "
        "số liệu quý I/2026 hạn 10/6/2026, quý III/2026 hạn 10/12/2026.\n"
        "- **Lai Châu** báo cáo hằng tháng trước ngày 15; vì số liệu theo quý, số liệu mỗi quý phải nộp trước ngày 15 "
        "của tháng đầu quý sau (15/4, 15/7, 15/10, 15/1).\n"
        "- Nộp **trong ngày hạn** vẫn là đúng hạn; nộp sau ngày hạn là **trễ** (số ngày trễ = ngày nộp − ngày hạn). "
        "Đã qua ngày hạn mà chưa nộp là **quá hạn**.\n"
        "- **Hòa An** (Kế hoạch 139/KH-UBND chỉ ghi «định kỳ báo cáo», không ghi ngày) và các xã chưa có Kế hoạch ghi ngày "
        "báo cáo: chỉ ghi **đã nhận / chưa nhận**, không tính đúng hạn hay trễ, không đưa vào tỷ lệ.\n"
        "- Đơn vị (cơ quan, thôn/bản) theo thời hạn của xã, tính từ quý đầu tiên đơn vị đó báo cáo.",
        "- Each commune sends its figures **every quarter**, from Q1 2025. A quarter is **received** when a file (not "
        "withdrawn) holding figures of any of the commune's units for that quarter is uploaded; the first such upload counts.\n"
        "- A commune follows **the reporting dates of its own plan**; where its plan gives no date, its province plan's. "
        "Dates count only from the day the plan was issued.\n"
        "- A quarter's figures are due **by the first report date after the quarter ends**: the half-year report (due in "
        "June) carries the fourth quarter of the year before and the first quarter; the annual report (due in December) the "
        "second and third. Example, Điện Biên: Q1 2026 due 10 June 2026, Q3 2026 due 10 December 2026.\n"
        "- **Lai Châu** reports monthly before the 15th; as figures are quarterly, each quarter is due by the 15th of the "
        "month after it (15 Apr, 15 Jul, 15 Oct, 15 Jan).\n"
        "- Sent **on the due day** is on time; after it is **late** (days late = upload day − due day). "
        "Past the due day with nothing sent is **overdue**.\n"
        "- **Hòa An** (plan 139/KH-UBND says only “periodic reports”, with no date) and communes without a plan giving "
        "report dates: only **received / not received**, never on time or late, and not in the rates.\n"
        "- Units (agencies, villages) follow their commune's dates from the first quarter they reported.",
    ),
    "compliance_matrix": ("Xã × quý: đã nộp số liệu chưa, đúng hạn hay trễ", "Communes × quarters: received, on time or late"),
    "compliance_matrix_units": ("Theo đơn vị (các đơn vị đã từng báo cáo)", "By unit (units that have ever reported)"),
    "compliance_overdue": ("Các xã đang quá hạn, tính đến {date}", "Communes overdue as of {date}"),
    "compliance_none_overdue": ("Không có xã nào đang quá hạn.", "No commune is overdue."),
    "compliance_completeness": ("Tỷ lệ nộp báo cáo theo tỉnh và quý", "Completeness by province and quarter"),
    "compliance_completeness_note": (
        "Chỉ tính các quý đã qua ngày hạn. Tỷ lệ = số xã đã nộp / số xã phải nộp (đếm số xã, không lấy trung bình). "
        "Tỉnh không có Kế hoạch ghi ngày báo cáo thì không có tỷ lệ.",
        "Only quarters past their due day. Rate = communes that sent / communes that had to (a count, never a mean). "
        "A province without a plan giving report dates has no rate.",
    ),
    "compliance_no_due_yet": ("Chưa có quý nào qua ngày hạn nộp.", "No quarter is past its due day yet."),
    "compliance_metric_overdue": ("Xã đang quá hạn", "Communes overdue"),
    "compliance_metric_received": ("{period}: số xã đã nộp", "{period}: communes that sent"),
    "compliance_metric_on_time": ("{period}: số xã nộp đúng hạn", "{period}: communes on time"),
    "compliance_metric_none": ("Chưa có quý nào đến hạn", "No quarter due yet"),
    "compliance_col_missing_count": ("Số quý chưa nộp", "Quarters missing"),
    "compliance_col_missing_quarters": ("Các quý chưa nộp", "Missing quarters"),
    "compliance_col_first_due": ("Hạn đầu tiên đã quá", "First missed due day"),
    "compliance_col_days_overdue": ("Số ngày quá hạn", "Days overdue"),
    "compliance_col_last_upload": ("Lần nộp gần nhất", "Last submission"),
    "compliance_col_expected": ("Số xã phải nộp", "Communes due"),
    "compliance_col_received": ("Đã nộp", "Received"),
    "compliance_col_on_time": ("Đúng hạn", "On time"),
    "compliance_col_received_pct": ("Tỷ lệ đã nộp", "Received (%)"),
    "compliance_col_on_time_pct": ("Tỷ lệ đúng hạn", "On time (%)"),
    "compliance_never": ("chưa nộp lần nào", "never sent"),
    "compliance_last_upload": ("{date} (số liệu {period})", "{date} ({period} figures)"),
    "compliance_cell_on_time": ("đúng hạn", "on time"),
    "compliance_cell_late": ("trễ {days} ngày", "{days} days late"),
    "compliance_cell_missing": ("chưa nộp", "missing"),
    "compliance_cell_pending": ("hạn {date}", "due {date}"),
    "compliance_cell_received": ("đã nhận", "received"),
    "compliance_cell_not_received": ("chưa nhận", "not received"),
    "compliance_status_on_time": ("Đúng hạn", "On time"),
    "compliance_status_late": ("Trễ hạn (số ngày trễ)", "Late (days late)"),
    "compliance_status_missing": ("Quá hạn, chưa nộp (số ngày: bảng dưới)", "Overdue, not sent (days: table below)"),
    "compliance_status_pending": ("Chưa đến hạn (ngày/tháng hạn nộp)", "Not yet due (due day)"),
    "compliance_status_received": ("Đã nhận (không có ngày hạn)", "Received (no due day)"),
    "compliance_status_not_received": ("Chưa nhận (không có ngày hạn)", "Not received (no due day)"),
    "compliance_chart_title": ("Tỷ lệ xã nộp số liệu theo quý", "Share of communes sending their figures, by quarter"),
    "compliance_chart_received": ("Đã nộp", "Received"),
    "compliance_chart_on_time": ("Đúng hạn", "On time"),
    "compliance_chart_axis": ("Tỷ lệ xã (%)", "Communes (%)"),
    "compliance_chart_panel": ("{province} ({count} xã)", "{province} ({count} communes)"),
    "tasks_page": ("Nhiệm vụ và mốc", "Tasks and milestones"),
    "tasks_progress_page": ("Cập nhật tiến độ nhiệm vụ", "Record task progress"),
    "tasks_as_of": ("Tính đến ngày", "As of"),
    "tasks_pick_plan": ("Kế hoạch", "Plan"),
    "tasks_all_plans": ("Tất cả Kế hoạch", "All plans"),
    "tasks_pick_agency": ("Cơ quan chủ trì", "Lead agency"),
    "tasks_pick_state": ("Tình trạng", "Status"),
    "tasks_pick_all": ("Tất cả", "All"),
    "tasks_heading": ("Nhiệm vụ ({count})", "Tasks ({count})"),
    "tasks_none": ("Không có nhiệm vụ nào khớp bộ lọc.", "No task matches the filters."),
    "tasks_milestones": ("Mốc của Kế hoạch ({count})", "Plan milestones ({count})"),
    "tasks_rules": (
        "Hạn: «Tháng 6/2025» là ngày cuối tháng 6/2025; «Quý 1/2026» là 31/3/2026; «Năm 2026» là 31/12/2026; "
        "kế hoạch không ghi năm thì lấy năm ban hành Kế hoạch. «Hằng năm», «… và các năm tiếp theo»: hạn lặp lại mỗi năm, "
        "chỉ tính cập nhật trong năm đó. «Thường xuyên», «Theo phát động»: không có hạn, không tính trễ. "
        "Trong ngày hạn vẫn là đúng hạn. Mốc: hạn 31/12 của năm ghi trong Kế hoạch; tiến độ mốc được ghi như nhiệm vụ, "
        "theo mã mốc (ví dụ DB-M1). Tình trạng là lần cập nhật mới nhất (theo ngày cập nhật).",
        "Due day: “Tháng 6/2025” is the last day of June 2025; “Quý 1/2026” is 31 March 2026; “Năm 2026” is "
        "31 December 2026; with no year written, the plan's year. “Hằng năm” (yearly) and “… và các năm tiếp theo” "
        "(and following years): due again every year, and only that year's updates count. “Thường xuyên” (recurring) and "
        "“Theo phát động” (on call): no due day, never late. The due day itself is on time. Milestones are due on "
        "31 December of their year; progress on a milestone is recorded like a task, by its code (e.g. DB-M1). "
        "The status shown is the latest update (by its date).",
    ),
    "tasks_metric_overdue": ("Nhiệm vụ quá hạn", "Tasks overdue"),
    "tasks_metric_done": ("Nhiệm vụ hoàn thành", "Tasks done"),
    "tasks_metric_no_update": ("Nhiệm vụ chưa có cập nhật", "Tasks with no update"),
    "tasks_metric_milestones": ("Mốc quá hạn", "Milestones overdue"),
    "tasks_state_overdue": ("Quá hạn", "Overdue"),
    "tasks_state_done_late": ("trễ hạn", "late"),
    "tasks_status_overdue": ("Quá hạn", "Overdue"),
    "tasks_status_no_update": ("Chưa có cập nhật", "No update yet"),
    "tasks_status_not_started": ("Chưa thực hiện", "Not started"),
    "tasks_status_in_progress": ("Đang thực hiện", "In progress"),
    "tasks_status_done": ("Hoàn thành", "Done"),
    "tasks_due_ongoing": ("Thường xuyên", "Recurring"),
    "tasks_col_plan": ("Kế hoạch", "Plan"),
    "tasks_col_task": ("Nhiệm vụ", "Task"),
    "tasks_col_lead": ("Cơ quan chủ trì", "Lead agency"),
    "tasks_col_deadline": ("Thời hạn (theo Kế hoạch)", "Deadline (as written)"),
    "tasks_col_due": ("Hạn", "Due"),
    "tasks_col_state": ("Tình trạng", "Status"),
    "tasks_col_days_late": ("Số ngày trễ", "Days late"),
    "tasks_col_updated": ("Cập nhật ngày", "Updated on"),
    "tasks_col_note": ("Ghi chú", "Note"),
    "tasks_col_evidence": ("Minh chứng", "Evidence"),
    "tasks_col_milestone": ("Mốc", "Milestone"),
    "tasks_col_item": ("Nhiệm vụ / mốc", "Task / milestone"),
    "tasks_col_date": ("Ngày", "Date"),
    "tasks_col_recorded": ("Người ghi · ngày ghi · tệp", "Recorded by · on · file"),
    "tasks_form_title": ("Ghi tiến độ một nhiệm vụ hoặc mốc", "Record progress on one task or milestone"),
    "tasks_form_item": ("Nhiệm vụ / mốc", "Task / milestone"),
    "tasks_form_status": ("Tình trạng", "Status"),
    "tasks_form_date": ("Ngày", "Date"),
    "tasks_form_note": ("Ghi chú ngắn (kết quả, khó khăn)", "Short note (result, obstacles)"),
    "tasks_form_evidence": ("Minh chứng: đường dẫn hoặc tên tệp (không bắt buộc)", "Evidence: a link or file name (optional)"),
    "tasks_form_submit": ("Ghi tiến độ", "Record"),
    "tasks_upload_title": ("Nộp bảng tiến độ (Excel/CSV)", "Upload a progress sheet (Excel/CSV)"),
    "tasks_upload_help": (
        "Mỗi dòng là một lần cập nhật, với các cột: Mã nhiệm vụ (hoặc mã mốc), Trạng thái (Chưa thực hiện / Đang thực hiện / "
        "Hoàn thành), Ngày (dd/mm/yyyy), Ghi chú, Minh chứng. Bảng có lỗi bị từ chối toàn bộ và không ghi gì; danh sách lỗi "
        "cho biết dòng, cột và cách sửa. Dòng chỉ có mã (như trong bảng mẫu) được bỏ qua.",
        "One row per update, with the columns task code (or milestone code), status (not started / in progress / done), "
        "date (dd/mm/yyyy), note, evidence. A sheet with any problem is refused whole and nothing is written; the list "
        "names the row, column and fix. Rows with only a code (as in the template) are passed over.",
    ),
    "tasks_upload_pick": ("Chọn bảng tiến độ", "Choose a progress sheet"),
    "tasks_upload_ready": ("{file}: hợp lệ, {rows} dòng, sẵn sàng ghi.", "{file}: valid, {rows} rows, ready to write."),
    "tasks_upload_commit": ("Ghi bảng tiến độ", "Write the progress sheet"),
    "tasks_template": ("Tải bảng mẫu (.xlsx)", "Download the template (.xlsx)"),
    "tasks_history": (
        "Các lần cập nhật gần đây (lịch sử được giữ nguyên, không xóa)",
        "Recent updates (history is kept, never deleted)",
    ),
    "tasks_result_accepted": ("{file}: đã ghi {rows} dòng tiến độ.", "{file}: recorded {rows} progress row(s)."),
    "tasks_result_duplicate": (
        "{file}: bảng này đã được nộp trước đó; không ghi thêm.",
        "{file}: this exact sheet was already uploaded; nothing written.",
    ),
    "task_code_unknown": (
        "Mã «{value}» không phải mã nhiệm vụ hay mốc nào trong các Kế hoạch.{suggest_vi}",
        "'{value}' is not the code of any task or milestone in the plans.{suggest_en}",
    ),
    "task_status_invalid": (
        "«{value}» không phải tình trạng; hãy ghi Chưa thực hiện, Đang thực hiện hoặc Hoàn thành.",
        "'{value}' is not a status; write Not started, In progress or Done.",
    ),
    "task_date_invalid": (
        "«{value}» không phải ngày; hãy ghi ngày/tháng/năm, ví dụ 15/03/2026.",
        "'{value}' is not a date; write day/month/year, e.g. 15/03/2026.",
    ),
    "task_date_future": (
        "Ngày {value} chưa đến (hôm nay là {today}); hãy ghi ngày đã thực hiện.",
        "{value} is after today ({today}); enter the day the progress was made.",
    ),
    "task_date_early": (
        "Ngày {value} trước {earliest}, khi chưa có Chương trình; hãy kiểm tra lại năm.",
        "{value} is before {earliest}, before the programme; check the year.",
    ),
    "task_text_long": ("Nội dung dài {length} ký tự; tối đa {limit} ký tự.", "The text is {length} characters; at most {limit}."),
    "task_duplicate_row": (
        "Dòng này trùng với dòng {other} (cùng mã, cùng ngày); hãy xóa một dòng.",
        "This row repeats row {other} (same code and date); delete one of them.",
    ),
    "task_file_no_header": (
        "Không tìm thấy dòng tiêu đề (Mã nhiệm vụ, Trạng thái, Ngày, Ghi chú, Minh chứng); hãy dùng bảng mẫu.",
        "No header row found (task code, status, date, note, evidence); use the template.",
    ),
    # --- accounts and audit (issue 6) ------------------------------------------------------
    "sign_in_sso": ("Đăng nhập bằng tài khoản cơ quan (SSO)", "Sign in with your organisation (SSO)"),
    "task_out_of_scope": (
        "Tài khoản của bạn không được cập nhật nhiệm vụ {code} (thuộc Kế hoạch của {area}).",
        "Your account may not update task {code} (in the plan of {area}).",
    ),
    "page_accounts": ("Tài khoản", "Accounts"),
    "page_audit": ("Nhật ký", "Audit trail"),
    "accounts_add": ("Thêm tài khoản", "Add an account"),
    "accounts_full_name": ("Họ tên", "Full name"),
    "accounts_role": ("Vai trò", "Role"),
    "accounts_scope": ("Phạm vi", "Scope"),
    "accounts_state": ("Tình trạng", "State"),
    "accounts_active": ("Đang dùng", "Active"),
    "accounts_disabled": ("Đã khóa", "Disabled"),
    "accounts_communes": ("Xã (cho cán bộ cấp xã)", "Communes (for commune officers)"),
    "accounts_added": ("Đã thêm tài khoản «{username}».", "Account '{username}' added."),
    "accounts_change": ("Khóa, mở khóa hoặc đặt lại mật khẩu", "Disable, enable or reset a password"),
    "accounts_action": ("Thao tác", "Action"),
    "accounts_action_disable": ("Khóa", "Disable"),
    "accounts_action_enable": ("Mở khóa", "Enable"),
    "accounts_action_passwd": ("Đặt lại mật khẩu", "Reset password"),
    "accounts_new_password": ("Mật khẩu mới (khi đặt lại)", "New password (when resetting)"),
    "accounts_apply": ("Thực hiện", "Apply"),
    "accounts_done": ("Đã cập nhật tài khoản «{username}».", "Account '{username}' updated."),
    "audit_help": (
        "Mọi lần đăng nhập, đăng nhập sai, nộp báo cáo (nhận hoặc từ chối), rút báo cáo, cập nhật nhiệm vụ và thay đổi "
        "tài khoản đều được ghi lại ở đây và không thể sửa hay xóa.",
        "Every sign-in, failed sign-in, upload (accepted or refused), withdrawal, task update and account change is "
        "recorded here and can be neither changed nor deleted.",
    ),
    "audit_actor": ("Người thực hiện", "Who"),
    "audit_action": ("Việc", "What"),
    "audit_since": ("Từ ngày", "From"),
    "audit_until": ("Đến ngày", "To"),
    "audit_download": ("Tải nhật ký (.csv)", "Download the trail (.csv)"),
    "signed_in_as": ("Đã đăng nhập: **{name}** ({role})", "Signed in: **{name}** ({role})"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_in_title": ("**Đăng nhập** (để nộp báo cáo)", "**Sign in** (to submit reports)"),
    "sign_in_username": ("Tên đăng nhập", "Username"),
    "sign_in_password": ("Mật khẩu", "Password"),
    "demo_accounts": (
        "Tài khoản dùng thử (chỉ có trong số liệu minh họa): {accounts}",
        "Demo accounts (only in the demo database): {accounts}",
    ),
    "need_sign_in": (
        "Hãy đăng nhập (ở thanh bên trái) bằng tài khoản cán bộ để nộp báo cáo.",
        "Sign in (in the sidebar) with an officer's account to submit reports.",
    ),
    "need_writer": (
        "Tài khoản của bạn chỉ được xem, không được nộp hay sửa số liệu.",
        "Your account may view only; it cannot submit or change figures.",
    ),
    "need_admin": ("Trang này chỉ dành cho quản trị viên.", "This page is for administrators only."),
    "account_password_mismatch": ("Hai lần nhập mật khẩu không khớp.", "The two passwords differ."),
    "out_of_scope": (
        "Tài khoản của bạn không được nộp số liệu cho xã {commune} ({province}); hãy xóa dòng này "
        "hoặc nhờ cán bộ của xã đó nộp.",
        "Your account may not submit figures for {commune} ({province}); remove this row "
        "or ask that commune's officer to submit it.",
    ),
    "account_password_short": (
        "Mật khẩu phải có ít nhất {minimum} ký tự.",
        "The password needs at least {minimum} characters.",
    ),
    "account_bad_username": (
        "Tên đăng nhập «{username}» không hợp lệ: dùng chữ thường không dấu, số và . _ - @.",
        "Username '{username}' is not valid: use lower-case letters, digits and . _ - @.",
    ),
    "account_bad_role": ("Vai trò «{role}» không có.", "There is no role '{role}'."),
    "account_needs_province": ("Hãy chọn tỉnh cho tài khoản này.", "Choose the province for this account."),
    "account_needs_commune": (
        "Hãy chọn ít nhất một xã cho tài khoản cấp xã.",
        "Choose at least one commune for a commune account.",
    ),
    "account_unknown_province": ("Không có tỉnh «{province}» trong danh mục.", "Province '{province}' is not in the registry."),
    "account_unknown_commune": (
        "Không có xã «{commune}» thuộc tỉnh {province} trong danh mục.",
        "Commune '{commune}' is not registered in {province}.",
    ),
    "account_exists": ("Tài khoản «{username}» đã có.", "Account '{username}' already exists."),
    "account_unknown": ("Không có tài khoản «{username}».", "There is no account '{username}'."),
    "account_bad_credentials": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "account_locked": (
        "Đăng nhập sai quá nhiều lần; tài khoản tạm khóa {minutes} phút.",
        "Too many failed sign-ins; the account is locked for {minutes} minutes.",
    ),
    "role_admin": ("Quản trị", "Administrator"),
    "role_province": ("Cán bộ cấp tỉnh", "Province officer"),
    "role_commune": ("Cán bộ cấp xã", "Commune officer"),
    "role_viewer": ("Chỉ xem", "Viewer"),
    # --- statuses -------------------------------------------------------------------
    "status_met": ("Đạt", "Met"),
    "status_on_track": ("Đúng tiến độ", "On track"),
    "status_behind": ("Chậm tiến độ", "Behind"),
    "status_no_target": ("Chưa có chỉ tiêu", "No target"),
    "status_no_data": ("Chưa có số liệu", "No data"),
    # --- journal: write-ahead, nothing an operator runs loses data
    "store_journal_unwritable": (
        "Không ghi được nhật ký của cơ sở dữ liệu nên thao tác này không được thực hiện (không có gì được lưu). "
        "Hãy báo quản trị viên: ổ đĩa có thể đã đầy hoặc thư mục chỉ cho đọc. Chi tiết: {error}",
        "The database journal could not be written, so this was not done (nothing was saved). "
        "Tell the administrator: the disk may be full or the folder read-only. Details: {error}",
    ),
    # --- hostile input: text, encodings and huge counts
    "text_control": (
        "Có ký tự điều khiển {char} ({name}) ở vị trí {position}: «{shown}». Ký tự này không nhìn thấy được "
        "và làm hỏng các tệp xuất; hãy xóa ký tự đó (hoặc gõ lại nội dung ô).",
        "Control character {char} ({name}) at position {position}: '{shown}'. It cannot be seen and breaks "
        "the exports; delete it (or retype the cell).",
    ),
    "text_invisible": (
        "Có ký tự ẩn {char} ({name}) ở vị trí {position}: «{shown}». Ký tự này không hiện ra nhưng làm tên "
        "khác đi, nên một đơn vị trông giống hệt sẽ bị tính hai lần; hãy xóa ký tự đó hoặc gõ lại tên.",
        "Invisible character {char} ({name}) at position {position}: '{shown}'. It shows nothing but makes "
        "the name different, so a unit that looks the same would be counted twice; delete it or retype the name.",
    ),
    "text_script": (
        "Ký tự {char} ({name}) ở vị trí {position} không phải chữ cái tiếng Việt, dù trông giống: «{shown}». "
        "Hãy gõ lại tên bằng bàn phím tiếng Việt (Unikey: Telex hoặc VNI).",
        "Character {char} ({name}) at position {position} is not a Vietnamese letter, though it may look like "
        "one: '{shown}'. Retype the name with a Vietnamese keyboard (Unikey: Telex or VNI).",
    ),
    "count_too_large": (
        "Số {value} quá lớn cho một số đếm (tối đa {limit_vi}); hãy kiểm tra lại ô này.",
        "{value} is too large for a count (at most {limit_en}); check this cell.",
    ),
    "file_mixed_encoding": (
        "Tệp bị lẫn hai kiểu mã hóa chữ: phần lớn là UTF-8 nhưng từ dòng {line} của tệp (có {lines} dòng như vậy) "
        "chữ được lưu theo kiểu khác, nên chữ có dấu sẽ bị sai. Hãy mở tệp bằng Excel, chọn «Lưu thành» (Save As) "
        "→ «CSV UTF-8 (Comma delimited) (*.csv)» rồi tải lên lại.",
        "The file mixes two text encodings: it is mostly UTF-8, but line {line} of the file ({lines} such lines in all) "
        "is saved in another one, so accented letters would be garbled. Open it in Excel, Save As "
        "'CSV UTF-8 (Comma delimited) (*.csv)' and upload it again.",
    ),
    # --- hostile input: people (sign-in bounds, safe CSV downloads)
    "account_password_long": (
        "Mật khẩu dài quá {maximum} ký tự.",
        "The password is longer than {maximum} characters.",
    ),
    "table_download": ("Tải bảng (.csv)", "Download the table (.csv)"),
    # --- hostile input: sheet extent and parser isolation (issue 10) ------------------
    "file_sheet_extent": (
        "Trang «{sheet}» có một ô ở {cell}, nằm rất xa ngoài bảng số liệu (tối đa {max_rows} dòng và {max_columns} cột, "
        "tới cột {last_column}). Hãy xóa các ô, cột hoặc dòng thừa quanh {cell}, "
        "hoặc chép bảng sang một trang tính mới rồi lưu lại.",
        "Sheet '{sheet}' has a cell at {cell}, far outside the table (at most {max_rows} rows and {max_columns} columns, "
        "up to column {last_column}). Delete the stray cells, columns or rows around {cell}, "
        "or copy the table into a new sheet and save again.",
    ),
    "file_parser_failed": (
        "Không đọc được tệp một cách an toàn ({reason}): tệp có thể bị hỏng hoặc được tạo ra để tấn công máy chủ. "
        "Hãy mở tệp bằng Excel và lưu lại dạng .xlsx, hoặc chép bảng sang một sổ tính mới.",
        "The file could not be read safely ({reason}): it may be damaged or built to attack the server. "
        "Open it in Excel and save it again as .xlsx, or copy the table into a new workbook.",
    ),
    # --- one error base (issue 11): messages of KpisError subclasses; cli_* wordings are the command line's own
    "error_text": ("{text}", "{text}"),
    "error_store": ("{text}", "{text}"),
    "error_catalog": ("{text}", "{text}"),
    "error_rebuild": ("{text}", "{text}"),
    "error_real_database": ("{text}", "{text}"),
    "error_export_unavailable": ("{text}", "{text}"),
    "meeting_commune_unknown": ("Xã «{commune}» chưa có trong danh mục.", "commune '{commune}' is not registered"),
    "meeting_commune_unknown_in": (
        "Xã «{commune}» thuộc {province} chưa có trong danh mục.",
        "commune '{commune}' in {province} is not registered",
    ),
    "meeting_commune_ambiguous": (
        "Có xã «{commune}» ở {provinces}: hãy chọn tỉnh.",
        "commune '{commune}' exists in {provinces}: name the province",
    ),
    "meeting_province_unknown": (
        "Tỉnh «{province}» chưa có trong danh mục; các tỉnh đã có: {known}.",
        "province '{province}' is not registered; known: {known}",
    ),
    "meeting_no_province": ("Danh mục chưa có tỉnh nào.", "no province is registered"),
    "meeting_indicator_missing": ("Hãy chọn một chỉ tiêu: {names}.", "the indicator must be one of: {names}"),
    "meeting_indicator_unknown": (
        "Chỉ tiêu phải là một trong: {names} (nhận được «{indicator}»).",
        "the indicator must be one of: {names} (got '{indicator}')",
    ),
    "meeting_chart_unknown": (
        "Biểu đồ phải là một trong: {names} (nhận được «{chart}»).",
        "the chart must be one of: {names} (got '{chart}')",
    ),
    "export_needs_chart": (
        "Xuất .png/.svg cần tên biểu đồ (và mã chỉ tiêu cho biểu đồ xếp hạng/bản đồ nhiệt).",
        "a .png/.svg export needs a chart name (and an indicator code for ranking/heatmap)",
    ),
    "export_suffix": (
        "{file}: đuôi tệp phải là .pptx, .xlsx, .png hoặc .svg.",
        "{file}: the suffix must be .pptx, .xlsx, .png or .svg",
    ),
    "template_half_period": ("Năm và quý phải đi cùng nhau.", "the year and the quarter go together"),
    "template_quarter_range": ("Quý là 1, 2, 3 hoặc 4 (nhận được {quarter}).", "the quarter is 1, 2, 3 or 4 (got {quarter})"),
    "template_commune_unknown": ("Xã «{commune}» chưa có trong danh mục.", "commune '{commune}' is not in the registry"),
    "template_commune_ambiguous": (
        "Có xã «{commune}» ở nhiều tỉnh; hãy chọn tỉnh.",
        "commune '{commune}' exists in several provinces; name the province",
    ),
    "template_error_year_range": ("Năm từ {low} đến {high}.", "The year is between {low} and {high}."),
    "cli_rebuild_stopped": (
        "{db}: dừng dựng lại, không thay thế gì: {error}",
        "{db}: rebuild stopped, nothing replaced: {error}",
    ),
    "cli_demo_refused": ("Không dựng dữ liệu mẫu, không có gì thay đổi: {error}", "demo refused, nothing changed: {error}"),
    "cli_export_failed": ("{out}: {error}", "{out}: {error}"),
    "cli_meeting_commune_ambiguous": (
        "Có xã «{commune}» ở {provinces}: thêm --province",
        "commune '{commune}' exists in {provinces}: add --province",
    ),
    "cli_meeting_indicator_missing": ("--indicator phải là một trong: {names}", "--indicator must be one of: {names}"),
    "cli_meeting_indicator_unknown": (
        "--indicator phải là một trong: {names} (nhận được «{indicator}»)",
        "--indicator must be one of: {names} (got '{indicator}')",
    ),
    "cli_meeting_chart_unknown": (
        "--chart phải là một trong: {names} (nhận được «{chart}»)",
        "--chart must be one of: {names} (got '{chart}')",
    ),
    "cli_export_needs_chart": (
        "Xuất .png/.svg cần --chart TÊN (và --indicator MÃ cho ranking/heatmap)",
        "a .png/.svg export needs --chart NAME (and --indicator CODE for ranking/heatmap)",
    ),
    "cli_template_half_period": ("--year và --quarter phải đi cùng nhau", "--year and --quarter go together"),
    "cli_template_quarter_range": ("--quarter là 1, 2, 3 hoặc 4", "--quarter is 1, 2, 3 or 4"),
    "cli_template_commune_ambiguous": (
        "Có xã «{commune}» ở nhiều tỉnh; thêm --province",
        "commune '{commune}' exists in several provinces; add --province",
    ),
}


def t(key: str, lang: Lang = DEFAULT_LANG, **params: Any) -> str:
    """The string for key in lang, with params filled in; the key itself if unknown."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "vi" else pair[1]
    return text.format(**params) if params else text


def problem_message(code: str, params: dict[str, Any], lang: Lang = DEFAULT_LANG) -> str:
    params = dict(params)
    suggest = params.pop("suggest", "")
    params["suggest_vi"] = t("did_you_mean", "vi", names=suggest) if suggest else ""
    params["suggest_en"] = t("did_you_mean", "en", names=suggest) if suggest else ""
    return t(code, lang, **params)


def format_problem(row: int | None, column: str | None, code: str, params: dict[str, Any], lang: Lang = DEFAULT_LANG) -> str:
    message = problem_message(code, params, lang)
    if row is not None and column:
        return t("problem_at", lang, row=row, column=column, message=message)
    if row is not None:
        return t("problem_at_row", lang, row=row, message=message)
    return message


def _locale(lang: Lang) -> str:
    return "vi_VN" if lang == "vi" else "en_US"


def fmt_pct(value: float | None, lang: Lang = DEFAULT_LANG, digits: int = 1) -> str:
    """36.666 -> '36,7 %' (vi) or '36.7%' (en); value is on the 0-100 scale."""
    if value is None or value != value:
        return "–"
    pattern = "#,##0." + "0" * digits + " %" if lang == "vi" else "#,##0." + "0" * digits + "%"
    return format_percent(value / 100, pattern, locale=_locale(lang))


def fmt_int(value: float | int | None, lang: Lang = DEFAULT_LANG) -> str:
    if value is None or value != value:
        return "–"
    return format_decimal(int(value), "#,##0", locale=_locale(lang))


def status_label(status: str, lang: Lang = DEFAULT_LANG) -> str:
    return t(f"status_{status}", lang)
