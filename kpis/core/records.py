"""DataFrame rows as plain JSON-able dicts: the command line's --format json and csv share it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd


def json_records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, object]]:
    """None for a missing value, ISO text for dates, Python numbers for numpy ones; columns in order."""
    out = []
    for rec in frame[list(columns)].to_dict(orient="records"):
        clean: dict[str, object] = {}
        for label, v in rec.items():
            k = str(label)  # the labels are the given column names
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                clean[k] = None
            elif isinstance(v, (dt.date, dt.datetime, pd.Timestamp)):
                clean[k] = v.isoformat()
            elif hasattr(v, "item"):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out
