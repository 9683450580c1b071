"""Tables shaped for the pages: labels in the chosen language, ready to render.

Pages stay thin: they pick inputs, call one of these, and render the result. All
reshaping lives here so that it is tested without Streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from kpis import store
from kpis.core.i18n import Lang, fmt_int, fmt_pct, format_problem, problem_message, status_label, t
from kpis.core.periods import Quarter, quarter_label, quarter_ranges
from kpis.core.settings import JUMP_POINTS
from kpis.core.text import fold
from kpis.figures.progress import (
    STATUSES,
    Level,
    TargetBook,
    commune_status_counts,
    path_value,
    plan_targets,
    progress,
    years_with_data,
)
from kpis.intake.form_template import build_form_template
from kpis.intake.template import Layout, TemplateScope, build_template, template_file_name
from kpis.intake.validate import Problem
from kpis.people import accounts
from kpis.people.account_sheet import IssuedAccount, PlannedAccount, places_text
from kpis.people.account_sheet import Problem as SheetProblem
from kpis.people.account_workbooks import template_xlsx
from kpis.store import audit

NO_VALUE = "–"  # a cell without a value


def indicator_names(con: duckdb.DuckDBPyConnection, lang: Lang, short: bool = True) -> dict[str, str]:
    column = ("short_" if short else "name_") + lang
    return dict(con.execute(f"SELECT code, {column} FROM indicators ORDER BY position").fetchall())


def years(con: duckdb.DuckDBPyConnection) -> list[int]:
    return years_with_data(con)


def province_choices(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every registered province for a pick list: those with figures first, the one with the most
    reporting communes first (the pages' default), then the others in the official list's order."""
    rows = con.execute(
        """
        SELECT p.name FROM provinces p
        LEFT JOIN (SELECT c.province, count(DISTINCT c.id) AS n FROM units u JOIN communes c ON c.id = u.commune_id
                   GROUP BY c.province) d ON d.province = p.name
        ORDER BY coalesce(d.n, 0) DESC, p.code NULLS LAST, p.name
        """
    ).fetchall()
    return [r[0] for r in rows]


def _vietnamese_order(names: list[str]) -> list[str]:
    """Alphabetical as a reader looks a name up (Mường Ảng before Mường Chà), whatever the tone marks."""
    return sorted(names, key=lambda n: (fold(n), n))


def commune_choices(con: duckdb.DuckDBPyConnection, province: str) -> list[str]:
    """Every registered commune of a province (reported or not), in Vietnamese alphabetical order."""
    rows = con.execute("SELECT name FROM communes WHERE province = ?", [province]).fetchall()
    return _vietnamese_order([r[0] for r in rows])


def communes_with_data(con: duckdb.DuckDBPyConnection, province: str | None = None) -> list[str]:
    rows = con.execute(
        """
        SELECT DISTINCT c.name FROM units u JOIN communes c ON c.id = u.commune_id
        WHERE ? IS NULL OR c.province = ?
        """,
        [province, province],
    ).fetchall()
    return _vietnamese_order([r[0] for r in rows])


@dataclass(frozen=True)
class IndicatorCard:
    code: str
    name: str
    value_pct: float | None
    numerator: int | None
    denominator: int | None
    target_pct: float | None
    target_year: int | None
    status: str  # one of STATUSES, or "no_data"
    counts: dict[str, int]  # communes per status, plus "no_data"


