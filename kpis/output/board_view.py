"""How the leaders' board reads on screen: the headline per indicator, the matrix of areas x indicators
(value, symbol and colour per cell, readable in grey print and for colour-blind readers), the ranking of
one indicator with moves and pace, the filters, and the words of each state.

The figures are kpis.figures.board; this is display only, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import duckdb
import pandas as pd
from pandas.io.formats.style import Styler

from kpis.catalog.model import default_catalog
from kpis.core.i18n import Lang, fmt_int, fmt_pct, status_label, t
from kpis.core.periods import quarter_label
from kpis.core.text import fold
from kpis.figures.board import Board, board
from kpis.figures.compliance import cell_text
from kpis.figures.pace import HORIZON
from kpis.output.chart_style import STATUS_SYMBOLS, SUMMARY_STATUSES

Filter = Literal["all", "behind", "not_reported"]
FILTERS: tuple[Filter, ...] = ("all", "behind", "not_reported")
# light tints of the status colours (chart_style.STATUS_COLOURS), dark text on top: the symbol says it too
BACKGROUNDS = {"met": "#C7EBDD", "on_track": "#CFE3F3", "behind": "#F5C4A8", "no_target": "#EEEEEE", "no_data": "#FFFFFF"}
SEVERITY = {"behind": 0, "no_data": 1, "on_track": 2, "no_target": 3, "met": 4}  # worst first
NOT_REPORTED = ("missing", "not_received")
LEVEL_LABELS = {  # the board's words, by what its rows are
    "commune": {
        "title": "board_title_commune", "hint": "board_pick_hint_commune", "note": "board_note_commune",
        "areas": "board_areas_commune", "all": "board_filter_all_commune", "behind": "board_filter_behind_commune",
        "not_reported": "board_filter_not_reported_commune",
    },
    "province": {
        "title": "board_title_province", "hint": "board_pick_hint_province", "note": "board_note_province",
        "areas": "board_areas_province", "all": "board_filter_all_province", "behind": "board_filter_behind_province",
        "not_reported": "board_filter_not_reported_province",
    },
}  # fmt: skip
PACE_LABELS = {"met": "pace_met", "too_few": "pace_too_few"}


def leaders_board(con: duckdb.DuckDBPyConnection, year: int, province: str | None, as_of: dt.date) -> Board:
    """The board as the overview shows it (a module-level function, so the pages can cache it)."""
    return board(con, year, province, as_of)


def indicator_names(con: duckdb.DuckDBPyConnection, lang: Lang) -> dict[str, str]:
    column = f"short_{lang}"
    return dict(con.execute(f"SELECT code, {column} FROM indicators ORDER BY position").fetchall())


def column_names(names: dict[str, str], lang: Lang) -> dict[str, str]:
    """The board's column headers: each indicator's shortest name (the catalog's column_vi/en, so that seven
    fit a 1920 px screen beside the commune), else its short name."""
    catalog = default_catalog().indicators
    found = {code: getattr(catalog[code], f"column_{lang}", "") if code in catalog else "" for code in names}
    return {code: found[code] or name for code, name in names.items()}


def value_text(value: float | None, status: str, lang: Lang) -> str:
    """'✖ 43,1 %' or '? Chưa có số liệu': the symbol first, so that colour is never the only sign."""
    if value is None or pd.isna(value):
        return f"{STATUS_SYMBOLS['no_data']} {status_label('no_data', lang)}"
    return f"{STATUS_SYMBOLS[status]} {fmt_pct(value, lang)}"


def pace_text(kind: str | None, year: int | None, lang: Lang) -> str:
    if kind is None or (isinstance(kind, float) and pd.isna(kind)):
        return ""
    if kind == "year":
        return t("pace_year", lang, year=year)
    if kind == "not_by":
        return t("pace_not_by", lang, year=HORIZON)
    return t(PACE_LABELS[kind], lang)


def move_text(move: object, rank: object) -> str:
    """'▲ 2', '▼ 1', '=' or '' (not ranked now, or not then)."""
    if pd.isna(rank) or pd.isna(move):  # type: ignore[call-overload]
        return ""
    step = int(move)  # type: ignore[call-overload]
    return "=" if step == 0 else (f"▲ {step}" if step > 0 else f"▼ {-step}")


def reporting_text(row: pd.Series, lang: Lang, with_period: bool = True) -> str:
    """'✔ đúng hạn · Quý I/2026' for a commune; '12/45 xã đã gửi · Quý III/2026' for a province (without the
    quarter when the column's header names it)."""
    if pd.isna(row.get("year")):
        return ""
    if row.get("state") is None or pd.isna(row.get("state")):
        text = t("board_province_sent", lang, received=fmt_int(row["received"], lang), expected=fmt_int(row["expected"], lang))
    else:
        days = None if pd.isna(row["days_late"]) else int(row["days_late"])
        text = cell_text(str(row["state"]), days, None, lang)
    return f"{text} · {quarter_label(int(row['year']), int(row['quarter']), lang)}" if with_period else text


def shared_period(b: Board) -> tuple[int, int] | None:
    """The quarter every area's latest report is for, when it is one and the same."""
    periods = {(int(y), int(q)) for y, q in zip(b.reporting["year"], b.reporting["quarter"], strict=True) if pd.notna(y)}
    return periods.pop() if len(periods) == 1 else None


def reporting_header(b: Board, lang: Lang) -> str:
    period = shared_period(b)
    if period is None:
        return t("board_col_reporting", lang)
    return t("board_col_reporting_of", lang, period=quarter_label(*period, lang))


@dataclass(frozen=True)
class HeadlineCard:
    code: str
    name: str
    value: str  # the figure as shown
    status_line: str  # '✖ Chậm tiến độ · Chỉ tiêu 80 % (2030)'
    change: str | None  # '+8,4 điểm % so với Quý II/2025', for st.metric's delta
    counts: str  # '225 / 400'
    areas: str  # 'Số xã: 2 Đúng tiến độ · 3 Chậm tiến độ · 40 Chưa có số liệu'


def headline(b: Board, names: dict[str, str], lang: Lang) -> list[HeadlineCard]:
    key = "commune" if b.level == "commune" else "province"
    by_status = b.cells.groupby(["indicator", "status"]).size()
    cards = []
    ago = quarter_label(b.quarter[0] - 1, b.quarter[1], lang) if b.quarter else ""
    row: Any  # pandas-stubs types every named-tuple field as a possibly-NA scalar
    for row in b.headline.itertuples(index=False):
        status = f"{STATUS_SYMBOLS[row.status]} {status_label(row.status, lang)}"
        if pd.notna(row.target_pct):
            status += " · " + t("card_target", lang, target=fmt_pct(row.target_pct, lang), year=row.target_year)
        change = None
        if pd.notna(row.change_pts):
            points = fmt_pct(abs(row.change_pts), lang).replace("%", "").strip()
            sign = "+" if row.change_pts >= 0 else "−"
            change = t("board_change", lang, points=f"{sign}{points}")
        counts = (
            t("card_counts", lang, numerator=fmt_int(row.numerator, lang), denominator=fmt_int(row.denominator, lang))
            if pd.notna(row.numerator)
            else status_label("no_data", lang)
        )
        if pd.notna(row.last_year_pct):
            counts += " · " + t("board_change_help", lang, period=ago, value=fmt_pct(row.last_year_pct, lang))
        code = str(row.indicator)
        parts = [
            f"{fmt_int(n, lang)} {status_label(s, lang)}" for s in SUMMARY_STATUSES if (n := int(by_status.get((code, s), 0)))
        ]
        areas = t(LEVEL_LABELS[key]["areas"], lang) + ": " + " · ".join(parts)
        cards.append(HeadlineCard(code, names[code], fmt_pct(row.value_pct, lang), status, change, counts, areas))
    return cards


def _area_column(b: Board, lang: Lang) -> tuple[str, str]:
    """(the key column of the board's rows, its header)."""
    return ("commune", t("col_commune", lang)) if b.level == "commune" else ("province", t("col_province", lang))


def _reporting_texts(b: Board, lang: Lang) -> pd.Series:
    key, _ = _area_column(b, lang)
    with_period = shared_period(b) is None
    texts = {row[key]: reporting_text(row, lang, with_period) for _, row in b.reporting.iterrows()}
    return pd.Series(texts, dtype="object")


def _chosen(b: Board, show: Filter) -> list[str]:
    """The areas the filter keeps, worst first: most indicators behind, then without figures, then by name."""
    key = "commune" if b.level == "commune" else "province"
    cells = b.cells
    behind = cells[cells["status"] == "behind"].groupby(key).size()
    with_data = cells[cells["status"] != "no_data"].groupby(key).size()
    areas = list(dict.fromkeys(cells[key]))
    if show == "behind":
        areas = [a for a in areas if behind.get(a, 0) > 0]
    elif show == "not_reported":
        states = b.reporting.set_index(key)
        if b.level == "commune":
            areas = [a for a in areas if a in states.index and states.loc[a, "state"] in NOT_REPORTED]
        else:
            areas = [a for a in areas if a in states.index and states.loc[a, "received"] < states.loc[a, "expected"]]
    return sorted(areas, key=lambda a: (-behind.get(a, 0), with_data.get(a, 0) == 0, fold(a), a))


def matrix(b: Board, names: dict[str, str], lang: Lang, show: Filter = "all") -> tuple[pd.DataFrame, Styler]:
    """One row per area (worst first), the reporting state, one figure column per indicator (0-100,
    empty without a figure), how many indicators are behind; and a Styler that writes each figure
    with its status symbol on its status colour, in the reader's number format."""
    key, header = _area_column(b, lang)
    areas = _chosen(b, show)
    values = b.cells.pivot(index=key, columns="indicator", values="value_pct").reindex(areas)
    status_of = b.cells.pivot(index=key, columns="indicator", values="status").reindex(areas)
    reporting = _reporting_texts(b, lang)
    frame = pd.DataFrame({header: areas})
    frame[reporting_header(b, lang)] = [reporting.get(a, "") for a in areas]
    statuses: dict[str, list[str]] = {}
    for code, name in column_names(names, lang).items():
        statuses[name] = [str(v) for v in status_of[code]]
        frame[name] = values[code].astype("Float64").to_numpy()
    behind = [sum(s[i] == "behind" for s in statuses.values()) for i in range(len(areas))]
    silent = [all(s[i] == "no_data" for s in statuses.values()) for i in range(len(areas))]
    frame[t("col_behind", lang)] = pd.array([None if q else n for n, q in zip(behind, silent, strict=True)], dtype="Int64")
    frame = frame.reset_index(drop=True)
    return frame, _styled(frame, statuses, lang)


def _cell_text(value: object, status: str, lang: Lang) -> str:
    return value_text(None if pd.isna(value) else float(value), status, lang)  # type: ignore[arg-type, call-overload]


def _tints(_column: pd.Series, tints: list[str]) -> list[str]:
    return tints


def _styled(frame: pd.DataFrame, statuses: dict[str, list[str]], lang: Lang) -> Styler:
    """Each figure cell as '✖ 43,1 %' on its status's tint (the numbers stay numbers, so sorting works)."""
    styler = frame.style
    for name, column in statuses.items():
        by_status = pd.Series(column, index=frame.index)
        for status in dict.fromkeys(column):
            rows = by_status.index[by_status == status]
            styler = styler.format(partial(_cell_text, status=status, lang=lang), subset=pd.IndexSlice[rows, [name]])
        tints = [f"background-color: {BACKGROUNDS[s]}; color: #1A1A1A" for s in column]
        styler = styler.apply(partial(_tints, tints=tints), subset=[name])
    return styler


def ranking(b: Board, indicator: str, lang: Lang, show: Filter = "all") -> pd.DataFrame:
    """One indicator: every area by rank (ties share one; without figures, last and unranked), the move
    since the previous quarter, the figure with its status, the target, and the year at this pace."""
    key, header = _area_column(b, lang)
    keep = set(_chosen(b, show))
    cells = b.cells[(b.cells["indicator"] == indicator) & b.cells[key].isin(keep)]
    cells = cells.assign(_name=cells[key].map(fold)).sort_values(["rank", "_name"], na_position="last", kind="stable")
    reporting = _reporting_texts(b, lang)
    return pd.DataFrame(
        {
            t("board_col_rank", lang): cells["rank"].astype("Int64").to_numpy(),
            t("board_col_move", lang): [move_text(m, r) for m, r in zip(cells["move"], cells["rank"], strict=True)],
            header: cells[key].to_numpy(),
            t("board_col_value", lang): [
                value_text(None if pd.isna(v) else float(v), s, lang)
                for v, s in zip(cells["value_pct"], cells["status"], strict=True)
            ],
            t("export_col_target", lang): [
                "" if pd.isna(p) else f"{fmt_pct(p, lang)} ({y})"
                for p, y in zip(cells["target_pct"], cells["target_year"], strict=True)
            ],
            t("board_col_pace", lang): [
                pace_text(k, None if pd.isna(y) else int(y), lang) for k, y in zip(cells["pace"], cells["pace_year"], strict=True)
            ],
            reporting_header(b, lang): [reporting.get(a, "") for a in cells[key]],
        }
    )


def filter_label(show: Filter, level: str, lang: Lang) -> str:
    return t(LEVEL_LABELS[level][show], lang)


def board_note(b: Board, lang: Lang) -> str:
    """The line under the board: how figures are counted, the quarter of the ranks, how many have figures."""
    key = "commune" if b.level == "commune" else "province"
    with_data = b.cells.loc[b.cells["status"] != "no_data", key].nunique()
    total = b.cells[key].nunique()
    period = quarter_label(*b.quarter, lang) if b.quarter else "–"
    return t(LEVEL_LABELS[key]["note"], lang, period=period, count=fmt_int(with_data, lang), total=fmt_int(total, lang))


def commune_summary(b: Board, commune: str, names: dict[str, str], lang: Lang) -> pd.DataFrame:
    """One commune of the board, one row per indicator: its figure and status, target, rank among the
    province's communes (with the move since the previous quarter) and the year at this pace."""
    cells = b.cells[b.cells["commune"] == commune].set_index("indicator").reindex(list(names))
    ranked = b.cells[b.cells["rank"].notna()].groupby("indicator").size()
    rank_texts = []
    for code, rank, move in zip(cells.index, cells["rank"], cells["move"], strict=True):
        if pd.isna(rank):
            rank_texts.append("")
            continue
        moved = move_text(move, rank)
        of = t("board_rank_of", lang, rank=int(rank), total=int(ranked.get(code, 0)))
        rank_texts.append(f"{of} ({moved})" if moved else of)
    return pd.DataFrame(
        {
            t("col_indicator", lang): [names[c] for c in cells.index],
            t("board_col_value", lang): [
                value_text(None if pd.isna(v) else float(v), "no_data" if pd.isna(s) else str(s), lang)
                for v, s in zip(cells["value_pct"], cells["status"], strict=True)
            ],
            t("export_col_target", lang): [
                "" if pd.isna(p) else f"{fmt_pct(p, lang)} ({y})"
                for p, y in zip(cells["target_pct"], cells["target_year"], strict=True)
            ],
            t("board_col_rank", lang): rank_texts,
            t("board_col_pace", lang): [
                pace_text(k, None if pd.isna(y) else int(y), lang) for k, y in zip(cells["pace"], cells["pace_year"], strict=True)
            ],
        }
    )


def percent_cells(frame: pd.DataFrame, columns: list[str], lang: Lang) -> Styler:
    """A table's 0-100 columns written as every other figure is ('43,1 %' / '43.1%'), staying numbers so that
    they sort; st.column_config's printf formats cannot write the Vietnamese decimal comma."""
    return frame.style.format(partial(_pct_text, lang=lang), subset=pd.Index(columns), na_rep="–")


def _pct_text(value: object, lang: Lang) -> str:
    return fmt_pct(None if pd.isna(value) else float(value), lang)  # type: ignore[arg-type, call-overload]


def level_label(b: Board, what: str, lang: Lang, **params: object) -> str:
    """The board's title or hint for its rows ('Bảng theo dõi các xã …' / '… các tỉnh …')."""
    return t(LEVEL_LABELS[b.level][what], lang, **params)
