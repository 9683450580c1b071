"""The lookup of user-facing strings, and number and date formatting.

Every user-facing string lives once per language in a message catalog, kpis/core/locales/<code>.toml,
keyed by a stable code: ``key = "text"``, where ``{name}`` is a placeholder the code fills in. Vietnamese
(vi.toml) is the default. Keys that start with ``_`` describe the language itself: ``_language_name`` (shown
in the language switch, in that language) and ``_locale`` (the babel locale for numbers and dates).

To add a string: add ``key = "..."`` to every file in locales/, under the section comment of its feature,
with the same placeholders in each, and use it as ``t("key", lang)`` with a literal key (tests/core/test_i18n.py
finds the keys in the code with ast, so a key built with an f-string or ``+`` fails it). For a value set
(roles, statuses), write a dict of literal keys next to where the values are defined.
To add a language: copy en.toml to <code>.toml, translate the values and ``_language_name``, set ``_locale``.

``t()`` on an unknown key, or with a placeholder left unfilled, raises KeyError when the environment variable
KPIS_STRICT_I18N is "1" (tests/conftest.py sets it) and otherwise shows the key (or the bare placeholder),
so a slip shows up as odd text rather than a crashed page.
"""

from __future__ import annotations

import os
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal, format_percent

Lang = str  # a catalog's code, one of LANGS; a plain str because the set is whatever files exist
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LANG: Lang = "vi"
STRICT_ENV = "KPIS_STRICT_I18N"
META = ("_language_name", "_locale")


@dataclass(frozen=True)
class Catalog:
    """One language file: its code (the file's stem), display name, babel locale and strings in file order."""

    lang: Lang
    name: str
    locale: str
    strings: dict[str, str]


class CatalogFileError(ValueError):
    """A locales/*.toml file that cannot be used; the message names the file."""


def load_catalog(path: Path) -> Catalog:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise CatalogFileError(f"{path}: {e}") from e
    for key, value in data.items():
        if not isinstance(value, str):
            raise CatalogFileError(f"{path.name}: {key} is not a string (a [table] header makes the keys below it a table)")
    missing = [m for m in META if not data.get(m)]
    if missing:
        raise CatalogFileError(f"{path.name}: missing {', '.join(missing)}")
    strings = {k: v for k, v in data.items() if not k.startswith("_")}
    return Catalog(path.stem, data["_language_name"], data["_locale"], strings)


def load_catalogs(directory: Path = LOCALES_DIR) -> dict[Lang, Catalog]:
    """Every <code>.toml in directory: the default language first, then by code."""
    catalogs = {p.stem: load_catalog(p) for p in sorted(directory.glob("*.toml"))}
    if not catalogs:
        raise CatalogFileError(f"{directory}: no language files (*.toml)")
    return dict(sorted(catalogs.items(), key=lambda item: (item[0] != DEFAULT_LANG, item[0])))


CATALOGS = load_catalogs()
LANGS: tuple[Lang, ...] = tuple(CATALOGS)
LANGUAGE_NAMES: dict[Lang, str] = {lang: c.name for lang, c in CATALOGS.items()}


def strict() -> bool:
    """Unknown keys and unfilled placeholders raise (under test) instead of showing the key."""
    return os.environ.get(STRICT_ENV) == "1"


class _Lenient(dict[str, Any]):
    """format_map parameters that leave an unfilled placeholder as {name} (production only)."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def placeholders(text: str) -> set[str]:
    """The {names} a string expects: 'Row {row}: {message}' -> {'row', 'message'}."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def _catalog(lang: Lang) -> Catalog:
    found = CATALOGS.get(lang)
    if found is None:
        if strict():
            raise KeyError(f"no language file {lang}.toml in {LOCALES_DIR}")
        return CATALOGS[DEFAULT_LANG]
    return found


def t(key: str, lang: Lang = DEFAULT_LANG, **params: Any) -> str:
    """The string for key in lang, with params filled in; the key itself if unknown (KeyError when strict)."""
    catalog = _catalog(lang)
    text = catalog.strings.get(key)
    if text is None:
        if strict():
            raise KeyError(f"no string {key!r} in {catalog.lang}.toml")
        return key
    if strict():
        try:
            return text.format(**params)
        except KeyError as e:
            raise KeyError(f"{catalog.lang}.toml {key!r} needs the parameter {e.args[0]!r}") from e
    return text.format_map(_Lenient(params))


def tn(keys: tuple[str, str], count: int, lang: Lang = DEFAULT_LANG, **params: Any) -> str:
    """t() for a sentence about count things: keys are (for one, for more), so '1 commune', not '1 communes'."""
    return t(keys[0] if count == 1 else keys[1], lang, count=fmt_int(count, lang), **params)


def locale_of(lang: Lang) -> str:
    """The babel locale of a language: vi -> vi_VN."""
    return _catalog(lang).locale


def problem_message(code: str, params: dict[str, Any], lang: Lang = DEFAULT_LANG) -> str:
    """A problem's text: 'suggest' (names) becomes ' Did you mean: ...?', an int 'limit' is formatted as a number."""
    params = dict(params)
    suggest = params.get("suggest", "")
    params["suggest"] = t("did_you_mean", lang, names=suggest) if suggest else ""
    if isinstance(params.get("limit"), int):
        params["limit"] = fmt_int(params["limit"], lang)
    return t(code, lang, **params)


def format_problem(row: int | None, column: str | None, code: str, params: dict[str, Any], lang: Lang = DEFAULT_LANG) -> str:
    message = problem_message(code, params, lang)
    if row is not None and column:
        return t("problem_at", lang, row=row, column=column, message=message)
    if row is not None:
        return t("problem_at_row", lang, row=row, message=message)
    return message


def fmt_pct(value: float | None, lang: Lang = DEFAULT_LANG, digits: int = 1) -> str:
    """36.666 -> '36,7 %' (vi) or '36.7%' (en); value is on the 0-100 scale."""
    if value is None or value != value:
        return "–"
    return _percent_text(value, lang, digits)


@lru_cache(maxsize=1 << 16)
def _percent_text(value: float, lang: Lang, digits: int) -> str:  # equal values format alike, whatever their type
    """fmt_pct's text, once per value: every render of a board writes the same few hundred figures again,
    and babel takes a hundred times longer than a lookup."""
    pattern = t("pattern_percent", lang, decimals="." + "0" * digits if digits else "")
    return format_percent(value / 100, pattern, locale=locale_of(lang))


def fmt_int(value: float | int | None, lang: Lang = DEFAULT_LANG) -> str:
    if value is None or value != value:
        return "–"
    return format_decimal(int(value), "#,##0", locale=locale_of(lang))


STATUS_LABELS = {
    "met": "status_met",
    "on_track": "status_on_track",
    "behind": "status_behind",
    "no_target": "status_no_target",
    "no_data": "status_no_data",
}  # the statuses of kpis.figures.progress.STATUSES, and the charts' no_data


def status_label(status: str, lang: Lang = DEFAULT_LANG) -> str:
    return t(STATUS_LABELS[status], lang)
