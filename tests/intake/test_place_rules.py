"""Issue 12's rules for the places a file names, each with a real file through the real import into a real database:
tone marks anywhere, codes instead of names, a code beside a name, a name several provinces share, and the
names people still write from before 1 July 2025 (kpis.intake.locate over kpis.catalog.places)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest

from kpis import store
from kpis.core.i18n import format_problem
from kpis.intake.importer import ImportResult, check_file, import_file
from tests.conftest import VI_HEADER, csv_bytes, xlsx_bytes

PLACES = ["Tỉnh", "Xã"]
REST = ["Đơn vị", "Năm", "Quý", "Chỉ tiêu", "Số đạt", "Tổng số", "Ghi chú"]


def figures(unit: str = "Bản Pú Piến", quarter: int = 3) -> list[Any]:
    return [unit, 2025, quarter, "citizen_reach", 45, 50, ""]


def stored(con: duckdb.DuckDBPyConnection, submission: int | None) -> list[tuple[str, str, int | None, str]]:
    """(province, commune, commune code, unit) of each stored value, in the file's row order."""
    return con.execute(
        "SELECT c.province, c.name, c.code, u.name FROM submission_values v JOIN units u ON u.id = v.unit_id"
        " JOIN communes c ON c.id = u.commune_id WHERE v.submission_id = ? ORDER BY v.source_line",
        [submission],
    ).fetchall()


def problems(result: ImportResult) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.code) for p in result.problems]


def imported(con: duckdb.DuckDBPyConnection, rows: Sequence[Sequence[Any]], header: Sequence[str] = VI_HEADER) -> ImportResult:
    return import_file(con, csv_bytes(rows, header), "bao_cao.csv")


# --- tone marks: one name however the tone mark is placed; a breve, a circumflex or đ tell two apart -------------


def test_a_tone_mark_placed_either_way_is_one_name(con: duckdb.DuckDBPyConnection) -> None:
    rows = [
        ["Tuyên Quang", "Hòa An", *figures("Thôn 1")],  # the official list: Xã Hoà An (Tuyên Quang) ...
        ["Cao Bằng", "Xã Hoà An", *figures("Thôn 2")],  # ... and Xã Hòa An (Cao Bằng)
        ["Tuyên Quang", "Thanh Thuỷ", *figures("Thôn 3")],  # Thanh Thủy
        ["Tuyên Quang", "Sơn Thủy", *figures("Thôn 4")],  # Sơn Thuỷ
        ["Tuyên Quang", "Chiêm Hóa", *figures("Thôn 5")],  # Chiêm Hoá
        ["Thái Nguyên", "Định Hoá", *figures("Thôn 6")],  # Định Hóa
        ["Ninh Bình", "Phường Nguyễn Úy", *figures("Tổ dân phố 7")],  # Nguyễn Uý
    ]
    result = imported(con, rows)
    assert result.status == "accepted", result.messages("en")
    assert [(p, c, code) for p, c, code, _ in stored(con, result.submission_id)] == [
        ("Tuyên Quang", "Hoà An", 2353),
        ("Cao Bằng", "Hòa An", 1654),
        ("Tuyên Quang", "Thanh Thủy", 928),
        ("Tuyên Quang", "Sơn Thuỷ", 2620),
        ("Tuyên Quang", "Chiêm Hoá", 2287),
        ("Thái Nguyên", "Định Hóa", 5569),
        ("Ninh Bình", "Nguyễn Uý", 13396),
    ]
    assert result.warnings == []


def test_van_lang_and_van_lang_with_a_breve_are_two_communes(con: duckdb.DuckDBPyConnection) -> None:
    data = xlsx_bytes([["Thái Nguyên", "Văn Lang", *figures()], ["Thái Nguyên", "Xã Văn Lăng", *figures()]])
    result = import_file(con, data, "hai_xa.xlsx")
    assert result.status == "accepted", result.messages("en")
    assert [(c, code) for _, c, code, _ in stored(con, result.submission_id)] == [("Văn Lang", 2143), ("Văn Lăng", 5665)]
    folded = imported(con, [["Thái Nguyên", "van lang", *figures()]])
    assert problems(folded) == [(2, "Xã", "commune_unknown")]
    assert "Xã Văn Lang, Xã Văn Lăng" in folded.messages("vi")[0]  # nothing guessed: both offered


