"""Figures and tables -> files: PNG and SVG (kaleido + Chrome/Chromium), PPTX, XLSX.

Kaleido drives a headless Chrome/Chromium. Starting one costs seconds, so the process starts ONE
kaleido server lazily (kaleido.start_sync_server) and every chart of every pack reuses it; a lock
serialises calls, because kaleido's sync server hands results back through one shared queue.
Without a browser, static export is off with a message that says why (static_export_problem);
the workbook needs no browser and keeps working.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from kpis import store
from kpis.core.errors import TextError
from kpis.core.i18n import Lang, t
from kpis.figures import compliance
from kpis.followup import display
from kpis.output import meeting, meeting_charts, meeting_pack, slides, views, workbook
from kpis.output.chart_style import SLIDE_HEIGHT, SLIDE_WIDTH

RENDER_TIMEOUT_S = 120  # the first image includes the browser's start
IMAGE_FORMATS = ("png", "svg")
IMAGE_LABELS = {"png": "export_download_png", "svg": "export_download_svg"}
MIME = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_lock = threading.Lock()
_server = {"starts": 0, "renders": 0}


class ExportUnavailable(TextError):
    """Static images cannot be made here (no browser, or the browser failed); the message says why."""

    text_code = "error_export_unavailable"


def browser_path() -> str | None:
    """The Chrome/Chromium kaleido would start, if it exists: BROWSER_PATH when set (kaleido honours it
    and does not fall back), else a chromium/chrome on PATH or in the usual places."""
    from choreographer.browsers import Chromium

    found = Chromium.find_browser(skip_local=False)
    if found and Path(found).is_file() and os.access(found, os.X_OK):
        return str(found)
    return None


def static_export_problem(lang: Lang) -> str | None:
    """None when PNG/SVG/PPTX can be made; else a sentence saying why not and how to fix it."""
    if browser_path() is not None:
        return None
    override = os.environ.get("BROWSER_PATH")
    where = t("export_no_browser_at", lang, path=override) if override else t("export_no_browser_found", lang)
    return t("export_no_browser", lang, where=where)


def _server_alive() -> bool:
    import kaleido

    server = kaleido._global_server  # noqa: SLF001 - kaleido has no public liveness check
    thread = getattr(server, "_thread", None)
    return server.is_running() and thread is not None and thread.is_alive()


def _ensure_server() -> None:
    """Start kaleido's one browser for this process, or restart it if it died."""
    import kaleido

    if _server_alive():
        return
    kaleido.stop_sync_server(silence_warnings=True)
    kaleido.start_sync_server(silence_warnings=True, mathjax=False)
    _server["starts"] += 1


def server_starts() -> int:
    """How many times this process started a kaleido browser (1 after any number of charts)."""
    return _server["starts"]


def renders() -> int:
    """How many images this process has drawn."""
    return _server["renders"]


def _to_image(fig: go.Figure, fmt: str, width: int, height: int) -> bytes:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The kopts argument is ignored if using a server")
        return pio.to_image(fig, format=fmt, width=width, height=height, scale=1)


