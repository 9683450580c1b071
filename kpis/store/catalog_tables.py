"""The catalog's tables (indicators; the seed plans, through kpis.store.plan_book) and the commune registry.

The catalog's files are the truth for indicators: each connect() replaces that table with them. The
registry is the official list: a database gets the shipped list once (seed_official,
in one bulk statement per table, so a connect stays fast), keeps every place it already had (a
place it knew by name gets its code and the official spelling), and from then on changes only by
`registry update` (kpis.store.registry_update, journaled). meta 'registry_version' says which list it holds.

A place of an older database that the official list lacks (Tam Đường, Lai Châu, abolished on 1 July 2025)
stays, with code NULL and its history; the seeding journals those of the old hand-written registry
(PlacesKept) so that a rebuild has them too. Communes added by `add-communes` before the official list
replay from their own journal lines (add_communes).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import duckdb
import pandas as pd

from kpis.catalog.model import Catalog, Commune
from kpis.catalog.official import parse_code
from kpis.catalog.places import NotFound, Places
from kpis.core.text import name_key, tone_key
from kpis.store.files import keep_file
from kpis.store.journal import Communes, PlacesKept
from kpis.store.meta import bump_data_version
from kpis.store.plan_book import sync_seeds
from kpis.store.transactions import journal_within, journaled, transaction

OLD_REGISTRY = "registry"  # communes.source of the places the hand-written registry (kpis/catalog/registry.csv) gave
OFFICIAL = "official"  # communes.source of the places the official list gave
LISTING_COLUMNS = ("commune_code", "kind", "commune", "province_code", "province")


def load_catalog_tables(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace the indicators with the catalog's; give a database the official list once, and the seed plans
    it has not met (kpis.store.plan_book); the tables of the plans in force are derived again."""
    with transaction(con):
        con.execute("DELETE FROM indicators")
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
        if con.execute("SELECT 1 FROM meta WHERE key = 'registry_version'").fetchone() is None:
            seed_official(con, catalog.communes, catalog.registry_version)
        sync_seeds(con, catalog.plans, dt.datetime.now())
        fill_scope_codes(con)


def seed_official(con: duckdb.DuckDBPyConnection, communes: tuple[Commune, ...], version: str) -> None:
    """Give the database the official list, inside the caller's transaction (and lock).

    A place the database already has gets its code and the official spelling: a province by name_key,
    a commune in it by tone_key (Hòa An = Hoà An), else by name_key where only one official commune of
    that province has it (the old registry's "Na Hang" is Nà Hang; "Văn Lang" never becomes "Văn Lăng").
    The rest of the list is added. What the list lacks stays, uncoded (see the module's docstring).
    """
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
    official_provinces = dict(zip(frame["pkey"], zip(frame["province"], frame["pcode"], strict=True), strict=False))
    for name, key in con.execute("SELECT name, key FROM provinces WHERE code IS NULL").fetchall():
        if key in official_provinces:
            official_name, code = official_provinces[key]
            con.execute("UPDATE provinces SET code = ? WHERE name = ?", [code, name])
            if official_name != name:
                rename_province(con, name, official_name)
    _code_known_communes(con, communes)
    con.register("official_seed", frame)
    try:
        con.execute(
            "INSERT INTO provinces SELECT DISTINCT province, pkey, pcode FROM official_seed"
            " WHERE pkey NOT IN (SELECT key FROM provinces)"
        )
        con.execute(
            f"""
            INSERT INTO communes (province, name, kind, key, source, code)
            SELECT p.name, o.name, o.kind, o.key, '{OFFICIAL}', o.code
            FROM official_seed o JOIN provinces p ON p.key = o.pkey
            WHERE o.code NOT IN (SELECT code FROM communes WHERE code IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM communes c WHERE c.province = p.name AND c.key = o.key)
            ORDER BY o.pcode, o.code
            """
        )
    finally:
        con.unregister("official_seed")
    _journal_kept_places(con)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('registry_version', ?)", [version])


def _code_known_communes(con: duckdb.DuckDBPyConnection, communes: tuple[Commune, ...]) -> None:
    """The codes, names and kinds of the official communes for the uncoded ones the database already has."""
    rows = con.execute("SELECT id, province, name FROM communes WHERE code IS NULL ORDER BY id").fetchall()
    if not rows:
        return
    by_tone: dict[tuple[str, str], Commune] = {}
    by_fold: dict[tuple[str, str], list[Commune]] = {}
    for c in communes:
        pkey = name_key(c.province, strip_prefix=True)
        by_tone[(pkey, tone_key(c.name, strip_prefix=True))] = c
        by_fold.setdefault((pkey, name_key(c.name, strip_prefix=True)), []).append(c)
    taken = {r[0] for r in con.execute("SELECT code FROM communes WHERE code IS NOT NULL").fetchall()}
    matched: dict[int, Commune] = {}
    for exact in (True, False):  # every match by tone_key first, so a fold never takes a commune's own code
        for commune_id, province, name in rows:
            if commune_id in matched:
                continue
            pkey = name_key(province, strip_prefix=True)
            if exact:
                found = by_tone.get((pkey, tone_key(name, strip_prefix=True)))
            else:
                folds = by_fold.get((pkey, name_key(name, strip_prefix=True)), [])
                found = folds[0] if len(folds) == 1 else None
            if found is not None and found.code not in taken:
                matched[commune_id] = found
                taken.add(found.code)
    for commune_id, c in matched.items():
        con.execute(
            "UPDATE communes SET code = ?, name = ?, kind = ?, key = ? WHERE id = ?",
            [c.code, c.name, c.kind, tone_key(c.name, strip_prefix=True), commune_id],
        )


