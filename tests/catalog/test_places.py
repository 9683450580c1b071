"""kpis.catalog.places: the one finder for the province and commune a person typed, on the official registry."""

from __future__ import annotations

import time
import unicodedata

import pytest

from kpis.catalog.model import Catalog, Commune
from kpis.catalog.official import default_official
from kpis.catalog.places import Ambiguous, Elsewhere, NotFound, Places, Renamed, _Index, names, old_district
from kpis.ops.bench_national import national_registry

OFFICIAL = default_official()


def official(code: int) -> Commune:
    commune = OFFICIAL.commune(code)
    assert commune is not None, code
    return commune


MUONG_MUN = official(3268)  # Xã Mường Mùn, Điện Biên
MUONG_LAY = official(3151)  # Phường Mường Lay, Điện Biên
TUAN_GIAO = official(3253)  # Xã Tuần Giáo, Điện Biên
HOA_AN_TQ, HOA_AN_CB, HOA_AN_CT = official(2353), official(1654), official(31393)  # "Hoà An", "Hòa An", "Hòa An"
VAN_LANG, VAN_LANG_BREVE = official(2143), official(5665)  # Xã Văn Lang and Xã Văn Lăng, both of Thái Nguyên


@pytest.fixture(scope="module")
def shipped() -> list[Commune]:
    return list(OFFICIAL.communes)


@pytest.fixture(scope="module")
def places(shipped: list[Commune]) -> Places:
    return Places(shipped)


def test_the_examples_are_what_the_official_list_says() -> None:
    assert (MUONG_MUN.province, MUONG_MUN.name, MUONG_MUN.kind) == ("Điện Biên", "Mường Mùn", "Xã")
    assert (MUONG_LAY.name, MUONG_LAY.kind, TUAN_GIAO.name) == ("Mường Lay", "Phường", "Tuần Giáo")
    assert [(c.province, c.name) for c in (HOA_AN_TQ, HOA_AN_CB, HOA_AN_CT)] == [
        ("Tuyên Quang", "Hoà An"), ("Cao Bằng", "Hòa An"), ("Cần Thơ", "Hòa An"),
    ]  # fmt: skip
    assert [(c.province, c.name) for c in (VAN_LANG, VAN_LANG_BREVE)] == [
        ("Thái Nguyên", "Văn Lang"),
        ("Thái Nguyên", "Văn Lăng"),
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "Mường Mùn",
        "mường mùn",
        "MƯỜNG MÙN",
        "muong mun",
        "  Muong   Mun ",
        "Mường\u00a0Mùn",
        unicodedata.normalize("NFD", "Mường Mùn"),
        "Xã Mường Mùn",
        "xa muong mun",
        "XÃ MƯỜNG MÙN",
    ],
)
def test_a_commune_is_found_however_it_is_typed(places: Places, typed: str) -> None:
    assert places.find_commune("Điện Biên", typed) == MUONG_MUN
    assert places.find_commune(None, typed) == MUONG_MUN  # anywhere: the name is only in Điện Biên


@pytest.mark.parametrize(
    "typed", ["Điện Biên", "dien bien", "Tỉnh Điện Biên", "TINH DIEN BIEN", "tỉnh  điện biên", "11", "Mã tỉnh 11"]
)
def test_a_province_is_found_however_it_is_typed(places: Places, typed: str) -> None:
    assert places.find_province(typed) == "Điện Biên"
    assert places.find_commune(typed, "Mường Mùn") == MUONG_MUN  # the commune's province in any spelling


@pytest.mark.parametrize(
    ("province", "typed", "code"),
    [
        ("Tuyên Quang", "Hòa An", 2353),  # the list writes Hoà An here ...
        ("Cao Bằng", "Hoà An", 1654),  # ... and Hòa An there
        ("Tuyên Quang", "Thanh Thuỷ", 928),  # Thanh Thủy
        ("Tuyên Quang", "Sơn Thủy", 2620),  # Sơn Thuỷ
        ("Tuyên Quang", "Chiêm Hóa", 2287),  # Chiêm Hoá
        ("Thái Nguyên", "Định Hoá", 5569),  # Định Hóa
        ("Ninh Bình", "Phường Nguyễn Úy", 13396),  # Nguyễn Uý
    ],
)
def test_where_a_tone_mark_sits_does_not_matter(places: Places, province: str, typed: str, code: int) -> None:
    assert places.resolve_commune(province, typed) == official(code)


