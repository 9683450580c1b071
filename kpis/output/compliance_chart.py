"""Completeness over time as a plotly Figure: one panel per province, received and on time per quarter."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from kpis.core.i18n import Lang, fmt_pct, t, tn
from kpis.core.periods import quarter_label
from kpis.output.chart_style import FONT
from kpis.output.charts import pct_suffix

RECEIVED_COLOUR = "#0072B2"
ON_TIME_COLOUR = "#009E73"


def _two_lines(label: str) -> str:
    """'Quý III/2026' -> 'Quý III' over '2026'; 'Q3 2026' -> 'Q3' over '2026'."""
    return label.replace("/", "<br>", 1) if "/" in label else label.replace(" ", "<br>", 1)


def completeness_figure(frame: pd.DataFrame, lang: Lang) -> go.Figure:
    """frame is ComplianceReport.completeness(): per province and quarter, received and on-time shares."""
    provinces = list(dict.fromkeys(frame["province"]))
    # how many communes each rate is out of: one commune late is 0 % when it is the only one counted
    counts = [int(frame[frame["province"] == p]["expected"].max()) for p in provinces]
    titles = [
        tn(("compliance_chart_panel_one", "compliance_chart_panel"), n, lang, province=p)
        for p, n in zip(provinces, counts, strict=True)
    ]
    fig = make_subplots(rows=1, cols=max(1, len(provinces)), subplot_titles=titles, shared_yaxes=True)
    for col, province in enumerate(provinces, start=1):
        part = frame[frame["province"] == province].sort_values(["year", "quarter"])
        # the quarter over its year, level: rotated labels ran into each other and into the legend
        labels = [_two_lines(quarter_label(int(y), int(q), lang)) for y, q in zip(part["year"], part["quarter"], strict=True)]
        for name, share, count, colour, dash, symbol in (
            (t("compliance_chart_received", lang), "received_pct", "received", RECEIVED_COLOUR, "solid", "circle"),
            (t("compliance_chart_on_time", lang), "on_time_pct", "on_time", ON_TIME_COLOUR, "dash", "diamond"),
        ):
            fig.add_scatter(
                x=labels,
                y=part[share],
                mode="lines+markers",
                name=name,
                legendgroup=share,
                showlegend=col == 1,
                line={"color": colour, "dash": dash, "width": 3},
                marker={"symbol": symbol, "size": 9},
                customdata=list(zip(part[count], part["expected"], [fmt_pct(v, lang) for v in part[share]], strict=True)),
                hovertemplate=f"{province} %{{x}}<br>{name}: "
                + "%{customdata[0]}/%{customdata[1]} (%{customdata[2]})<extra></extra>",
                row=1,
                col=col,
            )
    fig.update_layout(
        title={"text": t("compliance_chart_title", lang), "x": 0.01},
        font={"family": FONT, "size": 14},
        plot_bgcolor="white",
        margin={"l": 60, "r": 20, "t": 90, "b": 110},
        separators=",." if lang == "vi" else ".,",
        legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0.0},
        height=460,
    )
    fig.update_yaxes(range=[0, 105], ticksuffix=pct_suffix(lang), gridcolor="#E5E5E5")
    fig.update_yaxes(title_text=t("compliance_chart_axis", lang), row=1, col=1)
    fig.update_xaxes(tickangle=0)
    return fig
