"""Property-based tests (hypothesis) of the parsers and of whole files.

Parsers: every way people write a count, a year, a quarter or a registered name reads as the value
meant; what is not a whole count, a quarter or a known name is refused with the right reason.
Whole files: any generated valid file (CSV in any of Excel's encodings and delimiters, or .xlsx with
title rows; names, numbers and quarters spelled any accepted way) imports, and the figures equal a
plain-Python reference sum; any single mutation that breaks a rule makes the file refused with that
problem at that row and column, and leaves the database exactly as it was.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpis import store
from kpis.catalog.model import default_catalog
from kpis.catalog.official import default_official
from kpis.core.parse import ParseError, parse_count, parse_quarter, parse_year
from kpis.core.text import fold, name_key, tone_key
from kpis.figures.progress import progress
from kpis.intake.csv_grid import decode_text
from kpis.intake.importer import check_file, import_file
from tests.corpus.make_corpus import cp1258_text

CATALOG = default_catalog()
COMMUNES = [(c.province, c.name, c.kind) for c in CATALOG.communes]
FOREIGN_PROVINCE = "Tỉnh Xiêng Khoảng"  # a province of Laos: no province of Vietnam, now or before 1 July 2025
PROVINCES = sorted({c.province for c in CATALOG.communes})
INDICATORS = list(CATALOG.indicators)
UNITS = [
    "Bản Na Sang",
    "Bản Huổi Lóng",
    "Thôn Đồng Tâm",
    "Tổ dân phố số 3",
    "Văn phòng HĐND và UBND xã",
    "Trường THCS Mường Mùn",
    "Trạm Y tế xã",
    "Bản Pá Chả",
    "Công an xã",
    "Đoàn Thanh niên xã",
]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
HEADERS = {
    "vi": ["Tỉnh", "Xã", "Đơn vị", "Năm", "Quý", "Chỉ tiêu", "Số đạt", "Tổng số", "Ghi chú"],
    "en": ["province", "commune", "unit", "year", "quarter", "indicator", "numerator", "denominator", "note"],
    "bare": ["TINH", "Xa", "Don vi", "Nam", "Quy", "Chi tieu", "So dat", "Tong so", "Ghi chu"],
}
FILE_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PARSER_SETTINGS = settings(max_examples=300, deadline=None)


# --- numbers ------------------------------------------------------------------------------


def grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")


@PARSER_SETTINGS
@given(n=st.integers(0, 10**9), sep=st.sampled_from([".", ",", " ", "\u00a0"]), pad=st.sampled_from(["", " ", "  "]))
def test_count_written_with_thousands_separators_reads_as_the_whole_number(n, sep, pad):
    assert parse_count(pad + grouped(n, sep) + pad) == n
    assert parse_count(str(n)) == n
    assert parse_count(n) == n
    assert parse_count(float(n)) == n


@PARSER_SETTINGS
@given(n=st.integers(0, 10**6), point=st.sampled_from([".", ","]), zeros=st.sampled_from(["0", "00"]))
def test_count_with_a_zero_decimal_part_is_whole(n, point, zeros):
    assert parse_count(f"{n}{point}{zeros}") == n


@PARSER_SETTINGS
@given(
    whole=st.integers(0, 10**6),
    fraction=st.text("0123456789", min_size=1, max_size=6).filter(lambda f: f.strip("0") and len(f) != 3),
    point=st.sampled_from([".", ","]),
)
def test_count_with_a_decimal_part_is_refused_as_not_whole(whole, fraction, point):
    """'12,5' in a count column is refused; three digits after the mark read as thousands ('1,200')."""
    with pytest.raises(ParseError) as e:
        parse_count(f"{whole}{point}{fraction}")
    assert e.value.code == "count_not_whole"
    with pytest.raises(ParseError) as e:
        parse_count(float(f"{whole}.{fraction}"))
    assert e.value.code == "count_not_whole"


@PARSER_SETTINGS
@given(n=st.integers(1, 10**6), as_text=st.booleans())
def test_negative_count_is_refused(n, as_text):
    with pytest.raises(ParseError) as e:
        parse_count(f"-{n}" if as_text else -n)
    assert e.value.code == "count_negative"


@PARSER_SETTINGS
@given(
    text=st.text(min_size=1, max_size=8).filter(
        lambda s: s.strip() and any(ch.isalpha() or ch in "%/#" for ch in s) and not SCIENTIFIC.fullmatch(s.strip())
    )
)
def test_text_with_letters_is_not_a_count(text):
    """Letters make text no count; except Excel's way of writing a huge number into a CSV ("1E10", too large, tested apart)."""
    with pytest.raises(ParseError) as e:
        parse_count(text)
    assert e.value.code == "count_not_number"


