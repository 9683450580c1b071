"""DataFrame -> plotly Figure, pure functions.

Status is shown by colour AND by a symbol and label, and the palette (Okabe-Ito)
survives colour blindness and grey-scale printing.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kpis.i18n import Lang, fmt_pct, status_label, t

STATUS_COLOURS = {
    "met": "#009E73",
    "on_track": "#0072B2",
    "behind": "#D55E00",
    "no_target": "#999999",
    "no_data": "#DDDDDD",
}
STATUS_SYMBOLS = {"met": "✔", "on_track": "➚", "behind": "✖", "no_target": "–", "no_data": "?"}
LINE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
# plotly's own toolbar: a PNG at slide size, named after the chart
DOWNLOAD_CONFIG = {"toImageButtonOptions": {"format": "png", "width": 1600, "height": 900, "filename": "nq57-chart"}}
FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"


def _layout(fig: go.Figure, title: str, y_title: str, x_title: str = "") -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        font={"family": FONT, "size": 14},
        yaxis={"title": y_title, "range": [0, 105], "ticksuffix": "%"},
        xaxis={"title": x_title},
        plot_bgcolor="white",
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_yaxes(gridcolor="#E5E5E5")
    return fig


def commune_bars(data: pd.DataFrame, indicator_name: str, year: int, lang: Lang) -> go.Figure:
    """Communes ranked for one indicator and year, coloured by status, with the target line."""
    fig = go.Figure()
    for status in ("met", "on_track", "behind", "no_target"):
        part = data[data["status"] == status]
        if part.empty:
            continue
        fig.add_bar(
            x=part["commune"],
            y=part["value_pct"],
            name=f"{STATUS_SYMBOLS[status]} {status_label(status, lang)}",
            marker_color=STATUS_COLOURS[status],
            text=[f"{fmt_pct(v, lang)} {STATUS_SYMBOLS[status]}" for v in part["value_pct"]],
            textposition="outside",
            customdata=part[["numerator", "denominator"]].to_numpy(),
            hovertemplate="%{x}: %{customdata[0]:,}/%{customdata[1]:,}<extra></extra>",
        )
    targets = data.dropna(subset=["target_pct"])
    if not targets.empty:
        fig.add_scatter(
            x=targets["commune"],
            y=targets["target_pct"],
            mode="markers",
            marker={"symbol": "line-ew-open", "size": 36, "color": "#000000", "line": {"width": 3}},
            name=t("chart_target", lang),
            hovertemplate="%{x}: " + t("chart_target", lang) + " %{y}%<extra></extra>",
        )
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(categoryorder="array", categoryarray=list(data["commune"]))
    return _layout(fig, t("chart_bars_title", lang, indicator=indicator_name, year=year), t("chart_value_axis", lang))


def commune_trend(values: pd.DataFrame, paths: pd.DataFrame, commune: str, lang: Lang) -> go.Figure:
    """One commune's indicators across years, each with its straight path to its target (dashed)."""
    fig = go.Figure()
    for i, (code, group) in enumerate(values.groupby("indicator", sort=False)):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        name = group["indicator_name"].iloc[0]
        group = group.sort_values("year")
        fig.add_scatter(
            x=group["year"],
            y=group["value_pct"],
            mode="lines+markers",
            name=name,
            line={"color": colour, "width": 3},
            hovertemplate=name + " %{x}: %{y:.1f}%<extra></extra>",
        )
        path = paths[paths["indicator"] == code]
        if not path.empty:
            fig.add_scatter(
                x=path["year"],
                y=path["path_pct"],
                mode="lines",
                name=f"{name} – {t('chart_path', lang)}",
                line={"color": colour, "dash": "dash", "width": 1.5},
                showlegend=False,
                hovertemplate=t("chart_path", lang) + " %{x}: %{y:.1f}%<extra></extra>",
            )
    fig.update_xaxes(dtick=1, tickformat="d")
    return _layout(fig, t("chart_trend_title", lang, commune=commune), t("chart_value_axis", lang), t("col_year", lang))
