"""An indicator named in words, as a form's header or a "Chỉ tiêu" cell writes it -> its code, or the candidates.

Forms name indicators as the plans write them, shortened ("Người dân được tiếp cận thông tin"), or in the
abbreviations offices use ("CBCCVC được phổ biến NQ57"). Exact names and codes are found first; then the
words: a text names an indicator when nearly all of its words are among that indicator's words (every label
of the catalog, in both languages, plus its words_vi). Exactly one best fit is the answer; two equally good
fits are refused with both named, because a guess would put figures under the wrong indicator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kpis.catalog.model import Catalog
from kpis.core.text import fold

# Abbreviations of commune offices, folded -> the words they stand for (folded).
ABBREVIATIONS: dict[str, str] = {
    "cbccvc": "can bo cong chuc vien chuc",
    "cbcc": "can bo cong chuc",
    "ccvc": "cong chuc vien chuc",
    "cb": "can bo",
    "kh&cn": "khoa hoc cong nghe",
    "khcn": "khoa hoc cong nghe",
    "kh": "khoa hoc",
    "cn": "cong nghe",
    "dmst": "doi moi sang tao",
    "cds": "chuyen doi so",
    "ttcs": "thong tin co so",
    "ubnd": "uy ban nhan dan",
    "nd": "nguoi dan",
}
# Words every indicator of the programme shares, or that say nothing about which one is meant.
STOP_WORDS = frozenset(
    "ty le so % ve cua va cac cho tai qua tren trong voi la nhung duoc da nghi quyet nq nq57 57 57-nq/tw tw "
    "nq-tw (%) the share of and on in to by a an about".split()
)
FIT = 0.75  # the share of a text's words that must be an indicator's words


@dataclass(frozen=True)
class IndicatorMatch:
    code: str | None
    candidates: tuple[str, ...] = ()  # two or more codes that fit equally well: the text is ambiguous
    nearest: tuple[str, ...] = ()  # when nothing fits: the codes that share most words, for a suggestion


def _words(text: str) -> list[str]:
    folded = fold(text)
    out: list[str] = []
    for token in re.split(r"[\s,;:()\[\]/.\-–]+", folded):
        if not token:
            continue
        expanded = ABBREVIATIONS.get(token)
        out.extend(expanded.split() if expanded else [token])
    return [w for w in out if w not in STOP_WORDS and not w.isdigit()]


_Index = tuple[dict[str, str], dict[str, frozenset[str]]]
_cache: dict[int, tuple[object, _Index]] = {}  # id(catalog.indicators) -> (it, its index): a catalog is not hashable


def _index(catalog: Catalog) -> _Index:
    held = _cache.get(id(catalog.indicators))
    if held is not None and held[0] is catalog.indicators:
        return held[1]
    if len(_cache) > 8:
        _cache.clear()
    _cache[id(catalog.indicators)] = (catalog.indicators, built := _build(catalog))
    return built


def _build(catalog: Catalog) -> _Index:
    exact: dict[str, str] = {}
    words: dict[str, frozenset[str]] = {}
    for code, ind in catalog.indicators.items():
        labels = (code, ind.name_vi, ind.name_en, ind.short_vi, ind.short_en, *ind.words_vi)
        for label in labels:
            exact[fold(label)] = code
        more = (ind.numerator_vi, ind.numerator_en, ind.denominator_vi, ind.denominator_en)
        words[code] = frozenset(w for label in (*labels, *more) for w in _words(label))
    return exact, words


def match_indicator(catalog: Catalog, text: str) -> IndicatorMatch:
    """The indicator a text names: by code or exact name, else by its words (see the module's docstring)."""
    exact, words = _index(catalog)
    if (code := exact.get(fold(text))) is not None:
        return IndicatorMatch(code)
    typed = set(_words(text))
    if not typed:
        return IndicatorMatch(None)
    scores = {c: len(typed & w) / len(typed) for c, w in words.items()}
    best = max(scores.values())
    top = tuple(c for c, s in scores.items() if s == best)
    if best < FIT:
        nearest = tuple(c for c, s in sorted(scores.items(), key=lambda cs: -cs[1]) if s > 0)[:3]
        return IndicatorMatch(None, nearest=nearest)
    if len(top) > 1:
        return IndicatorMatch(None, top)
    return IndicatorMatch(top[0])


def names_of(catalog: Catalog, codes: tuple[str, ...]) -> str:
    """Indicators named for a message: their short Vietnamese names (people do not know the codes)."""
    return "; ".join(f"«{catalog.indicators[c].short_vi}»" for c in codes)
