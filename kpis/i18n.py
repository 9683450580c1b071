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
        "Đây là SỐ LIỆU MINH HỌA (tự tạo, không có thật) để làm quen với hệ thống. Số liệu thật được nộp ở trang «Nộp báo cáo».",
        "This is DEMO DATA (made up, not real) to try the system. Real figures are submitted on the 'Upload' page.",
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
    "upload_who": ("Họ tên người nộp", "Your name"),
    "upload_pick": ("Chọn tệp báo cáo", "Choose report files"),
    "upload_ready": ("{file}: hợp lệ, {rows} dòng, sẵn sàng ghi.", "{file}: valid, {rows} rows, ready to write."),
    "upload_commit": ("Ghi {count} tệp hợp lệ vào cơ sở dữ liệu", "Write {count} valid file(s) to the database"),
    "anonymous": ("(không ghi tên)", "(anonymous)"),
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
    # --- reporting compliance, tasks and milestones (issue 5) ------------------------------
    # --- accounts and audit (issue 6) ------------------------------------------------------
    # --- statuses -------------------------------------------------------------------
    "status_met": ("Đạt", "Met"),
    "status_on_track": ("Đúng tiến độ", "On track"),
    "status_behind": ("Chậm tiến độ", "Behind"),
    "status_no_target": ("Chưa có chỉ tiêu", "No target"),
    "status_no_data": ("Chưa có số liệu", "No data"),
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
