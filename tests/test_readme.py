"""The README's two commands are the ones CI and a newcomer actually run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_the_readme_test_command() -> None:
    readme = _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    test_command = readme[1]
    assert test_command.endswith("-m pytest")
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert test_command in ci_lines
    assert "-r requirements-dev.txt" in test_command and "lint-imports" in test_command and "mypy" in test_command


def test_dev_requirements_add_to_the_runtime_ones() -> None:
    """The runtime file is what a server needs; the dev file pulls it in and adds the test and check tools."""
    runtime = (ROOT / "requirements.txt").read_text(encoding="utf-8").split()
    dev = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
    assert "-r requirements.txt" in dev
    assert not any(name.startswith(("pytest", "playwright", "mypy", "ruff", "hypothesis")) for name in runtime)


def test_readme_first_command_starts_the_dashboard() -> None:
    first = _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))[0]
    assert first.endswith("streamlit run dashboard.py")
    assert "pip install -r requirements.txt" in first
