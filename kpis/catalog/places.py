"""Finding the registered province or commune that a person typed: the one place that does it.

An upload's cells, the CLI's --province/--commune, an account's scope and a meeting's area all
go through Places, so a spelling accepted in one place is accepted everywhere. Nothing is guessed:
when what was typed fits several registered places the answer is Ambiguous, and when it fits none,
NotFound carries the nearest registered names (difflib) for a "did you mean" line.

What a cell may hold, and how it is matched:
- a code ("3268", "03268", "Mã xã 03268", a number cell 3268.0: kpis.catalog.official.parse_code);
- a name, through TIERS, strictest first: with its tone marks wherever they sit (kpis.core.text.tone_key:
  Hoà = Hòa, but Văn Lang ≠ Văn Lăng) and with its kind ("Phường Mường Lay" is the Phường, not a Xã of
  that name); then without its prefix; then with every diacritic folded away (name_key), with the kind
  and then without. A registered name is never cut: "Tĩnh Túc" is no "Túc" after a "Tỉnh";
- a name from before 1 July 2025 (the official conversion table, default_official().legacy, indexed by
  the NEW province each old unit went into; old provinces by default_official().old_provinces).
  An old unit merged whole into one new commune is found as Renamed (the caller warns); one split
  between several, or a name two old units shared, is Ambiguous with the old units in `old`.

The order between them: a current name as written (tone tiers) decides, so an old name that is also a
current name means the current one. Else an old name as written and a current name that fits only once
diacritics are folded are weighed together: both fitting different communes is Ambiguous (`current`
and `old`: "Tân Thanh" in Lạng Sơn was a commune now in Hoàng Văn Thụ, and "Tân Thành" is one today);
either alone decides. Else an old name without its diacritics.

A name in several provinces: within a province the province decides; without one, the writer's
scope (plain (province, commune or None) pairs, as accounts keep them) decides when it leaves one.

Every lookup is a dict access. The index over 3,321 communes and ~10,000 old units is built once
per registry per process (_index is cached on the registry given), so a Places per file is free.
"""

from __future__ import annotations

import difflib
import gc
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Generic, TypeVar

from kpis.catalog.official import LegacyUnit, Official, default_official, parse_code
from kpis.catalog.units import Commune
from kpis.core.text import clean_display, name_key, tone_key

P = TypeVar("P", str, Commune)
NEAREST = 3  # names offered when nothing matched ...
NEAREST_CUTOFF = 0.6  # ... among those at least this close (difflib ratio over the bare keys)
Scope = Collection[tuple[str, str | None]]  # (province, commune or None for the whole province), as accounts keep them


def _tone(text: str) -> str:
    return tone_key(text)


def _tone_bare(text: str) -> str:
    return tone_key(text, strip_prefix=True)


def _fold(text: str) -> str:
    return name_key(text)


def _fold_bare(text: str) -> str:
    return name_key(text, strip_prefix=True)


TIERS: tuple[Callable[[str], str], ...] = (_tone, _tone_bare, _fold, _fold_bare)


@dataclass(frozen=True)
class NotFound(Generic[P]):
    """No registered place has this name; nearest are the closest registered ones, best first."""

    text: str
    nearest: tuple[P, ...] = ()


@dataclass(frozen=True)
class Ambiguous:
    """Several registered communes fit: one name in several provinces, a Xã and a Phường of one name,
    or an old unit (old) split between several new communes, or old units of one name (old, several),
    or an old name written exactly and a current one (current) that fits once diacritics are folded."""

    text: str
    matches: tuple[Commune, ...]
    old: tuple[LegacyUnit, ...] = ()
    current: tuple[Commune, ...] = ()


@dataclass(frozen=True)
class Renamed(Generic[P]):
    """An old name (before 1 July 2025) of a unit merged whole into this registered place: accepted, with a warning."""

    place: P
    old: str  # the old name with its prefix: "Xã Quài Cang", "Tỉnh Hà Giang"
    district: str = ""  # an old commune's district: "Huyện Tuần Giáo"


