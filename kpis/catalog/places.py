"""Finding the registered province or commune that a person typed: the one place that does it.

An upload's cells, the CLI's --province/--commune, an account's scope and a meeting's area all
go through Places, so a spelling accepted in one place is accepted everywhere. A name is matched
whatever its case, spacing, Unicode form or diacritics (kpis.core.text.name_key), with or without
its administrative prefix (Xã, Phường, Đặc khu, Tỉnh, Thành phố...). Nothing is guessed: when a
spelling fits several registered places the answer is Ambiguous, and when it fits none, NotFound
carries the nearest registered names (difflib) for a "did you mean" line.

Matching goes through TIERS, strictest first; the first tier with a hit decides. Today: the name
as written (with its kind: "Phường Mường Lay" is the Phường, not a Xã of the same name), then the
name without its prefix. The official registry adds a tier (tone marks) or more spellings per
commune (old units' names, in _spellings) without changing the callers. Every lookup is a dict
access: a file of 50,000 rows asks once per row.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from kpis.catalog.model import Commune
from kpis.core.text import name_key

P = TypeVar("P", str, Commune)
NEAREST = 3  # names offered when nothing matched ...
NEAREST_CUTOFF = 0.6  # ... among those at least this close (difflib ratio over the bare keys)


def _as_written(text: str) -> str:
    return name_key(text)


def _bare(text: str) -> str:
    return name_key(text, strip_prefix=True)


TIERS: tuple[Callable[[str], str], ...] = (_as_written, _bare)


@dataclass(frozen=True)
class NotFound(Generic[P]):
    """No registered place has this name; nearest are the closest registered ones, best first."""

    text: str
    nearest: tuple[P, ...] = ()


@dataclass(frozen=True)
class Ambiguous:
    """Several registered communes have this name (in several provinces, or a Xã and a Phường)."""

    text: str
    matches: tuple[Commune, ...]


def display(commune: Commune) -> str:
    """A commune as a person tells it apart from another of the same name: "Phường Mường Lay"."""
    return f"{commune.kind} {commune.name}"


def _spellings(c: Commune) -> tuple[str, ...]:
    """The ways a commune is registered to be written: its name, and its name after its kind."""
    return (c.name, display(c))


class Places:
    """An index of the registered provinces and communes, built once from a list of Commune.

    A province written several ways in the list ("Điện Biên", "Tỉnh Điện Biên") is one province,
    named as first written, as the store registers it.
    """

    def __init__(self, communes: Iterable[Commune]) -> None:
        self._province_names: dict[str, str] = {}  # bare key -> the province as first written
        self._provinces: list[dict[str, str]] = [{} for _ in TIERS]  # per tier: key -> that name
        self._in_province: list[dict[tuple[str, str], list[Commune]]] = [{} for _ in TIERS]
        self._anywhere: list[dict[str, list[Commune]]] = [{} for _ in TIERS]
        self._of: dict[str, list[Commune]] = {}  # by the province's bare key, for the nearest names
        for c in communes:
            province = _bare(c.province)
            named = self._province_names.setdefault(province, c.province)
            self._of.setdefault(province, []).append(c)
            for tier, key in enumerate(TIERS):
                self._provinces[tier].setdefault(key(c.province), named)
                for k in dict.fromkeys(key(s) for s in _spellings(c)):
                    _append(self._in_province[tier].setdefault((province, k), []), c)
                    _append(self._anywhere[tier].setdefault(k, []), c)
        self._commune_keys = {p: _near_keys(cs) for p, cs in self._of.items()}
        self._all_keys = _near_keys(c for cs in self._of.values() for c in cs)

    @property
    def provinces(self) -> list[str]:
        """The registered provinces, as first written."""
        return list(self._province_names.values())

    def find_province(self, text: str) -> str | NotFound[str]:
        """The registered province's name for what was typed, or NotFound with the nearest names."""
        for tier, key in enumerate(TIERS):
            if (found := self._provinces[tier].get(key(text))) is not None:
                return found
        close = difflib.get_close_matches(_bare(text), list(self._province_names), n=NEAREST, cutoff=NEAREST_CUTOFF)
        return NotFound(text, tuple(self._province_names[k] for k in close))

    def find_commune(self, province: str | None, text: str) -> Commune | NotFound[Commune] | Ambiguous:
        """The registered commune for what was typed, within a province (any spelling of it) or, with
        province None, anywhere; Ambiguous when it fits several, NotFound with the nearest otherwise."""
        where = None if province is None else _bare(province)
        for tier, key in enumerate(TIERS):
            k = key(text)
            hits = self._anywhere[tier].get(k) if where is None else self._in_province[tier].get((where, k))
            if hits:
                return hits[0] if len(hits) == 1 else Ambiguous(text, tuple(hits))
        keys = self._all_keys if where is None else self._commune_keys.get(where, {})
        close = difflib.get_close_matches(_bare(text), list(keys), n=NEAREST, cutoff=NEAREST_CUTOFF)
        return NotFound(text, tuple(c for k in close for c in keys[k]))


def _append(bucket: list[Commune], c: Commune) -> None:
    if c not in bucket:  # one commune reached by two of its spellings is one hit
        bucket.append(c)


def _near_keys(communes: Iterable[Commune]) -> dict[str, list[Commune]]:
    """Bare key -> communes, for the nearest-name suggestions."""
    out: dict[str, list[Commune]] = {}
    for c in communes:
        _append(out.setdefault(_bare(c.name), []), c)
    return out


def names(found: Iterable[str | Commune], with_province: bool = False) -> str:
    """Places as one line for a message: "Mường Mùn, Mường Ảng" (or "Mường Mùn (Điện Biên), ...")."""
    shown = []
    for p in found:
        if isinstance(p, str):
            shown.append(p)
        else:
            shown.append(f"{p.name} ({p.province})" if with_province else p.name)
    return ", ".join(dict.fromkeys(shown))
