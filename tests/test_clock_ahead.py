"""The date-sensitive tests pass a year from now: run them under Debian's faketime, one year ahead.

The demo stands for a day of its own and the other tests pin their dates; this proves it on every
CI run instead of once by hand. Without faketime the test is skipped, except in CI, which installs it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

FAKETIME = shutil.which("faketime")
# Everything that reads "today": the demo's own day, the audit window, compliance and tasks as of a
# day, every page on the demo and on an empty database, the command line's reports.
DATED_TESTS = [
    "tests/store/test_reference_day.py",
    "tests/figures/test_compliance.py",
    "tests/followup/test_tasks.py",
    "tests/app_pages/test_accounts_pages.py",
    "tests/app_pages/test_compliance_tasks_pages.py",
    "tests/app_pages/test_pages.py",
    "tests/core/test_csv_safe.py",
]


@pytest.mark.skipif(FAKETIME is None and not os.environ.get("CI"), reason="no faketime: apt-get install faketime")
def test_dated_tests_pass_a_year_from_now() -> None:
    assert FAKETIME is not None, "CI installs faketime (.ci/run)"
    probe = subprocess.run(
        [FAKETIME, "-f", "+365d", sys.executable, "-c", "import datetime; print(datetime.date.today())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert dt.date.fromisoformat(probe.stdout.strip()) - dt.date.today() >= dt.timedelta(days=364)
    run = subprocess.run(
        [FAKETIME, "-f", "+365d", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *DATED_TESTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