# --- years and quarters -------------------------------------------------------------------


@PARSER_SETTINGS
@given(year=st.integers(2024, 2035), form=st.sampled_from(["int", "str", "float", "float_str", "nam", "padded"]))
def test_year_in_any_written_form(year, form):
    value = {
        "int": year,
        "str": str(year),
        "float": float(year),
        "float_str": f"{year}.0",
        "nam": f"Năm {year}",
        "padded": f"  {year} ",
    }[form]
    assert parse_year(value) == year


@PARSER_SETTINGS
@given(year=st.integers(1000, 9999).filter(lambda y: not 2024 <= y <= 2035))
def test_year_out_of_range_is_refused(year):
    with pytest.raises(ParseError) as e:
        parse_year(year)
    assert e.value.code == "year_range"


def quarter_spellings(q: int, native: bool = True) -> st.SearchStrategy:
    """Native numbers only where a cell can hold one (.xlsx): a CSV's "3.0" is not a quarter people write."""
    forms = [
        q,
        *([float(q)] if native else []),
        str(q),
        f"Q{q}",
        f"q{q}",
        f"Q {q}",
        f"Quý {ROMAN[q]}",
        f"quý {q}",
        f"QUÝ {ROMAN[q]}",
        ROMAN[q],
        ROMAN[q].lower(),
        f"Quy {q}",
        unicodedata.normalize("NFD", f"Quý {ROMAN[q]}"),
        f" quý  {ROMAN[q]} ",
    ]
    return st.sampled_from(forms)


@PARSER_SETTINGS
@given(data=st.data(), q=st.integers(1, 4))
def test_quarter_in_any_written_form(data, q):
    assert parse_quarter(data.draw(quarter_spellings(q))) == q


@PARSER_SETTINGS
@given(
    value=st.one_of(
        st.integers().filter(lambda n: not 1 <= n <= 4),
        st.sampled_from(["Quý V", "V", "Q5", "0", "Q0", "quý 5", "IIII", "Q3/2025", "Quý", "3.5"]),
    )
)
def test_quarter_outside_one_to_four_is_refused(value):
    with pytest.raises(ParseError) as e:
        parse_quarter(value)
    assert e.value.code == "quarter_invalid"


# --- names --------------------------------------------------------------------------------


def spell(name: str, how: str, prefix: str) -> str:
    """One way a person may retype a registered name."""
    return {
        "exact": name,
        "upper": name.upper(),
        "lower": name.lower(),
        "bare": fold(name),
        "bare_title": fold(name).title(),
        "nfd": unicodedata.normalize("NFD", name),
        "spaces": "  " + name.replace(" ", "   ") + " ",
        "prefixed": f"{prefix} {name}",
        "prefixed_bare": fold(f"{prefix} {name}"),
    }[how]


SPELLINGS = st.sampled_from(["exact", "upper", "lower", "bare", "bare_title", "nfd", "spaces", "prefixed", "prefixed_bare"])
FOLDED = ("bare", "bare_title", "prefixed_bare")  # the spellings without diacritics


Where = tuple[str, str]  # (new province, a name without diacritics)


def _folds() -> tuple[Counter, dict[Where, set[tuple[int, ...]]], dict[Where, set[tuple[int, ...]]], dict[Where, int]]:
    official = default_official()
    current = Counter((c.province, name_key(n)) for c in CATALOG.communes for n in (c.name, f"{c.kind} {c.name}"))
    old: dict[Where, set[tuple[int, ...]]] = {}
    plain: dict[Where, set[tuple[int, ...]]] = {}  # the old names written without any diacritic (Xã Ia Bang)
    for u in official.legacy:
        new = official.commune(u.successors[0])
        assert new is not None
        key = (new.province, name_key(u.name, strip_prefix=True))
        old.setdefault(key, set()).add(u.successors)
        if tone_key(u.name, strip_prefix=True) == key[1]:
            plain.setdefault(key, set()).add(u.successors)
    return current, old, plain, {(c.province, c.name): c.code for c in CATALOG.communes if c.code is not None}