def test_a_breve_tells_two_communes_apart_and_only_a_name_without_diacritics_is_ambiguous(places: Places) -> None:
    """Văn Lang and Văn Lăng are two communes of Thái Nguyên: a fold of every diacritic would make them one."""
    assert places.resolve_commune("Thái Nguyên", "Văn Lang") == VAN_LANG
    assert places.resolve_commune("Thái Nguyên", "Xã Văn Lăng") == VAN_LANG_BREVE
    assert places.resolve_commune("Thái Nguyên", "văn lăng") == VAN_LANG_BREVE
    both = places.resolve_commune("Thái Nguyên", "van lang")
    assert isinstance(both, Ambiguous) and set(both.matches) == {VAN_LANG, VAN_LANG_BREVE} and not both.old


def test_a_phuong_is_found_with_its_kind(places: Places) -> None:
    assert places.find_commune("Điện Biên", "Phường Mường Lay") == MUONG_LAY
    assert places.find_commune("Điện Biên", "phuong muong lay") == MUONG_LAY
    assert places.find_commune("Tuyên Quang", "Phường Hà Giang 1") == official(694)


def test_a_name_that_starts_like_a_prefix_is_not_cut() -> None:
    """ "Tĩnh Túc" (Cao Bằng) folds to "tinh tuc": its "tinh" is no Tỉnh, and a typo still offers it."""
    places = Places(OFFICIAL.communes)
    tinh_tuc = official(1729)
    assert tinh_tuc.name == "Tĩnh Túc"
    assert places.resolve_commune("Cao Bằng", "tinh tuc") == tinh_tuc
    assert isinstance(places.resolve_commune("Cao Bằng", "Túc"), NotFound)
    miss = places.resolve_commune("Cao Bằng", "Bĩnh Túc")
    assert isinstance(miss, NotFound) and miss.nearest[0] == tinh_tuc


@pytest.mark.parametrize("typed", ["3268", "03268", "Mã xã 03268", "mã: 3268", 3268, 3268.0])
def test_a_commune_may_be_given_by_its_code(places: Places, typed: object) -> None:
    assert places.resolve_commune("Điện Biên", typed) == MUONG_MUN
    assert places.resolve_commune(None, typed) == MUONG_MUN
    assert places.resolve_commune(11, typed) == MUONG_MUN


def test_a_commune_code_of_another_province_disagrees_with_the_row(places: Places) -> None:
    elsewhere = places.resolve_commune("Lai Châu", "03268")
    assert elsewhere == Elsewhere("03268", MUONG_MUN, "Lai Châu")
    assert places.find_commune("Lai Châu", "03268") == NotFound("03268", (MUONG_MUN,))  # callers that do not warn


def test_a_code_no_commune_has_is_read_as_a_name(places: Places) -> None:
    assert places.resolve_commune("Điện Biên", "99999") == NotFound("99999", ())


def test_not_found_carries_the_nearest_registered_names(places: Places) -> None:
    miss = places.find_commune("Điện Biên", "Mường Mùm")
    assert isinstance(miss, NotFound) and miss.text == "Mường Mùm"
    assert miss.nearest[0] == MUONG_MUN
    assert all(c.province == "Điện Biên" for c in miss.nearest)  # suggestions from the province asked about
    assert len(miss.nearest) <= 3
    anywhere = places.find_commune(None, "Mường Mùm")
    assert isinstance(anywhere, NotFound) and anywhere.nearest[0] == MUONG_MUN  # Mùn before Hum: closer with its diacritics
    assert places.find_commune("Điện Biên", "Atlantis") == NotFound("Atlantis", ())
    province = places.find_province("Dien Bian")
    assert province == NotFound("Dien Bian", ("Điện Biên",))
    assert names(province.nearest) == "Điện Biên"


def test_a_commune_of_another_province_is_not_found_there(places: Places) -> None:
    assert isinstance(places.find_commune("Lai Châu", "Mường Mùn"), NotFound)
    assert isinstance(places.find_commune("Atlantis", "Mường Mùn"), NotFound)