@dataclass(frozen=True)
class Elsewhere:
    """A commune's code given for a row of another province: the code and the province disagree."""

    text: str
    commune: Commune
    province: str  # the row's province


def display(commune: Commune) -> str:
    """A commune as a person tells it apart from another of the same name: "Phường Mường Lay"."""
    return f"{commune.kind} {commune.name}"


def old_name(unit: LegacyUnit) -> str:
    """An old unit's name as shown: the table's, with its prefix capitalised ("phường Vĩnh Hải" -> "Phường Vĩnh Hải")."""
    return unit.name[:1].upper() + unit.name[1:]


_DISTRICT_KINDS = ("thành phố", "thị xã", "huyện", "quận")


def old_district(district: str) -> str:
    """A district as written mid-sentence: "Huyện Tuần Giáo" -> "huyện Tuần Giáo", "Thị Xã Sơn Tây" -> "thị xã Sơn Tây"."""
    folded = district.casefold()
    for kind in _DISTRICT_KINDS:
        if folded.startswith(kind + " "):
            return kind + district[len(kind) :]
    return district


def _four(text: str) -> tuple[str, str, str, str]:
    """The key of each tier for one spelling, as TIERS would give them, computing each fold once (the index
    computes ~30,000 of them: tone_key(text, strip_prefix=True) alone folds the text three times)."""
    tone, fold, fold_bare = tone_key(text), name_key(text), name_key(text, strip_prefix=True)
    words = tone.split(" ")
    dropped = len(fold.split()) - len(fold_bare.split())
    return tone, " ".join(words[dropped:]) if 0 < dropped < len(words) else tone, fold, fold_bare


Keys = tuple[tuple[str, ...], ...]  # per tier, the distinct keys of a place's spellings


def _keys(*spellings: str) -> Keys:
    """Each spelling with and without its prefix in the tiers that keep the kind (0 and 2), as a person may
    write either ("Xã Quài Cang", "Quài Cang"); without it in the others."""
    out: list[dict[str, None]] = [{}, {}, {}, {}]
    for s in spellings:
        tone, tone_bare, fold, fold_bare = _four(s)
        out[0].update({tone: None, tone_bare: None})
        out[1][tone_bare] = None
        out[2].update({fold: None, fold_bare: None})
        out[3][fold_bare] = None
    return tuple(tuple(tier) for tier in out)


def _named_keys(name: str, kind: str) -> Keys:
    """A registered place's keys: its name is already bare (the official list writes no prefix), so it is
    never stripped: "Tĩnh Túc" is not "Túc" after a "Tỉnh" prefix, nor "Tô Hiệu" "Hiệu" after "Tổ"."""
    tone, fold = tone_key(name), name_key(name)
    with_kind = f"{kind} {name}"
    return (tone, tone_key(with_kind)), (tone,), (fold, name_key(with_kind)), (fold,)


Bucket = dict[tuple[str | None, str], list]  # (registered province, or None for anywhere; key) -> places


