"""The catalog: indicators, plans and the commune registry (the official list), loaded from data files.

Plans and targets are data, never code. The five seed plans ship as kpis/catalog/plans/*.json, each a
plan exactly as the plan importer produces it from a workbook (kpis.intake.plan_workbook; plan_json
writes both), and a province puts its own in from a workbook without a programmer. Loading validates
every file with pydantic and fails with a CatalogError that names the file and the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kpis.catalog.official import Official, default_official
from kpis.catalog.units import PACKAGE_DIR, CatalogError, Commune
from kpis.core.settings import YEAR_MAX, YEAR_MIN
from kpis.core.text import name_key, tone_key

PLANS_DIR = PACKAGE_DIR / "plans"
INDICATORS_FILE = PACKAGE_DIR / "indicators.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Indicator(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_vi: str
    name_en: str
    short_vi: str
    short_en: str
    numerator_vi: str
    numerator_en: str
    denominator_vi: str
    denominator_en: str
    words_vi: tuple[str, ...] = ()  # other ways forms name it (kpis.intake.indicator_words)
    column_vi: str = Field(default="", max_length=22)  # a board column's header, where seven must fit a screen
    column_en: str = Field(default="", max_length=22)


class Target(_Strict):
    indicator: str
    year: int = Field(ge=YEAR_MIN, le=YEAR_MAX)
    target_pct: float = Field(ge=0, le=100)
    quote: str = Field(default="", description="The plan's own sentence that sets the target (a workbook may leave it out).")


Frequency = Literal["monthly", "quarter", "half_year", "year", "periodic"]


class Deadline(_Strict):
    """A reporting deadline: monthly on `day`; quarterly on day/month and every third month after; half-year and
    year once a year on day/month; periodic (the plan names no date)."""

    frequency: Frequency
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    label_vi: str
    label_en: str


class Task(_Strict):
    code: str
    title_vi: str
    title_en: str = ""
    lead: str
    partners: list[str] = []
    deadline: str = Field(description='As the plan writes it: "Tháng 6/2025", "Quý 1/2026", "Thường xuyên".')


class Milestone(_Strict):
    code: str
    title_vi: str
    title_en: str
    year: int = Field(ge=YEAR_MIN, le=YEAR_MAX)


class Plan(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    number: str | None = None
    date: dt.date | None = None
    issuer: str
    title_vi: str
    title_en: str
    province: str  # as the plan writes it, for a person reading the file; the code decides
    province_code: int = Field(ge=0, description="The province's national statistics code.")
    commune: str | None = None
    commune_code: int | None = Field(default=None, ge=0)
    source: str = Field(description="The source document as a reader would cite it.")
    replaces: str | None = None  # the number (or id) of the plan of the same place this one replaces, as written
    notes_vi: str = ""  # what a reader should know about the plan, in each language
    notes_en: str = ""
    targets: list[Target] = []
    deadlines: list[Deadline] = []
    tasks: list[Task] = []
    milestones: list[Milestone] = []

    @model_validator(mode="after")
    def _one_target_per_indicator_year(self) -> Plan:
        seen: set[tuple[str, int]] = set()
        for t in self.targets:
            if (t.indicator, t.year) in seen:
                raise ValueError(f"two targets for {t.indicator} in {t.year}")
            seen.add((t.indicator, t.year))
        return self

    @property
    def level(self) -> Literal["province", "commune"]:
        return "commune" if self.commune else "province"


@dataclass(frozen=True)
class Catalog:
    indicators: dict[str, Indicator]
    plans: dict[str, Plan]
    communes: tuple[Commune, ...]
    provinces: tuple[str, ...] = field(default=())
    registry_version: str = ""  # the official list's data version

    def indicator_codes(self) -> list[str]:
        return list(self.indicators)


def _format_pydantic(path: Path, err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(file)"
        parts.append(f"{path.name}: field '{loc}': {e['msg']}")
    return "; ".join(parts)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise CatalogError(f"{path}: file not found") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise CatalogError(f"{path.name}: not valid TOML: {e}") from e


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise CatalogError(f"{path}: file not found") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CatalogError(f"{path.name}: not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise CatalogError(f"{path.name}: not valid JSON: the file must hold one object")
    return data


def plan_json(plan: Plan) -> str:
    """A plan as the seeds ship and the store keeps it: every field, in the model's order, two-space indent."""
    return plan.model_dump_json(indent=2) + "\n"


