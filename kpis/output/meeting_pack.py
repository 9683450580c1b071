"""The meeting pack: everything a meeting shows, in the reader's language (slides.py lays it out).

The top of the meeting modules: it gathers the summary table and sentences (kpis.output.meeting_text)
and the charts (kpis.output.meeting_charts) for one area and year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import pandas as pd
import plotly.graph_objects as go

from kpis import store
from kpis.core.i18n import Lang, t
from kpis.output import views
from kpis.output.meeting import Area
from kpis.output.meeting_charts import ranking_figure, summary_figure, trend_figure
from kpis.output.meeting_text import indicator_sentences, source_line, summary_table


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