class _Index:
    """Everything Places looks up in a registry, built once per registry per process (_index)."""

    def __init__(self, communes: tuple[Commune, ...], official: Official) -> None:
        self.official = official
        self.province_names: dict[str, str] = {}  # bare tone key -> the province as first written
        self.province_near: dict[str, str] = {}  # bare folded key -> the province, for suggestions
        self.shown: dict[str, str] = {}  # province -> with its kind: "Tỉnh Tuyên Quang"
        self.provinces: list[dict[str, str]] = [{} for _ in TIERS]
        self.province_codes: dict[int, str] = {}
        self.codes: dict[int, Commune] = {}
        self.communes: list[Bucket] = [{} for _ in TIERS]
        self.near: dict[str | None, dict[str, list[Commune]]] = {}  # bare folded key -> communes
        kinds = {p.code: p.kind for p in official.provinces}
        for c in communes:
            province = self.province_names.get(_tone_bare(c.province))
            if province is None:
                province = self.province_names[_tone_bare(c.province)] = c.province
                self.province_near[_fold(province)] = province
                self.shown[province] = f"{kinds[c.province_code]} {province}" if c.province_code in kinds else province
                kind = kinds.get(c.province_code) if c.province_code is not None else None
                self._add_province(_named_keys(province, kind) if kind else _keys(province), province)
            elif c.province != province:  # the same province written another way ("Tỉnh Điện Biên")
                self._add_province(_keys(c.province), province)
            if c.province_code is not None:
                self.province_codes.setdefault(c.province_code, province)
            if c.code is not None:
                self.codes.setdefault(c.code, c)
            # an official name is bare; one added by hand may carry its prefix ("Xã Pa Ham")
            keys = _named_keys(c.name, c.kind) if c.code is not None else _keys(c.name, display(c))
            _add(self.communes, keys, (province, None), c)
            for where in (province, None):
                self.near.setdefault(where, {}).setdefault(_fold(c.name), []).append(c)
        self.old_provinces: list[dict[str, tuple[str, str]]] = [{} for _ in TIERS]  # key -> (new province, old name)
        for old, code in official.old_provinces.items():
            if (new := self.province_codes.get(code)) is not None:
                for tier, ks in enumerate(_keys(old)):
                    for k in ks:
                        self.old_provinces[tier].setdefault(k, (new, old))

    def _add_province(self, keys: Keys, province: str) -> None:
        for tier, ks in enumerate(keys):
            for k in ks:
                self.provinces[tier].setdefault(k, province)

    @cached_property
    def old(self) -> _Old:
        """The names before 1 July 2025, built the first time a lookup reaches them (most files never do)."""
        with _no_collection():
            return _Old(self)


class _Old:
    """The official list's old units (communes, wards, townships), indexed by the registered province each went into."""

    def __init__(self, ix: _Index) -> None:
        self.units: list[Bucket] = [{} for _ in TIERS]
        self.codes: dict[int, LegacyUnit] = {}
        self.successors: dict[LegacyUnit, tuple[Commune, ...]] = {}
        for unit, keys in _legacy_keys():
            successors = tuple(c for s in unit.successors if (c := ix.codes.get(s)) is not None)
            if not successors:
                continue  # every commune it went into has left the registry (a later official list)
            self.successors[unit] = successors
            if unit.code is not None:
                self.codes.setdefault(unit.code, unit)
            _add(self.units, keys, (*dict.fromkeys(c.province for c in successors), None), unit)


def _add(buckets: list[Bucket], keys: Keys, wheres: tuple[str | None, ...], place: object) -> None:
    for bucket, ks in zip(buckets, keys, strict=True):
        for k in ks:
            for where in wheres:
                bucket.setdefault((where, k), []).append(place)


@cache
def _legacy_keys() -> list[tuple[LegacyUnit, Keys]]:
    """Each old unit of the shipped official list with its keys: the same for every registry, so computed once per process."""
    return [(unit, _keys(unit.name)) for unit in default_official().legacy]


@contextmanager
def _no_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while an index is built: it holds no cycles, and the collector,
    woken again and again by the ~100,000 lists it makes, would take twice as long as the build."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@lru_cache(maxsize=4)
def _index(communes: tuple[Commune, ...]) -> _Index:
    """The index of a registry, with the shipped official list's old names: built once per registry per process."""
    with _no_collection():
        return _Index(communes, default_official())


