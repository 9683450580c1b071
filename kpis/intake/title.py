"""The title rows of a report form -> the commune, the reporting unit and the period it names; and the footer.

Offices put the place and the period above the table ("UBND XÃ MƯỜNG MÙN", "Đơn vị báo cáo: …",
"Mường Mùn, ngày 05 tháng 10 năm 2025", "Quý III năm 2025", "6 tháng đầu năm 2025") and a signature block
below it. Patterns are matched on the folded text (no diacritics, lower case) and the names are cut from
the text as written, at the same positions. The national motto, the document number, "Kính gửi" and the
dates of signing are recognised so that none of them is read as a place or a period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kpis.core.settings import YEAR_MAX, YEAR_MIN
from kpis.core.text import fold, nfc

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_KIND = r"(xa|phuong|dac khu)"
_COMMITTEE = r"(?:ubnd|uy ban nhan dan|u\.b\.n\.d\.?)"
_PLACE_RES = (
    re.compile(rf"^(?:tm\.?\s*)?{_COMMITTEE}\s+{_KIND}\s+(?P<name>[^,;()]+?)\s*(?:[,;(].*)?$"),  # up to a comma
    re.compile(rf"^{_KIND}\s+(?P<name>[^,]+?)\s*,\s*ngay\b"),  # "Xã Mường Mùn, ngày 05 tháng 10 năm 2025"
)
_PROVINCE_RE = re.compile(rf"^{_COMMITTEE}\s+(?P<kind>tinh|thanh pho)\s+(?P<name>[^,;()]+?)\s*(?:[,;(].*)?$")
_DATE_PLACE_RE = re.compile(r"^(?P<name>[^,]{2,40}?)\s*,\s*ngay\b")  # "Mường Mùn, ngày …": a weak hint
_REPORTER_RE = re.compile(r"^(?:ten\s+)?don vi bao cao\s*[:\-]?\s*(?P<name>.+)$")
_IGNORED_RE = re.compile(r"^(?:kinh gui|so\s*:|so\s+\d|noi nhan|cong hoa xa hoi|doc lap)")

_DATES = re.compile(
    r"ngay\s*\.*\s*\d{0,2}\s*\.*\s*thang\s*\.*\s*\d{0,2}\s*\.*\s*nam\s*\.*\s*\d{0,4}"  # ngày 05 tháng 10 năm 2025
    r"|\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}"  # 22/12/2024
    r"|(?:den|toi|tam nhin)\s+nam\s+\d{4}"  # "đến năm 2030, tầm nhìn đến năm 2045" are horizons, not periods
    r"|giai doan\s+\d{4}\s*[-–]\s*\d{4}"
    r"|\b\d+\s*[-/]\s*(?:nq|kh|bc|qd|ct|tb)\b[\w/\-]*"  # document numbers: 57-NQ/TW, 15/BC-UBND
)
_QUARTER = re.compile(r"\bquy\s*(iv|iii|ii|i|[1-4])\b\s*(?:nam|[/\-.,]|\s)\s*(\d{4})\b")
_Q_SHORT = re.compile(r"\bq\s*([1-4])\s*[/\-.]\s*(\d{4})\b")
_MONTHS = re.compile(r"\b(6|9|sau|chin)\s*thang\s*(?:dau\s*)?(?:nam\s*)?(\d{4})\b")
_MONTH = re.compile(r"\bthang\s*(\d{1,2})\s*(?:nam|[/\-.])\s*(\d{4})\b")
_YEAR = re.compile(r"\b(ca\s*)?nam\s*(\d{4})\b")

_FOOTER = (
    "noi nhan",
    "nguoi lap bieu",
    "nguoi lap",
    "nguoi bao cao",
    "ky, ghi ro ho ten",
    "ky ghi ro ho ten",
    "ky va ghi ro ho ten",
    "ky ten",
    "ky ten, dong dau",
    "tm. uy ban nhan dan",
    "tm uy ban nhan dan",
    "tm. ubnd",
    "kt. chu tich",
    "chu tich",
    "pho chu tich",
    "thu truong don vi",
    "thu truong co quan",
    "lanh dao don vi",
    "nguoi duyet",
    "xac nhan cua lanh dao",
)


def fold_aligned(text: str) -> str:
    """fold() one character at a time, so that a match in the result cuts the same span from the text."""
    out = []
    for ch in text:
        f = fold(ch) if not ch.isspace() else " "
        out.append(f if len(f) == 1 else (ch.lower() if len(ch.lower()) == 1 else "?"))
    return "".join(out)


@dataclass(frozen=True)
class Found:
    """One thing a title cell says, with where it says it (row as Excel shows it, 0-based column)."""

    line: int
    col: int
    text: str  # the cell as written, for a message
    value: Any  # a name (str) or a (year, quarter) pair


@dataclass
class Title:
    """What the title rows say: each kind of finding in reading order; problems already worded as codes."""

    communes: list[Found] = field(default_factory=list)  # "UBND XÃ …", "Xã …, ngày …": (kind, name)
    weak_communes: list[Found] = field(default_factory=list)  # "Mường Mùn, ngày …": a name only
    provinces: list[Found] = field(default_factory=list)
    reporters: list[Found] = field(default_factory=list)  # "Đơn vị báo cáo: …"
    periods: list[Found] = field(default_factory=list)  # (year, quarter)
    years: list[Found] = field(default_factory=list)  # "năm 2025", "cả năm 2025": (year, 4), unless a quarter is named
    problems: list[tuple[int, int, str, dict[str, Any]]] = field(default_factory=list)  # (line, col, code, params)


def _text(value: Any) -> str:
    return re.sub(r"\s+", " ", nfc(value)).strip() if type(value) is str else ""


def _cut(text: str, folded: str, m: re.Match[str], group: str = "name") -> str:
    return text[m.start(group) : m.end(group)].strip(" .;:-–")


def _periods(folded: str) -> tuple[list[tuple[int, int]], list[tuple[str, dict[str, Any]]]]:
    """Every period a cell names, most specific first; and a month that ends no quarter, as a problem."""
    masked = _DATES.sub(lambda m: " " * len(m.group(0)), folded)
    found: list[tuple[int, int]] = []
    problems: list[tuple[str, dict[str, Any]]] = []

    def take(pattern: re.Pattern[str], convert: Any) -> None:
        nonlocal masked
        for m in pattern.finditer(masked):
            year = int(m.group(2))
            if not YEAR_MIN <= year <= YEAR_MAX:
                continue
            result = convert(m.group(1), year)
            if result is not None:
                found.append((year, result))
        masked = pattern.sub(lambda m: " " * len(m.group(0)), masked)

    take(_QUARTER, lambda q, y: _ROMAN.get(q) or int(q))
    take(_Q_SHORT, lambda q, y: int(q))
    take(_MONTHS, lambda n, y: 2 if n in ("6", "sau") else 3)

    def month(m: str, year: int) -> int | None:
        n = int(m)
        if not 1 <= n <= 12:
            return None
        if n % 3 == 0:
            return n // 3
        quarter = (n - 1) // 3 + 1
        problems.append(("period_month_not_quarter_end", {"month": n, "year": year, "quarter": quarter, "end": quarter * 3}))
        return None

    take(_MONTH, month)
    if not found and not problems:
        take(_YEAR, lambda _, y: 0)  # a whole year: quarter 0 here, the end of Q4 unless a quarter is named elsewhere
    return found, problems


def read_title(rows: list[tuple[int, list[Any]]]) -> Title:
    """What the rows above a table (each with its Excel row number) say about its place and period."""
    title = Title()
    committee_at: dict[int, int] = {}  # column -> line of a cell that says only "ỦY BAN NHÂN DÂN" / "UBND"
    for line, row in rows:
        for col, value in enumerate(row):
            text = _text(value)
            if len(text) < 2 or len(text) > 400:
                continue
            folded = fold_aligned(text)
            if folded.strip(" .") in ("uy ban nhan dan", "ubnd"):
                committee_at[col] = line
                continue
            if committee_at.pop(col, None) is not None and re.match(rf"^{_KIND}\s+\S", folded):
                folded, text = "ubnd " + folded, "UBND " + text  # the committee's name written on two lines
            if _IGNORED_RE.match(folded):
                continue
            _places(title, line, col, text, folded)
            periods, problems = _periods(folded)
            for year, quarter in dict.fromkeys(periods):
                found = title.years if quarter == 0 else title.periods
                found.append(Found(line, col, text, (year, quarter or 4)))
            for code, params in problems:
                title.problems.append((line, col, code, params))
    return title


def _places(title: Title, line: int, col: int, text: str, folded: str) -> None:
    if m := _REPORTER_RE.match(folded):
        name = _cut(text, folded, m)
        inner = fold_aligned(name)
        for pattern in _PLACE_RES:
            if (mm := pattern.match(inner)) or (mm := re.match(rf"^{_KIND}\s+(?P<name>.+)$", inner)):
                title.communes.append(Found(line, col, text, (mm.group(1), _cut(name, inner, mm))))
                return
        title.reporters.append(Found(line, col, text, name))
        return
    if m := _PROVINCE_RE.match(folded):
        title.provinces.append(Found(line, col, text, (m.group("kind"), _cut(text, folded, m))))
        return
    for pattern in _PLACE_RES:
        if m := pattern.match(folded):
            title.communes.append(Found(line, col, text, (m.group(1), _cut(text, folded, m))))
            return
    if m := _DATE_PLACE_RE.match(folded):
        title.weak_communes.append(Found(line, col, text, _cut(text, folded, m)))


def is_footer(row: list[Any]) -> bool:
    """A row of the signature block ("Nơi nhận:", "Người lập biểu", "TM. ỦY BAN NHÂN DÂN", a dated line)."""
    return any(type(value) is str and _footer_text(value) for value in row)


@lru_cache(maxsize=1 << 14)
def _footer_text(value: str) -> bool:
    """One cell of the signature block? Asked of every text cell of a file: once per distinct text."""
    text = _text(value)
    if not text or len(text) > 200:
        return False
    folded = fold(text).strip(" :()-–.*")
    if folded in _FOOTER or folded.startswith(("noi nhan", "tm. ", "kt. ", "tm ", "kt ")):
        return True
    return bool(_DATE_PLACE_RE.match(folded)) and "thang" in folded and "nam" in folded