_CURRENT_FOLDS, _OLD_FOLDS, _OLD_PLAIN, _CODES = _folds()


def fold_safe(province: str, name: str, kind: str = "", how: str = "bare") -> bool:
    """Without diacritics, is this name still only this commune? Not when another commune of the province folds
    to it (Văn Lang, Văn Lăng; Mỹ Tho, Mỹ Thọ unless written with their kind, Phường and Xã), nor when an old
    unit went elsewhere that was written so, without diacritics (Xã Ia Bang, now in Ia Tôr, and Xã Ia Băng)."""
    key = (province, name_key(name))
    if tone_key(name) == key[1]:  # a name without diacritics (Quang Trung) is found as written, first
        return True
    written = (province, name_key(f"{kind} {name}")) if how == "prefixed_bare" else key
    return _CURRENT_FOLDS[written] == 1 and _OLD_PLAIN.get(key, set()) <= {(_CODES[(province, name)],)}


def commune_spellings(province: str, name: str, kind: str) -> st.SearchStrategy[str]:
    return SPELLINGS.filter(lambda how: how not in FOLDED or fold_safe(province, name, kind, how))


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "kpis.duckdb"
    store.connect(path, CATALOG).close()
    return path


@pytest.fixture(scope="module")
def read_only(empty_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """A database only read from (check_file writes nothing), shared by the name tests."""
    path = tmp_path_factory.mktemp("ro") / "kpis.duckdb"
    shutil.copy(empty_db, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def one_row_csv(province: str, commune: str, unit: str = "Bản Na Sang", indicator: str = "citizen_reach") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADERS["vi"])
    writer.writerow([province, commune, unit, 2025, 3, indicator, 45, 50, ""])
    return buf.getvalue().encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(commune=st.sampled_from(COMMUNES), how_p=SPELLINGS, how_c=SPELLINGS)
def test_registered_names_match_however_spelled(read_only, commune, how_p, how_c):
    province, name, kind = commune
    data = one_row_csv(spell(province, how_p, "Tỉnh"), spell(name, how_c, kind))
    checked = check_file(read_only, data, "x.csv", CATALOG)
    if how_c in FOLDED and not fold_safe(province, name, kind, how_c):  # not guessed: refused, naming this commune
        assert [(p.column, p.code) for p in checked.problems] in ([("Xã", "commune_unknown")], [("Xã", "commune_old_or_current")])
        assert name in " ".join(str(v) for v in checked.problems[0].params.values())
        return
    assert checked.ok, [(p.code, p.params) for p in checked.problems]
    assert (checked.rows.iloc[0]["province"], checked.rows.iloc[0]["commune"]) == (province, name)


@settings(max_examples=150, deadline=None)
@given(commune=st.sampled_from(COMMUNES), data=st.data())
def test_a_mistyped_commune_is_refused_and_the_registered_one_suggested(read_only, commune, data):
    province, name, _ = commune
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    i = data.draw(st.sampled_from(letters))
    replacement = data.draw(st.sampled_from("bcghklmnqrstvxz").filter(lambda ch: ch != fold(name[i])))
    typo = name[:i] + replacement + name[i + 1 :]
    registered_keys = {name_key(c[1], strip_prefix=True) for c in COMMUNES if c[0] == province}
    if name_key(typo, strip_prefix=True) in registered_keys or (province, name_key(typo)) in _OLD_FOLDS:
        return  # the typo happens to spell another commune of the province, or one of its units before 1 July 2025
    checked = check_file(read_only, one_row_csv(province, typo), "x.csv", CATALOG)
    assert [(p.row, p.column, p.code) for p in checked.problems] == [(2, "Xã", "commune_unknown")]
    suggested = checked.problems[0].params["suggest"].split(", ")
    # The registered name is offered, unless three others of the province are at least as close to the typo
    # (one wrong letter of "Mường É" is as near Mường La): the suggestions are the nearest, whichever they are.
    def closeness(candidate: str) -> float:
        return difflib.SequenceMatcher(a=name_key(typo, strip_prefix=True), b=name_key(candidate)).ratio()

    assert name in suggested or (len(suggested) == 3 and min(map(closeness, suggested)) >= closeness(name))


@settings(max_examples=60, deadline=None)
@given(province=st.sampled_from(PROVINCES), how=SPELLINGS)
def test_provinces_match_however_spelled_and_a_foreign_one_is_refused(read_only, province, how):
    commune = next(c[1] for c in COMMUNES if c[0] == province)
    assert check_file(read_only, one_row_csv(spell(province, how, "Tỉnh"), commune), "x.csv", CATALOG).ok
    checked = check_file(read_only, one_row_csv(FOREIGN_PROVINCE, commune), "x.csv", CATALOG)
    assert [p.code for p in checked.problems] == ["province_unknown"]


TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
VIETNAMESE_LETTERS = sorted(
    {unicodedata.normalize("NFC", v + tone) for v in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY" for tone in TONES}
    | set("bcdđghklmnpqrstvxĐ ,.-0123456789")
)
VIETNAMESE = st.text(alphabet=st.sampled_from(VIETNAMESE_LETTERS), min_size=1, max_size=40)


@PARSER_SETTINGS
@given(text=VIETNAMESE, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]))
def test_csv_text_in_any_excel_encoding_decodes_to_nfc(text, encoding):
    source = "Tỉnh,Xã\r\n" + text
    raw = (cp1258_text(source) if encoding == "cp1258" else unicodedata.normalize("NFD", source)).encode(encoding)
    assert decode_text(raw) == unicodedata.normalize("NFC", source)