def overview_cards(con: duckdb.DuckDBPyConnection, year: int, province: str, lang: Lang) -> list[IndicatorCard]:
    """Per indicator: the province figure against its target and the communes by status."""
    prov = progress(con, "province", year, province=province)
    prov = prov[prov["province"] == province].set_index("indicator")
    counts = commune_status_counts(con, year, province).set_index("indicator")
    book = TargetBook(plan_targets(con))
    cards = []
    for code, name in indicator_names(con, lang).items():
        row = prov.loc[code] if code in prov.index else None
        # pandas-stubs: a .loc cell may be NA or a date; these are commune counts, never NA
        c = {s: int(counts.loc[code, s]) for s in (*STATUSES, "no_data")} if code in counts.index else {}  # type: ignore[arg-type]
        if row is None:
            rule = book.applicable(province, None, code, year)
            cards.append(
                IndicatorCard(
                    code,
                    name,
                    None,
                    None,
                    None,
                    rule.target_pct if rule else None,
                    rule.target_year if rule else None,
                    "no_data",
                    c,
                )
            )
            continue
        if not isinstance(row, pd.Series):  # one province's rows: one per indicator
            raise ValueError(f"more than one {province} row for indicator {code!r}")
        cards.append(
            IndicatorCard(
                code,
                name,
                float(row["value_pct"]),
                int(row["numerator"]),
                int(row["denominator"]),
                None if pd.isna(row["target_pct"]) else float(row["target_pct"]),
                None if pd.isna(row["target_year"]) else int(row["target_year"]),
                str(row["status"]),
                c,
            )
        )
    return cards


def registered_communes(con: duckdb.DuckDBPyConnection, province: str | None) -> pd.MultiIndex:
    """(province, commune) of every registered commune of the province (of the country without one), in
    Vietnamese alphabetical order: the rows of the pages' commune tables, reported or not."""
    rows = con.execute(
        "SELECT province, name FROM communes WHERE ?::VARCHAR IS NULL OR province = ?", [province, province]
    ).fetchall()
    ordered = sorted(rows, key=lambda r: (fold(r[0]), fold(r[1]), r[1]))
    return pd.MultiIndex.from_tuples(ordered, names=["province", "commune"])


def _reported(count: int, total: int, unit_key: str, lang: Lang) -> str:
    """'5/7 chỉ tiêu', '2/2 năm', or 'Chưa có số liệu' for a commune that has sent nothing of it."""
    return t(unit_key, lang, count=count, total=total) if count else status_label("no_data", lang)


def _labelled(wide: pd.DataFrame, province: str | None, lang: Lang) -> pd.DataFrame:
    """Headers in the reader's language; one province's tables leave its name to the page's title."""
    wide.columns.name = None
    out = wide.reset_index().rename(columns={"province": t("col_province", lang), "commune": t("col_commune", lang)})
    return out if province is None else out.drop(columns=t("col_province", lang))


def bar_data(con: duckdb.DuckDBPyConnection, indicator: str, year: int, province: str | None, lang: Lang) -> pd.DataFrame:
    """One indicator and year: communes with value, target and status label, sorted by value."""
    prog = progress(con, "commune", year, province=province)
    prog = prog[prog["indicator"] == indicator]
    prog = prog.sort_values("value_pct", ascending=False).reset_index(drop=True)
    prog["status_label"] = [status_label(s, lang) for s in prog["status"]]
    return prog


