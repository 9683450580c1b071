"""The database's tables and views, as DDL that creates whatever a database lacks (CREATE ... IF NOT EXISTS).

A new table goes here; a change to the data an older database already holds is a migration
(kpis/store/migrations.py). History is append-only: an accepted file becomes one `submissions` row
and its `submission_values`; a later file for the same key wins in the `current_values` view, and
nothing is ever UPDATEd or DELETEd there. `unit_year_values` is derived from history (UNIT_YEAR_FILL),
`commune_year_values` from it (COMMUNE_YEAR_FILL).
"""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
-- the migrations (kpis/store/migrations.py) this database has had, each once; note says how it was known
CREATE TABLE IF NOT EXISTS migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL, note VARCHAR);
-- the journal's write-ahead lines whose transaction committed (written in that transaction)
CREATE TABLE IF NOT EXISTS journal_commits (txn VARCHAR PRIMARY KEY, committed_at TIMESTAMP NOT NULL);
CREATE SEQUENCE IF NOT EXISTS seq_commune START 1;
CREATE SEQUENCE IF NOT EXISTS seq_unit START 1;
CREATE SEQUENCE IF NOT EXISTS seq_submission START 1;
-- places: the official registry (kpis/catalog/official/) by national statistics code (NULL: a place the list
-- lacks, kept with its history); provinces.key = name_key(name, strip_prefix), communes.key = tone_key(name, strip_prefix).
-- communes has no index but its id: DuckDB cannot change an indexed column of a row that another table
-- references (units -> communes), and a registry update renames communes and moves them between provinces.
-- (province, key) stays unique because the only code that writes places (catalog_tables, registry_update) checks it.
CREATE TABLE IF NOT EXISTS provinces (name VARCHAR PRIMARY KEY, key VARCHAR UNIQUE NOT NULL, code INTEGER);
CREATE TABLE IF NOT EXISTS communes (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_commune'),
    province VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    code INTEGER
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
    title_en VARCHAR, province VARCHAR, commune VARCHAR, source VARCHAR, notes VARCHAR,
    province_code INTEGER, commune_code INTEGER, notes_en VARCHAR
);
CREATE TABLE IF NOT EXISTS plan_targets (
    plan_id VARCHAR, indicator VARCHAR, year INTEGER, target_pct DOUBLE, quote VARCHAR
);
CREATE TABLE IF NOT EXISTS plan_deadlines (
    plan_id VARCHAR, frequency VARCHAR, month INTEGER, day INTEGER, label_vi VARCHAR, label_en VARCHAR
);
-- every version of every plan, as put in (kpis.store.plan_book): the seeds, and each workbook imported or proposed.
-- body is the plan (kpis.catalog.model.plan_json); plans, plan_targets and plan_deadlines above hold the bodies in force.
-- status: in_force, replaced (by replaced_by, a version), proposed (a commune's, waiting for approval), rejected.
CREATE SEQUENCE IF NOT EXISTS seq_plan_version START 1;
CREATE TABLE IF NOT EXISTS plan_versions (
    version INTEGER PRIMARY KEY DEFAULT nextval('seq_plan_version'),
    plan_id VARCHAR NOT NULL,
    number VARCHAR,
    province_code INTEGER NOT NULL,
    commune_code INTEGER,
    status VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    file_name VARCHAR,
    sha256 VARCHAR,
    kept VARCHAR,
    added_by VARCHAR NOT NULL,
    added_at TIMESTAMP NOT NULL,
    decided_by VARCHAR,
    decided_at TIMESTAMP,
    decision_note VARCHAR,
    replaced_by INTEGER,
    replaced_at TIMESTAMP
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
-- accounts and audit (issue 6): users hold argon2id hashes only; audit is append-only
CREATE TABLE IF NOT EXISTS users (
    username VARCHAR PRIMARY KEY,
    full_name VARCHAR,
    role VARCHAR NOT NULL,
    password_hash VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP,
    demo BOOLEAN NOT NULL DEFAULT false,
    email VARCHAR,
    must_change_password BOOLEAN DEFAULT false  -- a one-time or reset password: changed at the next sign-in
);
-- an account's places: the codes decide (a renamed place stays in scope); the names are as the account was made
CREATE TABLE IF NOT EXISTS user_scopes (
    username VARCHAR NOT NULL, province VARCHAR NOT NULL, commune VARCHAR, province_code INTEGER, commune_code INTEGER
);
CREATE SEQUENCE IF NOT EXISTS seq_audit START 1;
CREATE TABLE IF NOT EXISTS audit (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_audit'),
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    subject VARCHAR,
    detail VARCHAR,
    file_sha256 VARCHAR
);
-- derived, rebuilt from history for the keys an import or withdrawal touches (never history itself):
-- each unit's value per year and indicator = its latest reported quarter, latest live version
CREATE TABLE IF NOT EXISTS unit_year_values (
    unit_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    indicator VARCHAR NOT NULL,
    quarter INTEGER NOT NULL,
    numerator BIGINT NOT NULL,
    denominator BIGINT NOT NULL
);
-- derived from unit_year_values for the same keys in the same transaction: each commune's sums per year and
-- indicator (about 140,000 rows for the whole country), so the board reads sums instead of making them
CREATE TABLE IF NOT EXISTS commune_year_values (
    commune_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    indicator VARCHAR NOT NULL,
    numerator BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    units INTEGER NOT NULL
);
-- derived from history for the same commune keys in the same transaction: each commune's sums as of each quarter
-- of the year (each unit's latest figure up to that quarter, its latest live version), and whether a unit of it
-- reported in that very quarter; the board's quarters (pace, rank moves, the year before) read these, about
-- 560,000 rows for the whole country, instead of every stored figure
CREATE TABLE IF NOT EXISTS commune_quarter_values (
    commune_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    indicator VARCHAR NOT NULL,
    numerator BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    reported BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS withdrawals (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    withdrawn_by VARCHAR NOT NULL,
    withdrawn_at TIMESTAMP NOT NULL,
    reason VARCHAR
);
-- task and milestone progress (issue 5): append-only history; the latest update per item wins
CREATE SEQUENCE IF NOT EXISTS seq_task_file START 1;
CREATE SEQUENCE IF NOT EXISTS seq_task_update START 1;
CREATE TABLE IF NOT EXISTS task_files (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_task_file'),
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    stored_path VARCHAR NOT NULL,
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    row_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS task_updates (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_task_update'),
    plan_id VARCHAR NOT NULL,
    item_code VARCHAR NOT NULL,
    item_kind VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    status_date DATE NOT NULL,
    note VARCHAR,
    evidence VARCHAR,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    file_id INTEGER REFERENCES task_files(id),
    source_line INTEGER
);
CREATE OR REPLACE VIEW current_task_status AS
SELECT * EXCLUDE (rn) FROM (
    SELECT u.*, row_number() OVER (PARTITION BY u.item_code ORDER BY u.status_date DESC, u.id DESC) AS rn
    FROM task_updates u
) WHERE rn = 1;
CREATE OR REPLACE VIEW current_values AS
SELECT * EXCLUDE (rn) FROM (
    SELECT v.*, row_number() OVER (
        PARTITION BY v.unit_id, v.year, v.quarter, v.indicator ORDER BY v.submission_id DESC
    ) AS rn
    FROM submission_values v
    WHERE v.submission_id NOT IN (SELECT submission_id FROM withdrawals)
) WHERE rn = 1;
"""

# On PostgreSQL only (kpis.store.server.create_schema): the ranges each import's refresh and the pages'
# filters send to the server find their rows by index there. A DuckDB file needs none: it skips row
# groups by their min/max, and an index would only slow its writes.
SERVER_INDEXES = """
CREATE INDEX IF NOT EXISTS submission_values_submission ON submission_values (submission_id);
CREATE INDEX IF NOT EXISTS submission_values_unit_year ON submission_values (unit_id, year);
CREATE INDEX IF NOT EXISTS unit_year_values_key ON unit_year_values (unit_id, year, indicator);
CREATE INDEX IF NOT EXISTS commune_year_values_key ON commune_year_values (commune_id, year, indicator);
CREATE INDEX IF NOT EXISTS commune_quarter_values_key ON commune_quarter_values (commune_id, year, indicator);
"""

# A unit's figures in the order that decides which one counts: the latest quarter, then the latest version.
_AS_OF = "v.quarter::BIGINT * 4294967296 + v.submission_id"

# Recompute unit_year_values for the (unit_id, year, indicator) keys that {keys} selects; {prune} is
# "" or "AND …" on v's plain columns: a superset of the keys that a scan can skip by (kpis.store.writes).
UNIT_YEAR_FILL = f"""
INSERT INTO unit_year_values
SELECT v.unit_id, v.year, v.indicator,
       max(v.quarter),
       arg_max(v.numerator, {_AS_OF}),
       arg_max(v.denominator, {_AS_OF})
FROM submission_values v
SEMI JOIN ({{keys}}) k ON k.unit_id = v.unit_id AND k.year = v.year AND k.indicator = v.indicator
WHERE v.submission_id NOT IN (SELECT submission_id FROM withdrawals) {{prune}}
GROUP BY v.unit_id, v.year, v.indicator
"""

# Recompute commune_year_values for the (commune_id, year, indicator) keys that {keys} selects, from
# unit_year_values (already current for them): sums of counts, never of rates. {prune}: as above, on y.
COMMUNE_YEAR_FILL = """
INSERT INTO commune_year_values
SELECT u.commune_id, y.year, y.indicator, sum(y.numerator)::BIGINT, sum(y.denominator)::BIGINT, count(*)::INTEGER
FROM unit_year_values y
JOIN units u ON u.id = y.unit_id
SEMI JOIN ({keys}) k ON k.commune_id = u.commune_id AND k.year = y.year AND k.indicator = y.indicator
WHERE true {prune}
GROUP BY u.commune_id, y.year, y.indicator
"""

# Recompute commune_quarter_values for the (commune_id, year, indicator) keys that {keys} selects, from history:
# per unit, its figure as of each quarter (the latest quarter up to it, the latest live version in that quarter:
# UNIT_YEAR_FILL's order), summed per commune, one row per quarter from the first the commune has a figure in.
# {prune}: as above, on v.
COMMUNE_QUARTER_FILL = (
    """
INSERT INTO commune_quarter_values
WITH unit_at AS (
    SELECT u.commune_id, v.unit_id, v.year, v.indicator, """
    + ", ".join(
        f"arg_max(v.numerator, {_AS_OF}) FILTER (WHERE v.quarter <= {q}) AS n{q},"
        f" arg_max(v.denominator, {_AS_OF}) FILTER (WHERE v.quarter <= {q}) AS d{q}, bool_or(v.quarter = {q}) AS r{q}"
        for q in (1, 2, 3, 4)
    )
    + """
    FROM submission_values v
    JOIN units u ON u.id = v.unit_id
    SEMI JOIN ({keys}) k ON k.commune_id = u.commune_id AND k.year = v.year AND k.indicator = v.indicator
    WHERE v.submission_id NOT IN (SELECT submission_id FROM withdrawals) {prune}
    GROUP BY u.commune_id, v.unit_id, v.year, v.indicator
),
commune_at AS (
    SELECT commune_id, year, indicator, """
    + ", ".join(f"sum(n{q})::BIGINT AS n{q}, sum(d{q})::BIGINT AS d{q}, bool_or(r{q}) AS r{q}" for q in (1, 2, 3, 4))
    + """
    FROM unit_at GROUP BY commune_id, year, indicator
)
SELECT a.commune_id, a.year, q.quarter, a.indicator,
       [a.n1, a.n2, a.n3, a.n4][q.quarter], [a.d1, a.d2, a.d3, a.d4][q.quarter], [a.r1, a.r2, a.r3, a.r4][q.quarter]
FROM commune_at a, (SELECT unnest([1, 2, 3, 4]) AS quarter) q
WHERE [a.d1, a.d2, a.d3, a.d4][q.quarter] IS NOT NULL
"""
)
