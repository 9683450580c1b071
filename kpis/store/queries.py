"""Reads of what the store holds: submissions and their communes, units already known, a file already imported."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from kpis.catalog.units import Commune


@dataclass(frozen=True)
class KnownUnit:
    province: str
    commune: str
    key: str
    name: str


def find_submission_by_hash(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    """The live (not withdrawn) submission of these exact bytes, if any."""
    row = con.execute(
        "SELECT min(id) FROM submissions WHERE sha256 = ? AND id NOT IN (SELECT submission_id FROM withdrawals)", [sha256]
    ).fetchone()
    return row[0] if row and row[0] is not None else None


def known_units(con: duckdb.DuckDBPyConnection, communes: Iterable[tuple[str, str]] | None = None) -> list[KnownUnit]:
    """Units already registered; with communes ((province, commune) as registered), only those communes'."""
    sql = "SELECT c.province, c.name, u.key, u.name FROM units u JOIN communes c ON c.id = u.commune_id"
    if communes is None:
        return [KnownUnit(*r) for r in con.execute(sql).fetchall()]
    pairs = sorted(set(communes))
    if not pairs:
        return []
    provinces, names = [p for p, _ in pairs], [n for _, n in pairs]
    wanted = " JOIN (SELECT unnest(?) AS province, unnest(?) AS name) w ON w.province = c.province AND w.name = c.name"
    return [KnownUnit(*r) for r in con.execute(sql + wanted, [provinces, names]).fetchall()]


def submissions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every submission, newest first, with its withdrawal if any."""
    return con.execute(
        """
        SELECT s.id, s.file_name, s.sha256, s.size_bytes, s.uploaded_by, s.uploaded_at, s.row_count,
               w.withdrawn_by, w.withdrawn_at, w.reason AS withdrawn_reason
        FROM submissions s LEFT JOIN withdrawals w ON w.submission_id = s.id
        ORDER BY s.id DESC
        """
    ).df()


def submission_communes(con: duckdb.DuckDBPyConnection, submission_id: int) -> list[Commune]:
    """The communes (with their codes) a submission holds figures for: who may withdraw it depends on them."""
    rows = con.execute(
        """
        SELECT DISTINCT c.province, c.name, c.kind, c.code, p.code FROM submission_values v
        JOIN units u ON u.id = v.unit_id JOIN communes c ON c.id = u.commune_id LEFT JOIN provinces p ON p.name = c.province
        WHERE v.submission_id = ? ORDER BY 1, 2
        """,
        [submission_id],
    ).fetchall()
    return [Commune(province=p, name=n, kind=k, code=code, province_code=pcode) for p, n, k, code, pcode in rows]