# --- codes ------------------------------------------------------------------------------------------------------


def test_a_commune_and_a_province_may_be_given_by_their_codes(con: duckdb.DuckDBPyConnection) -> None:
    rows = [
        ["Điện Biên", "3268", *figures("Bản 1")],
        ["Điện Biên", "03268", *figures("Bản 2")],
        ["Điện Biên", "Mã xã 03268", *figures("Bản 3")],
        ["Điện Biên", 3268, *figures("Bản 4")],  # a number cell
        [11, 3268.0, *figures("Bản 5")],  # a number cell as a workbook keeps it, and the province's code
        ["Mã tỉnh 11", "Mường Mùn", *figures("Bản 6")],
    ]
    result = import_file(con, xlsx_bytes(rows), "ma_so.xlsx")
    assert result.status == "accepted", result.messages("en")
    assert {(p, c, code) for p, c, code, _ in stored(con, result.submission_id)} == {("Điện Biên", "Mường Mùn", 3268)}
    assert len(stored(con, result.submission_id)) == 6


def test_a_code_column_beside_a_name_must_agree_with_it(con: duckdb.DuckDBPyConnection) -> None:
    header = ["Mã tỉnh", "Tỉnh", "Mã xã", "Xã", *REST]
    agree = imported(con, [[11, "Điện Biên", "03268", "Mường Mùn", *figures()]], header)
    assert agree.status == "accepted", agree.messages("en")
    assert stored(con, agree.submission_id)[0][:3] == ("Điện Biên", "Mường Mùn", 3268)
    result = imported(
        con,
        [
            [11, "Điện Biên", "03253", "Mường Mùn", *figures("Bản 1")],  # the code is Tuần Giáo's
            [12, "Điện Biên", "03268", "Mường Mùn", *figures("Bản 2")],  # 12 is Lai Châu
            ["", "Lai Châu", "3268", "", *figures("Bản 3")],  # the commune's code is of Điện Biên
            ["", "Điện Biên", "Mường Mùn", "", *figures("Bản 4")],  # a name in the code column
            ["", "Điện Biên", "99999", "", *figures("Bản 5")],
        ],
        header,
    )
    assert problems(result) == [
        (2, "Mã xã", "commune_code_mismatch"),
        (3, "Mã tỉnh", "province_code_mismatch"),
        (4, "Mã xã", "commune_code_elsewhere"),
        (5, "Mã xã", "code_invalid"),
        (6, "Mã xã", "commune_code_unknown"),
    ]
    vi = result.messages("vi")
    assert (
        vi[0]
        == "Dòng 2, cột «Mã xã»: Mã xã 03253 là Xã Tuần Giáo (Tỉnh Điện Biên), nhưng tên xã ghi «Mường Mùn»; hãy sửa cho khớp."
    )
    assert "Mã tỉnh 12 là Tỉnh Lai Châu" in vi[1] and "«Điện Biên»" in vi[1]
    assert "Mã xã 3268 là Xã Mường Mùn thuộc Tỉnh Điện Biên, không thuộc Tỉnh Lai Châu" in vi[2]
    en = result.messages("en")
    assert "Commune code 03253 is Xã Tuần Giáo (Tỉnh Điện Biên), but the commune is written 'Mường Mùn'" in en[0]


def test_a_code_in_the_commune_column_of_another_province_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    result = imported(con, [["Lai Châu", "Mã xã 03268", *figures()]])
    assert problems(result) == [(2, "Xã", "commune_code_elsewhere")]
    assert "Xã Mường Mùn thuộc Tỉnh Điện Biên, không thuộc Tỉnh Lai Châu" in result.messages("vi")[0]