def test_a_name_in_several_provinces_the_province_or_the_scope_decides(places: Places) -> None:
    anywhere = places.resolve_commune(None, "Hòa An")
    assert isinstance(anywhere, Ambiguous) and set(anywhere.matches) == {HOA_AN_TQ, HOA_AN_CB, HOA_AN_CT}
    assert places.resolve_commune("Cao Bằng", "Hòa An") == HOA_AN_CB
    assert places.resolve_commune(None, "hoa an", scope=[("Cao Bằng", None)]) == HOA_AN_CB
    assert places.resolve_commune(None, "Hòa An", scope=[("Tuyên Quang", "Hoà An"), ("Tuyên Quang", "Yên Sơn")]) == HOA_AN_TQ
    outside = places.resolve_commune(None, "Hòa An", scope=[("Điện Biên", None)])  # the scope has none: not guessed
    assert isinstance(outside, Ambiguous) and len(outside.matches) == 3
    two = places.resolve_commune(None, "Hòa An", scope=[("Cao Bằng", None), ("Cần Thơ", None)])
    assert isinstance(two, Ambiguous) and set(two.matches) == {HOA_AN_CB, HOA_AN_CT}


def test_an_old_commune_merged_whole_is_its_new_commune_with_both_names(places: Places) -> None:
    found = places.resolve_commune("Điện Biên", "Quài Cang")
    assert found == Renamed(TUAN_GIAO, "Xã Quài Cang", "Huyện Tuần Giáo")
    assert old_district(found.district) == "huyện Tuần Giáo"
    for typed in ("Xã Quài Cang", "xa quai cang", "QUÀI CANG"):
        assert places.resolve_commune("Điện Biên", typed) == found
    assert places.resolve_commune(None, "Quài Cang") == found  # anywhere: one old commune of that name
    assert places.resolve_commune("Điện Biên", "03289") == found  # its old code
    assert places.find_commune("Điện Biên", "Quài Cang") == TUAN_GIAO  # callers that do not warn


def test_an_old_township_whose_name_is_now_a_communes_is_that_commune(places: Places) -> None:
    """An old name that is also a current name means the current one, whatever kind it is written with."""
    assert places.resolve_commune("Điện Biên", "Tuần Giáo") == TUAN_GIAO
    assert places.resolve_commune("Điện Biên", "Mường Nhé") == official(3160)  # Xã Mường Nhé, before and after
    assert places.resolve_commune("Hà Nội", "Ngọc Hà") == official(8)  # Phường Ngọc Hà today; the old one was split
    assert places.resolve_commune("Điện Biên", "Thị trấn Tuần Giáo") == TUAN_GIAO


def test_an_old_commune_split_between_new_ones_lists_them(places: Places) -> None:
    split = places.resolve_commune("Hà Nội", "Cổ Bi")
    assert isinstance(split, Ambiguous)
    assert [u.name for u in split.old] == ["Xã Cổ Bi"] and split.old[0].district == "Huyện Gia Lâm"
    assert [c.name for c in split.matches] == ["Phúc Lợi", "Phù Đổng", "Thuận An", "Gia Lâm"]


def test_two_old_units_of_one_name_are_told_apart_by_kind_or_refused(places: Places) -> None:
    both = places.resolve_commune("Hà Nội", "Đức Giang")
    assert isinstance(both, Ambiguous)
    assert {(u.name, u.district) for u in both.old} == {
        ("Phường Đức Giang", "Quận Long Biên"),
        ("Xã Đức Giang", "Huyện Hoài Đức"),
    }
    assert places.resolve_commune("Hà Nội", "Xã Đức Giang") == Renamed(official(9832), "Xã Đức Giang", "Huyện Hoài Đức")


def test_an_old_name_as_written_and_a_current_one_without_diacritics_are_not_guessed(places: Places) -> None:
    """Xã Tân Thanh (Văn Lãng) went into Hoàng Văn Thụ; Tân Thành is a commune of Lạng Sơn today."""
    both = places.resolve_commune("Lạng Sơn", "Tân Thanh")
    assert isinstance(both, Ambiguous)
    assert [c.name for c in both.current] == ["Tân Thành"] and [u.name for u in both.old] == ["Xã Tân Thanh"]
    assert {c.name for c in both.matches} == {"Tân Thành", "Hoàng Văn Thụ"}
    assert places.resolve_commune("Lạng Sơn", "Tân Thành") == official(6445)


