"""The catalog's tables (indicators, plans, targets, deadlines) and the commune registry.

The catalog's files are the truth for indicators and plans: each connect() replaces those tables
with them. Communes only grow: the catalog's registry and an administrator's CSVs (journaled, so
a rebuild adds them again) add the ones not yet present; none is ever removed.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from kpis.catalog.model import Catalog, Commune
from kpis.core.text import name_key
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
                "INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [p.id, p.number, p.date, p.issuer, p.title_vi, p.title_en, p.province, p.commune, p.source, p.notes],
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
        _add_communes(con, catalog.communes, source="registry")


def _add_communes(con: duckdb.DuckDBPyConnection, communes: tuple[Commune, ...] | list[Commune], source: str) -> int:
    added = 0
    for c in communes:
        pkey = name_key(c.province, strip_prefix=True)
        existing = con.execute("SELECT name FROM provinces WHERE key = ?", [pkey]).fetchone()
        province = existing[0] if existing else c.province
        if not existing:
            con.execute("INSERT INTO provinces VALUES (?, ?)", [province, pkey])
        ckey = name_key(c.name, strip_prefix=True)
        if con.execute("SELECT 1 FROM communes WHERE province = ? AND key = ?", [province, ckey]).fetchone():
            continue
        con.execute(
            "INSERT INTO communes (province, name, kind, key, source) VALUES (?, ?, ?, ?, ?)",
            [province, c.name, c.kind, ckey, source],
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
    rows = con.execute("SELECT province, name, kind FROM communes ORDER BY province, name").fetchall()
    return [Commune(province=p, name=n, kind=k) for p, n, k in rows]
