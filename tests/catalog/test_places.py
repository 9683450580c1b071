"""kpis.catalog.places: the one finder for the province and commune a person typed, on the shipped registry."""

from __future__ import annotations

import time
import unicodedata

import pytest

from kpis.catalog.model import Catalog, Commune, default_catalog
from kpis.catalog.places import Ambiguous, NotFound, Places, names
from kpis.ops.bench_national import national_registry

MUONG_MUN = Commune("Điện Biên", "Mường Mùn", "Xã")
MUONG_LAY = Commune("Điện Biên", "Mường Lay", "Phường")


@pytest.fixture(scope="module")
def shipped() -> list[Commune]:
    return list(default_catalog().communes)


@pytest.fixture(scope="module")
def places(shipped: list[Commune]) -> Places:
    return Places(shipped)


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


@pytest.mark.parametrize("typed", ["Điện Biên", "dien bien", "Tỉnh Điện Biên", "TINH DIEN BIEN", "tỉnh  điện biên"])
def test_a_province_is_found_however_it_is_typed(places: Places, typed: str) -> None:
    assert places.find_province(typed) == "Điện Biên"
    assert places.find_commune(typed, "Mường Mùn") == MUONG_MUN  # the commune's province in any spelling


def test_a_phuong_is_found_with_its_kind(places: Places) -> None:
    assert places.find_commune("Điện Biên", "Phường Mường Lay") == MUONG_LAY
    assert places.find_commune("Điện Biên", "phuong muong lay") == MUONG_LAY
    assert places.find_commune("Tuyên Quang", "Phường Hà Giang 1").name == "Hà Giang 1"  # type: ignore[union-attr]


def test_not_found_carries_the_nearest_registered_names(places: Places) -> None:
    miss = places.find_commune("Điện Biên", "Mường Mùm")
    assert isinstance(miss, NotFound) and miss.text == "Mường Mùm"
    assert miss.nearest[0] == MUONG_MUN
    assert all(c.province == "Điện Biên" for c in miss.nearest)  # suggestions from the province asked about
    assert len(miss.nearest) <= 3
    far = places.find_commune("Điện Biên", "Atlantis")
    assert far == NotFound("Atlantis", ())
    province = places.find_province("Dien Bian")
    assert province == NotFound("Dien Bian", ("Điện Biên",))
    assert names(province.nearest) == "Điện Biên"


def test_a_commune_of_another_province_is_not_found_there(places: Places) -> None:
    miss = places.find_commune("Lai Châu", "Mường Mùn")
    assert isinstance(miss, NotFound)
    assert isinstance(places.find_commune("Atlantis", "Mường Mùn"), NotFound)


def test_one_name_in_two_provinces_is_ambiguous_anywhere_and_found_within_each(shipped: list[Commune]) -> None:
    lai_chau = Commune("Lai Châu", "Mường Mùn", "Xã")
    places = Places([*shipped, lai_chau])
    both = places.find_commune(None, "muong mun")
    assert isinstance(both, Ambiguous) and set(both.matches) == {MUONG_MUN, lai_chau}
    assert places.find_commune("tinh lai chau", "Mường Mùn") == lai_chau
    assert places.find_commune("Điện Biên", "Mường Mùn") == MUONG_MUN
    miss = places.find_commune(None, "Mường Mùm")
    assert isinstance(miss, NotFound)
    assert names(miss.nearest, with_province=True).startswith("Mường Mùn (Điện Biên), Mường Mùn (Lai Châu)")


def test_the_kind_tells_a_xa_from_a_phuong_of_one_name(shipped: list[Commune]) -> None:
    """Where only the prefix tells two communes apart, the prefix is used; without it, nothing is guessed."""
    xa = Commune("Điện Biên", "Mường Lay", "Xã")
    places = Places([*shipped, xa])
    assert places.find_commune("Điện Biên", "Xã Mường Lay") == xa
    assert places.find_commune("Điện Biên", "Phường Mường Lay") == MUONG_LAY
    assert places.find_commune(None, "phuong muong lay") == MUONG_LAY
    bare = places.find_commune("Điện Biên", "Mường Lay")
    assert isinstance(bare, Ambiguous) and set(bare.matches) == {xa, MUONG_LAY}


def test_a_special_zone_is_found_with_or_without_dac_khu(shipped: list[Commune]) -> None:
    """ "Đặc khu" is no prefix kpis.core.text strips; the commune's kind makes it one."""
    phu_quoc = Commune("An Giang", "Phú Quốc", "Đặc khu")
    places = Places([*shipped, phu_quoc])
    for typed in ("Phú Quốc", "Đặc khu Phú Quốc", "dac khu phu quoc"):
        assert places.find_commune("An Giang", typed) == phu_quoc
    assert places.find_province("Tỉnh An Giang") == "An Giang"


def test_a_province_written_two_ways_is_one_province_named_as_first_written(shipped: list[Commune]) -> None:
    extra = Commune("Tỉnh Điện Biên", "Pa Ham", "Xã")
    places = Places([*shipped, extra])
    assert places.find_province("Tỉnh Điện Biên") == "Điện Biên"
    assert places.provinces.count("Điện Biên") == 1 and "Tỉnh Điện Biên" not in places.provinces
    assert places.find_commune("Điện Biên", "Pa Ham") == extra
    assert places.find_commune("dien bien", "Mường Mùn") == MUONG_MUN


def test_provinces_are_the_registered_ones(shipped: list[Commune], places: Places) -> None:
    assert places.provinces == list(dict.fromkeys(c.province for c in shipped))


def test_a_catalog_has_no_finder_of_its_own() -> None:
    """The catalog's linear find_commune/find_province went: Places is the one finder."""
    assert not hasattr(Catalog, "find_commune") and not hasattr(Catalog, "find_province")


def test_lookups_are_dict_lookups_at_national_scale() -> None:
    """3,321 communes, 50,000 rows' worth of lookups: a scan per row would take minutes, a dict well under a second."""
    registry = national_registry(3321)
    started = time.perf_counter()
    places = Places(registry)
    built = time.perf_counter() - started
    wanted = [registry[(i * 7919) % len(registry)] for i in range(50_000)]
    started = time.perf_counter()
    for c in wanted:
        assert places.find_commune(c.province, c.name.lower()) is c
    looked_up = time.perf_counter() - started
    assert built < 5 and looked_up < 10, (built, looked_up)
