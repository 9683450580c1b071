"""The official registry as shipped: its size, its codes, known rows, the conversion table, and refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kpis.catalog.model import PLANS_DIR, load_catalog
from kpis.catalog.official import OFFICIAL_DIR, default_official, load_official, parse_code
from kpis.catalog.units import CatalogError
from kpis.core.text import name_key, tone_key

OFFICIAL = default_official()


def test_thirty_four_provinces_and_3321_communes_with_unique_codes() -> None:
    assert len(OFFICIAL.provinces) == 34
    assert len(OFFICIAL.communes) == 3321
    assert len({p.code for p in OFFICIAL.provinces}) == 34
    assert len({c.code for c in OFFICIAL.communes}) == 3321
    assert {c.kind for c in OFFICIAL.communes} == {"Xã", "Phường", "Đặc khu"}
    assert {p.kind for p in OFFICIAL.provinces} == {"Tỉnh", "Thành phố"}
    assert OFFICIAL.version == "2026-02-21"


@pytest.mark.parametrize(
    ("code", "province", "kind", "name"),
    [
        (3268, "Điện Biên", "Xã", "Mường Mùn"),
        (2353, "Tuyên Quang", "Xã", "Hoà An"),  # the official list's own spelling: "Hoà", not "Hòa"
        (1654, "Cao Bằng", "Xã", "Hòa An"),
        (3390, "Lai Châu", "Xã", "Bình Lư"),  # where Thị trấn Tam Đường went
        (4, "Hà Nội", "Phường", "Ba Đình"),
    ],
)
def test_known_rows(code: int, province: str, kind: str, name: str) -> None:
    commune = OFFICIAL.commune(code)
    assert commune is not None
    assert (commune.province, commune.kind, commune.name) == (province, kind, name)
    assert OFFICIAL.province(commune.province_code or -1).name == province  # type: ignore[union-attr]


def test_243_names_in_several_provinces_none_twice_in_one() -> None:
    provinces_of: dict[tuple[str, str], set[int | None]] = {}
    for c in OFFICIAL.communes:
        provinces_of.setdefault((c.kind, c.name), set()).add(c.province_code)
    assert sum(len(p) > 1 for p in provinces_of.values()) == 243  # "Xã Tân Thành" in several provinces ...
    bare: dict[str, set[int | None]] = {}
    for c in OFFICIAL.communes:
        bare.setdefault(tone_key(c.name), set()).add(c.province_code)
    assert sum(len(p) > 1 for p in bare.values()) == 314  # ... and more once the kind and the tone placement go
    per_province = {(c.province_code, tone_key(c.name)) for c in OFFICIAL.communes}
    assert len(per_province) == 3321  # tone_key tells every commune of a province apart ...
    folded = {(c.province_code, name_key(c.name)) for c in OFFICIAL.communes}
    assert len(folded) < 3321  # ... where dropping all diacritics does not (Văn Lang / Văn Lăng)


def test_the_conversion_table_gives_every_old_unit_its_new_communes() -> None:
    by_code = {u.code: u for u in OFFICIAL.legacy if u.code is not None}
    quai_cang = next(u for u in OFFICIAL.legacy if u.name == "Xã Quài Cang")
    assert quai_cang.district == "Huyện Tuần Giáo" and quai_cang.province == "Tỉnh Điện Biên"
    assert [OFFICIAL.commune(c).name for c in quai_cang.successors] == ["Tuần Giáo"]  # type: ignore[union-attr]
    assert not quai_cang.split
    tam_duong = next(u for u in OFFICIAL.legacy if u.name == "Thị trấn Tam Đường")
    assert tam_duong.successors == (3390,)
    split = [u for u in by_code.values() if u.split]
    assert len(split) == 441  # old codes on two or more rows ("Nhập một phần"), each listed once
    assert all(OFFICIAL.commune(c) is not None for u in OFFICIAL.legacy for c in u.successors)


def test_old_provinces_resolve_to_the_one_they_went_into() -> None:
    def new(old: str) -> str:
        return OFFICIAL.province(OFFICIAL.old_provinces[old]).name  # type: ignore[union-attr]

    assert new("Tỉnh Hà Giang") == "Tuyên Quang"
    assert new("Tỉnh Lai Châu") == "Lai Châu"
    assert new("Tỉnh Tiền Giang") == "Đồng Tháp"  # despite one row of the table put under it by mistake
    assert new("Tỉnh Quảng Trị") == "Quảng Trị"  # the row that writes "Quảng Trị (44)" without "Tỉnh"
    assert len(OFFICIAL.old_provinces) == 63


@pytest.mark.parametrize(
    ("written", "code"),
    [("3268", 3268), ("03268", 3268), ("Mã xã 03268", 3268), ("mã: 3268", 3268), (3268, 3268), (3268.0, 3268),
     ("Mường Mùn", None), ("123456", None), (3268.5, None), (True, None), ("", None)],
)  # fmt: skip
def test_a_code_as_people_write_it(written: object, code: int | None) -> None:
    assert parse_code(written) == code


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [("Hoà An", "Hòa An", True), ("Thuỷ", "Thủy", True), ("Hoá", "Hóa", True), ("Uý", "Úy", True),
     ("Xã Hoà An", "hòa  an", True), ("Ea H’Leo", "Ea H'Leo", True), ("Văn Lang", "Văn Lăng", False),
     ("Mường Mùn", "Muong Mun", False), ("Phường Phương Liệt", "Phương Liệt", True), ("Tô Hiệu", "Hiệu", False),
     ("Phương Liệt", "Liệt", False), ("Đặc khu Côn Đảo", "Côn Đảo", True), ("Thành phố Huế", "Huế", True)],
)  # fmt: skip
def test_tone_key_ignores_where_the_tone_mark_sits_and_nothing_else(a: str, b: str, same: bool) -> None:
    # and drops a prefix only when it is one, tones and all: "Phương" (Phương Liệt) and "Tô" (Tô Hiệu) are names
    assert (tone_key(a, strip_prefix=True) == tone_key(b, strip_prefix=True)) is same


@pytest.fixture
def official_copy(tmp_path: Path) -> Path:
    out = tmp_path / "official"
    shutil.copytree(OFFICIAL_DIR, out)
    return out


def test_an_edited_file_is_refused_against_its_recorded_checksum(official_copy: Path) -> None:
    path = official_copy / "communes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Mường Mùn", "Muong Mun"), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"communes\.csv.*sha256"):
        load_official(official_copy)


def _without_checksums(directory: Path) -> None:
    source = directory / "source.toml"
    source.write_text(source.read_text(encoding="utf-8").split("[sha256]")[0], encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t + "11,Điện Biên,3268,Xã,Mường Mùn Hai\n", r"line 3323: field 'commune_code': 3268 is listed twice"),
        (lambda t: t + "99,Nơi Khác,99999,Xã,Mới\n", r"line 3323: field 'province_code': 99 is not a listed province"),
        (lambda t: t + "11,Lai Châu,99999,Xã,Mới\n", r"line 3323: field 'province': 'Lai Châu' but code 11"),
        (lambda t: t + "11,Điện Biên,99999,Thôn,Mới\n", r"line 3323: field 'kind'"),
    ],
    ids=["code-twice", "unknown-province", "province-disagrees", "bad-kind"],
)
def test_a_bad_row_is_refused_naming_file_line_and_field(official_copy: Path, edit, expected: str) -> None:
    _without_checksums(official_copy)
    path = official_copy / "communes.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CatalogError, match=expected) as err:
        load_official(official_copy)
    assert "communes.csv" in str(err.value)


def test_a_plan_refers_to_its_places_by_code_and_a_name_that_is_not_the_codes_is_refused(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    shutil.copytree(PLANS_DIR, plans)
    catalog = load_catalog(plans)
    assert catalog.plans["hoa-an-139-kh-ubnd-2026"].commune == "Hoà An"
    plan = plans / "hoa-an-139-kh-ubnd-2026.json"
    plan.write_text(plan.read_text(encoding="utf-8").replace('"commune": "Hoà An"', '"commune": "Hòa An"'), encoding="utf-8")
    assert load_catalog(plans).plans["hoa-an-139-kh-ubnd-2026"].commune == "Hoà An"  # the other tone placement
    plan.write_text(plan.read_text(encoding="utf-8").replace('"commune_code": 2353', '"commune_code": 1654'), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"'commune_code': 1654 is not a commune of Tuyên Quang"):
        load_catalog(plans)
    plan.write_text(plan.read_text(encoding="utf-8").replace('"commune_code": 1654', '"commune_code": 2221'), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"field 'commune': 'Hòa An' but code 2221 is 'Nà Hang'"):
        load_catalog(plans)
