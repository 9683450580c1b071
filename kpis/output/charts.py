"""DataFrame -> plotly Figure, pure functions.

Status is shown by colour AND by a symbol, a label and a hatch pattern, and the palette
(Okabe-Ito) survives colour blindness; the hatch and the symbol survive grey-scale printing.
Numbers follow the language (36,7 % / 36.7%). Every chart can carry the source line
("Nguồn: ...") under it, and has a slide variant (`slide=True`): larger type, laid out for
a 1600x900 picture on a projector.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from kpis.core.i18n import Lang, fmt_int, fmt_pct, status_label, t
from kpis.output.chart_style import (
    FONT,
    HEAT_SCALE,
    LINE_COLOURS,
    LINE_SYMBOLS,
    SCREEN,
    SLIDE,
    SLIDE_HEIGHT,
    STATUS_COLOURS,
    STATUS_PATTERNS,
    STATUS_SYMBOLS,
    STATUS_TEXT,
    SUMMARY_STATUSES,
    Style,
)

# plotly's own toolbar: a PNG at slide size, named after the chart
DOWNLOAD_CONFIG = {"toImageButtonOptions": {"format": "png", "width": 1600, "height": 900, "filename": "nq57-chart"}}
CHART_NAMES = ("ranking", "trend", "heatmap", "summary")
PCT_TICKS = [0, 20, 40, 60, 80, 100]


def _style(slide: bool) -> Style:
    return SLIDE if slide else SCREEN


def pct_suffix(lang: Lang) -> str:
    return " %" if lang == "vi" else "%"


def wrap_source(source: str, width: int) -> list[str]:
    """The source line broken into lines of at most width characters (at most 3 lines)."""
    lines = textwrap.wrap(source, width=width, break_long_words=False) if source else []
    if len(lines) > 3:
        lines = lines[:2] + [textwrap.shorten(" ".join(lines[2:]), width=width, placeholder=" …")]
    return lines


def _finish(
    fig: go.Figure,
    style: Style,
    lang: Lang,
    *,
    title: str,
    subtitle: str = "",
    source: str = "",
    legend: str | None = "top",
    x_title: str = "",
    height: int | None = None,
    left: int = 90,
) -> go.Figure:
    """Title, subtitle, legend, the source line under the chart, and margins that fit them.

    left is the room for the y-axis labels; the source line starts that far left of the plot,
    at the figure's edge, so a long label column never pushes it out of the picture."""
    source_lines = wrap_source(source, style.source_chars)
    legend_h = style.line(style.font) + 6 if legend == "top" else 0
    top = 14 + style.line(style.title) + (style.line(style.font) if subtitle else 0) + legend_h + 8
    axis_block = style.line(style.font) + (style.line(style.font) + 4 if x_title else 0) + 8
    bottom = axis_block + len(source_lines) * style.line(style.source) + 12
    title_spec: dict = {
        "text": title,
        "x": 0.01,
        "xanchor": "left",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": 12},
        "font": {"size": style.title},
    }
    if subtitle:
        title_spec["subtitle"] = {"text": subtitle, "font": {"size": style.font, "color": "#444444"}}
    fig.update_layout(
        title=title_spec,
        font={"family": FONT, "size": style.font, "color": "#222222"},
        separators=",." if lang == "vi" else ".,",
        plot_bgcolor="white",
        paper_bgcolor="white",
        margin={"l": left, "r": 50 if legend == "right" else 30, "t": top, "b": bottom, "autoexpand": True},
        showlegend=legend is not None,
    )
    if legend == "top":
        fig.update_layout(
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left", "traceorder": "normal"}
        )
    elif legend == "right":  # long indicator names: a smaller type keeps the plot wide
        small = {"size": round(style.font * 0.8)}
        fig.update_layout(legend={"orientation": "v", "yanchor": "top", "y": 1.0, "x": 1.01, "xanchor": "left", "font": small})
    if height:
        fig.update_layout(height=height)
    if source_lines:
        fig.add_annotation(
            text="<br>".join(source_lines),
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            xanchor="left",
            yanchor="top",
            yshift=-axis_block,
            xshift=12 - left,
            showarrow=False,
            align="left",
            font={"size": style.source, "color": "#444444"},
        )
    return fig


def _label_width(labels: Sequence[str], size: int) -> int:
    """Pixels for a column of axis labels (Noto Sans averages about 0.56 em per character)."""
    return int(max((len(str(x)) for x in labels), default=4) * size * 0.56) + 24


def _empty(fig: go.Figure, lang: Lang) -> None:
    fig.add_annotation(
        text=t("status_no_data", lang), xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, font={"size": 20}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)


def _status_marker(status: str) -> dict:
    pattern = STATUS_PATTERNS[status]
    marker: dict = {"color": STATUS_COLOURS[status], "line": {"color": "#333333", "width": 0.5}}
    if pattern:
        marker["pattern"] = {"shape": pattern, "fillmode": "overlay", "fgcolor": "#FFFFFF", "size": 9, "solidity": 0.25}
    return marker