def figure_image(fig: go.Figure, fmt: str = "png", width: int = SLIDE_WIDTH, height: int = SLIDE_HEIGHT) -> bytes:
    """The figure as PNG or SVG bytes, rendered by the shared kaleido browser."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"format must be one of {IMAGE_FORMATS}")
    problem = static_export_problem("en")
    if problem:
        raise ExportUnavailable(problem)
    with _lock:
        _ensure_server()
        result: dict[str, object] = {}

        def work() -> None:
            try:
                result["image"] = _to_image(fig, fmt, width, height)
            except Exception as e:  # handed to the caller below
                result["error"] = e

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        worker.join(RENDER_TIMEOUT_S)
        if not _server_alive():  # its browser died: forget it, so the next call starts a new one
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)  # joins a finished thread: returns at once
            raise ExportUnavailable("the browser stopped while rendering the chart")
        if worker.is_alive():
            raise ExportUnavailable(f"the browser did not render the chart within {RENDER_TIMEOUT_S} s")
        if "error" in result:
            raise ExportUnavailable(f"the browser could not render the chart: {result['error']}")
        _server["renders"] += 1
        return result["image"]  # type: ignore[return-value]


def figure_png(fig: go.Figure, width: int = SLIDE_WIDTH, height: int = SLIDE_HEIGHT) -> bytes:
    """1600x900 by default, the size of a 16:9 slide (a slide without sentences takes a wider picture)."""
    return figure_image(fig, "png", width, height)


def figure_svg(fig: go.Figure) -> bytes:
    return figure_image(fig, "svg")


def pack_pptx(
    con: duckdb.DuckDBPyConnection,
    year: int,
    province: str | None = None,
    commune: str | None = None,
    lang: Lang = "vi",
    *,
    extra_slides: Sequence[tuple[str, pd.DataFrame]] | None = None,
    indicators: Sequence[str] | None = None,
    as_of: dt.date | None = None,
) -> bytes:
    """The meeting pack: title, summary, overview charts, one slide per indicator, then table slides:
    extra_slides, by default the area's overdue reports and overdue tasks on as_of (today)."""
    area = meeting.resolve_area(con, province, commune)
    pack = meeting_pack.build_pack(con, area, year, lang, indicators=indicators)
    if extra_slides is None:
        extra_slides = follow_up_tables(con, area, lang, as_of)
    return slides.pack_pptx(pack, figure_png, extra_slides=extra_slides)


def follow_up_tables(
    con: duckdb.DuckDBPyConnection, area: meeting.Area, lang: Lang, as_of: dt.date | None = None
) -> list[tuple[str, pd.DataFrame]]:
    """Who has not reported and which tasks are late, for the area: the pack's and workbook's last pages."""
    day = as_of or store.reference_day(con)
    reports = compliance.overdue_reports(con, day, lang, area.province)
    if area.commune is not None and not reports.empty:
        reports = reports[reports[t("col_commune", lang)] == area.commune]
    late_tasks = display.overdue_tasks(con, day, lang, area.province, area.commune)
    when = day.strftime("%d/%m/%Y")
    return [
        (t("export_overdue_reports", lang, area=area.title(lang), date=when), reports.reset_index(drop=True)),
        (t("export_overdue_tasks", lang, area=area.title(lang), date=when), late_tasks.reset_index(drop=True)),
    ]


def figures_xlsx(
    con: duckdb.DuckDBPyConnection,
    year: int,
    province: str | None = None,
    commune: str | None = None,
    lang: Lang = "vi",
    as_of: dt.date | None = None,
) -> bytes:
    area = meeting.resolve_area(con, province, commune)
    return workbook.figures_xlsx(con, area, year, lang, extra_sheets=follow_up_tables(con, area, lang, as_of))


def chart_image(
    con: duckdb.DuckDBPyConnection,
    chart: str,
    fmt: str,
    year: int,
    province: str | None = None,
    commune: str | None = None,
    lang: Lang = "vi",
    indicator: str | None = None,
) -> bytes:
    area = meeting.resolve_area(con, province, commune)
    return figure_image(meeting_charts.figure(con, chart, area, year, lang, indicator), fmt)


