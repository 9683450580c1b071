"""The DuckDB store: schema, catalog tables, submissions and their history.

History is append-only: an accepted file becomes one `submissions` row and its
`submission_values`; a later file for the same key wins in the `current_values`
view, and nothing is ever UPDATEd or DELETEd there. The raw file is kept under
uploads/ beside the database, named by its sha256, so the database can be rebuilt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kpis.catalog import Catalog, Commune, default_catalog
from kpis.text import name_key

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "kpis.duckdb"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE SEQUENCE IF NOT EXISTS seq_commune START 1;
CREATE SEQUENCE IF NOT EXISTS seq_unit START 1;
CREATE SEQUENCE IF NOT EXISTS seq_submission START 1;
CREATE TABLE IF NOT EXISTS provinces (name VARCHAR PRIMARY KEY, key VARCHAR UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS communes (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_commune'),
    province VARCHAR NOT NULL REFERENCES provinces(name),
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    UNIQUE (province, key)
);
CREATE TABLE IF NOT EXISTS units (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_unit'),
    commune_id INTEGER NOT NULL REFERENCES communes(id),
    name VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (commune_id, key)
);
CREATE TABLE IF NOT EXISTS indicators (
    code VARCHAR PRIMARY KEY, position INTEGER, name_vi VARCHAR, name_en VARCHAR,
    short_vi VARCHAR, short_en VARCHAR, numerator_vi VARCHAR, numerator_en VARCHAR,
    denominator_vi VARCHAR, denominator_en VARCHAR
);
CREATE TABLE IF NOT EXISTS plans (
    id VARCHAR PRIMARY KEY, number VARCHAR, date DATE, issuer VARCHAR, title_vi VARCHAR,
    title_en VARCHAR, province VARCHAR, commune VARCHAR, source VARCHAR, notes VARCHAR
);
CREATE TABLE IF NOT EXISTS plan_targets (
    plan_id VARCHAR, indicator VARCHAR, year INTEGER, target_pct DOUBLE, quote VARCHAR
);
CREATE TABLE IF NOT EXISTS plan_deadlines (
    plan_id VARCHAR, frequency VARCHAR, month INTEGER, day INTEGER, label_vi VARCHAR, label_en VARCHAR
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_submission'),
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    stored_path VARCHAR NOT NULL,
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    row_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS submission_values (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    indicator VARCHAR NOT NULL,
    numerator BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    note VARCHAR,
    source_line INTEGER NOT NULL
);
CREATE OR REPLACE VIEW current_values AS
SELECT * EXCLUDE (rn) FROM (
    SELECT v.*, row_number() OVER (
        PARTITION BY v.unit_id, v.year, v.quarter, v.indicator ORDER BY v.submission_id DESC
    ) AS rn
    FROM submission_values v
) WHERE rn = 1;
"""


class StoreError(Exception):
    """The database cannot be opened or written; the message says why."""


@dataclass(frozen=True)
class StoredSubmission:
    id: int
    duplicate: bool  # True when this exact file (sha256) was already imported
    rows: int