def commune_bars(
    data: pd.DataFrame,
    indicator_name: str,
    year: int,
    lang: Lang,
    *,
    label: str = "commune",
    subtitle: str = "",
    source: str = "",
    slide: bool = False,
) -> go.Figure:
    """Areas (communes, or a commune's units) ranked for one indicator and year, status by colour,
    symbol and hatch, with each area's target as a black tick. Rows arrive sorted, best first."""
    style = _style(slide)
    fig = go.Figure()
    names = [str(n) for n in data[label]] if label in data else []
    count = max(len(names), 1)
    height = SLIDE_HEIGHT if slide else max(420, 30 * count + 200)
    plot_px = height - 230
    tick_size = max(9, min(style.font, int(plot_px / count / 1.3)))
    for status in ("met", "on_track", "behind", "no_target"):
        part = data[data["status"] == status] if not data.empty else data
        if part.empty:
            continue
        fig.add_bar(
            y=[str(n) for n in part[label]],
            x=part["value_pct"],
            orientation="h",
            name=f"{STATUS_SYMBOLS[status]} {status_label(status, lang)}",
            marker=_status_marker(status),
            text=[f"{fmt_pct(v, lang)} {STATUS_SYMBOLS[status]}" for v in part["value_pct"]],
            textposition="outside",
            textfont={"size": tick_size},
            cliponaxis=False,
            customdata=part[["numerator", "denominator"]].to_numpy(),
            hovertemplate="%{y}: %{customdata[0]:,}/%{customdata[1]:,} (%{x:.1f}" + pct_suffix(lang) + ")<extra></extra>",
        )
    targets = data.dropna(subset=["target_pct"]) if not data.empty else data
    if not targets.empty:
        fig.add_scatter(
            y=[str(n) for n in targets[label]],
            x=targets["target_pct"],
            mode="markers",
            marker={
                "symbol": "line-ns-open",
                "size": max(10, min(40, int(plot_px / count * 0.8))),
                "color": "#000000",
                "line": {"width": 3, "color": "#000000"},
            },
            name=t("chart_target", lang),
            hovertemplate="%{y}: " + t("chart_target", lang) + " %{x}%<extra></extra>",
        )
    if data.empty:
        _empty(fig, lang)
    fig.update_layout(barmode="overlay", bargap=0.25 if count >= 6 else 0.5)
    fig.update_yaxes(
        categoryorder="array", categoryarray=names, autorange="reversed", tickfont={"size": tick_size}, ticklabelstandoff=8
    )
    fig.update_xaxes(
        range=[0, 119],
        tickvals=PCT_TICKS,
        ticktext=[f"{v}{pct_suffix(lang)}" for v in PCT_TICKS],
        gridcolor="#E5E5E5",
        title={"text": t("chart_value_axis", lang)},
        zeroline=True,
        zerolinecolor="#888888",
    )
    return _finish(
        fig,
        style,
        lang,
        title=t("chart_bars_title", lang, indicator=indicator_name, year=year),
        subtitle=subtitle,
        source=source,
        x_title=t("chart_value_axis", lang),
        height=height,
        left=_label_width(names, tick_size),
    )


def area_trend(
    values: pd.DataFrame,
    paths: pd.DataFrame,
    title: str,
    lang: Lang,
    *,
    subtitle: str = "",
    source: str = "",
    slide: bool = False,
) -> go.Figure:
    """One area's indicators across years (solid, each with its own marker), each with its
    straight path to its target (dashed, same colour)."""
    style = _style(slide)
    fig = go.Figure()
    for i, (code, group) in enumerate(values.groupby("indicator", sort=False)):
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        name = str(group["indicator_name"].iloc[0])
        group = group.sort_values("year")
        fig.add_scatter(
            x=group["year"],
            y=group["value_pct"],
            mode="lines+markers",
            name=name,
            line={"color": colour, "width": 4 if slide else 3},
            marker={"symbol": LINE_SYMBOLS[i % len(LINE_SYMBOLS)], "size": 14 if slide else 9, "color": colour},
            hovertemplate=name + " %{x}: %{y:.1f}" + pct_suffix(lang) + "<extra></extra>",
        )
        path = paths[paths["indicator"] == code]
        if not path.empty:
            fig.add_scatter(
                x=path["year"],
                y=path["path_pct"],
                mode="lines",
                name=f"{name} – {t('chart_path', lang)}",
                line={"color": colour, "dash": "dash", "width": 2 if slide else 1.5},
                showlegend=False,
                hovertemplate=t("chart_path", lang) + " %{x}: %{y:.1f}" + pct_suffix(lang) + "<extra></extra>",
            )
    if values.empty:
        _empty(fig, lang)
    fig.update_xaxes(dtick=1, tickformat="d", gridcolor="#F0F0F0", title={"text": t("col_year", lang)})
    fig.update_yaxes(
        range=[0, 105],
        tickvals=PCT_TICKS,
        ticktext=[f"{v}{pct_suffix(lang)}" for v in PCT_TICKS],
        gridcolor="#E5E5E5",
        title={"text": t("chart_value_axis", lang)},
    )
    return _finish(
        fig,
        style,
        lang,
        title=title,
        subtitle=subtitle or t("communes_trend_note", lang),
        source=source,
        legend="right",
        x_title=t("col_year", lang),
        height=SLIDE_HEIGHT if slide else 480,
        left=_label_width(["100 %"], style.font) + style.line(style.font),
    )