def test_a_commune_column_may_be_only_codes(con: duckdb.DuckDBPyConnection) -> None:
    result = imported(con, [["3268", *figures()]], ["Mã xã", *REST])
    assert result.status == "accepted", result.messages("en")
    assert stored(con, result.submission_id)[0][:3] == ("Điện Biên", "Mường Mùn", 3268)


# --- a name several provinces share: the province decides, else the writer's scope, else refused ----------------


def test_without_a_province_a_name_only_one_province_has_is_enough(con: duckdb.DuckDBPyConnection) -> None:
    result = imported(con, [["Mường Mùn", *figures()]], ["Xã", *REST])
    assert result.status == "accepted", result.messages("en")
    assert stored(con, result.submission_id)[0][:2] == ("Điện Biên", "Mường Mùn")


def test_a_name_in_several_provinces_needs_the_province_or_the_scope(con: duckdb.DuckDBPyConnection) -> None:
    no_province = csv_bytes([["Hòa An", *figures()]], ["Xã", *REST])
    refused = check_file(con, no_province, "hoa_an.csv")
    assert [(p.row, p.column, p.code) for p in refused.problems] == [(2, "Xã", "commune_in_provinces")]
    message = format_problem(refused.problems[0].row, refused.problems[0].column, refused.problems[0].code,
                             refused.problems[0].params, "vi")  # fmt: skip
    assert message == (
        "Dòng 2, cột «Xã»: Có xã «Hòa An» ở nhiều tỉnh: Cao Bằng, Tuyên Quang, Cần Thơ."
        " Hãy ghi tỉnh vào cột Tỉnh (hoặc ghi mã xã)."
    )
    officer = (("Cao Bằng", "Hòa An"),)
    mine = check_file(con, no_province, "hoa_an.csv", may_write=lambda c: (c.province, c.name) in officer, scope=officer)
    assert mine.ok and (mine.rows.iloc[0]["province"], mine.rows.iloc[0]["commune"]) == ("Cao Bằng", "Hòa An")
    elsewhere = check_file(con, no_province, "hoa_an.csv", scope=(("Điện Biên", None),))  # none there: not guessed
    assert [p.code for p in elsewhere.problems] == ["commune_in_provinces"]
    blank_province = imported(con, [["", "Hoà An", *figures()], ["Tuyên Quang", "Hòa An", *figures("Thôn 2")]])
    assert problems(blank_province) == [(2, "Xã", "commune_in_provinces")]
    with_province = imported(con, [["Tuyên Quang", "Hòa An", *figures()], ["Cần Thơ", "Hòa An", *figures()]])
    assert with_province.status == "accepted", with_province.messages("en")
    assert [(p, code) for p, _, code, _ in stored(con, with_province.submission_id)] == [
        ("Tuyên Quang", 2353),
        ("Cần Thơ", 31393),
    ]


# --- names from before 1 July 2025 -------------------------------------------------------------------------------


def test_an_old_commune_merged_whole_is_accepted_for_the_new_one_with_a_warning(con: duckdb.DuckDBPyConnection) -> None:
    rows = [
        ["Điện Biên", "Quài Cang", *figures("Bản Pú Piến")],
        ["Điện Biên", "Xã Quài Cang", *figures("Bản Co Muông")],
        ["Điện Biên", "Tuần Giáo", *figures("Bản Đông")],
    ]
    result = imported(con, rows)
    assert result.status == "accepted", result.messages("en")
    assert [(c, code, u) for _, c, code, u in stored(con, result.submission_id)] == [
        ("Tuần Giáo", 3253, "Bản Pú Piến"), ("Tuần Giáo", 3253, "Bản Co Muông"), ("Tuần Giáo", 3253, "Bản Đông"),
    ]  # fmt: skip
    assert [(p.row, p.column, p.code, p.params["rows"]) for p in result.warnings] == [(2, "Xã", "commune_old_name", 2)]
    assert result.warning_messages("vi") == [
        "Dòng 2, cột «Xã»: Xã Quài Cang (cũ, huyện Tuần Giáo) nay thuộc Xã Tuần Giáo từ 01/7/2025;"
        " số liệu của 2 dòng ghi tên này được tính cho Xã Tuần Giáo."
    ]
    assert result.warning_messages("en") == [
        "Row 2, column 'Xã': Xã Quài Cang (former, huyện Tuần Giáo) has been part of Xã Tuần Giáo since 1 July 2025;"
        " the figures of the 2 row(s) with this name are counted for Xã Tuần Giáo."
    ]


