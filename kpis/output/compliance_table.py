"""How the page "Tình hình báo cáo" shows a compliance report: the matrix's colours, the legend,
the completeness table and the three numbers at the top.

The rules and the report are kpis.figures.compliance; this is display only (labels in the reader's
language, a pandas Styler), beside compliance_chart.py, so that the figures module holds the rules alone.
"""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from kpis.core.i18n import Lang, fmt_pct, t
from kpis.core.periods import quarter_label
from kpis.figures.compliance import STATUS_LABELS, STATUSES, SYMBOLS, Headline

# light tints of the Okabe-Ito colours, so that the symbol and word stay readable on top
BACKGROUNDS = {
    "on_time": "#C7EBDD",
    "late": "#FBE1A6",
    "missing": "#F5C4A8",
    "pending": "#E3ECF5",
    "received": "#CFE8F7",
    "not_received": "#EEEEEE",
}


def style_matrix(frame: pd.DataFrame) -> Styler:
    """Colour each cell by the status its leading symbol names (the symbol and words stay)."""
    by_symbol = {symbol: BACKGROUNDS[status] for status, symbol in SYMBOLS.items()}

    def colour(value: object) -> str:
        text = str(value)
        return f"background-color: {by_symbol[text[0]]}; color: #1A1A1A" if text and text[0] in by_symbol else ""

    return frame.style.map(colour)


def completeness_table(frame: pd.DataFrame, lang: Lang, province: str | None = None) -> pd.DataFrame:
    """Completeness per province (or of one) and quarter, with headers and rates in the reader's language."""
    if province is not None:
        frame = frame[frame["province"] == province]
    return pd.DataFrame(
        {
            t("col_province", lang): frame["province"],
            t("col_quarter", lang): [
                quarter_label(int(y), int(q), lang) for y, q in zip(frame["year"], frame["quarter"], strict=True)
            ],
            t("compliance_col_expected", lang): frame["expected"].astype(int),
            t("compliance_col_received", lang): frame["received"].astype(int),
            t("compliance_col_on_time", lang): frame["on_time"].astype(int),
            t("compliance_col_received_pct", lang): [fmt_pct(v, lang) for v in frame["received_pct"]],
            t("compliance_col_on_time_pct", lang): [fmt_pct(v, lang) for v in frame["on_time_pct"]],
        }
    )


def legend(lang: Lang) -> str:
    """One line naming every symbol, for under the matrix."""
    return " · ".join(f"{SYMBOLS[s]} {t(STATUS_LABELS[s], lang)}" for s in STATUSES)


def headline_metrics(head: Headline, lang: Lang) -> list[tuple[str, str]]:
    """(label, value) for the three numbers at the top of the page."""
    overdue = (t("compliance_metric_overdue", lang), f"{head.overdue}/{head.total}")
    if head.period is None:
        none = t("compliance_metric_none", lang)
        return [overdue, (none, "–"), (none, "–")]
    period = quarter_label(*head.period, lang)
    return [
        overdue,
        (t("compliance_metric_received", lang, period=period), f"{head.received}/{head.expected}"),
        (t("compliance_metric_on_time", lang, period=period), f"{head.on_time}/{head.expected}"),
    ]