# --- whole files --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    province: str
    commune: str
    kind: str
    unit: str
    year: int
    quarter: int
    indicator: str
    numerator: int
    denominator: int


@dataclass(frozen=True)
class Layout:
    kind: str  # csv or xlsx
    encoding: str
    delimiter: str
    header: str  # key of HEADERS
    title_rows: int  # xlsx only

    @property
    def first_row(self) -> int:
        """The spreadsheet row of the first data row."""
        return self.title_rows + 2

    @property
    def name(self) -> str:
        return f"bao_cao.{self.kind}"


@st.composite
def valid_rows(draw: Callable, min_size: int = 1) -> list[Row]:
    communes = draw(st.lists(st.sampled_from(COMMUNES), min_size=1, max_size=3, unique=True))
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(communes),
                st.sampled_from(UNITS),
                st.sampled_from([2025, 2026]),
                st.integers(1, 4),
                st.sampled_from(INDICATORS),
            ),
            min_size=min_size,
            max_size=20,
            unique=True,
        )
    )
    rows = []
    for (province, commune, kind), unit, year, quarter, indicator in keys:
        denominator = draw(st.integers(1, 250_000))
        numerator = draw(st.integers(0, denominator))
        rows.append(Row(province, commune, kind, unit, year, quarter, indicator, numerator, denominator))
    return rows


LAYOUTS = st.one_of(
    st.builds(
        Layout,
        kind=st.just("csv"),
        encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1258", "utf-16"]),
        delimiter=st.sampled_from([",", ";", "\t"]),
        header=st.sampled_from(list(HEADERS)),
        title_rows=st.just(0),
    ),
    st.builds(
        Layout,
        kind=st.just("xlsx"),
        encoding=st.just(""),
        delimiter=st.just(""),
        header=st.sampled_from(list(HEADERS)),
        title_rows=st.integers(0, 3),
    ),
)


def count_spelling(n: int, how: str, native: bool) -> Any:
    if how == "grouped" and n >= 1000:
        return grouped(n, ".")
    if how == "spaced" and n >= 1000:
        return grouped(n, " ")
    if how == "point_zero":
        return f"{n}.0"
    return n if native else str(n)