def test_a_unit_written_under_an_old_commune_is_the_unit_already_known_in_the_new_one(con: duckdb.DuckDBPyConnection) -> None:
    """The units already registered are looked up in the commune each row resolves to (here through its old name)."""
    first = imported(con, [["Điện Biên", "Tuần Giáo", *figures("Bản Pú Piến", quarter=2)]])
    assert first.status == "accepted", first.messages("en")
    again = imported(con, [["Điện Biên", "Quài Cang", *figures("Pú Piến")]])  # without its Bản
    assert again.status == "accepted", again.messages("en")
    assert [u for *_, u in stored(con, again.submission_id)] == ["Bản Pú Piến"]
    assert con.execute("SELECT count(*) FROM units").fetchall() == [(1,)]


def test_an_old_commune_split_between_new_ones_is_refused_listing_them(con: duckdb.DuckDBPyConnection) -> None:
    result = imported(con, [["Hà Nội", "Xã Cổ Bi", *figures()]])
    assert problems(result) == [(2, "Xã", "commune_old_split")]
    assert result.messages("vi") == [
        "Dòng 2, cột «Xã»: Xã Cổ Bi (cũ, huyện Gia Lâm) đã được chia cho nhiều xã từ 01/7/2025:"
        " Phường Phúc Lợi, Xã Phù Đổng, Xã Thuận An, Xã Gia Lâm. Hãy ghi xã mới mà đơn vị này thuộc về."
    ]


def test_two_old_units_of_one_name_are_refused_with_their_districts(con: duckdb.DuckDBPyConnection) -> None:
    result = imported(con, [["Hà Nội", "Đức Giang", *figures()]])
    assert problems(result) == [(2, "Xã", "commune_old_ambiguous")]
    message = result.messages("vi")[0]
    assert "Phường Đức Giang (quận Long Biên, Thành phố Hà Nội)" in message
    assert "Xã Đức Giang (huyện Hoài Đức, Thành phố Hà Nội)" in message
    kind = imported(con, [["Hà Nội", "Xã Đức Giang", *figures()]])  # the kind tells them apart
    assert kind.status == "accepted", kind.messages("en")
    assert stored(con, kind.submission_id)[0][1] == "Hoài Đức"


def test_an_old_province_resolves_with_a_warning_and_its_old_communes_within_the_new_one(con: duckdb.DuckDBPyConnection) -> None:
    rows = [
        ["Hà Giang", "Má Lé", *figures("Thôn 1")],  # an old commune of the old province
        ["Tỉnh Hà Giang", "Phường Hà Giang 1", *figures("Tổ 2")],  # a current ward, under the old province's name
        ["Tuyên Quang", "Xã Má Lé", *figures("Thôn 3")],  # an old commune of Hà Giang under its new province
    ]
    result = imported(con, rows)
    assert result.status == "accepted", result.messages("en")
    assert [(p, c, code) for p, c, code, _ in stored(con, result.submission_id)] == [
        ("Tuyên Quang", "Lũng Cú", 715), ("Tuyên Quang", "Hà Giang 1", 694), ("Tuyên Quang", "Lũng Cú", 715),
    ]  # fmt: skip
    # one warning per old name, at its first row, however it is spelled ("Hà Giang", "Tỉnh Hà Giang")
    warned = [(p.row, p.column, p.code, p.params["rows"]) for p in result.warnings]
    assert warned == [(2, "Tỉnh", "province_old_name", 2), (2, "Xã", "commune_old_name", 2)]
    vi = result.warning_messages("vi")
    assert vi[0].startswith("Dòng 2, cột «Tỉnh»: Tỉnh Hà Giang (cũ) nay thuộc Tỉnh Tuyên Quang từ 01/7/2025")
    assert vi[1].startswith("Dòng 2, cột «Xã»: Xã Má Lé (cũ, huyện Đồng Văn) nay thuộc Xã Lũng Cú từ 01/7/2025")