def export_file(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    year: int,
    province: str | None = None,
    commune: str | None = None,
    lang: Lang = "vi",
    chart: str | None = None,
    indicator: str | None = None,
) -> Path:
    """Write what the suffix of out asks for; the file appears whole or not at all."""
    suffix = out.suffix.lower()
    if suffix == ".pptx":
        data = pack_pptx(con, year, province, commune, lang)
    elif suffix == ".xlsx":
        data = figures_xlsx(con, year, province, commune, lang)
    elif suffix in (".png", ".svg"):
        if not chart:
            raise meeting.MeetingError("export_needs_chart")
        data = chart_image(con, chart, suffix[1:], year, province, commune, lang, indicator)
    else:
        raise meeting.MeetingError("export_suffix", file=out.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    return out


@dataclass(frozen=True)
class Download:
    """One download button: its label, the bytes made on click, the file's name and type."""

    kind: str
    label: str
    data: Callable[[], bytes]
    file_name: str
    mime: str
    needs_browser: bool


def _on_own_cursor(con: duckdb.DuckDBPyConnection, make: Callable[[duckdb.DuckDBPyConnection], bytes]) -> Callable[[], bytes]:
    """A no-argument maker that runs later, on another thread (Streamlit's deferred download), on a
    cursor of its own: two clicks at once never share one."""

    def data() -> bytes:
        with store.cursor(con) as cursor:
            return make(cursor)

    return data


def _image_maker(
    make_figure: Callable[[duckdb.DuckDBPyConnection], go.Figure], fmt: str
) -> Callable[[duckdb.DuckDBPyConnection], bytes]:
    """The image maker for one format, bound now (a lambda in a loop would see the last format)."""
    return lambda cursor: figure_image(make_figure(cursor), fmt)


def chart_downloads(
    con: duckdb.DuckDBPyConnection, make_figure: Callable[[duckdb.DuckDBPyConnection], go.Figure], stem: str, lang: Lang
) -> list[Download]:
    """PNG (1600x900) and SVG of one chart, in its slide style with the source line, made on click."""
    return [
        Download(
            fmt,
            t(IMAGE_LABELS[fmt], lang),
            _on_own_cursor(con, _image_maker(make_figure, fmt)),
            f"{stem}.{fmt}",
            MIME[f".{fmt}"],
            True,
        )
        for fmt in IMAGE_FORMATS
    ]


def meeting_downloads(
    con: duckdb.DuckDBPyConnection, year: int, province: str, commune: str | None, lang: Lang
) -> list[Download]:
    """The slide pack and the workbook for one area and year, made on click."""
    stem = meeting.file_name(meeting.Area(province, commune), year, "")
    return [
        Download(
            "pptx",
            t("export_download_pptx", lang),
            _on_own_cursor(con, lambda cursor: pack_pptx(cursor, year, province, commune, lang)),
            f"{stem}.pptx",
            MIME[".pptx"],
            True,
        ),
        Download(
            "xlsx",
            t("export_download_xlsx", lang),
            _on_own_cursor(con, lambda cursor: figures_xlsx(cursor, year, province, commune, lang)),
            f"{stem}.xlsx",
            MIME[".xlsx"],
            False,
        ),
    ]


def bench(
    con: duckdb.DuckDBPyConnection,
    year: int | None = None,
    indicators: int | None = None,
    cold: bool = True,
) -> dict[str, object]:
    """Seconds for one chart and for a whole pack, on one reused kaleido browser."""
    area = meeting.resolve_area(con)
    years = views.years(con)
    year = year or (years[-1] if years else 2025)
    codes = list(views.indicator_names(con, "vi"))[: indicators if indicators is not None else None]
    fig = meeting_charts.ranking_figure(con, area, codes[0], year, "vi")
    report: dict[str, object] = {"area": area.title("vi"), "year": year}
    if cold and not _server_alive():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored if using a server")
            import kaleido

            kaleido.calc_fig_sync(
                fig, opts={"format": "png", "width": SLIDE_WIDTH, "height": SLIDE_HEIGHT}, kopts={"mathjax": False}
            )
        report["one_chart_own_browser_seconds"] = round(time.perf_counter() - start, 3)
    starts_before = server_starts()
    start = time.perf_counter()
    figure_png(fig)
    report["first_chart_seconds"] = round(time.perf_counter() - start, 3)  # includes the browser's start
    start = time.perf_counter()
    png = figure_png(fig)
    report["one_chart_seconds"] = round(time.perf_counter() - start, 3)
    renders_before = _server["renders"]
    start = time.perf_counter()
    data = pack_pptx(con, year, area.province, None, "vi", indicators=codes)
    report["pack_seconds"] = round(time.perf_counter() - start, 3)
    report["charts_in_pack"] = _server["renders"] - renders_before
    report["pack_bytes"] = len(data)
    report["png_bytes"] = len(png)
    report["browser_starts"] = server_starts() - starts_before
    report["server_reused"] = server_starts() - starts_before <= 1 and _server_alive()
    report["browser"] = browser_path()
    return report
