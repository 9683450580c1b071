"""A meeting pack as a 16:9 PowerPoint file (python-pptx), shown without retouching.

Charts are pictures rendered by kaleido with fonts that carry Vietnamese (Noto Sans / DejaVu Sans),
so they look the same on any machine. Slide text is set in Arial: every Office installation has it
and it covers Vietnamese; LibreOffice substitutes the metric-compatible Liberation Sans, which does
too. Nothing depends on fonts installed where the file is opened.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from kpis.core.i18n import Lang, t
from kpis.output.meeting_pack import ChartSlide, Pack

SLIDE_FONT = "Arial"
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
DARK = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x44, 0x44, 0x44)
TEXT = RGBColor(0x22, 0x22, 0x22)
HEADER_FILL = RGBColor(0x1F, 0x38, 0x64)
STRIPE_FILL = RGBColor(0xF2, 0xF2, 0xF2)
TABLE_ROWS_PER_SLIDE = 12
LAYOUT_TITLE, LAYOUT_TITLE_ONLY = 0, 5


def _keep_together(text: str) -> str:
    """'43,1 %' must not break before its percent sign at the end of a line."""
    return text.replace(" %", "\u00a0%")


def _style_runs(text_frame, size: int, bold: bool = False, colour: RGBColor | None = None) -> None:
    for paragraph in text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.name = SLIDE_FONT
            run.font.size = Pt(size)
            run.font.bold = bold
            if colour is not None:
                run.font.color.rgb = colour


def _titled_slide(prs, title: str):
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = Inches(0.45), Inches(0.25), Inches(12.4), Inches(0.9)
    shape.text = title
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    _style_runs(frame, 28 if len(title) <= 70 else 22, bold=True, colour=DARK)
    return slide


def _text_box(slide, left, top, width, height, paragraphs: Sequence[str], size: int, colour: RGBColor = GREY) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, text in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = _keep_together(text)
        paragraph.space_after = Pt(size * 0.6)
    _style_runs(frame, size, colour=colour)


def _title_slide(prs, pack: Pack) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    title.left, title.top, title.width, title.height = Inches(0.8), Inches(1.6), Inches(11.7), Inches(1.9)
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.8), Inches(3.7), Inches(11.7), Inches(2.6)
    title.text = pack.title
    _style_runs(title.text_frame, 36, bold=True, colour=DARK)
    frame = subtitle.text_frame
    for i, line in enumerate(pack.subtitle):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
    _style_runs(frame, 24, colour=GREY)
    frame.paragraphs[0].runs[0].font.bold = True


def _column_widths(frame: pd.DataFrame, size: int, available: int = Inches(12.4)) -> list[int]:
    """Each column as wide as its longest value (a header may wrap between words); if that is too
    wide, the widest column gives way and wraps; if there is room left, every column shares it."""
    char = Pt(size) * 0.5

    def longest(column) -> int:
        words = max((len(w) for w in str(column).split()), default=1) * 1.1
        return int(max([words] + [len(str(v)) for v in frame[column]]))

    needed = [longest(c) * int(char) + Inches(0.3) for c in frame.columns] or [available]
    excess = sum(needed) - available
    if excess > 0:
        widest = needed.index(max(needed))
        needed[widest] = max(needed[widest] - excess, Inches(2.0))
    scale = available / sum(needed)
    return [Emu(int(w * scale)) for w in needed]


def _table(slide, frame: pd.DataFrame, top, size: int = 16) -> None:
    rows, cols = len(frame) + 1, max(len(frame.columns), 1)
    row_height = Inches(0.55 if size >= 18 else 0.42)
    shape = slide.shapes.add_table(rows, cols, Inches(0.45), top, Inches(12.4), row_height * rows)
    table = shape.table
    for j, width in enumerate(_column_widths(frame, size)):
        table.columns[j].width = width
    for j, column in enumerate(frame.columns):
        cell = table.cell(0, j)
        cell.text = str(column)
        cell.fill.solid()
        cell.fill.fore_color.rgb = HEADER_FILL
        _style_runs(cell.text_frame, size, bold=True, colour=RGBColor(0xFF, 0xFF, 0xFF))
    for i, values in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(values):
            cell = table.cell(i, j)
            cell.text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else _keep_together(str(value))
            cell.fill.solid()
            cell.fill.fore_color.rgb = STRIPE_FILL if i % 2 == 0 else RGBColor(0xFF, 0xFF, 0xFF)
            _style_runs(cell.text_frame, size, colour=TEXT)


def _chart_slide(prs, chart: ChartSlide, render: Callable[[go.Figure], bytes]) -> None:
    slide = _titled_slide(prs, chart.title)
    image = io.BytesIO(render(chart.figure))
    if chart.sentences:
        slide.shapes.add_picture(image, Inches(0.3), Inches(1.3), width=Inches(8.9))
        _text_box(
            slide, Inches(9.35), Inches(1.4), Inches(3.75), Inches(5.6), chart.sentences, 17, colour=RGBColor(0x22, 0x22, 0x22)
        )
    else:
        width = Inches(11.0)
        slide.shapes.add_picture(image, int((WIDTH - width) / 2), Inches(1.2), width=width)


def _table_slides(prs, title: str, frame: pd.DataFrame, lang: Lang) -> None:
    """A table, split over as many slides as it needs (12 rows each)."""
    if frame.empty:
        slide = _titled_slide(prs, title)
        _text_box(slide, Inches(0.6), Inches(1.6), Inches(12), Inches(1), [t("export_no_rows", lang)], 20)
        return
    chunks = [frame.iloc[i : i + TABLE_ROWS_PER_SLIDE] for i in range(0, len(frame), TABLE_ROWS_PER_SLIDE)]
    for n, chunk in enumerate(chunks):
        heading = title if n == 0 else f"{title} {t('export_continued', lang)}"
        _table(_titled_slide(prs, heading), chunk, Inches(1.35), size=14)


def pack_pptx(
    pack: Pack,
    render: Callable[[go.Figure], bytes],
    extra_slides: Sequence[tuple[str, pd.DataFrame]] = (),
) -> bytes:
    """The pack as .pptx bytes; render turns a figure into PNG bytes (kpis.output.export.figure_png)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    prs.core_properties.title = f"{pack.title} – {pack.area.title(pack.lang)} – {pack.year}"
    prs.core_properties.language = "vi-VN" if pack.lang == "vi" else "en-GB"
    _title_slide(prs, pack)
    summary = _titled_slide(prs, pack.summary_title)
    _table(summary, pack.summary, Inches(1.35), size=18)
    _text_box(summary, Inches(0.45), Inches(6.55), Inches(12.4), Inches(0.8), [pack.summary_source], 11)
    for chart in [*pack.overview, *pack.indicators]:
        _chart_slide(prs, chart, render)
    for title, frame in extra_slides:
        _table_slides(prs, title, frame, pack.lang)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
