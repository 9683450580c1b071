"""The catalog shipped with the product, and how a broken plan or registry file is reported."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from kpis.catalog.model import PLANS_DIR, CatalogError, Commune, load_catalog, parse_registry
from kpis.catalog.places import Places

# The indicator order of shared/TARGETS.md.
TARGETS_ORDER = [
    "citizen_reach",
    "staff_digital_training",
    "officials_informed",
    "st_tasks_communicated",
    "media_units_with_column",
    "directives_published",
    "units_with_plan",
]
MUONG_MUN_PLAN = "muong-mun-01-kh-ubnd-2025.toml"


def _plan_for(catalog, commune):
    return next(p for p in catalog.plans.values() if p.commune == commune)


def _target(plan, indicator):
    return next(t for t in plan.targets if t.indicator == indicator)


# --- the shipped catalog ----------------------------------------------------------------


def test_indicators_in_targets_order(catalog):
    assert catalog.indicator_codes() == TARGETS_ORDER


def test_five_plans(catalog):
    assert len(catalog.plans) == 5
    assert len(list(PLANS_DIR.glob("*.toml"))) == 5


def test_registry_holds_the_plan_communes(catalog):
    def names(province):
        return {c.name for c in catalog.communes if c.province == province}

    assert "Mường Mùn" in names("Điện Biên")
    assert len(names("Điện Biên") - {"Mường Mùn"}) >= 4
    assert "Hoà An" in names("Tuyên Quang")
    assert "Hoàng Văn Thụ" in names("Lạng Sơn")
    assert len(names("Lai Châu")) >= 3
    assert set(catalog.provinces) >= {"Điện Biên", "Tuyên Quang", "Lạng Sơn", "Lai Châu"}


def test_every_plan_scope_is_registered(catalog):
    for plan in catalog.plans.values():
        assert plan.province in catalog.provinces
        if plan.commune:
            assert isinstance(Places(catalog.communes).find_commune(plan.province, plan.commune), Commune)


@pytest.mark.parametrize(
    ("commune", "target_pct", "year"),
    [("Mường Mùn", 70, 2030), ("Hoà An", 100, 2030)],
)
def test_staff_digital_training_target(catalog, commune, target_pct, year):
    target = _target(_plan_for(catalog, commune), "staff_digital_training")
    assert (target.target_pct, target.year) == (target_pct, year)


def test_every_target_quote_is_non_empty(catalog):
    targets = [t for p in catalog.plans.values() for t in p.targets]
    assert targets, "the shipped plans set targets"
    for t in targets:
        assert t.quote.strip(), f"{t.indicator} {t.year} has no quote"


def test_every_target_names_a_known_indicator(catalog):
    for plan in catalog.plans.values():
        for t in plan.targets:
            assert t.indicator in catalog.indicators


def test_find_commune_accepts_other_spellings(catalog):
    places = Places(catalog.communes)
    found = places.find_commune("Điện Biên", "xa muong mun")
    assert isinstance(found, Commune) and found.name == "Mường Mùn"
    assert places.find_province("tinh dien bien") == "Điện Biên"


# --- broken plan files ------------------------------------------------------------------


@pytest.fixture
def plans_copy(tmp_path: Path) -> Path:
    target = tmp_path / "plans"
    shutil.copytree(PLANS_DIR, target)
    return target


def _target_index(path: Path, indicator: str) -> int:
    targets = tomllib.loads(path.read_text(encoding="utf-8"))["targets"]
    return next(i for i, t in enumerate(targets) if t["indicator"] == indicator)


def _rewrite_in_block(path: Path, indicator: str, old: str, new: str) -> None:
    """Replace `old` by `new` inside the [[targets]] block for `indicator` only."""
    text = path.read_text(encoding="utf-8")
    blocks = text.split("[[targets]]")
    i = next(n for n, b in enumerate(blocks) if f'indicator = "{indicator}"' in b)
    assert old in blocks[i]
    blocks[i] = blocks[i].replace(old, new, 1)
    path.write_text("[[targets]]".join(blocks), encoding="utf-8")


def _load_error(plans_dir: Path) -> str:
    with pytest.raises(CatalogError) as err:
        load_catalog(plans_dir=plans_dir)
    return str(err.value)


def test_plan_copy_loads_before_corruption(plans_copy):
    assert len(load_catalog(plans_dir=plans_copy).plans) == 5


def test_target_pct_over_100(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    index = _target_index(path, "staff_digital_training")
    _rewrite_in_block(path, "staff_digital_training", "target_pct = 70", "target_pct = 150")
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert f"targets.{index}.target_pct" in message


def test_unknown_indicator_code(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    index = _target_index(path, "citizen_reach")
    _rewrite_in_block(path, "citizen_reach", 'indicator = "citizen_reach"', 'indicator = "citizens_reched"')
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert f"targets.{index}.indicator" in message
    assert "citizens_reched" in message


def test_empty_quote(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    index = _target_index(path, "citizen_reach")
    text = path.read_text(encoding="utf-8")
    quote = tomllib.loads(text)["targets"][index]["quote"]
    _rewrite_in_block(path, "citizen_reach", f'quote = "{quote}"', 'quote = ""')
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert f"targets.{index}.quote" in message


def test_missing_issuer(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("issuer = ")]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept), encoding="utf-8")
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "'issuer'" in message


def test_unknown_field_is_refused(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("issuer = ", "isuer = ", 1), encoding="utf-8")
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "'isuer'" in message and "'issuer'" in message


def test_bad_toml_names_file_and_line(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line_no = next(n for n, line in enumerate(lines, start=1) if line.startswith("target_pct = "))
    lines[line_no - 1] = "target_pct = \n"
    path.write_text("".join(lines), encoding="utf-8")
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "not valid TOML" in message
    assert re.search(rf"\bline {line_no}\b", message)


def test_province_not_in_registry(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('province = "Điện Biên"', 'province = "Hà Nội"', 1), encoding="utf-8")
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "'province'" in message and "Hà Nội" in message


def test_commune_not_in_registry(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('commune = "Mường Mùn"', 'commune = "Mường Không Có"', 1), encoding="utf-8")
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "'commune'" in message and "Mường Không Có" in message


def test_two_targets_for_one_indicator_year(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    text = path.read_text(encoding="utf-8")
    extra = '\n[[targets]]\nindicator = "citizen_reach"\nyear = 2030\ntarget_pct = 90\nquote = "Ít nhất 90% người dân."\n'
    head, sep, tail = text.partition("[[deadlines]]")
    path.write_text(head + extra + "\n" + sep + tail, encoding="utf-8")
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "citizen_reach" in message and "2030" in message


def test_duplicate_plan_id(plans_copy):
    shutil.copy(plans_copy / MUONG_MUN_PLAN, plans_copy / "zz-copy.toml")
    message = _load_error(plans_copy)
    assert "zz-copy.toml" in message
    assert "'id'" in message


# --- the registry -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("province,commune,kind\nĐiện Biên,Mường Mùn,Xã\nĐiện Biên,MUONG MUN,Xã\n", "row 3"),
        ("province,commune\nLai Châu,Bình Lư\nLai Châu,\n", "row 3"),
        ("province,name\nLai Châu,Bình Lư\n", "commune"),
    ],
    ids=["duplicate", "empty-commune", "missing-column"],
)
def test_parse_registry_refuses(text, expected):
    with pytest.raises(CatalogError) as err:
        parse_registry(text, "admin.csv")
    assert "admin.csv" in str(err.value)
    assert expected in str(err.value)


def test_parse_registry_defaults_kind_to_xa():
    (commune,) = parse_registry("province,commune\nLai Châu,Bum Nưa\n")
    assert (commune.province, commune.name, commune.kind) == ("Lai Châu", "Bum Nưa", "Xã")
