"""Every version of every plan, and the tables of the plans in force that the figures read.

A plan comes in three ways: the seeds shipped with the product (kpis/catalog/plans/*.json, put in
force when a database first meets them), a workbook accepted from an administrator or a province
account, and a workbook proposed by a commune account that waits for approval. Each is one row of
plan_versions with its body (the plan as kpis.catalog.model.plan_json writes it); nothing is deleted:
a plan that another replaces becomes `replaced`, naming its successor and when.

plans, plan_targets and plan_deadlines hold exactly the bodies in force (derive()), each with the
registry's names for its codes, so every figure reads them as it always did. The rules (who may, a
second plan in force, what a replacement names) are the plan importer's (kpis.intake.plan_import);
this module only writes what it decided, inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from kpis.catalog.model import Plan, plan_from_json, plan_json
from kpis.store.server import next_id

IN_FORCE = "in_force"
REPLACED = "replaced"
PROPOSED = "proposed"
REJECTED = "rejected"
STATUSES = (IN_FORCE, REPLACED, PROPOSED, REJECTED)
SEED = "seed"  # origin of the shipped plans
WORKBOOK = "workbook"  # origin of a plan put in from a workbook
SEED_AUTHOR = "seed"  # added_by of a shipped plan


@dataclass(frozen=True)
class Version:
    """One plan version as the store holds it."""

    version: int
    plan: Plan
    status: str
    origin: str
    added_by: str
    added_at: dt.datetime
    file_name: str | None = None
    sha256: str | None = None
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    decision_note: str | None = None
    replaced_by: int | None = None
    replaced_at: dt.datetime | None = None

    @property
    def plan_id(self) -> str:
        return self.plan.id


_COLUMNS = (
    "version, body, status, origin, added_by, added_at, file_name, sha256, decided_by, decided_at, decision_note,"
    " replaced_by, replaced_at"
)


def _version(row: tuple) -> Version:
    v, body, *rest = row
    return Version(v, plan_from_json(body), *rest)


def versions(con: duckdb.DuckDBPyConnection, where: str = "", params: list | None = None) -> list[Version]:
    """Plan versions, oldest first (a filter on plan_versions' columns, parameterised)."""
    sql = f"SELECT {_COLUMNS} FROM plan_versions" + (f" WHERE {where}" if where else "") + " ORDER BY version"
    return [_version(r) for r in con.execute(sql, params or []).fetchall()]


def version(con: duckdb.DuckDBPyConnection, number: int) -> Version | None:
    found = versions(con, "version = ?", [number])
    return found[0] if found else None


def in_force(con: duckdb.DuckDBPyConnection) -> dict[str, Plan]:
    """The plans in force by id, in the order they were put in."""
    return {v.plan.id: v.plan for v in versions(con, "status = ?", [IN_FORCE])}


def of_place(con: duckdb.DuckDBPyConnection, province_code: int, commune_code: int | None, status: str) -> list[Version]:
    """The versions of one place's plans (a province's own with commune_code None) in a status."""
    return versions(
        con,
        "province_code = ? AND commune_code IS NOT DISTINCT FROM ? AND status = ?",
        [province_code, commune_code, status],
    )


def add_version(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    status: str,
    added_by: str,
    at: dt.datetime,
    *,
    origin: str = WORKBOOK,
    file_name: str | None = None,
    sha256: str | None = None,
    kept: str | None = None,
) -> int:
    """Record a version (inside the caller's transaction); returns its number. derive() when it is in force."""
    version = next_id(con, "seq_plan_version")
    con.execute(
        "INSERT INTO plan_versions (version, plan_id, number, province_code, commune_code, status, body, origin, file_name,"
        " sha256, kept, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            version,
            plan.id,
            plan.number,
            plan.province_code,
            plan.commune_code,
            status,
            plan_json(plan),
            origin,
            file_name,
            sha256,
            kept,
            added_by,
            at,
        ],  # fmt: skip
    )
    return version


