"""The catalog shipped with the product, and how a broken plan or registry file is reported."""

from __future__ import annotations

import json
import re
import shutil
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
MUONG_MUN_PLAN = "muong-mun-01-kh-ubnd-2025.json"


def _plan_for(catalog, commune):
    return next(p for p in catalog.plans.values() if p.commune == commune)


def _target(plan, indicator):
    return next(t for t in plan.targets if t.indicator == indicator)


# --- the shipped catalog ----------------------------------------------------------------


def test_indicators_in_targets_order(catalog):
    assert catalog.indicator_codes() == TARGETS_ORDER


def test_five_plans(catalog):
    assert len(catalog.plans) == 5
    assert len(list(PLANS_DIR.glob("*.json"))) == 5


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


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _target_index(path: Path, indicator: str) -> int:
    return next(i for i, t in enumerate(_read(path)["targets"]) if t["indicator"] == indicator)


def _set_in_target(path: Path, indicator: str, field: str, value: object) -> None:
    """Set one field of the target for `indicator` only."""
    data = _read(path)
    data["targets"][_target_index(path, indicator)][field] = value
    _write(path, data)


def _load_error(plans_dir: Path) -> str:
    with pytest.raises(CatalogError) as err:
        load_catalog(plans_dir=plans_dir)
    return str(err.value)


def test_plan_copy_loads_before_corruption(plans_copy):
    assert len(load_catalog(plans_dir=plans_copy).plans) == 5


def test_target_pct_over_100(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    index = _target_index(path, "staff_digital_training")
    assert _read(path)["targets"][index]["target_pct"] == 70
    _set_in_target(path, "staff_digital_training", "target_pct", 150)
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert f"targets.{index}.target_pct" in message


def test_unknown_indicator_code(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    index = _target_index(path, "citizen_reach")
    _set_in_target(path, "citizen_reach", "indicator", "citizens_reched")
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert f"targets.{index}.indicator" in message
    assert "citizens_reched" in message


def test_a_target_without_its_quote_loads(plans_copy):
    """A workbook may leave a target's quote out (Ghi chú), so a plan without one loads, with an empty quote."""
    path = plans_copy / MUONG_MUN_PLAN
    data = _read(path)
    del data["targets"][_target_index(path, "citizen_reach")]["quote"]
    _write(path, data)
    plan = load_catalog(plans_dir=plans_copy).plans["muong-mun-01-kh-ubnd-2025"]
    assert _target(plan, "citizen_reach").quote == ""


def test_missing_issuer(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    data = _read(path)
    del data["issuer"]
    _write(path, data)
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "'issuer'" in message


def test_unknown_field_is_refused(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    data = _read(path)
    data["isuer"] = data.pop("issuer")
    _write(path, data)
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "'isuer'" in message and "'issuer'" in message


def test_bad_json_names_file_and_line(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line_no = next(n for n, line in enumerate(lines, start=1) if '"target_pct": ' in line)
    lines[line_no - 1] = '      "target_pct": ,\n'
    path.write_text("".join(lines), encoding="utf-8")
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "not valid JSON" in message
    assert re.search(rf"\bline {line_no}\b", message)


def test_province_not_in_registry(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    data = _read(path)
    data["province"] = "Hà Nội"
    _write(path, data)
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "'province'" in message and "Hà Nội" in message


def test_commune_not_in_registry(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    data = _read(path)
    data["commune"] = "Mường Không Có"
    _write(path, data)
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "'commune'" in message and "Mường Không Có" in message


def test_two_targets_for_one_indicator_year(plans_copy):
    path = plans_copy / MUONG_MUN_PLAN
    data = _read(path)
    data["targets"].append({"indicator": "citizen_reach", "year": 2030, "target_pct": 90, "quote": "Ít nhất 90% người dân."})
    _write(path, data)
    message = _load_error(plans_copy)
    assert MUONG_MUN_PLAN in message
    assert "citizen_reach" in message and "2030" in message


def test_duplicate_plan_id(plans_copy):
    shutil.copy(plans_copy / MUONG_MUN_PLAN, plans_copy / "zz-copy.json")
    message = _load_error(plans_copy)
    assert "zz-copy.json" in message
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
