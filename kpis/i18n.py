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