def plan_from_json(text: str) -> Plan:
    """A plan the store or a seed file holds (see plan_json)."""
    return Plan.model_validate_json(text)


def load_indicators(path: Path = INDICATORS_FILE) -> dict[str, Indicator]:
    data = _read_toml(path)
    out: dict[str, Indicator] = {}
    for i, raw in enumerate(data.get("indicator", [])):
        try:
            ind = Indicator.model_validate(raw)
        except ValidationError as e:
            raise CatalogError(_format_pydantic(path, e).replace("field '", f"field 'indicator[{i}].")) from e
        if ind.code in out:
            raise CatalogError(f"{path.name}: field 'indicator[{i}].code': duplicate code {ind.code!r}")
        out[ind.code] = ind
    if not out:
        raise CatalogError(f"{path.name}: field 'indicator': no indicators defined")
    return out


def load_plan(path: Path, indicators: dict[str, Indicator]) -> Plan:
    try:
        plan = Plan.model_validate(_read_json(path))
    except ValidationError as e:
        raise CatalogError(_format_pydantic(path, e)) from e
    for i, t in enumerate(plan.targets):
        if t.indicator not in indicators:
            raise CatalogError(f"{path.name}: field 'targets.{i}.indicator': unknown indicator {t.indicator!r}")
    return plan


def parse_registry(text: str, source: str = "registry.csv") -> list[Commune]:
    """Parse a registry CSV with columns province, commune, kind (kind optional, default Xã)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"province", "commune"} - set(reader.fieldnames or [])
    if missing:
        raise CatalogError(f"{source}: missing column(s) {', '.join(sorted(missing))}")
    out: list[Commune] = []
    seen: set[tuple[str, str]] = set()
    for line_no, row in enumerate(reader, start=2):
        province = (row.get("province") or "").strip()
        name = (row.get("commune") or "").strip()
        kind = (row.get("kind") or "Xã").strip() or "Xã"
        if not province or not name:
            raise CatalogError(f"{source}: row {line_no}: field 'province'/'commune' is empty")
        key = (name_key(province, strip_prefix=True), name_key(name, strip_prefix=True))
        if key in seen:
            raise CatalogError(f"{source}: row {line_no}: field 'commune': {name!r} is listed twice in {province}")
        seen.add(key)
        out.append(Commune(province=province, name=name, kind=kind))
    return out


def load_catalog(
    plans_dir: Path = PLANS_DIR,
    indicators_file: Path = INDICATORS_FILE,
    official: Official | None = None,
) -> Catalog:
    """Indicators, plans and the official registry; each plan's places are checked against the registry by code."""
    indicators = load_indicators(indicators_file)
    official = official or default_official()
    plans: dict[str, Plan] = {}
    for path in sorted(plans_dir.glob("*.json")):
        plan = _placed(path, load_plan(path, indicators), official)
        if plan.id in plans:
            raise CatalogError(f"{path.name}: field 'id': {plan.id!r} is used by another plan")
        plans[plan.id] = plan
    provinces = tuple(p.name for p in official.provinces)
    return Catalog(
        indicators=indicators, plans=plans, communes=official.communes, provinces=provinces, registry_version=official.version
    )


def _placed(path: Path, plan: Plan, official: Official) -> Plan:
    """The plan with the registry's names for its codes; a name that is not the code's is refused, naming both."""
    province = official.province(plan.province_code)
    if province is None:
        raise CatalogError(f"{path.name}: field 'province_code': {plan.province_code} is not in the registry")
    if tone_key(plan.province, strip_prefix=True) != tone_key(province.name):
        raise CatalogError(f"{path.name}: field 'province': {plan.province!r} but code {province.code} is {province.name!r}")
    commune = None
    if plan.commune is not None or plan.commune_code is not None:
        found = None if plan.commune_code is None else official.commune(plan.commune_code)
        if found is None or found.province_code != province.code:
            raise CatalogError(f"{path.name}: field 'commune_code': {plan.commune_code} is not a commune of {province.name}")
        if plan.commune is not None and tone_key(plan.commune, strip_prefix=True) != tone_key(found.name):
            raise CatalogError(f"{path.name}: field 'commune': {plan.commune!r} but code {found.code} is {found.name!r}")
        commune = found.name
    return plan.model_copy(update={"province": province.name, "commune": commune})


@cache
def default_catalog() -> Catalog:
    """The catalog shipped with the product, loaded once per process."""
    return load_catalog()
