"""The charts of a meeting, from the database: the ranking, the trend, the heat map and the summary.

Each function reads the area's figures (kpis.output.meeting), puts the source line under the chart
(kpis.output.meeting_text) and hands the frames to kpis.output.charts, which draws them.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import plotly.graph_objects as go

from kpis.core.i18n import Lang, t
from kpis.output import charts, views
from kpis.output.meeting import Area, MeetingError, area_rows
from kpis.output.meeting_text import source_line


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
    province_area = area.whole_province()
    subtitle = t("export_heatmap_subtitle", lang, area=province_area.name(lang))
    source = source_line(con, province_area, lang, indicator=indicator)
    return charts.commune_heatmap(table, name, lang, subtitle=subtitle, source=source, slide=slide)


def summary_figure(con: duckdb.DuckDBPyConnection, area: Area, year: int, lang: Lang, slide: bool = True) -> go.Figure:
    province_area = area.whole_province()
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