def _nearest(typed: str, keys: dict[str, str]) -> list[str]:
    """The registered keys (folded key -> a name) closest to what was typed, with or without its prefix, best
    first (difflib's ratio); between two as close, the one closer with its diacritics when some were typed
    ("Mường Mùm": Mùn, not Hum), else in difflib's order of ties (the greater key first)."""
    scored: dict[str, float] = {}
    for k in {_fold(typed), _fold_bare(typed)}:
        matcher = difflib.SequenceMatcher(b=k)
        for key in keys:
            matcher.set_seq1(key)
            if matcher.real_quick_ratio() >= NEAREST_CUTOFF and matcher.quick_ratio() >= NEAREST_CUTOFF:
                if (score := matcher.ratio()) >= NEAREST_CUTOFF and score > scored.get(key, 0):
                    scored[key] = score
    tone = _tone(typed)
    marked = tone != _fold(typed)

    def closeness(key: str) -> tuple[float, float]:
        return scored[key], difflib.SequenceMatcher(a=_tone(keys[key]), b=tone).ratio() if marked else 0.0

    return sorted(sorted(scored, reverse=True), key=closeness, reverse=True)[:NEAREST]


def _allowed(c: Commune, scope: Scope) -> bool:
    return any(p == c.province and (n is None or n == c.name) for p, n in scope)