def commune_trend(
    values: pd.DataFrame,
    paths: pd.DataFrame,
    place: str,
    lang: Lang,
    *,
    source: str = "",
    slide: bool = False,
) -> go.Figure:
    """One commune's indicators across years, each with its straight path to its target (dashed);
    place is the commune named with its kind ('Xã Mường Mùn', 'Phường Điện Biên Phủ': meeting.Area.place)."""
    return area_trend(values, paths, t("chart_trend_title", lang, place=place), lang, source=source, slide=slide)


def commune_heatmap(
    table: pd.DataFrame,
    indicator_name: str,
    lang: Lang,
    *,
    subtitle: str = "",
    source: str = "",
    slide: bool = False,
) -> go.Figure:
    """Communes x years for one indicator; the shade follows the rate (chart_style.HEAT_SCALE: readable in
    grey and by colour-blind readers) and every cell prints its rate. `table` is views.commune_year_table."""
    style = _style(slide)
    commune_col = t("col_commune", lang)
    year_cols = [c for c in table.columns if str(c).isdigit()]
    names = [str(n) for n in table[commune_col]] if commune_col in table else []
    fig = go.Figure()
    count = max(len(names), 1)
    height = SLIDE_HEIGHT if slide else max(380, 30 * count + 200)
    tick_size = max(9, min(style.font, int((height - 230) / count / 1.3)))
    if names and year_cols:
        z = table[year_cols].astype(float).to_numpy()
        text = [["" if pd.isna(v) else fmt_pct(v, lang) for v in row] for row in z]
        fig.add_heatmap(
            z=z,
            x=[str(y) for y in year_cols],
            y=names,
            zmin=0,
            zmax=100,
            colorscale=HEAT_SCALE,
            text=text,
            texttemplate="%{text}",
            textfont={"size": tick_size},
            xgap=3,
            ygap=3,
            colorbar={"ticksuffix": pct_suffix(lang), "title": {"text": t("chart_value_axis", lang)}},
            hovertemplate="%{y} %{x}: %{text}<extra></extra>",
        )
    else:
        _empty(fig, lang)
    fig.update_yaxes(autorange="reversed", tickfont={"size": tick_size})
    fig.update_xaxes(type="category", side="bottom", title={"text": t("col_year", lang)})
    return _finish(
        fig,
        style,
        lang,
        title=t("export_heatmap_title", lang, indicator=indicator_name),
        subtitle=subtitle,
        source=source,
        legend=None,
        x_title=t("col_year", lang),
        height=height,
        left=_label_width(names, tick_size),
    )


def status_summary(
    names: Sequence[str],
    counts: Sequence[dict[str, int]],
    title: str,
    lang: Lang,
    *,
    subtitle: str = "",
    source: str = "",
    slide: bool = False,
) -> go.Figure:
    """Per indicator, how many communes are met / on track / behind / without target / without data,
    as stacked bars labelled with the counts (views.overview_cards gives names and counts)."""
    style = _style(slide)
    fig = go.Figure()
    labels = [str(n) for n in names]
    for status in SUMMARY_STATUSES:
        values = [int(c.get(status, 0)) for c in counts]
        if not any(values):
            continue
        fig.add_bar(
            y=labels,
            x=values,
            orientation="h",
            name=f"{STATUS_SYMBOLS[status]} {status_label(status, lang)}",
            marker=_status_marker(status),
            text=[fmt_int(v, lang) if v else "" for v in values],
            textposition="inside",
            insidetextanchor="middle",
            textfont={"color": STATUS_TEXT[status], "size": style.font + 2},
            hovertemplate="%{y}: %{x}<extra>" + status_label(status, lang) + "</extra>",
        )
    if not labels:
        _empty(fig, lang)
    fig.update_layout(barmode="stack", bargap=0.3)
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed")
    fig.update_xaxes(gridcolor="#E5E5E5", title={"text": t("export_axis_communes", lang)}, tickformat="d")
    return _finish(
        fig,
        style,
        lang,
        title=title,
        subtitle=subtitle,
        source=source,
        x_title=t("export_axis_communes", lang),
        height=SLIDE_HEIGHT if slide else max(360, 60 * len(labels) + 200),
        left=_label_width(labels, style.font),
    )
