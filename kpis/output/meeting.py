"""What a meeting is about, and its figures from the database: the area (resolved from what a
person typed), the area's rows at each level, and each unit's figures against its commune's target.

The meeting pack is built in layers above this module, one job each: meeting_text (the source
line, the sentences and the summary table), meeting_charts (the charts, from the database) and
meeting_pack (the pack that slides.py lays out). No rendering in any of them (kpis/output/export.py
turns figures into PNG/SVG, slides.py and workbook.py into files), so all of it is tested without a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb
import pandas as pd

from kpis import store
from kpis.catalog.official import default_official
from kpis.catalog.places import Ambiguous, NotFound, Places, names
from kpis.core.errors import KpisError
from kpis.core.i18n import Lang, t
from kpis.core.text import name_key
from kpis.figures.progress import TargetBook, plan_targets, progress, status_of, unit_year_values
from kpis.output import views

UNIT_COLUMNS = [
    "province",
    "commune",
    "unit",
    "indicator",
    "year",
    "quarter",
    "numerator",
    "denominator",
    "value_pct",
    "target_pct",
    "target_year",
    "status",
    "plan_id",
    "province_code",
    "commune_code",
]


class MeetingError(KpisError):
    """The area or chart asked for does not exist; code and params (rendered by kpis.core.i18n) say which and what exists."""


# the registry's kinds of place, and the word for each inside a sentence ("thành phố Huế", "phường Điện Biên Phủ")
KIND_LABELS = {
    "Tỉnh": "place_kind_province",
    "Thành phố": "place_kind_city",
    "Xã": "place_kind_commune",
    "Phường": "place_kind_ward",
    "Đặc khu": "place_kind_special_zone",
}


def kind_word(kind: str, lang: Lang) -> str:
    return t(KIND_LABELS[kind], lang) if kind in KIND_LABELS else kind.lower()


@dataclass(frozen=True)
class Area:
    """A province, or one commune of it: what a meeting is about. The kinds (as the official list
    writes them) only change how the area is named, not which area it is."""

    province: str
    commune: str | None = None
    province_kind: str = field(default="Tỉnh", compare=False)
    commune_kind: str = field(default="Xã", compare=False)

    def whole_province(self) -> Area:
        return replace(self, commune=None)

    def place(self, lang: Lang) -> str:
        """The area alone with its kind, capitalised: 'Xã Mường Mùn', 'Thành phố Huế' (a chart title)."""
        if self.commune:
            text = t("place_commune", lang, kind=kind_word(self.commune_kind, lang), commune=self.commune)
        else:
            text = self._province(lang)
        return text[:1].upper() + text[1:]

    def _province(self, lang: Lang) -> str:
        return t("export_area_province", lang, kind=kind_word(self.province_kind, lang), province=self.province)

    def name(self, lang: Lang) -> str:
        """'tỉnh Điện Biên' / 'xã Mường Mùn, tỉnh Điện Biên' (for use inside a sentence)."""
        if self.commune:
            commune = t("place_commune", lang, kind=kind_word(self.commune_kind, lang), commune=self.commune)
            return t("export_area_commune", lang, commune=commune, province=self._province(lang))
        return self._province(lang)

    def title(self, lang: Lang) -> str:
        text = self.name(lang)
        return text[:1].upper() + text[1:]

    def slug(self) -> str:
        parts = [self.province, self.commune or ""]
        return "-".join(re.sub(r"[^a-z0-9]+", "-", name_key(p)).strip("-") for p in parts if p)


def area(con: duckdb.DuckDBPyConnection, province: str, commune: str | None = None) -> Area:
    """The registered area of these names with the kinds the registry gives them (a city, a ward)."""
    row = con.execute("SELECT code FROM provinces WHERE name = ?", [province]).fetchone()
    official = default_official().province(row[0]) if row and row[0] is not None else None
    found = con.execute("SELECT kind FROM communes WHERE province = ? AND name = ?", [province, commune]).fetchone()
    return Area(province, commune, official.kind if official else "Tỉnh", found[0] if found else "Xã")


def resolve_area(con: duckdb.DuckDBPyConnection, province: str | None = None, commune: str | None = None) -> Area:
    """The registered area for what a person typed (any case, with or without diacritics/prefix).

    Without either, the pages' default: the province with the most reporting communes, else the
    first of the official list."""
    if not province and not commune:
        choices = views.province_choices(con)
        if not choices:
            raise MeetingError("meeting_no_province")
        return area(con, choices[0])
    places = Places(store.registry(con))
    if province:
        found = places.find_province(province)
        if isinstance(found, NotFound):
            known = ", ".join(sorted(places.provinces))
            raise MeetingError("meeting_province_unknown", province=province, known=known, suggest=names(found.nearest))
        if not commune:
            return area(con, found)
        province = found
    match = places.find_commune(province, commune or "")  # a commune here: one of the two was given
    if isinstance(match, NotFound):
        suggest = names(match.nearest, with_province=not province)
        if province:
            raise MeetingError("meeting_commune_unknown_in", commune=commune, province=province, suggest=suggest)
        raise MeetingError("meeting_commune_unknown", commune=commune, suggest=suggest)
    if isinstance(match, Ambiguous):
        raise MeetingError("meeting_commune_ambiguous", commune=commune, provinces=names(c.province for c in match.matches))
    return area(con, match.province, match.name)


def unit_progress(con: duckdb.DuckDBPyConnection, year: int | None = None) -> pd.DataFrame:
    """Each unit's value per year and indicator against its commune's target, with a status by the
    same rules as a commune's (the straight path starts at the unit's own first reported year)."""
    rows = unit_year_values(con)
    if rows.empty:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    book = TargetBook(plan_targets(con))
    rows["value_pct"] = rows["numerator"] * 100.0 / rows["denominator"]
    firsts: dict[tuple, tuple[int, float]] = {}
    extra = []
    row: Any  # pandas-stubs types every named-tuple field as a possibly-NA scalar; these columns are never NA
    for row in rows.itertuples(index=False):
        first_year, first_value = firsts.setdefault((row.unit_id, row.indicator), (int(row.year), float(row.value_pct)))
        rule = book.applicable(row.province, row.commune, row.indicator, int(row.year))
        status = status_of(float(row.value_pct), int(row.year), rule, first_year, first_value)
        extra.append(
            (rule.target_pct if rule else None, rule.target_year if rule else None, status, rule.plan_id if rule else None)
        )
    rows[["target_pct", "target_year", "status", "plan_id"]] = pd.DataFrame(extra, index=rows.index)
    rows["target_year"] = rows["target_year"].astype("Int64")
    if year is not None:
        rows = rows[rows["year"] == year]
    return rows[UNIT_COLUMNS].reset_index(drop=True)


def area_rows(con: duckdb.DuckDBPyConnection, area: Area, year: int | None, level: str) -> pd.DataFrame:
    """progress() rows (or unit rows) of one area at one level."""
    if level == "unit":
        rows = unit_progress(con, year)
    else:  # only this area's figures are computed (an area's figures never depend on others')
        commune = area.commune if level == "commune" else None
        rows = progress(con, level, year, province=area.province, commune=commune)  # type: ignore[arg-type]
    rows = rows[rows["province"] == area.province]
    if area.commune and level != "province":
        rows = rows[rows["commune"] == area.commune]
    return rows.reset_index(drop=True)


def headline(con: duckdb.DuckDBPyConnection, area: Area, year: int) -> pd.DataFrame:
    """The area's own figure per indicator (the province's, or the commune's)."""
    return area_rows(con, area, year, "commune" if area.commune else "province")


def file_name(area: Area, year: int, suffix: str) -> str:
    """'giao-ban-dien-bien-2026.pptx': ASCII, so every mail client and USB stick keeps it."""
    return f"giao-ban-{area.slug()}-{year}{suffix}"