def resolve_db_path(path: str | os.PathLike | None = None) -> Path:
    """--db, else $KPIS_DB, else data/kpis.duckdb in the project."""
    chosen = path or os.environ.get("KPIS_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def uploads_dir(con: duckdb.DuckDBPyConnection) -> Path:
    db_file = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    return Path(db_file).parent / "uploads"


def connect(path: str | os.PathLike | None = None, catalog: Catalog | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database, migrate it, and load the catalog into it."""
    db = resolve_db_path(path)
    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db))
    except duckdb.Error as e:
        raise StoreError(f"{db}: cannot open the database: {e}") from e
    con.execute(_SCHEMA)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    load_catalog_tables(con, catalog or default_catalog())
    return con


def load_catalog_tables(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace indicators and plans with the catalog's; add registry communes not yet present."""
    con.execute("BEGIN TRANSACTION")
    try:
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
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


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


def add_communes(con: duckdb.DuckDBPyConnection, communes: list[Commune], source: str) -> int:
    """Add communes from an administrator's CSV in one transaction; returns how many were new."""
    con.execute("BEGIN TRANSACTION")
    try:
        added = _add_communes(con, communes, source)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return added


def registry(con: duckdb.DuckDBPyConnection) -> list[Commune]:
    rows = con.execute("SELECT province, name, kind FROM communes ORDER BY province, name").fetchall()
    return [Commune(province=p, name=n, kind=k) for p, n, k in rows]


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Changes whenever a submission is added: the key for cached query results."""
    return int(con.execute("SELECT coalesce(max(id), 0) FROM submissions").fetchone()[0])


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone()
    return bool(row and row[0] == "true")


def mark_demo(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES ('demo', 'true')")


def find_submission_by_hash(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    row = con.execute("SELECT min(id) FROM submissions WHERE sha256 = ?", [sha256]).fetchone()
    return row[0] if row and row[0] is not None else None


def store_submission(
    con: duckdb.DuckDBPyConnection,
    rows: pd.DataFrame,
    file_name: str,
    data: bytes,
    uploaded_by: str,
    uploaded_at: dt.datetime | None = None,
) -> StoredSubmission:
    """Write one validated file as a submission, all or nothing, and keep the raw bytes."""
    sha = hashlib.sha256(data).hexdigest()
    existing = find_submission_by_hash(con, sha)
    if existing is not None:
        return StoredSubmission(existing, True, 0)
    suffix = Path(file_name).suffix.lower() or ".bin"
    kept = uploads_dir(con) / f"{sha}{suffix}"
    kept.parent.mkdir(parents=True, exist_ok=True)
    if not kept.exists():
        tmp = kept.with_suffix(kept.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(kept)
    now = uploaded_at or dt.datetime.now()
    con.execute("BEGIN TRANSACTION")
    try:
        sub_id = con.execute(
            "INSERT INTO submissions (file_name, sha256, size_bytes, stored_path, uploaded_by, uploaded_at, row_count)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [file_name, sha, len(data), kept.name, uploaded_by, now, len(rows)],
        ).fetchone()[0]
        frame = rows[
            [
                "province",
                "commune",
                "unit",
                "unit_key",
                "year",
                "quarter",
                "indicator",
                "numerator",
                "denominator",
                "note",
                "line",
            ]
        ]
        con.register("incoming", frame)
        con.execute(
            """
            INSERT INTO units (commune_id, name, key, created_at)
            SELECT c.id, any_value(i.unit ORDER BY i.line), i.unit_key, ?
            FROM incoming i JOIN communes c ON c.province = i.province AND c.name = i.commune
            WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.commune_id = c.id AND u.key = i.unit_key)
            GROUP BY c.id, i.unit_key
            ORDER BY c.id, min(i.line)
            """,
            [now],
        )
        con.execute(
            """
            INSERT INTO submission_values
            SELECT ?, u.id, i.year, i.quarter, i.indicator, i.numerator, i.denominator, i.note, i.line
            FROM incoming i
            JOIN communes c ON c.province = i.province AND c.name = i.commune
            JOIN units u ON u.commune_id = c.id AND u.key = i.unit_key
            ORDER BY i.line
            """,
            [sub_id],
        )
        written = con.execute("SELECT count(*) FROM submission_values WHERE submission_id = ?", [sub_id]).fetchone()[0]
        if written != len(rows):
            raise StoreError(f"{file_name}: wrote {written} of {len(rows)} rows; rolled back")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        if find_submission_by_hash(con, sha) is None:
            kept.unlink(missing_ok=True)
        raise
    finally:
        con.unregister("incoming")
    return StoredSubmission(int(sub_id), False, len(rows))


def submissions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT id, file_name, sha256, size_bytes, uploaded_by, uploaded_at, row_count FROM submissions ORDER BY id"
    ).df()
