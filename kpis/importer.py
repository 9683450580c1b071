"""One file in, one result out: read, validate, compare with what is shown, store.

The upload page and `python -m kpis import` both call import_file(), so a file is
judged the same way wherever it comes from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import pandas as pd

from kpis import store
from kpis.catalog import Catalog, default_catalog
from kpis.i18n import DEFAULT_LANG, Lang, format_problem, t
from kpis.ingest import IngestError, read_table
from kpis.validate import Problem, Validated, validate


@dataclass
class ImportResult:
    file_name: str
    status: Literal["accepted", "refused", "duplicate"]
    problems: list[Problem] = field(default_factory=list)
    submission_id: int | None = None
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def accepted(self) -> bool:
        return self.status != "refused"

    def messages(self, lang: Lang = DEFAULT_LANG) -> list[str]:
        return [format_problem(p.row, p.column, p.code, p.params, lang) for p in self.problems]

    def summary(self, lang: Lang = DEFAULT_LANG) -> str:
        if self.status == "refused":
            return t("result_refused", lang, file=self.file_name, count=len(self.problems))
        if self.status == "duplicate":
            return t("result_duplicate", lang, file=self.file_name, submission=self.submission_id)
        return t("result_accepted", lang, file=self.file_name, rows=len(self.rows), submission=self.submission_id)


def check_file(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, catalog: Catalog | None = None) -> Validated:
    """Read and validate without writing anything."""
    catalog = catalog or default_catalog()
    try:
        table = read_table(data, file_name)
    except IngestError as e:
        return Validated(pd.DataFrame(), [Problem(None, None, e.code, e.params)])
    return validate(table, catalog, store.registry(con))


def changes_for(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> pd.DataFrame:
    """For each incoming value, the value currently shown for the same key (None if new)."""
    if rows.empty:
        return pd.DataFrame(
            columns=[
                "province",
                "commune",
                "unit",
                "year",
                "quarter",
                "indicator",
                "old_numerator",
                "old_denominator",
                "numerator",
                "denominator",
            ]
        )
    con.register("incoming_preview", rows)
    try:
        return con.execute(
            """
            SELECT i.province, i.commune, i.unit, i.year, i.quarter, i.indicator,
                   cv.numerator AS old_numerator, cv.denominator AS old_denominator,
                   i.numerator, i.denominator
            FROM incoming_preview i
            LEFT JOIN communes c ON c.province = i.province AND c.name = i.commune
            LEFT JOIN units u ON u.commune_id = c.id AND u.key = i.unit_key
            LEFT JOIN current_values cv ON cv.unit_id = u.id AND cv.year = i.year
                 AND cv.quarter = i.quarter AND cv.indicator = i.indicator
            ORDER BY i.line
            """
        ).df()
    finally:
        con.unregister("incoming_preview")


def import_file(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    uploaded_by: str = "anonymous",
    catalog: Catalog | None = None,
    uploaded_at: dt.datetime | None = None,
) -> ImportResult:
    """Import one file whole, or refuse it whole with every problem named."""
    checked = check_file(con, data, file_name, catalog)
    if not checked.ok:
        return ImportResult(file_name, "refused", checked.problems)
    changes = changes_for(con, checked.rows)
    stored = store.store_submission(con, checked.rows, file_name, data, uploaded_by, uploaded_at)
    status = "duplicate" if stored.duplicate else "accepted"
    if stored.duplicate:
        changes = changes.iloc[0:0]
    return ImportResult(file_name, status, [], stored.id, checked.rows, changes)