def test_an_old_province_is_the_province_it_is_part_of_now(places: Places) -> None:
    assert places.resolve_province("Hà Giang") == Renamed("Tuyên Quang", "Tỉnh Hà Giang")
    assert places.resolve_province("tinh ha giang") == Renamed("Tuyên Quang", "Tỉnh Hà Giang")
    assert places.find_province("Hà Giang") == "Tuyên Quang"
    assert places.resolve_province("Tuyên Quang") == "Tuyên Quang"  # an old name that is also a current one
    lung_cu = official(715)
    assert lung_cu.name == "Lũng Cú"
    # an old commune of Hà Giang, under its old province or its new one
    for province in ("Hà Giang", "Tuyên Quang", "Tỉnh Tuyên Quang", 8):
        assert places.resolve_commune(province, "Má Lé") == Renamed(lung_cu, "Xã Má Lé", "Huyện Đồng Văn")
    assert places.resolve_commune("Hà Giang", "Phường Hà Giang 1") == official(694)  # a current commune, as it is
    assert places.shown("Tuyên Quang") == "Tỉnh Tuyên Quang" and places.shown("Hà Nội") == "Thành phố Hà Nội"


def test_the_kind_tells_a_xa_from_a_phuong_of_one_name(shipped: list[Commune]) -> None:
    """Where only the prefix tells two communes apart, the prefix is used; without it, nothing is guessed."""
    xa = Commune("Điện Biên", "Mường Lay", "Xã")
    places = Places([*shipped, xa])
    assert places.find_commune("Điện Biên", "Xã Mường Lay") == xa
    assert places.find_commune("Điện Biên", "Phường Mường Lay") == MUONG_LAY
    assert places.find_commune(None, "phuong muong lay") == MUONG_LAY
    bare = places.find_commune("Điện Biên", "Mường Lay")
    assert isinstance(bare, Ambiguous) and set(bare.matches) == {xa, MUONG_LAY}


def test_a_special_zone_is_found_with_or_without_dac_khu(places: Places) -> None:
    phu_quoc = official(31078)
    assert (phu_quoc.province, phu_quoc.name, phu_quoc.kind) == ("An Giang", "Phú Quốc", "Đặc khu")
    for typed in ("Phú Quốc", "Đặc khu Phú Quốc", "dac khu phu quoc"):
        assert places.find_commune("An Giang", typed) == phu_quoc
    assert places.find_province("Tỉnh An Giang") == "An Giang"


def test_a_province_written_two_ways_is_one_province_named_as_first_written(shipped: list[Commune]) -> None:
    extra = Commune("Tỉnh Điện Biên", "Pa Ham Mới", "Xã")
    places = Places([*shipped, extra])
    assert places.find_province("Tỉnh Điện Biên") == "Điện Biên"
    assert places.provinces.count("Điện Biên") == 1 and "Tỉnh Điện Biên" not in places.provinces
    assert places.find_commune("Điện Biên", "Pa Ham Mới") == extra
    assert places.find_commune("dien bien", "Mường Mùn") == MUONG_MUN


def test_provinces_are_the_registered_ones(shipped: list[Commune], places: Places) -> None:
    assert places.provinces == list(dict.fromkeys(c.province for c in shipped))
    assert len(places.provinces) == 34


def test_a_catalog_has_no_finder_of_its_own() -> None:
    """The catalog's linear find_commune/find_province went: Places is the one finder."""
    assert not hasattr(Catalog, "find_commune") and not hasattr(Catalog, "find_province")


def test_the_official_index_builds_quickly_and_once_per_registry(shipped: list[Commune]) -> None:
    """3,321 communes and ~10,000 old units: built in a fraction of a second, then shared by every Places of it."""
    registry = tuple(shipped[:-1])  # a registry no test has indexed yet
    started = time.perf_counter()
    index = _Index(registry, OFFICIAL)
    assert len(index.old.successors) > 9_000
    built = time.perf_counter() - started
    assert built < 3, built  # about 0.2 s on a laptop; generous for a loaded test machine
    assert Places(registry)._ix is Places(list(registry))._ix


def test_lookups_are_dict_lookups_at_national_scale() -> None:
    """3,321 communes, 50,000 rows' worth of lookups: a scan per row would take minutes, a dict well under a second."""
    registry = national_registry(3321)
    started = time.perf_counter()
    places = Places(registry)
    built = time.perf_counter() - started
    wanted = [registry[(i * 7919) % len(registry)] for i in range(50_000)]
    started = time.perf_counter()
    for c in wanted:
        assert places.find_commune(c.province, c.name.lower()) == c
    looked_up = time.perf_counter() - started
    assert built < 5 and looked_up < 10, (built, looked_up)
