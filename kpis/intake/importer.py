"""One file in, one result out: read, validate, compare with what is shown, store.

The upload page and `python -m kpis import` both call import_file(), so a file is
judged the same way wherever it comes from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import pandas as pd

from kpis import store
from kpis.catalog.model import Catalog, Commune, default_catalog
from kpis.catalog.places import Scope
from kpis.core.i18n import DEFAULT_LANG, Lang, format_problem, t
from kpis.intake.context import Given
from kpis.intake.ingest import IngestError, read_table
from kpis.intake.validate import Problem, Validated, check_scope, validate
from kpis.store import audit

# The uploader's scope: may they write figures for this registered commune? (An account's may_write: by code.)
PlaceCheck = Callable[[Commune], bool]


@dataclass
class ImportResult:
    file_name: str
    status: Literal["accepted", "refused", "duplicate"]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    submission_id: int | None = None
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def accepted(self) -> bool:
        return self.status != "refused"

    def messages(self, lang: Lang = DEFAULT_LANG) -> list[str]:
        return [format_problem(p.row, p.column, p.code, p.params, lang) for p in self.problems]

    def warning_messages(self, lang: Lang = DEFAULT_LANG) -> list[str]:
        return [format_problem(p.row, p.column, p.code, p.params, lang) for p in self.warnings]

    def summary(self, lang: Lang = DEFAULT_LANG) -> str:
        if self.status == "refused":
            return t("result_refused", lang, file=self.file_name, count=len(self.problems))
        if self.status == "duplicate":
            return t("result_duplicate", lang, file=self.file_name, submission=self.submission_id)
        return t("result_accepted", lang, file=self.file_name, rows=len(self.rows), submission=self.submission_id)


def check_file(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    catalog: Catalog | None = None,
    may_write: PlaceCheck | None = None,
    scope: Scope | None = None,
    given: Given | None = None,
) -> Validated:
    """Read and validate without writing anything; with may_write, rows outside the writer's scope are problems.

    scope is the writer's (province, commune or None) pairs (None: anyone's, as for an administrator or the
    command line): it decides a commune name that fits several when the row names no province."""
    catalog = catalog or default_catalog()
    try:
        table = read_table(data, file_name)
    except IngestError as e:
        return Validated(pd.DataFrame(), [Problem(None, None, e.code, e.params)])
    registered = store.registry(con)
    checked = validate(table, catalog, registered, lambda communes: store.known_units(con, communes), scope, given)
    if may_write is not None:
        by_name = {(c.province, c.name): c for c in registered}  # validation gives each row the registry's names

        def allowed(province: str, commune: str) -> bool:
            found = by_name.get((province, commune))
            return found is not None and may_write(found)

        checked = check_scope(checked, allowed)
    return checked


def changes_for(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> pd.DataFrame:
    """For each incoming value, the value currently shown for the same key (None if new), and the unit's
    value for the quarter before (None if it has none), so that the preview can say how far it moves.

    Reads only the history of the units in the file, so it stays quick on a national database.
    """
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
                "prev_numerator",
                "prev_denominator",
            ]
        )
    con.register("incoming_preview", rows)
    try:
        return con.execute(
            """
            WITH inc AS (
                SELECT i.*, u.id AS unit_id,
                       CASE WHEN i.quarter = 1 THEN i.year - 1 ELSE i.year END AS prev_year,
                       CASE WHEN i.quarter = 1 THEN 4 ELSE i.quarter - 1 END AS prev_quarter
                FROM incoming_preview i
                LEFT JOIN communes c ON c.province = i.province AND c.name = i.commune
                LEFT JOIN units u ON u.commune_id = c.id AND u.key = i.unit_key
            ),
            shown AS (
                SELECT v.unit_id, v.year, v.quarter, v.indicator,
                       arg_max(v.numerator, v.submission_id) AS numerator,
                       arg_max(v.denominator, v.submission_id) AS denominator
                FROM submission_values v
                WHERE v.unit_id IN (SELECT unit_id FROM inc WHERE unit_id IS NOT NULL)
                  AND v.unit_id BETWEEN (SELECT min(unit_id) FROM inc) AND (SELECT max(unit_id) FROM inc)
                  AND (v.year IN (SELECT DISTINCT year FROM inc) OR v.year IN (SELECT DISTINCT prev_year FROM inc))
                  AND v.submission_id NOT IN (SELECT submission_id FROM withdrawals)
                GROUP BY ALL
            )
            SELECT inc.province, inc.commune, inc.unit, inc.year, inc.quarter, inc.indicator,
                   shown.numerator AS old_numerator, shown.denominator AS old_denominator,
                   inc.numerator, inc.denominator,
                   prev.numerator AS prev_numerator, prev.denominator AS prev_denominator
            FROM inc LEFT JOIN shown ON shown.unit_id = inc.unit_id AND shown.year = inc.year
                 AND shown.quarter = inc.quarter AND shown.indicator = inc.indicator
            LEFT JOIN shown prev ON prev.unit_id = inc.unit_id AND prev.year = inc.prev_year
                 AND prev.quarter = inc.prev_quarter AND prev.indicator = inc.indicator
            ORDER BY inc.line
            """
        ).df()
    finally:
        con.unregister("incoming_preview")


@dataclass
class Preview:
    """What an upload would do, before anything is written."""

    file_name: str
    checked: Validated
    changes: pd.DataFrame  # per incoming value: the value shown now (None when new) and the new one

    @property
    def ok(self) -> bool:
        return self.checked.ok


def preview(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    catalog: Catalog | None = None,
    may_write: PlaceCheck | None = None,
    scope: Scope | None = None,
    given: Given | None = None,
) -> Preview:
    file_name = store.recorded_name(file_name)
    checked = check_file(con, data, file_name, catalog, may_write, scope, given)
    return Preview(file_name, checked, changes_for(con, checked.rows) if checked.ok else changes_for(con, pd.DataFrame()))


def import_file(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    uploaded_by: str = "anonymous",
    catalog: Catalog | None = None,
    uploaded_at: dt.datetime | None = None,
    journal: bool = True,
    may_write: PlaceCheck | None = None,
    scope: Scope | None = None,
    given: Given | None = None,
    *,
    with_changes: bool = False,
) -> ImportResult:
    """Import one file whole, or refuse it whole with every problem named; audited.

    with_changes: the result carries changes_for() (the values shown before, for the upload page); the
    command line, the demo and rebuild do without (a tenth of a second per national file).

    may_write(commune) is the uploader's scope (None: the command line, trusted), and scope the same as
    data (check_file);
    journal=False only when replaying the journal (rebuild), which neither journals nor audits.
    The name is recorded whole up to 255 characters (store.recorded_name); the disk never sees it.
    """
    file_name = store.recorded_name(file_name)
    checked = check_file(con, data, file_name, catalog, may_write, scope, given)
    sha = hashlib.sha256(data).hexdigest()
    if checked.ok:
        changes = changes_for(con, checked.rows if with_changes else pd.DataFrame())
        try:
            told = given or Given()
            stored = store.store_submission(
                con, checked.rows, file_name, data, uploaded_by, uploaded_at, journal,
                province=told.province, commune=told.commune, year=told.year, quarter=told.quarter,
            )  # fmt: skip
        except store.JournalError as e:  # no journal line, nothing committed: refused, and the person is told why
            checked = Validated(
                checked.rows.iloc[0:0], [Problem(None, None, "store_journal_unwritable", {"error": str(e)})], checked.warnings
            )
    if not checked.ok:
        if journal:
            with store.WRITE_LOCK:
                audit.record(con, uploaded_by, "upload_refused", file_name, {"problems": len(checked.problems)}, sha)
        return ImportResult(file_name, "refused", checked.problems, checked.warnings)
    status: Literal["accepted", "duplicate"] = "duplicate" if stored.duplicate else "accepted"
    if stored.duplicate:
        changes = changes.iloc[0:0]
    if journal and stored.duplicate:  # an accepted upload is audited inside its own transaction
        with store.WRITE_LOCK:
            audit.record(con, uploaded_by, "upload_duplicate", file_name, {"submission": stored.id}, sha)
    return ImportResult(file_name, status, [], checked.warnings, stored.id, checked.rows, changes)
