"""Every limit of the product, declared once with the reason for it (as datasette declares its settings).

Modules import the constants below; nothing else writes these numbers. tests/core/test_settings.py
checks that .streamlit/config.toml and the README say the same. Two limits can be set per
deployment through the environment (the parsing child's memory and time, argon2's memory): read them with
Setting.current(), at call time.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass

from kpis.core.errors import KpisError

MB = 1024 * 1024


@dataclass(frozen=True)
class Setting:
    """One limit: its value, the unit it is stated in, why it is what it is, and the variable that overrides it."""

    name: str
    default: int | float
    unit: str
    help: str
    env: str | None = None

    def current(self) -> float:
        """The value in force: the environment variable when set (a deployment's choice), else the default.

        A value that is not a positive number is refused by name (SettingError), not read as something else."""
        raw = os.environ.get(self.env, "").strip() if self.env else ""
        if not raw:
            return float(self.default)
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            raise SettingError("setting_not_a_number", variable=self.env, value=raw[:40], unit=self.unit)
        return value


class SettingError(KpisError):
    """An environment variable of a setting holds something that is not a positive number."""


def _declare(*settings: Setting) -> dict[str, Setting]:
    return {s.name: s for s in settings}


SETTINGS = _declare(
    # --- an upload -------------------------------------------------------------------------
    Setting("upload_mb", 10, "MB", "Largest file accepted; also Streamlit's server.maxUploadSize (.streamlit/config.toml)."),
    Setting(
        "inflated_mb", 100, "MB", "Largest size a workbook may decompress to (a 20,000-row workbook inflates to about 10 MB)."
    ),
    Setting("data_rows", 50_000, "rows", "Most data rows in one file; counted while inflating, before they are read."),
    Setting("header_scan", 30, "rows", "Rows searched for the header: title rows above it are normal in hand-made sheets."),
    Setting(
        "sheet_columns", 256, "columns", "Widest sheet read: as many as an old .xls can hold; the widest real form has about 30."
    ),
    Setting(
        "sheet_cells",
        5_000_000,
        "cells",
        "Most rows x columns of a sheet's grid (100,000 rows of 50 columns): the parser allocates it all.",
    ),
    Setting(
        "max_count",
        1_000_000_000,
        "",
        "Largest count accepted: ten times Vietnam's people. A bigger one is a typing or formula slip, "
        "stopped here as a named problem before a number past 64 bits reaches DuckDB's BIGINT columns.",
    ),
    Setting("year_min", 2024, "", "First reporting year: Resolution 57-NQ/TW is of 22/12/2024."),
    Setting("year_max", 2035, "", "Last reporting year; catalog target years and the template's dropdown use the same range."),
    Setting(
        "jump_points",
        20,
        "percentage points",
        "An upload's rate that moves this far from the unit's previous quarter is flagged in the preview (not refused):"
        " stocks rarely move so much in a quarter, a slip of a digit does.",
    ),
    Setting("name_chars", 255, "characters", "A file name as recorded and shown; longer ones are cut in the middle."),
    # --- the parsing child (kpis.intake.sandbox) --------------------------------------------------
    Setting(
        "parser_memory_mb",
        1536,
        "MB",
        "Address-space limit of a parsing child: a 50,000-row workbook parses under 100 MB (60 MB aborts); a 15x margin.",
        env="KPIS_PARSER_MEMORY_MB",
    ),
    Setting("parser_timeout_s", 30.0, "s", "Wall-clock limit of a parsing child.", env="KPIS_PARSER_TIMEOUT_S"),
    # --- signing in -------------------------------------------------------------------------------
    Setting("lock_after", 5, "failures", "Failed sign-ins within the lock window that lock the account for the rest of it."),
    Setting(
        "lock_minutes",
        15,
        "minutes",
        "The lock window: long enough to make guessing slow, short enough that a person who mistyped waits little.",
    ),
    Setting("max_username", 64, "characters", "Longest username (the username pattern allows no longer); the form's max_chars."),
    Setting(
        "max_password",
        256,
        "characters",
        "Longest password; longer is refused before hashing (argon2 over a megabyte is CPU for an attacker).",
    ),
    Setting(
        "password_memory_kib",
        65_536,
        "KiB",
        "Memory argon2id spends on each password hash (argon2-cffi's default, RFC 9106's second choice): what makes"
        " guessing a stolen hash slow. A hash made with another figure is renewed at its next sign-in; only the"
        " tests set it lower, and never below 1,024.",
        env="KPIS_PASSWORD_MEMORY_KIB",
    ),
    # --- a sheet of accounts (kpis.people.account_sheet) ------------------------------------------
    Setting("account_sheet_mb", 5, "MB", "Largest sheet of accounts: 5,000 officers take about 200 KB; the rest is a mistake."),
    Setting(
        "account_sheet_inflated_mb",
        25,
        "MB",
        "Largest size a sheet of accounts may decompress to: read without the parsing child, so kept small.",
    ),
    Setting(
        "account_sheet_rows",
        5_000,
        "rows",
        "Most accounts in one sheet: every commune of a large province several times over (argon2 costs ~0.2 s each).",
    ),
)


def _int(name: str) -> int:
    return int(SETTINGS[name].default)


MAX_FILE_BYTES = _int("upload_mb") * MB
MAX_INFLATED_BYTES = _int("inflated_mb") * MB
MAX_ROWS = _int("data_rows")
MAX_HEADER_SCAN = _int("header_scan")
MAX_COLUMNS = _int("sheet_columns")
MAX_CELLS = _int("sheet_cells")


def sheet_rows(max_rows: int = MAX_ROWS) -> int:
    """Rows a sheet's cells may reach: blank rows are allowed, within reason (twice the data rows and the header scan)."""
    return max_rows * 2 + MAX_HEADER_SCAN


SHEET_ROWS = sheet_rows()  # 100,030
MAX_COUNT = _int("max_count")
YEAR_MIN = _int("year_min")
YEAR_MAX = _int("year_max")
MAX_NAME_CHARS = _int("name_chars")
JUMP_POINTS = _int("jump_points")
PARSER_MEMORY = SETTINGS["parser_memory_mb"]
PARSER_TIMEOUT = SETTINGS["parser_timeout_s"]
LOCK_AFTER = _int("lock_after")
LOCK_WINDOW = dt.timedelta(minutes=_int("lock_minutes"))
MAX_USERNAME = _int("max_username")
MAX_PASSWORD = _int("max_password")
PASSWORD_MEMORY = SETTINGS["password_memory_kib"]
MAX_ACCOUNT_SHEET_BYTES = _int("account_sheet_mb") * MB
MAX_ACCOUNT_SHEET_INFLATED = _int("account_sheet_inflated_mb") * MB
MAX_ACCOUNT_ROWS = _int("account_sheet_rows")