def mark_replaced(con: duckdb.DuckDBPyConnection, old: int, new: int, at: dt.datetime) -> None:
    con.execute(
        "UPDATE plan_versions SET status = ?, replaced_by = ?, replaced_at = ? WHERE version = ?", [REPLACED, new, at, old]
    )


def set_aside(con: duckdb.DuckDBPyConnection, number: int, at: dt.datetime) -> None:
    """A seed out of force because its place has its own plan (sync_seeds; a replay): replaced, by no version."""
    con.execute("UPDATE plan_versions SET status = ?, replaced_at = ? WHERE version = ?", [REPLACED, at, number])


def set_status(
    con: duckdb.DuckDBPyConnection, number: int, status: str, decided_by: str, at: dt.datetime, note: str | None
) -> None:
    """A proposal's decision: in force (approved) or rejected."""
    con.execute(
        "UPDATE plan_versions SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE version = ?",
        [status, decided_by, at, note, number],
    )


def sync_seeds(con: duckdb.DuckDBPyConnection, seeds: Mapping[str, Plan], at: dt.datetime) -> None:
    """Give the database the shipped plans, inside the caller's transaction, then derive the tables in force.

    A seed the database has never met is put in force, unless its place already has a plan in force (one put
    in from a workbook before a release shipped this seed): the place's own plan stands, and the seed is kept
    out of force (replaced, by no version), so a place never has two plans in force. One it has met keeps its
    status (a province may have replaced it) and takes the shipped text, so a corrected seed reaches every database.
    """
    held = {
        plan_id: (number, body)
        for number, plan_id, body in con.execute(
            "SELECT version, plan_id, body FROM plan_versions WHERE origin = ?", [SEED]
        ).fetchall()
    }
    for plan in seeds.values():
        if plan.id not in held:
            placed = bool(of_place(con, plan.province_code, plan.commune_code, IN_FORCE))
            number = add_version(con, plan, REPLACED if placed else IN_FORCE, SEED_AUTHOR, at, origin=SEED)
            if placed:
                set_aside(con, number, at)
        elif held[plan.id][1] != (body := plan_json(plan)):
            con.execute("UPDATE plan_versions SET body = ? WHERE version = ?", [body, held[plan.id][0]])
    derive(con)


def derive(con: duckdb.DuckDBPyConnection) -> None:
    """plans, plan_targets and plan_deadlines from the bodies in force (inside the caller's transaction)."""
    for table in ("plans", "plan_targets", "plan_deadlines"):
        con.execute(f"DELETE FROM {table}")
    for p in in_force(con).values():
        con.execute(
            "INSERT INTO plans (id, number, date, issuer, title_vi, title_en, province, commune, source, notes,"
            " province_code, commune_code, notes_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                p.id,
                p.number,
                p.date,
                p.issuer,
                p.title_vi,
                p.title_en,
                p.province,
                p.commune,
                p.source,
                p.notes_vi,
                p.province_code,
                p.commune_code,
                p.notes_en,
            ],  # fmt: skip
        )
        for tg in p.targets:
            con.execute("INSERT INTO plan_targets VALUES (?, ?, ?, ?, ?)", [p.id, tg.indicator, tg.year, tg.target_pct, tg.quote])
        for d in p.deadlines:
            con.execute(
                "INSERT INTO plan_deadlines VALUES (?, ?, ?, ?, ?, ?)",
                [p.id, d.frequency, d.month, d.day, d.label_vi, d.label_en],
            )
    refresh_plan_places(con)


def refresh_plan_places(con: duckdb.DuckDBPyConnection) -> None:
    """The database's names for the plans' codes: a renamed place keeps its plan (inside the caller's transaction)."""
    con.execute("UPDATE plans SET province = p.name FROM provinces p WHERE p.code = plans.province_code")
    con.execute("UPDATE plans SET commune = c.name FROM communes c WHERE c.code = plans.commune_code")