@st.composite
def cells_of(draw: Callable, r: Row, native: bool) -> list[Any]:
    """One row as a person might type it: any accepted spelling of each cell."""
    unit_how = draw(st.sampled_from(["exact", "nfd", "spaces", "upper"]))
    year_forms = [r.year, str(r.year), f"Năm {r.year}"] + ([float(r.year)] if native else [f"{r.year}.0"])
    return [
        spell(r.province, draw(SPELLINGS), "Tỉnh"),
        spell(r.commune, draw(commune_spellings(r.province, r.commune, r.kind)), r.kind),
        spell(r.unit, unit_how, ""),
        draw(st.sampled_from(year_forms)),
        draw(quarter_spellings(r.quarter, native)),
        draw(st.sampled_from([r.indicator, r.indicator.upper(), CATALOG.indicators[r.indicator].short_vi])),
        count_spelling(r.numerator, draw(st.sampled_from(["plain", "grouped", "spaced", "point_zero"])), native),
        count_spelling(r.denominator, draw(st.sampled_from(["plain", "grouped", "spaced", "point_zero"])), native),
        draw(st.sampled_from(["", "Đã họp dân", "ghi chú; có dấu, phẩy"])),
    ]


def write_file(layout: Layout, grid: list[list[Any]]) -> bytes:
    header = HEADERS[layout.header]
    if layout.kind == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=layout.delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in r] for r in grid])
        text = buf.getvalue()
        return (cp1258_text(text) if layout.encoding == "cp1258" else text).encode(layout.encoding)
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(layout.title_rows):
        ws.append([f"BÁO CÁO QUÝ – dòng tiêu đề {i + 1}"] if i % 2 == 0 else [])
    ws.append(header)
    for r in grid:
        ws.append([None if v == "" else v for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@st.composite
def valid_files(draw: Callable, min_rows: int = 1) -> tuple[Layout, list[Row], list[list[Any]]]:
    layout = draw(LAYOUTS)
    rows = draw(valid_rows(min_size=min_rows))
    grid = [draw(cells_of(r, native=layout.kind == "xlsx")) for r in rows]
    return layout, rows, grid


def reference(files: list[list[Row]]) -> set[tuple]:
    """Commune figures by hand: the latest file wins a key; a unit's year is its latest quarter; sum over units."""
    current: dict[tuple, Row] = {}
    for rows in files:
        for r in rows:
            current[(r.province, r.commune, name_key(r.unit), r.year, r.quarter, r.indicator)] = r
    latest: dict[tuple, Row] = {}
    for (province, commune, unit, year, quarter, indicator), r in current.items():
        key = (province, commune, unit, year, indicator)
        if key not in latest or quarter > latest[key].quarter:
            latest[key] = r
    sums: dict[tuple, list[int]] = {}
    for (province, commune, _, year, indicator), r in latest.items():
        acc = sums.setdefault((province, commune, indicator, year), [0, 0])
        acc[0] += r.numerator
        acc[1] += r.denominator
    return {(*k, n, d) for k, (n, d) in sums.items()}


def figures(con: duckdb.DuckDBPyConnection) -> set[tuple]:
    frame = progress(con, "commune")
    return {
        (r.province, r.commune, r.indicator, int(r.year), int(r.numerator), int(r.denominator))
        for r in frame.itertuples(index=False)
    }


def fresh_copy(empty_db: Path, folder: str) -> duckdb.DuckDBPyConnection:
    """A private database for one example (a copy of the empty one: the catalog is already loaded)."""
    path = Path(folder) / "kpis.duckdb"
    shutil.copy(empty_db, path)
    return duckdb.connect(str(path))


@FILE_SETTINGS
@given(first=valid_files(), second=st.none() | valid_files())
def test_any_valid_file_imports_and_figures_equal_the_reference_sum(empty_db, first, second):
    with tempfile.TemporaryDirectory() as folder:
        con = fresh_copy(empty_db, folder)
        try:
            imported = []
            for layout, rows, grid in [f for f in (first, second) if f is not None]:
                result = import_file(con, write_file(layout, grid), layout.name, catalog=CATALOG)
                assert result.status in ("accepted", "duplicate"), (layout, result.messages("en"))
                assert result.warnings == []
                imported.append(rows)
            assert figures(con) == reference(imported)
        finally:
            con.close()


@dataclass(frozen=True)
class Mutation:
    column: str | None  # canonical column the problem names (None: the row)
    code: str
    apply: Callable[[list[Any], Row], list[Any]]


def set_cell(column: str, value: Any) -> Callable[[list[Any], Row], list[Any]]:
    index = HEADERS["en"].index(column)

    def apply(cells: list[Any], r: Row) -> list[Any]:
        out = list(cells)
        out[index] = value(r) if callable(value) else value
        return out

    return apply


MUTATIONS = {
    "decimal_count": Mutation("numerator", "count_not_whole", set_cell("numerator", lambda r: f"{r.numerator},5")),
    "negative_count": Mutation("numerator", "count_negative", set_cell("numerator", lambda r: f"-{r.numerator + 1}")),
    "letter_o": Mutation("denominator", "count_not_number", set_cell("denominator", lambda r: f"{r.denominator}O")),
    "numerator_over": Mutation("numerator", "numerator_gt_denominator", set_cell("numerator", lambda r: r.denominator + 1)),
    "denominator_zero": Mutation(
        "denominator", "denominator_zero", lambda c, r: set_cell("numerator", 0)(set_cell("denominator", 0)(c, r), r)
    ),
    "unknown_province": Mutation("province", "province_unknown", set_cell("province", FOREIGN_PROVINCE)),
    "unknown_commune": Mutation("commune", "commune_unknown", set_cell("commune", "Xã Zzyzx")),
    "unknown_indicator": Mutation("indicator", "indicator_unknown", set_cell("indicator", "ty_le_khac")),
    "quarter_five": Mutation("quarter", "quarter_invalid", set_cell("quarter", "Quý V")),
    "year_letter": Mutation("year", "year_invalid", set_cell("year", "2O25")),
    "year_far": Mutation("year", "year_range", set_cell("year", 2052)),
    "blank_unit": Mutation("unit", "required", set_cell("unit", "")),
    "blank_denominator": Mutation("denominator", "required", set_cell("denominator", "")),
    "duplicate": Mutation(None, "duplicate_row", lambda c, r: c),  # the row is repeated at the end
}


def snapshot(con: duckdb.DuckDBPyConnection) -> tuple:
    tables = ("submissions", "submission_values", "units", "withdrawals")
    journal = store.journal_path(store.db_file(con))
    uploads = store.uploads_dir(con)
    return (
        tuple(con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables),
        store.data_version(con),
        journal.read_bytes() if journal.exists() else b"",
        sorted(p.name for p in uploads.iterdir()) if uploads.exists() else [],
    )


@FILE_SETTINGS
@given(base=valid_files(), data=st.data(), mutation=st.sampled_from(sorted(MUTATIONS)))
def test_any_rule_broken_refuses_the_file_and_changes_nothing(empty_db, base, data, mutation):
    layout, rows, grid = base
    change = MUTATIONS[mutation]
    i = data.draw(st.integers(0, len(rows) - 1), label="row")
    if mutation == "duplicate":
        bad_grid, bad_line = [*grid, list(grid[i])], layout.first_row + len(grid)
    else:
        bad_grid, bad_line = list(grid), layout.first_row + i
        bad_grid[i] = change.apply(grid[i], rows[i])
    column = None if change.column is None else HEADERS[layout.header][HEADERS["en"].index(change.column)]
    with tempfile.TemporaryDirectory() as folder:
        con = fresh_copy(empty_db, folder)
        try:
            earlier = import_file(con, write_file(layout, grid), layout.name, catalog=CATALOG)
            assert earlier.status == "accepted", earlier.messages("en")
            before = snapshot(con)
            result = import_file(con, write_file(layout, bad_grid), "sua_" + layout.name, catalog=CATALOG)
            assert result.status == "refused"
            assert [(p.row, p.column, p.code) for p in result.problems] == [(bad_line, column, change.code)]
            if mutation == "duplicate":
                assert result.problems[0].params["other"] == layout.first_row + i
            assert snapshot(con) == before
        finally:
            con.close()


def test_reference_sum_takes_the_latest_quarter_and_sums_counts():
    """The reference itself, on a hand-worked case: never a mean of percentages."""
    a = Row("Điện Biên", "Mường Mùn", "Xã", "Bản A", 2025, 1, "citizen_reach", 10, 100)
    b = replace(a, quarter=3, numerator=90, denominator=100)
    c = replace(a, unit="Bản B", quarter=2, numerator=1, denominator=10)
    assert reference([[a, b, c]]) == {("Điện Biên", "Mường Mùn", "citizen_reach", 2025, 91, 110)}
    assert reference([[a, b, c], [replace(b, numerator=50)]]) == {("Điện Biên", "Mường Mùn", "citizen_reach", 2025, 51, 110)}
