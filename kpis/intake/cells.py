"""A cell's value as text, and the characters a text cell must not hold: shared by every check of a row.

Apart from kpis.intake.validate so that the place check (kpis.intake.locate) reads cells the same way.
"""

from __future__ import annotations

from typing import Any

from kpis.core.text import clean_display, text_issue

Issue = tuple[str, dict[str, Any]] | None  # (message code, params), or None for a clean cell


def bad_text(raw: Any, name: bool = True) -> Issue:
    """A control, invisible or look-alike character in a cell typed as text (kpis.core.text.text_issue)."""
    return text_issue(raw, name) if type(raw) is str else None


def cell_text(value: Any) -> str:
    """The cell as a person reads it: None is "", a whole number stored as 3268.0 is "3268"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_display(str(value))
