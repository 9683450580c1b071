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
TABLE_LEFT, TABLE_TOP, TABLE_WIDTH, TABLE_SIZE = Inches(0.45), Inches(1.35), Inches(12.4), 14
TABLE_ROOM = HEIGHT - TABLE_TOP - Inches(0.3)  # down to the slide's bottom margin
CELL_PADDING = Inches(0.2)  # a cell's left and right margins (python-pptx's default 0.1 inch each)
CELL_MARGINS = Inches(0.1)  # its top and bottom margins (0.05 inch each)
WIDE_TOP, WIDE_HEIGHT = Inches(1.25), Inches(5.95)  # a chart without sentences: the slide's width under its title
WIDE_PX = (1600, round(1600 * 5.95 / 12.4))  # rendered at the picture's own proportions (1600 x 768)
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


def _char_width(size: int) -> float:
    """The average width of a character of Arial at size pt, in EMU (Vietnamese text, mixed case)."""
    return Pt(size) * 0.5


def _column_widths(frame: pd.DataFrame, size: int, available: int = TABLE_WIDTH) -> list[int]:
    """Widths that fit the slide: each column as wide as its longest value when they all fit (the room left
    shared by all); else the columns that need little keep what they need and the long ones (a task's
    title, the key of its table) share the rest equally, so that none is squeezed to a word a line."""
    char = _char_width(size)

    def natural(column: object) -> int:
        words = max((len(w) for w in str(column).split()), default=1) + 1  # a header may wrap between words
        return int((max([words] + [len(str(v)) for v in frame[column]]) + 1) * char + CELL_PADDING)

    needed = [natural(c) for c in frame.columns] or [available]
    if sum(needed) <= available:
        scale = available / sum(needed)
        return [Emu(int(w * scale)) for w in needed]
    widths: list[int | None] = [None] * len(needed)
    left, room = list(range(len(needed))), available
    while left:  # fix every column whose need is below its share of what is left
        total = sum(needed[i] for i in left)
        small = [i for i in left if needed[i] <= room / len(left)]
        if not small:
            break
        for i in small:
            widths[i] = needed[i]
            room -= needed[i]
        left = [i for i in left if i not in small]
    total = sum(needed[i] for i in left) or 1
    for i in left:  # the long columns share the rest by how much they hold: the longest text gets the most room
        widths[i] = int(room * needed[i] / total)
    floors = [_longest_word(frame[c], char) for c in frame.columns]
    for i in left:  # but none narrower than its longest word, given by the widest column
        if (short := floors[i] - (widths[i] or 0)) > 0:
            widest = max(left, key=lambda j: widths[j] or 0)
            widths[i], widths[widest] = floors[i], (widths[widest] or 0) - short
    return [Emu(int(w or 0)) for w in widths]


def _longest_word(values: pd.Series, char: float) -> int:
    longest = max((len(w) for v in values for w in str(v).split()), default=1)
    return int((longest + 1) * char + CELL_PADDING)


def _lines(text: str, width: int, size: int) -> int:
    """How many lines text takes in a cell of width (EMU) at size pt, wrapping between words (a word longer
    than a line breaks inside it)."""
    per_line = max(1, int((width - CELL_PADDING) / _char_width(size)))
    lines, used = 1, 0
    for word in str(text).split():
        need = len(word) if used == 0 else used + 1 + len(word)
        if need <= per_line:
            used = need
            continue
        if used:
            lines += 1
        full, rest = divmod(len(word), per_line)
        lines, used = (lines + full - 1, per_line) if rest == 0 else (lines + full, rest)
    return lines


def row_heights(frame: pd.DataFrame, widths: list[int], size: int) -> list[int]:
    """Each row's height, header first: its tallest cell's lines, at 1.2 line spacing, with the cell margins."""
    line = Pt(size) * 1.2
    rows = [[str(c) for c in frame.columns], *([_cell_text(v) for v in r] for r in frame.itertuples(index=False))]
    return [
        int(max(_lines(text, w, size) for text, w in zip(row, widths, strict=True)) * line + CELL_MARGINS) for row in rows
    ]


def _cell_text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else _keep_together(str(value))


