"""What a meeting pack says, computed from the database: the area, the source line under each
chart, two or three sentences per indicator, the summary table, the unit-level figures and the
charts themselves. No rendering here (kpis/export.py turns figures into PNG/SVG, kpis/slides.py
and kpis/workbook.py into files), so all of it is tested without a browser.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
import plotly.graph_objects as go
from babel.numbers import format_decimal

from kpis import store
from kpis.core.errors import KpisError
from kpis.core.i18n import Lang, fmt_int, fmt_pct, status_label, t
from kpis.core.text import name_key
from kpis.figures.progress import TargetBook, path_value, plan_targets, progress, status_of, unit_year_values
from kpis.output import charts, views
from kpis.output.charts import STATUS_SYMBOLS

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
BEHIND_NAMED = 3  # areas named in the "furthest behind" sentence
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
]


class MeetingError(KpisError):
    """The area or chart asked for does not exist; code and params (rendered by kpis.core.i18n) say which and what exists."""


@dataclass(frozen=True)
class Area:
    """A province, or one commune of it: what a meeting is about."""

    province: str
    commune: str | None = None

    def name(self, lang: Lang) -> str:
        """'tỉnh Điện Biên' / 'xã Mường Mùn, tỉnh Điện Biên' (for use inside a sentence)."""
        if self.commune:
            return t("export_area_commune", lang, commune=self.commune, province=self.province)
        return t("export_area_province", lang, province=self.province)

    def title(self, lang: Lang) -> str:
        text = self.name(lang)
        return text[:1].upper() + text[1:]

    def slug(self) -> str:
        parts = [self.province, self.commune or ""]
        return "-".join(re.sub(r"[^a-z0-9]+", "-", name_key(p)).strip("-") for p in parts if p)


def resolve_area(con: duckdb.DuckDBPyConnection, province: str | None = None, commune: str | None = None) -> Area:
    """The registered area for what a person typed (any case, with or without diacritics/prefix).

    Without either, the province with the most reporting communes (the pages' default)."""
    if commune:
        rows = con.execute(
            "SELECT c.province, c.name FROM communes c JOIN provinces p ON p.name = c.province"
            " WHERE c.key = ? AND (? IS NULL OR p.key = ?) ORDER BY c.province",
            [name_key(commune, strip_prefix=True), province, name_key(province or "", strip_prefix=True)],
        ).fetchall()
        if not rows:
            if province:
                raise MeetingError("meeting_commune_unknown_in", commune=commune, province=province)
            raise MeetingError("meeting_commune_unknown", commune=commune)
        if len(rows) > 1:
            raise MeetingError("meeting_commune_ambiguous", commune=commune, provinces=", ".join(r[0] for r in rows))
        return Area(rows[0][0], rows[0][1])
    if province:
        row = con.execute("SELECT name FROM provinces WHERE key = ?", [name_key(province, strip_prefix=True)]).fetchone()
        if not row:
            known = ", ".join(r[0] for r in con.execute("SELECT name FROM provinces ORDER BY name").fetchall())
            raise MeetingError("meeting_province_unknown", province=province, known=known)
        return Area(row[0])
    with_data = views.provinces_with_data(con)
    if with_data:
        return Area(with_data[0])
    first = con.execute("SELECT min(name) FROM provinces").fetchall()[0][0]
    if first is None:
        raise MeetingError("meeting_no_province")
    return Area(first)


def quarter_label(year: int, quarter: int, lang: Lang) -> str:
    return f"quý {ROMAN[quarter]}/{year}" if lang == "vi" else f"Q{quarter} {year}"


def _points(value: float, lang: Lang) -> str:
    return format_decimal(value, "#,##0.0", locale="vi_VN" if lang == "vi" else "en_US")


def _doc_date(day: dt.date) -> str:
    """Vietnamese administrative style: 06/6/2025, 14/7/2025, 05/02/2026 (Nghị định 30/2020)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def plan_citation(plan: pd.Series | dict, lang: Lang) -> str:
    """'Kế hoạch số 01/KH-UBND ngày 14/7/2025 của UBND xã Mường Mùn'; a plan without a number is
    cited by its `source` text, as recorded in the catalog."""
    number, date, issuer = plan.get("number"), plan.get("date"), plan.get("issuer")
    if isinstance(number, str) and number and date is not None and not pd.isna(date):
        when = _doc_date(pd.Timestamp(date).date())
        return t("export_plan_cite", lang, number=number, date=when, issuer=issuer)
    return str(plan.get("source") or plan.get("id"))


def _join(items: list[str], lang: Lang) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + t("export_and", lang) + items[-1]


def _area_values(con: duckdb.DuckDBPyConnection, area: Area, year: int | None, indicator: str | None) -> pd.DataFrame:
    return con.execute(
        """
        SELECT cv.year, cv.quarter, c.name AS commune, cv.unit_id
        FROM current_values cv JOIN units u ON u.id = cv.unit_id JOIN communes c ON c.id = u.commune_id
        WHERE c.province = ? AND (?::VARCHAR IS NULL OR c.name = ?)
          AND (?::INTEGER IS NULL OR cv.year = ?) AND (?::VARCHAR IS NULL OR cv.indicator = ?)
        """,
        [area.province, area.commune, area.commune, year, year, indicator, indicator],
    ).df()


def applied_plan_ids(
    con: duckdb.DuckDBPyConnection,
    area: Area,
    year: int | None = None,
    indicator: str | None = None,
    province_figure: bool = False,
) -> list[str]:
    """The plans whose targets the figures of this area use (communes' own, else the province's)."""
    rows = progress(con, "commune", year)
    rows = rows[rows["province"] == area.province]
    if area.commune:
        rows = rows[rows["commune"] == area.commune]
    if province_figure and not area.commune:
        prov = progress(con, "province", year)
        rows = pd.concat([rows, prov[prov["province"] == area.province]])
    if indicator:
        rows = rows[rows["indicator"] == indicator]
    ids = list(rows["plan_id"])
    return sorted({i for i in ids if isinstance(i, str)})


def source_line(
    con: duckdb.DuckDBPyConnection,
    area: Area,
    lang: Lang,
    *,
    year: int | None = None,
    indicator: str | None = None,
    province_figure: bool = False,
) -> str:
    """'Nguồn: số liệu báo cáo quý III/2026 của 5 xã, tỉnh Điện Biên; chỉ tiêu theo Kế hoạch số ...'."""
    values = _area_values(con, area, year, indicator)
    if values.empty:
        data = t("export_source_no_data", lang)
    else:
        periods = sorted(set(zip(values["year"], values["quarter"], strict=True)))
        first, last = periods[0], periods[-1]
        if year is not None or first == last:
            period = quarter_label(int(last[0]), int(last[1]), lang)
        else:
            period = t(
                "export_period_range",
                lang,
                first=quarter_label(int(first[0]), int(first[1]), lang),
                last=quarter_label(int(last[0]), int(last[1]), lang),
            )
        if area.commune:
            who = t("export_source_units", lang, count=fmt_int(values["unit_id"].nunique(), lang), area=area.name(lang))
        else:
            who = t("export_source_communes", lang, count=fmt_int(values["commune"].nunique(), lang), area=area.name(lang))
        data = t("export_source_data", lang, period=period, who=who)
    ids = applied_plan_ids(con, area, year, indicator, province_figure)
    plans = con.execute(
        "SELECT * FROM plans WHERE id IN (SELECT unnest(?::VARCHAR[])) ORDER BY commune NULLS FIRST, date", [ids]
    ).df()
    if plans.empty:
        targets = t("export_source_no_plan", lang)
    else:
        targets = t("export_source_plans", lang, plans=_join([plan_citation(p, lang) for _, p in plans.iterrows()], lang))
    return t("export_source", lang, data=data, targets=targets)


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


def _first_value(con: duckdb.DuckDBPyConnection, area: Area, indicator: str) -> tuple[int, float] | None:
    rows = area_rows(con, area, None, "commune" if area.commune else "province")
    if area.commune is None:
        rows = rows[rows["commune"].isna()]
    rows = rows[rows["indicator"] == indicator].sort_values("year")
    if rows.empty:
        return None
    return int(rows["year"].iloc[0]), float(rows["value_pct"].iloc[0])


def indicator_sentences(con: duckdb.DuckDBPyConnection, area: Area, indicator: str, year: int, lang: Lang) -> list[str]:
    """Two or three sentences: the figure, the target and status, and the areas furthest behind."""
    head = headline(con, area, year)
    head = head[head["indicator"] == indicator]
    values = _area_values(con, area, year, indicator)
    if head.empty or values.empty:
        return [t("export_s_no_data", lang, area=area.name(lang), year=year)]
    row = head.iloc[0]
    last_quarter = int(values.loc[values["year"] == year, "quarter"].max())
    if area.commune:
        reporters = t("export_s_units", lang, count=fmt_int(values["unit_id"].nunique(), lang))
    else:
        registered = con.execute("SELECT count(*) FROM communes WHERE province = ?", [area.province]).fetchall()[0][0]
        reporters = t(
            "export_s_communes", lang, count=fmt_int(values["commune"].nunique(), lang), total=fmt_int(registered, lang)
        )
    area_name = area.name(lang)
    sentences = [
        t(
            "export_s_value",
            lang,
            year=year,
            quarter=quarter_label(year, last_quarter, lang),
            reporters=reporters,
            area=area_name,
            value=fmt_pct(row["value_pct"], lang),
            numerator=fmt_int(row["numerator"], lang),
            denominator=fmt_int(row["denominator"], lang),
        )
    ]
    status = str(row["status"])
    if status == "no_target":
        sentences.append(t("export_s_no_target", lang))
    else:
        target, target_year = float(row["target_pct"]), int(row["target_year"])
        params = {"target": fmt_pct(target, lang), "target_year": target_year, "year": year}
        if status == "met":
            sentences.append(t("export_s_met", lang, **params))
        elif status == "on_track":
            first = _first_value(con, area, indicator) or (year, float(row["value_pct"]))
            path = path_value(first[0], first[1], target_year, target, year)
            sentences.append(t("export_s_on_track", lang, path=fmt_pct(path, lang), **params))
        else:
            gap = _points(target - float(row["value_pct"]), lang)
            sentences.append(t("export_s_behind", lang, gap=gap, **params))
    sentences.append(_furthest_behind(con, area, indicator, year, lang))
    return sentences


def _furthest_behind(con: duckdb.DuckDBPyConnection, area: Area, indicator: str, year: int, lang: Lang) -> str:
    """Name the communes (or a commune's units) with the largest value gap to their own target."""
    level, label, kind = ("unit", "unit", "units") if area.commune else ("commune", "commune", "communes")
    rows = area_rows(con, area, year, level)
    rows = rows[rows["indicator"] == indicator].copy()
    with_target = rows.dropna(subset=["target_pct"])
    with_target = with_target.assign(gap=with_target["target_pct"] - with_target["value_pct"])
    below = with_target[with_target["gap"] > 0].sort_values(["gap", label], ascending=[False, True])
    if not below.empty:
        named = [
            t("export_s_named", lang, name=r[label], value=fmt_pct(r["value_pct"], lang), target=fmt_pct(r["target_pct"], lang))
            for _, r in below.head(BEHIND_NAMED).iterrows()
        ]
        key = f"export_s_behind_{kind}_{'one' if len(named) == 1 else 'many'}"
        return t(key, lang, names=", ".join(named), count=fmt_int(len(below), lang))
    if not with_target.empty:
        return t(f"export_s_all_met_{kind}", lang, count=fmt_int(len(with_target), lang))
    lowest = rows.sort_values(["value_pct", label]).head(BEHIND_NAMED)
    named = [f"{r[label]} ({fmt_pct(r['value_pct'], lang)})" for _, r in lowest.iterrows()]
    return t(f"export_s_lowest_{kind}", lang, names=", ".join(named))


def summary_table(con: duckdb.DuckDBPyConnection, area: Area, year: int, lang: Lang) -> pd.DataFrame:
    """Per indicator: the area's value, counts, target and status (symbol + word), ready to print."""
    head = headline(con, area, year).set_index("indicator")
    book = TargetBook(plan_targets(con))
    records = []
    for code, name in views.indicator_names(con, lang).items():
        target_pct: float | None
        target_year: int | None
        if code in head.index:
            r = head.loc[code]
            if not isinstance(r, pd.Series):  # the headline has one row per indicator
                raise ValueError(f"more than one headline row for indicator {code!r}")
            value, counts = fmt_pct(r["value_pct"], lang), f"{fmt_int(r['numerator'], lang)}/{fmt_int(r['denominator'], lang)}"
            target_pct = None if pd.isna(r["target_pct"]) else float(r["target_pct"])
            target_year = None if pd.isna(r["target_year"]) else int(r["target_year"])
            status = str(r["status"])
        else:
            rule = book.applicable(area.province, area.commune, code, year)
            value, counts, status = "–", "–", "no_data"
            target_pct, target_year = (rule.target_pct, rule.target_year) if rule else (None, None)
        target = "–" if target_pct is None else f"{fmt_pct(target_pct, lang)} ({target_year})"
        records.append((name, value, counts, target, f"{STATUS_SYMBOLS[status]} {status_label(status, lang)}"))
    columns = [
        t("col_indicator", lang),
        t("export_col_value", lang),
        t("export_col_counts", lang),
        t("export_col_target", lang),
        t("export_col_status", lang),
    ]
    return pd.DataFrame(records, columns=columns)


# --- the charts of a meeting, from the database -------------------------------------------


def _indicator_name(con: duckdb.DuckDBPyConnection, indicator: str | None, lang: Lang) -> str:
    names = views.indicator_names(con, lang)
    if not indicator or indicator not in names:
        if indicator:
            raise MeetingError("meeting_indicator_unknown", names=", ".join(names), indicator=indicator)
        raise MeetingError("meeting_indicator_missing", names=", ".join(names))
    return names[indicator]


def ranking_data(con: duckdb.DuckDBPyConnection, area: Area, indicator: str, year: int, lang: Lang) -> pd.DataFrame:
    """The province's communes (or the commune's units) for one indicator and year, best first."""
    if area.commune is None:
        return views.bar_data(con, indicator, year, area.province, lang)
    rows = area_rows(con, area, year, "unit")
    rows = rows[rows["indicator"] == indicator].sort_values(["value_pct", "unit"], ascending=[False, True])
    return rows.reset_index(drop=True)


def ranking_figure(
    con: duckdb.DuckDBPyConnection, area: Area, indicator: str, year: int, lang: Lang, slide: bool = True
) -> go.Figure:
    name = _indicator_name(con, indicator, lang)
    data = ranking_data(con, area, indicator, year, lang)
    subtitle = t("export_ranking_units" if area.commune else "export_ranking_communes", lang, area=area.name(lang))
    source = source_line(con, area, lang, year=year, indicator=indicator)
    label = "unit" if area.commune else "commune"
    return charts.commune_bars(data, name, year, lang, label=label, subtitle=subtitle, source=source, slide=slide)


def trend_data(con: duckdb.DuckDBPyConnection, area: Area, lang: Lang) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area's own figures across years and each indicator's straight path to its target."""
    return views.trend_data(con, area.province, area.commune, lang)


def trend_figure(con: duckdb.DuckDBPyConnection, area: Area, lang: Lang, slide: bool = True) -> go.Figure:
    values, paths = trend_data(con, area, lang)
    title = t("export_trend_title", lang, area=area.title(lang))
    source = source_line(con, area, lang, province_figure=True)
    return charts.area_trend(values, paths, title, lang, source=source, slide=slide)


def heatmap_figure(con: duckdb.DuckDBPyConnection, area: Area, indicator: str, lang: Lang, slide: bool = True) -> go.Figure:
    name = _indicator_name(con, indicator, lang)
    table = views.commune_year_table(con, indicator, area.province, lang)
    province_area = Area(area.province)
    subtitle = t("export_heatmap_subtitle", lang, area=province_area.name(lang))
    source = source_line(con, province_area, lang, indicator=indicator)
    return charts.commune_heatmap(table, name, lang, subtitle=subtitle, source=source, slide=slide)


def summary_figure(con: duckdb.DuckDBPyConnection, area: Area, year: int, lang: Lang, slide: bool = True) -> go.Figure:
    province_area = Area(area.province)
    cards = views.overview_cards(con, year, area.province, lang)
    title = t("export_summary_title", lang, area=province_area.title(lang), year=year)
    source = source_line(con, province_area, lang, year=year)
    return charts.status_summary([c.name for c in cards], [c.counts for c in cards], title, lang, source=source, slide=slide)


def figure(
    con: duckdb.DuckDBPyConnection,
    chart: str,
    area: Area,
    year: int,
    lang: Lang,
    indicator: str | None = None,
    slide: bool = True,
) -> go.Figure:
    """One chart by name (charts.CHART_NAMES), as the command line asks for it."""
    if chart == "ranking":
        return ranking_figure(con, area, indicator or "", year, lang, slide)
    if chart == "heatmap":
        return heatmap_figure(con, area, indicator or "", lang, slide)
    if chart == "trend":
        return trend_figure(con, area, lang, slide)
    if chart == "summary":
        return summary_figure(con, area, year, lang, slide)
    raise MeetingError("meeting_chart_unknown", names=", ".join(charts.CHART_NAMES), chart=chart)


# --- the pack ---------------------------------------------------------------------------------


@dataclass
class ChartSlide:
    title: str
    figure: go.Figure
    sentences: list[str] = field(default_factory=list)


@dataclass
class Pack:
    """Everything a meeting pack shows, in the reader's language; slides.py lays it out."""

    lang: Lang
    area: Area
    year: int
    title: str
    subtitle: list[str]
    summary_title: str
    summary: pd.DataFrame
    summary_source: str
    overview: list[ChartSlide]
    indicators: list[ChartSlide]


def build_pack(
    con: duckdb.DuckDBPyConnection,
    area: Area,
    year: int,
    lang: Lang,
    *,
    made_on: dt.date | None = None,
    indicators: Iterable[str] | None = None,
) -> Pack:
    """The pack's content: title, summary table, overview charts and one chart slide per indicator."""
    made_on = made_on or dt.date.today()
    names = views.indicator_names(con, lang)
    codes = [c for c in (indicators if indicators is not None else names) if c in names]
    subtitle = [
        area.title(lang),
        t("export_pack_year", lang, year=year),
        t("export_pack_made", lang, date=made_on.strftime("%d/%m/%Y")),
    ]
    if store.is_demo(con):
        subtitle.append(t("export_pack_demo", lang))
    overview = [ChartSlide(t("export_trend_slide", lang), trend_figure(con, area, lang))]
    if area.commune is None:
        overview.insert(0, ChartSlide(t("export_summary_slide", lang), summary_figure(con, area, year, lang)))
    slides = [
        ChartSlide(
            t("export_indicator_slide", lang, indicator=names[code], year=year),
            ranking_figure(con, area, code, year, lang),
            indicator_sentences(con, area, code, year, lang),
        )
        for code in codes
    ]
    return Pack(
        lang=lang,
        area=area,
        year=year,
        title=t("export_pack_title", lang),
        subtitle=subtitle,
        summary_title=t("export_summary_table_title", lang, area=area.title(lang), year=year),
        summary=summary_table(con, area, year, lang),
        summary_source=source_line(con, area, lang, year=year, province_figure=True),
        overview=overview,
        indicators=slides,
    )


def file_name(area: Area, year: int, suffix: str) -> str:
    """'giao-ban-dien-bien-2026.pptx': ASCII, so every mail client and USB stick keeps it."""
    return f"giao-ban-{area.slug()}-{year}{suffix}"