def test_an_old_name_that_is_also_a_current_name_means_the_current_one(con: duckdb.DuckDBPyConnection) -> None:
    rows = [["Điện Biên", "Tuần Giáo", *figures()], ["Điện Biên", "Mường Nhé", *figures()], ["Hà Nội", "Ngọc Hà", *figures()]]
    result = imported(con, rows)
    assert result.status == "accepted", result.messages("en")
    assert [(c, code) for _, c, code, _ in stored(con, result.submission_id)] == [
        ("Tuần Giáo", 3253),
        ("Mường Nhé", 3160),
        ("Ngọc Hà", 8),
    ]
    assert result.warnings == []


def test_an_old_name_as_written_that_a_current_name_fits_without_diacritics_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    """Xã Tân Thanh of Văn Lãng went into Hoàng Văn Thụ, and Lạng Sơn has a Tân Thành: which is meant is asked."""
    result = imported(con, [["Lạng Sơn", "Tân Thanh", *figures()]])
    assert problems(result) == [(2, "Xã", "commune_old_or_current")]
    assert result.messages("vi") == [
        "Dòng 2, cột «Xã»: «Tân Thanh» có thể là Xã Tân Thành, hoặc đơn vị cũ Xã Tân Thanh (huyện Văn Lãng) → Xã Hoàng Văn Thụ;"
        " hãy ghi tên xã có đủ dấu (hoặc ghi mã xã)."
    ]
    header = ["Tỉnh", "Mã xã", "Xã", *REST]
    coded = imported(con, [["Lạng Sơn", "06172", "Tân Thanh", *figures()]], header)  # the code says which
    assert coded.status == "accepted", coded.messages("en")
    assert stored(con, coded.submission_id)[0][1] == "Hoàng Văn Thụ"
    assert [p.code for p in coded.warnings] == ["commune_old_name"]


# --- the command line says the warnings ---------------------------------------------------------------------------


@pytest.fixture
def quai_cang(tmp_path: Path) -> Path:
    path = tmp_path / "quai_cang_q3.csv"
    path.write_bytes(csv_bytes([["Điện Biên", "Quài Cang", *figures()]], VI_HEADER))
    return path


def test_the_import_command_prints_the_old_name_warning(kpis, tmp_path: Path, quai_cang: Path) -> None:
    db = tmp_path / "x.duckdb"
    run = kpis("import", str(quai_cang), "--db", str(db))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "quai_cang_q3.csv" in run.stdout
    assert (
        "  - Lưu ý: Dòng 2, cột «Xã»: Xã Quài Cang (cũ, huyện Tuần Giáo) nay thuộc Xã Tuần Giáo từ 01/7/2025;"
        " số liệu của 1 dòng ghi tên này được tính cho Xã Tuần Giáo."
    ) in run.stdout.splitlines()
    english = kpis("import", str(quai_cang), "--db", str(tmp_path / "en.duckdb"), "--lang", "en")
    assert "  - Note: Row 2, column 'Xã': Xã Quài Cang (former, huyện Tuần Giáo) has been part of Xã Tuần Giáo" in english.stdout
    with store.connect(db) as con:
        assert con.execute("SELECT c.name FROM units u JOIN communes c ON c.id = u.commune_id").fetchall() == [("Tuần Giáo",)]