class Places:
    """An index of the registered provinces and communes, built once from a list of Commune.

    A province written several ways in the list ("Điện Biên", "Tỉnh Điện Biên") is one province,
    named as first written, as the store registers it.
    """

    def __init__(self, communes: Iterable[Commune]) -> None:
        self._ix = _index(tuple(communes))

    @property
    def provinces(self) -> list[str]:
        """The registered provinces, as first written."""
        return list(self._ix.province_names.values())

    def shown(self, province: str) -> str:
        """A registered province with its kind, for a message: "Tỉnh Tuyên Quang"."""
        return self._ix.shown.get(province, province)

    def commune_by_code(self, code: int) -> Commune | None:
        return self._ix.codes.get(code)

    def province_by_code(self, code: int) -> str | None:
        return self._ix.province_codes.get(code)

    def resolve_province(self, text: object) -> str | Renamed[str] | NotFound[str]:
        """The registered province for a name or code; an old province's name (Hà Giang) as Renamed."""
        ix = self._ix
        if (code := parse_code(text)) is not None and (coded := ix.province_codes.get(code)) is not None:
            return coded
        typed = clean_display(str(text))
        for tier, key in enumerate(TIERS):
            k = key(typed)
            if (found := ix.provinces[tier].get(k)) is not None:
                return found
            if (old := ix.old_provinces[tier].get(k)) is not None:
                return Renamed(old[0], old[1])
        return NotFound(typed, tuple(ix.province_near[k] for k in _nearest(typed, ix.province_near)))

    def resolve_commune(
        self, province: object | None, text: object, scope: Scope | None = None
    ) -> Commune | Renamed[Commune] | NotFound[Commune] | Ambiguous | Elsewhere:
        """The registered commune for a name or code, within a province (any spelling or code of it, or
        an old province's name) or, with province None, anywhere; scope narrows what fits several."""
        ix = self._ix
        typed = clean_display(str(text))
        where: str | None = None
        written_old: str | None = None  # the row's province written as an old one: its old units come first
        if province is not None:
            found = self.resolve_province(province)
            if isinstance(found, NotFound):
                return NotFound(typed, ())
            where, written_old = (found.place, found.old) if isinstance(found, Renamed) else (found, None)
        if (code := parse_code(text)) is not None:
            if (coded := ix.codes.get(code)) is not None:
                return coded if where is None or coded.province == where else Elsewhere(typed, coded, where)
            unit = ix.old.codes.get(code)
            if unit is not None and (where is None or any(c.province == where for c in ix.old.successors[unit])):
                return self._old(typed, [unit], scope, None)
        k = [key(typed) for key in TIERS]

        def current(*tiers: int) -> list[Commune] | None:
            return next((hits for t in tiers if (hits := ix.communes[t].get((where, k[t])))), None)

        def old(*tiers: int) -> list[LegacyUnit] | None:
            return next((units for t in tiers if (units := ix.old.units[t].get((where, k[t])))), None)

        if hits := current(0, 1):  # a current name with its diacritics (tone marks anywhere): that commune
            return self._current(typed, hits, scope)
        olds, folded = old(0, 1), current(2, 3)
        if olds and folded:  # an old name as written, or a current one without its diacritics
            return self._old_or_current(
                typed, olds, self._old(typed, olds, scope, written_old), self._current(typed, folded, scope)
            )
        if olds:
            return self._old(typed, olds, scope, written_old)
        if folded:
            return self._current(typed, folded, scope)
        if olds := old(2, 3):
            return self._old(typed, olds, scope, written_old)
        keys = ix.near.get(where, {})
        close = _nearest(typed, {k: cs[0].name for k, cs in keys.items()})
        return NotFound(typed, tuple(c for k in close for c in keys[k]))

    def _current(self, typed: str, hits: list[Commune], scope: Scope | None) -> Commune | Ambiguous:
        if len(hits) == 1:
            return hits[0]
        mine = [c for c in hits if _allowed(c, scope)] if scope else []
        if len(mine) == 1:
            return mine[0]
        return Ambiguous(typed, tuple(mine or hits))

    def _old_or_current(
        self, typed: str, olds: list[LegacyUnit], old: Renamed[Commune] | Ambiguous, now: Commune | Ambiguous
    ) -> Commune | Ambiguous:
        """Both fit ("Tân Thanh" was a commune of Lạng Sơn, now in Hoàng Văn Thụ; Tân Thành is one today): not
        guessed, unless they are one commune."""
        if isinstance(old, Renamed) and old.place == now:
            return now
        went = old.matches if isinstance(old, Ambiguous) else (old.place,)
        units = old.old if isinstance(old, Ambiguous) else tuple(u for u in olds if old.place.code in u.successors)
        fits = now.matches if isinstance(now, Ambiguous) else (now,)
        return Ambiguous(typed, tuple(dict.fromkeys((*fits, *went))), units, fits)

    def _old(
        self, typed: str, olds: list[LegacyUnit], scope: Scope | None, old_province: str | None
    ) -> Renamed[Commune] | Ambiguous:
        if old_province and len(olds) > 1:
            olds = [u for u in olds if u.province == old_province] or olds
        if scope and len(olds) > 1:
            olds = [u for u in olds if any(_allowed(c, scope) for c in self._ix.old.successors[u])] or olds
        went = tuple(dict.fromkeys(c for u in olds for c in self._ix.old.successors[u]))
        if len(went) == 1:  # merged whole into one commune (several old units of this name: all into it)
            return Renamed(went[0], old_name(olds[0]), olds[0].district)
        return Ambiguous(typed, went, tuple(olds))

    def find_province(self, text: str) -> str | NotFound[str]:
        """The registered province's name for what was typed (an old province: the one it is part of now)."""
        found = self.resolve_province(text)
        return found.place if isinstance(found, Renamed) else found

    def find_commune(self, province: str | None, text: str) -> Commune | NotFound[Commune] | Ambiguous:
        """The registered commune for what was typed, for callers that do not warn: an old commune merged
        whole is its new commune, a code of another province's commune is NotFound offering it."""
        found = self.resolve_commune(province, text)
        if isinstance(found, Renamed):
            return found.place
        if isinstance(found, Elsewhere):
            return NotFound(found.text, (found.commune,))
        return found


def names(found: Iterable[str | Commune], with_province: bool = False) -> str:
    """Places as one line for a message: "Mường Mùn, Mường Ảng" (or "Mường Mùn (Điện Biên), ...")."""
    shown = []
    for p in found:
        if isinstance(p, str):
            shown.append(p)
        else:
            shown.append(f"{p.name} ({p.province})" if with_province else p.name)
    return ", ".join(dict.fromkeys(shown))