def trend_data(
    con: duckdb.DuckDBPyConnection, province: str, commune: str | None, lang: Lang
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One area (a commune, or a province when commune is None) across years: its values, and each
    indicator's straight path from its first reported year to its target."""
    level: Level = "commune" if commune else "province"
    prog = progress(con, level, province=province, commune=commune).copy()
    names = indicator_names(con, lang)
    prog["indicator_name"] = prog["indicator"].map(names)
    book = TargetBook(plan_targets(con))
    paths = []
    for key, group in prog.groupby("indicator", sort=False):
        code = str(key)  # indicator codes are text
        group = group.sort_values("year")
        first_year, first_value = int(group["year"].iloc[0]), float(group["value_pct"].iloc[0])
        rule = book.applicable(province, commune, code, first_year)
        if rule is None:
            continue
        for y in range(first_year, max(rule.target_year, first_year) + 1):
            value = path_value(first_year, first_value, rule.target_year, rule.target_pct, y)
            paths.append({"indicator": code, "indicator_name": names[code], "year": y, "path_pct": value})
    return prog.reset_index(drop=True), pd.DataFrame(paths, columns=["indicator", "indicator_name", "year", "path_pct"])


def commune_year_table(con: duckdb.DuckDBPyConnection, indicator: str, province: str | None, lang: Lang) -> pd.DataFrame:
    """Communes with figures x years for one indicator (value 0-100): the heatmap's rows."""
    prog = progress(con, "commune", province=province)
    prog = prog[prog["indicator"] == indicator]
    if prog.empty:
        return pd.DataFrame(columns=[t("col_province", lang), t("col_commune", lang)])
    wide = prog.pivot_table(index=["province", "commune"], columns="year", values="value_pct", aggfunc="first")
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reset_index()
    return wide.rename(columns={"province": t("col_province", lang), "commune": t("col_commune", lang)})


def commune_year_listing(con: duckdb.DuckDBPyConnection, indicator: str, province: str | None, lang: Lang) -> pd.DataFrame:
    """commune_year_table for every registered commune of the province, with how many of the years
    shown it has a figure for ('Chưa có số liệu' when none)."""
    prog = progress(con, "commune", province=province)
    prog = prog[prog["indicator"] == indicator]
    rows = registered_communes(con, province)
    years = sorted(int(y) for y in prog["year"].unique())
    wide = prog.pivot_table(index=["province", "commune"], columns="year", values="value_pct", aggfunc="first")
    wide = wide.reindex(index=rows, columns=years).astype("float64")
    wide.columns = [str(c) for c in wide.columns]
    counts = wide.notna().sum(axis=1)
    wide.insert(0, t("col_reported", lang), [_reported(int(n), len(years), "reported_years", lang) for n in counts])
    return _labelled(wide, province, lang)


def plan_scope(province: str, commune: object, lang: Lang) -> str:
    """'Xã Mường Mùn (Điện Biên)' or 'Tỉnh Điện Biên'; a province plan's commune is empty (None or NaN)."""
    if isinstance(commune, str) and commune:
        return t("scope_commune", lang, commune=commune, province=province)
    return t("scope_province", lang, province=province)


def problems_table(problems: Sequence[Problem | SheetProblem], lang: Lang) -> pd.DataFrame:
    """A refusal as a table the person can work through: row, column, what to fix."""
    return pd.DataFrame(
        {
            t("col_row", lang): [p.row if p.row is not None else "" for p in problems],
            t("col_column", lang): [p.column or "" for p in problems],
            t("col_problem", lang): [problem_message(p.code, p.params, lang) for p in problems],
        }
    )


def problem_lines(problems: list[Problem], lang: Lang) -> list[str]:
    return [format_problem(p.row, p.column, p.code, p.params, lang) for p in problems]


def template_bytes(
    con: duckdb.DuckDBPyConnection,
    province: str,
    commune: str | None,
    lang: Lang,
    layout: Layout = "table",
    period: Quarter | None = None,
) -> tuple[str, bytes]:
    """The template for a province, pre-filled with a commune's last reported rows when one is given; the form
    layout (one row per unit) names a commune and a period in its title rows (TemplateError without them)."""
    year, quarter = period if period is not None else (None, None)
    scope = TemplateScope(province, commune, year, quarter)
    build = build_form_template if layout == "form" else build_template
    return template_file_name(scope, layout), build(con, scope, lang)


def accounts_table(con: duckdb.DuckDBPyConnection, lang: Lang, province_codes: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Every account; with province_codes (a province officer's), only those with a place in those provinces."""
    rows = accounts.listing(con)
    if province_codes is not None:
        rows = [r for r in rows if set(r["province_codes"] or ()) & set(province_codes)]
    return pd.DataFrame(
        {
            t("sign_in_username", lang): [r["username"] for r in rows],
            t("accounts_full_name", lang): [r["full_name"] for r in rows],
            t("accounts_role", lang): [t(accounts.ROLE_LABELS[r["role"]], lang) for r in rows],
            t("accounts_scope", lang): [r["scopes"] or "" for r in rows],
            t("accounts_state", lang): [_account_state(r, lang) for r in rows],
            t("accounts_demo", lang): [t("accounts_demo_yes", lang) if r["demo"] else "" for r in rows],
            t("account_email", lang): [r["email"] or "" for r in rows],
        }
    )


def _account_state(row: dict, lang: Lang) -> str:
    if row["disabled_at"]:
        return t("accounts_disabled", lang)
    return t("accounts_must_change", lang) if row["must_change_password"] else t("accounts_active", lang)


def _submission_places(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per submission: the communes and the quarters it holds figures for."""
    return con.execute(
        """
        SELECT v.submission_id AS id, list(DISTINCT c.name ORDER BY c.name) AS communes,
               list(DISTINCT v.year * 10 + v.quarter ORDER BY v.year * 10 + v.quarter) AS periods
        FROM submission_values v JOIN units u ON u.id = v.unit_id JOIN communes c ON c.id = u.commune_id
        GROUP BY v.submission_id
        """
    ).df()


def _communes_text(names: object, lang: Lang) -> str:
    """'Mường Mùn', or 'Mường Mùn, Tuần Giáo và 3 xã khác' for a province's consolidated file."""
    shown = _vietnamese_order([str(n) for n in names]) if isinstance(names, list | tuple | np.ndarray) else []
    if len(shown) <= 3:
        return ", ".join(shown)
    return ", ".join(shown[:2]) + t("history_more_communes", lang, count=fmt_int(len(shown) - 2, lang))


def _periods_text(periods: object, lang: Lang) -> str:
    if not isinstance(periods, list | tuple | np.ndarray):
        return ""
    return quarter_ranges([divmod(int(p), 10) for p in periods], lang)


def history_table(con: duckdb.DuckDBPyConnection, lang: Lang) -> pd.DataFrame:
    """Every submission, newest first, for the history page: which communes and quarters it holds, and
    dates as people write them."""
    subs = store.submissions(con).merge(_submission_places(con), how="left", on="id")
    state = [
        t("history_withdrawn", lang, who=w, when=fmt_date_time(at)) if isinstance(w, str) else t("history_live", lang)
        for w, at in zip(subs["withdrawn_by"], subs["withdrawn_at"], strict=True)
    ]
    return pd.DataFrame(
        {
            t("history_id", lang): subs["id"],
            t("history_file", lang): subs["file_name"],
            t("col_commune", lang): [_communes_text(c, lang) for c in subs["communes"]],
            t("history_periods", lang): [_periods_text(p, lang) for p in subs["periods"]],
            t("history_by", lang): subs["uploaded_by"],
            t("history_at", lang): [fmt_date_time(at) for at in subs["uploaded_at"]],
            t("history_rows", lang): subs["row_count"],
            t("history_state", lang): state,
        }
    )


def fmt_date_time(at: object) -> str:
    """'15/10/2026 08:30', the way an office writes a moment (both languages use day/month/year)."""
    return "" if at is None or pd.isna(at) else f"{pd.Timestamp(at):%d/%m/%Y %H:%M}"  # type: ignore[arg-type, call-overload]


def live_submission_ids(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The submissions that can still be withdrawn."""
    subs = store.submissions(con)
    return [int(i) for i in subs.loc[subs["withdrawn_by"].isna(), "id"]]


def submission_labels(con: duckdb.DuckDBPyConnection, lang: Lang) -> dict[int, str]:
    """id -> 'Số 12 · bao_cao_q3.csv · Mường Mùn · Quý III/2026 · 15/10/2026 08:30', newest first."""
    table = history_table(con, lang)
    columns = [t(k, lang) for k in ("history_file", "col_commune", "history_periods", "history_at")]
    return {
        int(row[t("history_id", lang)]): " · ".join(
            [t("history_number", lang, id=int(row[t("history_id", lang)])), *(str(row[c]) for c in columns if row[c])]
        )
        for _, row in table.iterrows()
    }


def plans_overview(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT id, number, date, issuer, title_vi, title_en, province, commune, source, notes AS notes_vi, notes_en"
        " FROM plans ORDER BY province, commune NULLS FIRST"
    ).df()


def plan_targets_table(con: duckdb.DuckDBPyConnection, plan_id: str, lang: Lang) -> pd.DataFrame:
    names = indicator_names(con, lang, short=False)
    df = con.execute(
        """
        SELECT t.indicator, t.year, t.target_pct, t.quote FROM plan_targets t
        JOIN indicators i ON i.code = t.indicator WHERE plan_id = ? ORDER BY i.position, t.year
        """,
        [plan_id],
    ).df()
    df.insert(0, "name", df["indicator"].map(names))
    return df.drop(columns="indicator").rename(  # people read the name; the code is for machines
        columns={
            "name": t("col_indicator", lang),
            "year": t("col_target_year", lang),
            "target_pct": t("col_target_pct", lang),
            "quote": t("col_quote", lang),
        }
    )


def plan_deadlines_table(con: duckdb.DuckDBPyConnection, plan_id: str, lang: Lang) -> list[str]:
    column = "label_vi" if lang == "vi" else "label_en"
    return [r[0] for r in con.execute(f"SELECT {column} FROM plan_deadlines WHERE plan_id = ?", [plan_id]).fetchall()]


def _counts_text(numerator: object, denominator: object, lang: Lang) -> str:
    """'450/500 · 90,0 %', or '–' where there is no value."""
    if pd.isna(numerator) or pd.isna(denominator):  # type: ignore[call-overload]
        return NO_VALUE
    n, d = int(numerator), int(denominator)  # type: ignore[call-overload]
    rate = fmt_pct(n * 100.0 / d, lang) if d else NO_VALUE
    return f"{fmt_int(n, lang)}/{fmt_int(d, lang)} · {rate}"


def _jump(row: pd.Series, lang: Lang) -> tuple[str, str]:
    """(the move since the quarter before in points, a warning when it is larger than JUMP_POINTS)."""
    if pd.isna(row["prev_numerator"]) or not row["prev_denominator"] or not row["denominator"]:
        return NO_VALUE, ""
    move = row["numerator"] * 100.0 / row["denominator"] - row["prev_numerator"] * 100.0 / row["prev_denominator"]
    points = fmt_pct(abs(move), lang).replace("%", "").strip()
    text = t("preview_move", lang, points=("+" if move >= 0 else "−") + points)
    if abs(move) > JUMP_POINTS:
        return text, t("preview_jump_up" if move > 0 else "preview_jump_down", lang, limit=JUMP_POINTS)
    return text, ""


def changes_table(changes: pd.DataFrame, con: duckdb.DuckDBPyConnection, lang: Lang) -> pd.DataFrame:
    """An upload's effect, one row per value, narrow enough to read whole: where and when, the new figure, the
    figure shown now for the same quarter (or 'new'), the unit's quarter before, the move, and a warning for
    a move larger than JUMP_POINTS (a slipped digit, or a stock that fell)."""
    names = indicator_names(con, lang)
    columns = [
        t("col_province", lang), t("col_commune", lang), t("col_unit", lang), t("col_quarter", lang), t("col_indicator", lang),
        t("preview_new", lang), t("preview_shown", lang), t("preview_previous", lang), t("preview_change", lang),
        t("preview_check", lang),
    ]  # fmt: skip
    if changes.empty:
        return pd.DataFrame(columns=columns)
    jumps = [_jump(row, lang) for _, row in changes.iterrows()]
    return pd.DataFrame(
        {
            columns[0]: changes["province"].to_numpy(),  # the registry's names, as the file was read
            columns[1]: changes["commune"].to_numpy(),
            columns[2]: changes["unit"].to_numpy(),
            columns[3]: [quarter_label(int(y), int(q), lang) for y, q in zip(changes["year"], changes["quarter"], strict=True)],
            columns[4]: changes["indicator"].map(names).to_numpy(),
            columns[5]: [_counts_text(n, d, lang) for n, d in zip(changes["numerator"], changes["denominator"], strict=True)],
            columns[6]: [
                _counts_text(n, d, lang) if pd.notna(n) else t("preview_first", lang)
                for n, d in zip(changes["old_numerator"], changes["old_denominator"], strict=True)
            ],
            columns[7]: [
                _counts_text(n, d, lang) for n, d in zip(changes["prev_numerator"], changes["prev_denominator"], strict=True)
            ],
            columns[8]: [j[0] for j in jumps],
            columns[9]: [j[1] for j in jumps],
        }
    )


AUDIT_COLUMNS = {  # the audit trail's columns as the page shows them
    "happened_at": "audit_col_when", "actor": "audit_actor", "action": "audit_action",
    "subject": "audit_col_subject", "detail": "audit_col_detail", "file_sha256": "audit_col_file",
}  # fmt: skip


AUDIT_DETAIL_LABELS = {  # the keys of an audit row's detail, in words; others are shown as recorded
    "rows": "audit_detail_rows", "submission": "audit_detail_submission", "reason": "audit_detail_reason",
    "problems": "audit_detail_problems", "refused": "audit_detail_problems", "role": "audit_detail_role",
    "scopes": "audit_detail_scopes", "status": "audit_detail_status", "via": "audit_detail_via",
    "length": "audit_detail_length", "added": "audit_detail_added", "renamed": "audit_detail_renamed",
    "removed": "audit_detail_removed", "version": "audit_detail_version", "plan": "audit_detail_plan",
    "replaced": "audit_detail_replaced",
}  # fmt: skip


def _detail_text(detail: object, lang: Lang) -> str:
    """'Số dòng: 11 · Lần nộp số: 14' from the recorded JSON; nothing for none or {}."""
    if not isinstance(detail, str) or not detail.strip():
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return str(data)
    parts = []
    for key, value in data.items():
        label = t(AUDIT_DETAIL_LABELS[key], lang) if key in AUDIT_DETAIL_LABELS else str(key)
        if key == "role" and value in accounts.ROLE_LABELS:
            value = t(accounts.ROLE_LABELS[value], lang)
        elif isinstance(value, list):
            value = "; ".join(" – ".join(str(x) for x in v if x) if isinstance(v, list) else str(v) for v in value)
        parts.append(f"{label}: {value}")
    return " · ".join(parts)


def audit_table(events: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The audit trail for a person: headings, actions and details in words, dates as dd/mm/yyyy hh:mm, a
    file by the start of its fingerprint (the CSV download keeps the codes, the JSON and the whole hash)."""
    shown = events.drop(columns=["id"]).assign(
        happened_at=[fmt_date_time(at) for at in events["happened_at"]],
        action=[t(audit.ACTION_LABELS[a], lang) if a in audit.ACTION_LABELS else a for a in events["action"]],
        subject=events["subject"].fillna(""),
        detail=[_detail_text(d, lang) for d in events["detail"]],
        file_sha256=[f"{h[:12]}…" if isinstance(h, str) and h else "" for h in events["file_sha256"]],
    )
    return shown.rename(columns={c: t(key, lang) for c, key in AUDIT_COLUMNS.items()})


# --- officers' accounts in bulk (issue 15) -----------------------------------------------------------------


def planned_accounts_table(planned: Sequence[PlannedAccount], lang: Lang) -> pd.DataFrame:
    """What a checked sheet of accounts would create, row by row, before anything is written."""
    return pd.DataFrame(
        {
            t("col_row", lang): [a.line for a in planned],
            t("sign_in_username", lang): [a.username for a in planned],
            t("accounts_full_name", lang): [a.full_name for a in planned],
            t("accounts_role", lang): [t(accounts.ROLE_LABELS[a.role], lang) for a in planned],
            t("accounts_scope", lang): [places_text(a.scopes) for a in planned],
            t("account_email", lang): [a.email or "" for a in planned],
        }
    )


def issued_accounts_table(issued: Sequence[IssuedAccount], lang: Lang) -> pd.DataFrame:
    """The accounts just created with their one-time passwords: shown once, beside the handout to download."""
    return pd.DataFrame(
        {
            t("sign_in_username", lang): [a.username for a in issued],
            t("accounts_full_name", lang): [a.full_name for a in issued],
            t("accounts_role", lang): [t(accounts.ROLE_LABELS[a.role], lang) for a in issued],
            t("accounts_scope", lang): [places_text(a.scopes) for a in issued],
            t("account_one_time_password", lang): [a.password for a in issued],
        }
    )


def account_template_bytes(con: duckdb.DuckDBPyConnection, lang: Lang, province: str | None = None) -> bytes:
    """The empty sheet of accounts, with the codes of a province's communes (of every commune without one)."""
    return template_xlsx([c for c in store.registry(con) if province is None or c.province == province], lang)
