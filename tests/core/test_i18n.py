"""The message catalogs (kpis/core/locales/*.toml) and their lookup: complete, consistent, used, extensible."""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kpis.core import i18n
from kpis.core.i18n import CatalogFileError, fmt_int, fmt_pct, load_catalogs, placeholders, problem_message, t
from kpis.core.periods import fmt_date, fmt_day_month

ROOT = Path(__file__).resolve().parents[2]
CODE = [*sorted((ROOT / "kpis").rglob("*.py")), *sorted((ROOT / "app_pages").glob("*.py")), ROOT / "dashboard.py"]
CATALOGS = load_catalogs()
DEFAULT = CATALOGS[i18n.DEFAULT_LANG]

# Where a call takes a string key: function name -> the position of the key among its arguments.
KEY_ARGUMENT = {"t": 0, "tx": 0, "problem_message": 0, "format_problem": 2, "Problem": 2, "problem": 1, "plan_problem": 3}
# KpisError subclasses raised as Error(code, **params); a test below checks the list is complete
CODED_ERRORS = (
    "KpisError", "IngestError", "ParseError", "AccountError", "TemplateError", "MeetingError", "RegistryUpdateRefused",
    "PlanRefused", "SettingError",
)  # fmt: skip
# Keys whose parameters offer a choice (a quarter as a roman numeral or a digit): kpis.core.periods passes all of them.
CHOICES = {"quarter_label": {"roman", "quarter", "year"}, "quarter_in_sentence": {"roman", "quarter", "year"}}
KEY_TABLE = re.compile(r"^[A-Z_]+_(LABELS|TITLES|KEYS)$")  # module dicts whose values are keys, e.g. ROLE_LABELS


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literals(node: ast.expr) -> Iterator[str]:
    """The string literals an argument can be: 'a', or 'a' if x else 'b'."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def _table_values(node: ast.expr) -> Iterator[str]:
    """The values of a {value: key} table, nested tables included (the dict keys are the value set, not string keys)."""
    if isinstance(node, ast.Dict):
        for value in node.values:
            yield from _table_values(value)
    else:
        yield from _literals(node)


def used_keys() -> dict[str, list[str]]:
    """Every literal key the code asks for, with where: t("..."), coded errors, Problem codes, *_LABELS tables."""
    found: dict[str, list[str]] = {}
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            keys: list[str] = []
            if isinstance(node, ast.Call):
                name = _name(node.func)
                position = KEY_ARGUMENT.get(name or "", 0 if name in CODED_ERRORS else None)
                if position is not None and len(node.args) > position:
                    keys += _literals(node.args[position])
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(x, ast.Name) and KEY_TABLE.match(x.id) for x in targets) and node.value is not None:
                    keys += _table_values(node.value)
            for key in keys:
                found.setdefault(key, []).append(f"{where}:{node.lineno}")
    return found


def code_constants() -> set[str]:
    """Every string constant in the code: a key is in use if the code names it anywhere, even in a column table."""
    return {
        node.value
        for path in CODE
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_the_default_language_comes_first_and_names_itself() -> None:
    assert i18n.LANGS[0] == "vi" and set(i18n.LANGS) == {"vi", "en"}
    assert i18n.LANGUAGE_NAMES == {"vi": "Tiếng Việt", "en": "English"}
    assert {c.locale for c in CATALOGS.values()} == {"vi_VN", "en_US"}


@pytest.mark.parametrize("lang", [lang for lang in CATALOGS if lang != i18n.DEFAULT_LANG])
def test_every_language_has_every_key_in_the_same_order_with_the_same_placeholders(lang: str) -> None:
    other = CATALOGS[lang]
    assert list(other.strings) == list(DEFAULT.strings), f"{lang}.toml: keys differ from vi.toml (or their order)"
    differ = {k: (placeholders(v), placeholders(other.strings[k])) for k, v in DEFAULT.strings.items() if k not in CHOICES}
    assert {k: pair for k, pair in differ.items() if pair[0] != pair[1]} == {}
    for key, offered in CHOICES.items():  # each language picks among what the code passes
        assert placeholders(DEFAULT.strings[key]) <= offered and placeholders(other.strings[key]) <= offered, key


@pytest.mark.parametrize("lang", list(CATALOGS))
def test_no_string_is_empty(lang: str) -> None:
    assert [k for k, v in CATALOGS[lang].strings.items() if not v.strip()] == []


def test_every_key_the_code_uses_exists() -> None:
    used = used_keys()
    assert len(used) > 300, "the extractor found too few keys; did the call names change?"
    missing = {key: where for key, where in used.items() if key not in DEFAULT.strings}
    assert missing == {}


def test_every_key_is_used_by_the_code() -> None:
    constants = code_constants()
    assert [key for key in DEFAULT.strings if key not in constants] == []


def test_no_key_is_built_where_an_extractor_cannot_see_it() -> None:
    """t(f"role_{x}") or t("role_" + x): the key must be a literal (or come from a *_LABELS table of literals)."""
    built = []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            position = KEY_ARGUMENT.get(_name(node.func) or "") if isinstance(node, ast.Call) else None
            if isinstance(node, ast.Call) and position is not None and len(node.args) > position:
                arg = node.args[position]
                if isinstance(arg, ast.JoinedStr | ast.BinOp):
                    built.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(arg)}")
    assert built == []


def test_a_third_language_is_one_new_file(tmp_path: Path) -> None:
    for path in i18n.LOCALES_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    english = (i18n.LOCALES_DIR / "en.toml").read_text(encoding="utf-8")
    (tmp_path / "xx.toml").write_text(english.replace('_language_name = "English"', '_language_name = "Xx-speak"'), "utf-8")
    catalogs = load_catalogs(tmp_path)
    assert list(catalogs) == ["vi", "en", "xx"]
    assert catalogs["xx"].name == "Xx-speak" and catalogs["xx"].locale == "en_US"
    assert catalogs["xx"].strings == catalogs["en"].strings


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('_locale = "en_US"\nhello = "Hello"\n', "missing _language_name"),
        ('_language_name = "X"\n_locale = "en_US"\n[more]\nhello = "Hello"\n', "more is not a string"),
        ('_language_name = "X"\nhello = "Hello\n', "xx.toml"),
    ],
)
def test_a_broken_language_file_is_named(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "xx.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogFileError, match=re.escape(problem)):
        load_catalogs(tmp_path)


def test_strict_mode_is_on_under_test() -> None:
    assert i18n.strict()
    with pytest.raises(KeyError, match="no_such_key"):
        t("no_such_key")
    with pytest.raises(KeyError, match="'row'"):
        t("problem_at_row", "en", message="m")
    with pytest.raises(KeyError, match="xx.toml"):
        t("page_overview", "xx")


def test_production_shows_the_key_instead_of_crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(i18n.STRICT_ENV)
    assert t("no_such_key", "en") == "no_such_key"
    assert t("problem_at_row", "en", message="m") == "Row {row}: m"
    assert t("page_overview", "xx") == t("page_overview", "vi") == "Tổng quan"


def test_problem_messages_fill_suggestions_and_limits_per_language() -> None:
    params = {"value": "Dien Bien", "suggest": "Điện Biên"}
    vi, en = problem_message("province_unknown", params, "vi"), problem_message("province_unknown", params, "en")
    assert vi == "Không tìm thấy tỉnh «Dien Bien» trong danh mục. Có phải là: Điện Biên?"
    assert en == "Province 'Dien Bien' is not in the registry. Did you mean: Điện Biên?"
    assert problem_message("province_unknown", {"value": "X", "suggest": ""}, "en") == "Province 'X' is not in the registry."
    too_large = {"value": "1e20", "limit": 1_000_000_000}
    assert "(tối đa 1.000.000.000)" in problem_message("count_too_large", too_large, "vi")
    assert "(at most 1,000,000,000)" in problem_message("count_too_large", too_large, "en")


@pytest.mark.parametrize(
    ("value", "digits", "vi", "en"),
    [(36.666, 1, "36,7 %", "36.7%"), (50, 0, "50 %", "50%"), (1234.5, 2, "1.234,50 %", "1,234.50%"), (None, 1, "–", "–")],
)
def test_percentages(value: float | None, digits: int, vi: str, en: str) -> None:
    assert (fmt_pct(value, "vi", digits), fmt_pct(value, "en", digits)) == (vi, en)


def test_counts() -> None:
    assert (fmt_int(1234567, "vi"), fmt_int(1234567, "en"), fmt_int(None)) == ("1.234.567", "1,234,567", "–")


@pytest.mark.parametrize(
    ("day", "vi", "en", "vi_short", "en_short"),
    [
        (dt.date(2026, 6, 10), "10/06/2026", "10 Jun 2026", "10/06", "10 Jun"),
        (dt.date(2025, 1, 5), "05/01/2025", "5 Jan 2025", "05/01", "5 Jan"),
        (dt.date(2025, 9, 30), "30/09/2025", "30 Sep 2025", "30/09", "30 Sep"),
        (dt.datetime(2025, 12, 31, 23, 59), "31/12/2025", "31 Dec 2025", "31/12", "31 Dec"),
    ],
)
def test_dates_through_babel(day: dt.date, vi: str, en: str, vi_short: str, en_short: str) -> None:
    assert (fmt_date(day, "vi"), fmt_date(day, "en")) == (vi, en)
    assert (fmt_day_month(day, "vi"), fmt_day_month(day, "en")) == (vi_short, en_short)


def test_no_date_is_a_dash() -> None:
    import pandas as pd

    assert fmt_date(None, "vi") == fmt_date(pd.NaT, "en") == "–"


def test_every_coded_error_class_is_scanned() -> None:
    """A new KpisError subclass raised with a code must be in CODED_ERRORS, or its keys go unchecked."""
    coded = set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(_name(b) in CODED_ERRORS for b in node.bases):
                has_text_code = any(
                    isinstance(item, ast.AnnAssign | ast.Assign) and "text_code" in ast.unparse(item) for item in node.body
                )
                if not has_text_code:
                    coded.add(node.name)
    assert coded <= set(CODED_ERRORS), sorted(coded - set(CODED_ERRORS))


def test_a_coded_error_passes_every_placeholder_of_its_message() -> None:
    """At each raise with a literal code and named params, the params fill the message ({suggest} is optional)."""
    short = []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and _name(node.func) in CODED_ERRORS and node.args):
                continue
            if any(k.arg is None for k in node.keywords):
                continue  # **params: filled elsewhere
            given = {k.arg for k in node.keywords}
            for code in _literals(node.args[0]):
                missing = placeholders(DEFAULT.strings[code]) - given - {"suggest"}
                if missing:
                    short.append(f"{path.relative_to(ROOT)}:{node.lineno} {code} lacks {sorted(missing)}")
    assert short == []
