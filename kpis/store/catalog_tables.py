"""The catalog's tables (indicators, plans, targets, deadlines) and the commune registry.

The catalog's files are the truth for indicators and plans: each connect() replaces those tables
with them. The registry is the official list: a database gets the shipped list once (seed_official,
in one bulk statement per table, so a connect stays fast), keeps every place it already had (a
place it knew by name gets its code), and from then on changes only by `registry update`
(kpis.store.registry_update, journaled). meta 'registry_version' says which list it holds.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from kpis.catalog.model import Catalog, Commune
from kpis.core.text import name_key, tone_key
from kpis.store.files import keep_file
from kpis.store.journal import Communes
from kpis.store.meta import bump_data_version
from kpis.store.transactions import journaled, transaction


def load_catalog_tables(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace indicators and plans with the catalog's; add registry communes not yet present."""
    with transaction(con):
        for table in ("indicators", "plans", "plan_targets", "plan_deadlines"):
            con.execute(f"DELETE FROM {table}")
        for pos, ind in enumerate(catalog.indicators.values()):
            con.execute(
                "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    ind.code,
                    pos,
                    ind.name_vi,
                    ind.name_en,
                    ind.short_vi,
                    ind.short_en,
                    ind.numerator_vi,
                    ind.numerator_en,
                    ind.denominator_vi,
                    ind.denominator_en,
                ],
            )
        for p in catalog.plans.values():
            con.execute(
                "INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    p.notes,
                    p.province_code,
                    p.commune_code,
                ],  # fmt: skip
            )
            for tg in p.targets:
                con.execute(
                    "INSERT INTO plan_targets VALUES (?, ?, ?, ?, ?)", [p.id, tg.indicator, tg.year, tg.target_pct, tg.quote]
                )
            for d in p.deadlines:
                con.execute(
                    "INSERT INTO plan_deadlines VALUES (?, ?, ?, ?, ?, ?)",
                    [p.id, d.frequency, d.month, d.day, d.label_vi, d.label_en],
                )
        if con.execute("SELECT 1 FROM meta WHERE key = 'registry_version'").fetchone() is None:
            seed_official(con, catalog.communes, catalog.registry_version)
        con.execute(
            "UPDATE plans SET province = p.name FROM provinces p WHERE p.code = plans.province_code"
        )  # the database's names for the plans' codes: a renamed place keeps its plan
        con.execute("UPDATE plans SET commune = c.name FROM communes c WHERE c.code = plans.commune_code")


def seed_official(con: duckdb.DuckDBPyConnection, communes: tuple[Commune, ...], version: str) -> None:
    """Give the database the official list, inside the caller's transaction: codes for the places it
    already has (matched by province and tone key), the official spelling for their names, and the rest added."""
    frame = pd.DataFrame(
        {
            "province": [c.province for c in communes],
            "pkey": [name_key(c.province, strip_prefix=True) for c in communes],
            "pcode": [c.province_code for c in communes],
            "name": [c.name for c in communes],
            "kind": [c.kind for c in communes],
            "key": [tone_key(c.name, strip_prefix=True) for c in communes],
            "code": [c.code for c in communes],
        }
    )
    con.register("official_seed", frame)
    try:
        con.execute(
            "UPDATE provinces SET code = o.pcode FROM (SELECT DISTINCT pkey, pcode FROM official_seed) o"
            " WHERE provinces.key = o.pkey"
        )
        con.execute(
            "INSERT INTO provinces SELECT DISTINCT province, pkey, pcode FROM official_seed"
            " WHERE pkey NOT IN (SELECT key FROM provinces)"
        )
        con.execute(
            """
            UPDATE communes SET code = o.code, name = o.name, kind = o.kind
            FROM official_seed o JOIN provinces p ON p.key = o.pkey
            WHERE communes.province = p.name AND communes.key = o.key AND communes.code IS NULL
            """
        )
        con.execute(
            """
            INSERT INTO communes (province, name, kind, key, source, code)
            SELECT p.name, o.name, o.kind, o.key, 'official', o.code
            FROM official_seed o JOIN provinces p ON p.key = o.pkey
            WHERE o.code NOT IN (SELECT code FROM communes WHERE code IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM communes c WHERE c.province = p.name AND c.key = o.key)
            ORDER BY o.pcode, o.code
            """
        )
    finally:
        con.unregister("official_seed")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('registry_version', ?)", [version])


def _add_communes(con: duckdb.DuckDBPyConnection, communes: tuple[Commune, ...] | list[Commune], source: str) -> int:
    added = 0
    for c in communes:
        pkey = name_key(c.province, strip_prefix=True)
        existing = con.execute("SELECT name FROM provinces WHERE key = ?", [pkey]).fetchone()
        province = existing[0] if existing else c.province
        if not existing:
            con.execute("INSERT INTO provinces VALUES (?, ?)", [province, pkey])
        ckey = tone_key(c.name, strip_prefix=True)
        if con.execute("SELECT 1 FROM communes WHERE province = ? AND key = ?", [province, ckey]).fetchone():
            continue
        con.execute(
            "INSERT INTO communes (province, name, kind, key, source, code) VALUES (?, ?, ?, ?, ?, ?)",
            [province, c.name, c.kind, ckey, source, c.code],
        )
        added += 1
    return added


def add_communes(
    con: duckdb.DuckDBPyConnection,
    communes: list[Commune],
    source: str,
    data: bytes | None = None,
    added_by: str = "cli",
    journal: bool = True,
) -> int:
    """Add communes from an administrator's CSV in one transaction; returns how many were new.

    With data (the CSV's bytes), the file is kept and journaled (write-ahead) so a rebuild adds them again.
    """
    event = None
    if data is not None and journal:
        sha, kept = keep_file(con, data, source)
        event = Communes(sha256=sha, kept=kept.name, file_name=source, added_by=added_by, at=dt.datetime.now())
    with journaled(con, event):
        added = _add_communes(con, communes, source)
        bump_data_version(con)
    return added


def registry(con: duckdb.DuckDBPyConnection) -> list[Commune]:
    """Every registered commune with its codes, by province and then commune code (the official list's order).

    Every upload asks for the 3,321 communes; they are read again only when their fingerprint (a hash over
    every commune's row, computed by DuckDB in about a millisecond) changes, whoever changed them.
    """
    stamp = con.execute(
        "SELECT current_database(), count(*), sum(hash(c.id, c.province, c.name, c.kind, c.code, p.code))"
        " FROM communes c JOIN provinces p ON p.name = c.province"
    ).fetchone()
    return list(_registry_rows(con, stamp))


_REGISTRY_CACHE: dict[object, tuple[Commune, ...]] = {}


def _registry_rows(con: duckdb.DuckDBPyConnection, stamp: object) -> tuple[Commune, ...]:
    if (cached := _REGISTRY_CACHE.get(stamp)) is not None:
        return cached
    rows = con.execute(
        "SELECT c.province, c.name, c.kind, c.code, p.code FROM communes c JOIN provinces p ON p.name = c.province"
        " ORDER BY p.code NULLS LAST, c.province, c.code NULLS LAST, c.name"
    ).fetchall()
    communes = tuple(Commune(province=p, name=n, kind=k, code=code, province_code=pcode) for p, n, k, code, pcode in rows)
    if len(_REGISTRY_CACHE) > 8:  # a process opens a few databases (tests, rebuild beside the live one)
        _REGISTRY_CACHE.clear()
    _REGISTRY_CACHE[stamp] = communes
    return communes
