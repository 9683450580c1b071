"""A row's place: its province and commune cells (names or codes) and the optional code columns -> the
registered commune, or the problems that say why not, and the warnings an accepted old name carries.

The finder (kpis.catalog.places) answers for one cell; this module holds what a ROW adds: a code and a
name that disagree are refused naming both (a "Mã xã" column beside "Xã", "Mã tỉnh" beside "Tỉnh", or a
commune code given for another province); the province is optional, a commune that no province narrows
is decided by the writer's scope or refused with the provinces that have that name; a name from before
1 July 2025 is accepted with a warning when its unit went whole into one new commune.
Each distinct (province, commune, province code, commune code) is judged once (kpis.intake.validate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kpis.catalog.official import LegacyUnit, parse_code
from kpis.catalog.places import (
    Ambiguous,
    Commune,
    Elsewhere,
    NotFound,
    Places,
    Renamed,
    Scope,
    display,
    names,
    old_district,
    old_name,
)
from kpis.intake.cells import bad_text, cell_text

Note = tuple[str, str, dict[str, Any]]  # (column, message code, params)
PLACE_COLUMNS = ("province", "commune", "province_code", "commune_code")


@dataclass(frozen=True)
class Located:
    province: str | None  # the registered province and commune, when found
    commune: str | None
    problems: tuple[Note, ...] = ()
    warnings: tuple[Note, ...] = ()


def _refused(*problems: Note, warnings: tuple[Note, ...] = ()) -> Located:
    return Located(None, None, problems, warnings)


def _coded(places: Places, c: Commune) -> str:
    """A commune named by its code, for a message: "Xã Mường Mùn (Tỉnh Điện Biên)"."""
    return f"{display(c)} ({places.shown(c.province)})"


def locate(
    places: Places,
    scope: Scope | None,
    province_column: bool,
    province: Any,
    commune: Any,
    province_code: Any,
    commune_code: Any,
) -> Located:
    """The registered commune of one row's place cells (None for a column the file does not have)."""
    bad = [(c, *issue) for c, raw in zip(PLACE_COLUMNS, (province, commune, province_code, commune_code), strict=True)
           if (issue := bad_text(raw)) is not None]  # fmt: skip
    if bad:
        return _refused(*bad)
    warnings: list[Note] = []
    province_text, commune_text = cell_text(province), cell_text(commune)
    where: str | None = None
    if province_text:
        found = places.resolve_province(province_text)
        if isinstance(found, NotFound):  # the commune is not looked for in no province; a blank one is still said
            blank: tuple[Note, ...] = () if commune_text or cell_text(commune_code) else (("commune", "required", {}),)
            return _refused(("province", "province_unknown", {"value": province_text, "suggest": names(found.nearest)}), *blank)
        if isinstance(found, Renamed):
            warnings.append(("province", "province_old_name", {"old": found.old, "new": places.shown(found.place)}))
            where = found.place
        else:
            where = found
    if cell_text(province_code):
        by_code = _province_code(places, province_code, where, province_text)
        if isinstance(by_code, tuple):
            return _refused(by_code)
        where = by_code
    coded: Commune | None = None
    if cell_text(commune_code):
        commune_by_code = _commune_code(places, commune_code, where)
        if isinstance(commune_by_code, tuple):
            return _refused(commune_by_code)
        coded = commune_by_code
    if not commune_text:
        if coded is not None:
            return Located(coded.province, coded.name, (), tuple(warnings))
        missing: list[Note] = [("province", "required", {})] if province_column and where is None else []
        return _refused(*missing, ("commune", "required", {}))
    # the province as written (an old province's name narrows its old communes), else as its code gave it
    found_commune = places.resolve_commune(province_text or where, commune_text, scope)
    if coded is not None:
        return _with_code(places, (cell_text(commune_code), coded), found_commune, commune_text, warnings)
    if isinstance(found_commune, Renamed):
        warnings.append(("commune", "commune_old_name", _old_params(found_commune)))
        found_commune = found_commune.place
    if isinstance(found_commune, Commune):
        return Located(found_commune.province, found_commune.name, (), tuple(warnings))
    return _refused(_commune_problem(places, where, commune_text, found_commune), warnings=tuple(warnings))