def _journal_kept_places(con: duckdb.DuckDBPyConnection) -> None:
    """Journal the old hand-written registry's places the official list lacks, so a rebuild keeps them."""
    rows = con.execute(
        "SELECT province, name, kind FROM communes WHERE code IS NULL AND source = ? ORDER BY id", [OLD_REGISTRY]
    ).fetchall()
    if not rows:
        return
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["province", "commune", "kind"])
    writer.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    sha, kept = keep_file(con, data, "places_kept.csv")
    journal_within(con, PlacesKept(sha256=sha, kept=kept.name, file_name="places_kept.csv", at=dt.datetime.now()))


def rename_province(con: duckdb.DuckDBPyConnection, old: str, new: str) -> None:
    """A province's new name, for it and its communes (inside the caller's transaction). Nothing references
    provinces by a foreign key, so this is two UPDATEs; accounts and plans hold the code and follow it."""
    con.execute("UPDATE provinces SET name = ?, key = ? WHERE name = ?", [new, name_key(new, strip_prefix=True), old])
    con.execute("UPDATE communes SET province = ? WHERE province = ?", [new, old])


def fill_scope_codes(con: duckdb.DuckDBPyConnection, username: str | None = None) -> None:
    """Codes for the account scopes that have none yet (made before codes, or replayed from such a journal
    line), found by name as the registry matches names: a province by name_key, a commune by tone_key."""
    sql = "SELECT DISTINCT username, province, commune FROM user_scopes WHERE (province_code IS NULL"
    sql += " OR (commune IS NOT NULL AND commune_code IS NULL))" + (" AND username = ?" if username else "")
    rows = con.execute(sql, [username] if username else []).fetchall()
    if not rows:
        return
    provinces = {key: (name, code) for name, key, code in con.execute("SELECT name, key, code FROM provinces").fetchall()}
    communes = {
        (p, key): code
        for p, key, code in con.execute("SELECT province, key, code FROM communes WHERE code IS NOT NULL").fetchall()
    }
    for user, province, commune in rows:
        name, pcode = provinces.get(name_key(province, strip_prefix=True), (province, None))
        ccode = None if commune is None else communes.get((name, tone_key(commune, strip_prefix=True)))
        if pcode is None:
            continue
        con.execute(
            "UPDATE user_scopes SET province_code = ?, commune_code = coalesce(commune_code, ?)"
            " WHERE username = ? AND province = ? AND commune IS NOT DISTINCT FROM ?",
            [pcode, ccode, user, province, commune],
        )


def _add_communes(con: duckdb.DuckDBPyConnection, communes: tuple[Commune, ...] | list[Commune], source: str) -> int:
    added = 0
    for c in communes:
        pkey = name_key(c.province, strip_prefix=True)
        existing = con.execute("SELECT name FROM provinces WHERE key = ?", [pkey]).fetchone()
        province = existing[0] if existing else c.province
        if not existing:
            con.execute("INSERT INTO provinces (name, key, code) VALUES (?, ?, ?)", [province, pkey, c.province_code])
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
    """Add places outside the official list in one transaction; returns how many were new.

    What `add-communes` did before the registry was the official list: rebuild replays its journal lines
    (and PlacesKept's) through here, and the national benchmark builds its synthetic registry with it.
    With data (the CSV's bytes), the file is kept and journaled (write-ahead) as those lines were.
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


def find_province(con: duckdb.DuckDBPyConnection, text: str) -> tuple[str, int | None] | NotFound[str]:
    """A registered province as someone wrote it (any spelling, or its code: "11", "Mã tỉnh 11"): (name, code)."""
    code = parse_code(text)
    if code is not None:
        row = con.execute("SELECT name, code FROM provinces WHERE code = ?", [code]).fetchone()
        if row is not None:
            return str(row[0]), int(row[1])
    found = Places(registry(con)).find_province(text)
    if isinstance(found, NotFound):
        return found
    row = con.execute("SELECT code FROM provinces WHERE name = ?", [found]).fetchone()
    return found, None if row is None or row[0] is None else int(row[0])


def listing(registered: list[Commune], province: str | None = None) -> list[dict[str, object]]:
    """The registry as `python -m kpis communes` prints it (LISTING_COLUMNS), of one province or all."""
    return [
        {"commune_code": c.code, "kind": c.kind, "commune": c.name, "province_code": c.province_code, "province": c.province}
        for c in registered
        if province is None or c.province == province
    ]
