"""The title rows of a report form: the periods, places and lines that are not data, as offices write them."""

from __future__ import annotations

import pytest

from kpis.intake.limits import BLANK_ROW
from kpis.intake.table import _footer_start
from kpis.intake.title import is_footer, read_title


def periods(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[str]]:
    title = read_title([(3, [text])])
    return [f.value for f in title.periods], [f.value for f in title.years], [p[2] for p in title.problems]


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("BÁO CÁO Kết quả công tác truyền thông Quý III năm 2025", (2025, 3)),
        ("Quý 3/2025", (2025, 3)),
        ("quý III-2025", (2025, 3)),
        ("Q3/2025", (2025, 3)),
        ("q4-2026", (2026, 4)),
        ("QUÝ I NĂM 2026", (2026, 1)),
        ("Quý IV năm 2025", (2025, 4)),
        ("(Kỳ báo cáo: 6 tháng đầu năm 2025)", (2025, 2)),
        ("Báo cáo sáu tháng đầu năm 2025", (2025, 2)),
        ("9 tháng năm 2025", (2025, 3)),
        ("tháng 9/2025", (2025, 3)),
        ("Tháng 12 năm 2025", (2025, 4)),
        ("Kết quả thực hiện Nghị quyết 57-NQ/TW ngày 22/12/2024 quý II năm 2026", (2026, 2)),
    ],
)
def test_a_period_as_offices_write_it(text: str, period: tuple[int, int]) -> None:
    assert periods(text) == ([period], [], [])


@pytest.mark.parametrize("text", ["năm 2025", "Báo cáo cả năm 2025", "BÁO CÁO NĂM 2025"])
def test_a_whole_year_is_its_fourth_quarter_unless_a_quarter_is_named(text: str) -> None:
    assert periods(text) == ([], [(2025, 4)], [])


@pytest.mark.parametrize(
    "text",
    [
        "Mường Mùn, ngày 05 tháng 10 năm 2025",  # the day it was signed
        "Điện Biên, ngày ... tháng ... năm 2025",
        "Số: 15/BC-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Kính gửi: Ủy ban nhân dân tỉnh Điện Biên, quý III năm 2025",
        "đến năm 2030, tầm nhìn đến năm 2045",
        "giai đoạn 2025-2030",
        "Nghị quyết số 57-NQ/TW ngày 22/12/2024",
    ],
)
def test_dates_numbers_horizons_and_the_motto_are_not_periods(text: str) -> None:
    assert periods(text) == ([], [], [])


def test_a_month_that_ends_no_quarter_is_a_problem_naming_the_quarter_end() -> None:
    title = read_title([(6, ["", "Báo cáo tháng 8/2025"])])
    assert title.periods == [] and title.problems == [
        (6, 1, "period_month_not_quarter_end", {"month": 8, "year": 2025, "quarter": 3, "end": 9})
    ]


@pytest.mark.parametrize(
    ("rows", "commune"),
    [
        ([["UBND TỈNH ĐIỆN BIÊN"], ["UBND XÃ MƯỜNG MÙN"]], ("xa", "MƯỜNG MÙN")),
        ([["ỦY BAN NHÂN DÂN XÃ MƯỜNG CHÀ"]], ("xa", "MƯỜNG CHÀ")),
        ([["UỶ BAN NHÂN DÂN PHƯỜNG TÂN GIANG"]], ("phuong", "TÂN GIANG")),
        ([["ỦY BAN NHÂN DÂN"], ["XÃ MƯỜNG MÙN"]], ("xa", "MƯỜNG MÙN")),  # the name on two lines
        ([["Đơn vị báo cáo: UBND xã Tả Lèng"]], ("xa", "Tả Lèng")),
        ([["", "Xã Nà Tấu, ngày 01 tháng 4 năm 2026"]], ("xa", "Nà Tấu")),
        ([["UBND XÃ MƯỜNG MÙN, Quý III năm 2025"]], ("xa", "MƯỜNG MÙN")),  # the name ends at the comma
    ],
)
def test_the_commune_in_the_title(rows: list[list[str]], commune: tuple[str, str]) -> None:
    title = read_title([(i + 1, r) for i, r in enumerate(rows)])
    assert [f.value for f in title.communes] == [commune] and title.reporters == []


def test_a_reporting_unit_that_is_not_a_commune_is_the_unit() -> None:
    title = read_title([(1, ["UBND XÃ MƯỜNG MÙN"]), (2, ["Đơn vị báo cáo: Trung tâm Dịch vụ tổng hợp"])])
    assert [f.value for f in title.reporters] == ["Trung tâm Dịch vụ tổng hợp"]
    assert [f.value for f in title.communes] == [("xa", "MƯỜNG MÙN")]


def test_kinh_gui_and_the_province_line_name_no_commune() -> None:
    title = read_title([(1, ["UBND TỈNH LAI CHÂU"]), (2, ["Kính gửi: UBND xã Bình Lư"])])
    assert title.communes == [] and [f.value for f in title.provinces] == [("tinh", "LAI CHÂU")]


def test_a_date_line_alone_is_a_weak_hint() -> None:
    title = read_title([(2, ["", "", "Mường Mùn, ngày 05 tháng 10 năm 2025"])])
    assert title.communes == [] and [f.value for f in title.weak_communes] == ["Mường Mùn"]


@pytest.mark.parametrize(
    ("row", "footer"),
    [
        (["Nơi nhận:", "", "TM. ỦY BAN NHÂN DÂN"], True),
        (["", "Người lập biểu"], True),
        (["", "(Ký, ghi rõ họ tên)"], True),
        (["", "", "KT. CHỦ TỊCH"], True),
        (["", "", "CHỦ TỊCH"], True),
        (["", "Mường Mùn, ngày 05 tháng 10 năm 2025"], True),
        ([1, "Bản Na Sang", 500, 450], False),
        ([None, "Tổng cộng", 1120, 830], False),
        ([3, "Văn phòng HĐND và UBND xã", 45, 41], False),
    ],
)
def test_the_signature_block(row: list, footer: bool) -> None:
    assert is_footer(row) is footer


@pytest.mark.parametrize("unhashable", [False, True])
def test_the_signature_block_starts_at_its_first_row_whatever_the_cells(unhashable: bool) -> None:
    """The first row of the body with a signature cell, found by distinct text (or row by row when a cell cannot
    be hashed); a body without one ends with the grid."""
    filler: object = [1] if unhashable else 1
    body = [["Thôn 1", 10, filler], BLANK_ROW, ["Thôn 2", "Người lập biểu", None], ["Nơi nhận:", None, None]]
    grid = [["Thôn/Bản", "Tổng số", "Ghi chú"], *body]
    assert _footer_start(grid, 1) == 3
    assert _footer_start(grid[:3], 1) == 3 == len(grid[:3])
    assert _footer_start([grid[0], ["Thôn 1", 10, filler]], 1) == 2