def _old_went(unit: LegacyUnit, communes: tuple[Commune, ...]) -> str:
    """An old unit and where it went, for a message: "Xã Tân Thanh (huyện Văn Lãng) → Xã Hoàng Văn Thụ"."""
    went = ", ".join(display(c) for c in communes if c.code in unit.successors)
    return f"{old_name(unit)} ({old_district(unit.district)}) → {went}"


def _old_params(found: Renamed[Commune]) -> dict[str, Any]:
    return {"old": found.old, "district": old_district(found.district), "new": display(found.place)}


def _province_code(places: Places, raw: Any, named: str | None, written: str) -> str | Note:
    text = cell_text(raw)
    code = parse_code(raw)
    if code is None:
        return ("province_code", "code_invalid", {"value": text})
    province = places.province_by_code(code)
    if province is None:
        return ("province_code", "province_code_unknown", {"code": text})
    if named is not None and province != named:
        return ("province_code", "province_code_mismatch", {"code": text, "coded": places.shown(province), "value": written})
    return province


def _commune_code(places: Places, raw: Any, province: str | None) -> Commune | Note:
    text = cell_text(raw)
    code = parse_code(raw)
    if code is None:
        return ("commune_code", "code_invalid", {"value": text})
    commune = places.commune_by_code(code)
    if commune is None:
        return ("commune_code", "commune_code_unknown", {"code": text})
    if province is not None and commune.province != province:
        return ("commune_code", "commune_code_elsewhere", _elsewhere(places, text, commune, province))
    return commune


def _elsewhere(places: Places, code: str, commune: Commune, province: str) -> dict[str, Any]:
    return {"code": code, "coded": display(commune), "coded_province": places.shown(commune.province),
            "province": places.shown(province)}  # fmt: skip


def _with_code(
    places: Places,
    code: tuple[str, Commune],
    named: Commune | Renamed[Commune] | NotFound[Commune] | Ambiguous | Elsewhere,
    text: str,
    warnings: list[Note],
) -> Located:
    """A commune code beside a commune name: the same commune, or refused naming both."""
    written, coded = code
    if isinstance(named, Renamed) and named.place == coded:
        warnings.append(("commune", "commune_old_name", _old_params(named)))
    elif isinstance(named, Ambiguous) and coded in named.matches:  # the code says which
        if coded not in named.current and (unit := next((u for u in named.old if coded.code in u.successors), None)):
            warnings.append(("commune", "commune_old_name", _old_params(Renamed(coded, old_name(unit), unit.district))))
    elif named != coded:
        mismatch = {"code": written, "coded": _coded(places, coded), "value": text}
        return _refused(("commune_code", "commune_code_mismatch", mismatch))
    return Located(coded.province, coded.name, (), tuple(warnings))


def _commune_problem(places: Places, province: str | None, text: str, found: NotFound[Commune] | Ambiguous | Elsewhere) -> Note:
    if isinstance(found, Elsewhere):
        return ("commune", "commune_code_elsewhere", _elsewhere(places, text, found.commune, found.province))
    if isinstance(found, NotFound):
        if province is None:
            return ("commune", "commune_unknown_anywhere", {"value": text, "suggest": names(found.nearest, with_province=True)})
        return ("commune", "commune_unknown", {"value": text, "province": province, "suggest": names(found.nearest)})
    if found.current and found.old:
        olds = ", ".join(_old_went(u, found.matches) for u in found.old)
        current = ", ".join(display(c) for c in found.current)
        return ("commune", "commune_old_or_current", {"value": text, "current": current, "olds": olds})
    if len(found.old) == 1:
        unit = found.old[0]
        communes = ", ".join(display(c) for c in found.matches)
        split = {"old": old_name(unit), "district": old_district(unit.district), "communes": communes}
        return ("commune", "commune_old_split", split)
    if found.old:
        olds = ", ".join(f"{old_name(u)} ({old_district(u.district)}, {u.province})" for u in found.old)
        return ("commune", "commune_old_ambiguous", {"value": text, "olds": olds})
    provinces = list(dict.fromkeys(c.province for c in found.matches))
    if len(provinces) > 1:
        return ("commune", "commune_in_provinces", {"value": text, "provinces": ", ".join(provinces)})
    # several communes of the province fit (a Xã and a Phường of one name): not guessed, the person picks
    suggest = ", ".join(display(c) for c in found.matches)
    return ("commune", "commune_unknown", {"value": text, "province": provinces[0], "suggest": suggest})
