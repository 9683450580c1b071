"""The limits are declared once (kpis.core.settings); Streamlit's config and the README say the same."""

from __future__ import annotations

import re
import tomllib

import pytest

from kpis.core import settings
from kpis.core.settings import MB, SETTINGS, SettingError
from kpis.intake import limits, sandbox
from kpis.people import accounts
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
WORDS = {3: "three", 5: "five", 10: "ten"}  # the README writes small numbers in words
LOCK_MINUTES = int(settings.LOCK_WINDOW.total_seconds() // 60)


def grouped(n: int) -> str:
    return f"{n:,}"


def test_streamlit_upload_limit_is_the_settings_one():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == SETTINGS["upload_mb"].default
    assert config["server"]["maxUploadSize"] * MB == settings.MAX_FILE_BYTES


def readme_says(pattern: str) -> bool:
    return re.search(pattern, README) is not None


@pytest.mark.parametrize(
    "pattern",
    [
        rf"\b{SETTINGS['upload_mb'].default} MB per file\b",
        rf"\b{SETTINGS['inflated_mb'].default} MB once a workbook is decompressed\b",
        rf"\b{grouped(settings.MAX_ROWS)} data rows\b",
        rf"\b{settings.MAX_COLUMNS} columns\b",
        rf"\b{grouped(settings.SHEET_ROWS)} rows\b",
        rf"\b{SETTINGS['parser_timeout_s'].default:g} s time limit\b",
        rf"`{SETTINGS['parser_memory_mb'].env}`",
        rf"`{SETTINGS['parser_timeout_s'].env}`",
        rf"\babove {grouped(settings.MAX_COUNT)} are refused\b",
        rf"\b{settings.YEAR_MIN}–{settings.YEAR_MAX}\b",
        rf"\b({settings.LOCK_AFTER}|{WORDS[settings.LOCK_AFTER]}) failed sign-ins within {LOCK_MINUTES} minutes\b",
    ],
)
def test_the_readme_states_each_limit(pattern):
    assert readme_says(pattern), f"README.md does not say {pattern!r}"


def test_the_readme_states_the_parser_memory_limit():
    """The README says 1.5 GB for 1536 MB."""
    gb = SETTINGS["parser_memory_mb"].default / 1024
    assert readme_says(rf"\b{gb:g} GB\s+memory limit\b")


def test_every_setting_says_why():
    for s in SETTINGS.values():
        assert s.help.strip().endswith(".") and len(s.help) > 20, s.name


def test_the_modules_use_the_settings_values():
    """Imported, not re-declared: the names the rest of the code (and tests) use are the settings' values."""
    assert (limits.MAX_FILE_BYTES, limits.MAX_INFLATED_BYTES, limits.MAX_ROWS) == (10 * MB, 100 * MB, 50_000)
    assert limits.row_budget() == settings.SHEET_ROWS == 100_030
    assert (limits.MAX_COLUMNS, limits.MAX_CELLS) == (256, 5_000_000)
    assert (accounts.LOCK_AFTER, accounts.LOCK_WINDOW.total_seconds()) == (5, 15 * 60)
    assert (accounts.MAX_USERNAME, accounts.MAX_PASSWORD) == (64, 256)
    assert accounts.USERNAME_RE.match("a" * accounts.MAX_USERNAME) and not accounts.USERNAME_RE.match("a" * 65)


def test_the_parser_limits_follow_the_environment(monkeypatch):
    monkeypatch.delenv(sandbox.MEMORY_ENV, raising=False)
    monkeypatch.delenv(sandbox.TIMEOUT_ENV, raising=False)
    assert (sandbox.memory_limit_bytes(), sandbox.timeout_seconds()) == (1536 * MB, 30.0)
    monkeypatch.setenv("KPIS_PARSER_MEMORY_MB", "512")
    monkeypatch.setenv("KPIS_PARSER_TIMEOUT_S", "7.5")
    assert (sandbox.memory_limit_bytes(), sandbox.timeout_seconds()) == (512 * MB, 7.5)


@pytest.mark.parametrize("raw", ["abc", "0", "-5", "nan", "inf", "1e400"])
def test_a_variable_that_is_not_a_positive_number_is_refused_by_name(monkeypatch, raw):
    """A careless operator's KPIS_PASSWORD_MEMORY_KIB=abc is named, in both languages, not a traceback at sign-in."""
    monkeypatch.setenv("KPIS_PASSWORD_MEMORY_KIB", raw)
    with pytest.raises(SettingError) as e:
        SETTINGS["password_memory_kib"].current()
    assert e.value.message("en").startswith("The environment variable KPIS_PASSWORD_MEMORY_KIB is «")
    assert "KPIS_PASSWORD_MEMORY_KIB" in e.value.message("vi")
    monkeypatch.setenv("KPIS_PASSWORD_MEMORY_KIB", " ")
    assert SETTINGS["password_memory_kib"].current() == 65_536  # blank: the default
