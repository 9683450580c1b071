"""The house style of every chart and table, as data: the status palette, symbols and hatch patterns,
the line colours, the font, the type sizes and the slide size.

Apart from kpis.output.charts (the figures) because the tables use it too: views, the workbook and
the meeting text put the same status symbols beside their figures, and compliance_chart the same
font, without needing the chart code.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUS_COLOURS = {
    "met": "#009E73",
    "on_track": "#0072B2",
    "behind": "#D55E00",
    "no_target": "#999999",
    "no_data": "#DDDDDD",
}
STATUS_SYMBOLS = {"met": "✔", "on_track": "➚", "behind": "✖", "no_target": "–", "no_data": "?"}
# hatching tells statuses apart on a grey-scale print, where green and orange look alike
STATUS_PATTERNS = {"met": "", "on_track": "/", "behind": "x", "no_target": ".", "no_data": ""}
# the counts printed on each status's bar: black where it reads better than white (orange, green, greys)
STATUS_TEXT = {"met": "#000000", "on_track": "#FFFFFF", "behind": "#000000", "no_target": "#000000", "no_data": "#000000"}
# the heat map's scale: light to dark in one hue run, so every step differs in grey print too (cividis's
# middle is a flat grey: 39,8 % and 58,4 % looked alike); each cell's rate is printed in black or white by contrast
HEAT_SCALE = "YlGnBu"
SUMMARY_STATUSES = ("met", "on_track", "behind", "no_target", "no_data")
LINE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
LINE_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross"]
# Noto Sans and DejaVu Sans carry every Vietnamese glyph (Debian fonts-noto-core, fonts-dejavu-core)
FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"
SLIDE_WIDTH, SLIDE_HEIGHT = 1600, 900


@dataclass(frozen=True)
class Style:
    """Type sizes in px; the slide style is read from the back of a meeting room."""

    font: int
    title: int
    source: int
    source_chars: int  # characters per source line before it wraps

    def line(self, size: int) -> int:
        return round(size * 1.45)


SCREEN = Style(font=14, title=18, source=11, source_chars=150)
SLIDE = Style(font=28, title=38, source=18, source_chars=150)