def _table(slide, frame: pd.DataFrame, top, size: int = 16, widths: list[int] | None = None) -> None:
    """The table at top; widths (EMU) when its columns must match the slides before it."""
    rows, cols = len(frame) + 1, max(len(frame.columns), 1)
    widths = widths or _column_widths(frame, size)
    heights = row_heights(frame, widths, size)
    shape = slide.shapes.add_table(rows, cols, TABLE_LEFT, top, TABLE_WIDTH, sum(heights))
    table = shape.table
    for j, width in enumerate(widths):
        table.columns[j].width = width
    for i, height in enumerate(heights):
        table.rows[i].height = height
    for j, column in enumerate(frame.columns):
        cell = table.cell(0, j)
        cell.text = str(column)
        cell.fill.solid()
        cell.fill.fore_color.rgb = HEADER_FILL
        _style_runs(cell.text_frame, size, bold=True, colour=RGBColor(0xFF, 0xFF, 0xFF))
    for i, values in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(values):
            cell = table.cell(i, j)
            cell.text = _cell_text(value)
            cell.fill.solid()
            cell.fill.fore_color.rgb = STRIPE_FILL if i % 2 == 0 else RGBColor(0xFF, 0xFF, 0xFF)
            _style_runs(cell.text_frame, size, colour=TEXT)


def table_chunks(frame: pd.DataFrame, size: int, room: int = TABLE_ROOM) -> list[pd.DataFrame]:
    """The table cut into slides' worth of rows: as many as fit under the header in room (EMU), by height,
    and never more than TABLE_ROWS_PER_SLIDE (a slide read from the back of a room)."""
    heights = row_heights(frame, _column_widths(frame, size), size)
    header, body = heights[0], heights[1:]
    chunks, start, used = [], 0, header
    for i, height in enumerate(body):
        if i > start and (used + height > room or i - start >= TABLE_ROWS_PER_SLIDE):
            chunks.append(frame.iloc[start:i])
            start, used = i, header
        used += height
    chunks.append(frame.iloc[start:])
    return chunks


def _chart_slide(prs, chart: ChartSlide, render: Callable[..., bytes]) -> None:
    slide = _titled_slide(prs, chart.title)
    if chart.sentences:
        image = io.BytesIO(render(chart.figure))
        slide.shapes.add_picture(image, Inches(0.3), Inches(1.3), width=Inches(8.9))
        _text_box(
            slide, Inches(9.35), Inches(1.4), Inches(3.75), Inches(5.6), chart.sentences, 17, colour=RGBColor(0x22, 0x22, 0x22)
        )
    else:  # the whole width under the title: the picture is rendered at the shape's own proportions
        image = io.BytesIO(render(chart.figure, WIDE_PX[0], WIDE_PX[1]))
        slide.shapes.add_picture(image, TABLE_LEFT, WIDE_TOP, width=TABLE_WIDTH, height=WIDE_HEIGHT)


def _table_slides(prs, title: str, frame: pd.DataFrame, lang: Lang) -> None:
    """A table, split over as many slides as it needs (as many rows as fit each, by their height)."""
    if frame.empty:
        slide = _titled_slide(prs, title)
        _text_box(slide, Inches(0.6), Inches(1.6), Inches(12), Inches(1), [t("export_no_rows", lang)], 20)
        return
    widths = _column_widths(frame, TABLE_SIZE)  # the same columns on every slide of the table
    for n, chunk in enumerate(table_chunks(frame, TABLE_SIZE)):
        heading = title if n == 0 else f"{title} {t('export_continued', lang)}"
        _table(_titled_slide(prs, heading), chunk, TABLE_TOP, size=TABLE_SIZE, widths=widths)


def pack_pptx(
    pack: Pack,
    render: Callable[..., bytes],
    extra_slides: Sequence[tuple[str, pd.DataFrame]] = (),
) -> bytes:
    """The pack as .pptx bytes; render(figure[, width, height]) turns a figure into PNG bytes
    (kpis.output.export.figure_png)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    prs.core_properties.title = f"{pack.title} – {pack.area.title(pack.lang)} – {pack.year}"
    prs.core_properties.language = "vi-VN" if pack.lang == "vi" else "en-GB"
    _title_slide(prs, pack)
    summary = _titled_slide(prs, pack.summary_title)
    _table(summary, pack.summary, TABLE_TOP, size=18)
    _text_box(summary, Inches(0.45), Inches(6.55), Inches(12.4), Inches(0.8), [pack.summary_source], 11)
    for chart in [*pack.overview, *pack.indicators]:
        _chart_slide(prs, chart, render)
    for title, frame in extra_slides:
        _table_slides(prs, title, frame, pack.lang)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
