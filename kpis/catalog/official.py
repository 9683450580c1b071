"""The official list of Vietnam's provinces and communes since 1 July 2025, and the units before it.

The product's registry is this list (kpis/catalog/official/, copied from the national statistics
office's list with its source and data version in source.toml), not a list written by hand. It is
read once per process (default_official), checked as it is read: a row that breaks the list's own
rules (a code twice, a commune whose province is not listed, an old unit pointing to no new one)
is a CatalogError naming the file and line, so a newer list dropped in by hand cannot half-load.

The conversion table says, for each unit before the reform, which new communes it went into. An old
unit whose rows all name one new commune went into it whole; one with several was split between them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kpis.catalog.units import PACKAGE_DIR, CatalogError, Commune
from kpis.core.text import clean_display

OFFICIAL_DIR = PACKAGE_DIR / "official"
SOURCE_FILE = OFFICIAL_DIR / "source.toml"
KINDS = ("Xã", "Phường", "Đặc khu")
PROVINCE_KINDS = ("Tỉnh", "Thành phố")
COMMUNE_COLUMNS = ("province_code", "province", "commune_code", "kind", "commune")
PROVINCE_COLUMNS = ("province_code", "kind", "province")
LEGACY_COLUMNS = ("commune_code", "commune", "old_commune_code", "old_commune", "how", "old_district", "old_province")
# An old province whose units went (nearly) all into one new province went into it: the table puts one
# ward of Tiền Giang (Phường 4 of Tân An, which was Long An's) under Tây Ninh; the rest went into Đồng Tháp.
OLD_PROVINCE_SHARE = 0.99
_BRACKETED_CODE = re.compile(r"\s*\((\d+)\)\s*$")


@dataclass(frozen=True)
class OfficialProvince:
    code: int
    kind: str  # Tỉnh or Thành phố
    name: str  # without the prefix: "Điện Biên"


@dataclass(frozen=True)
class LegacyUnit:
    """A commune, ward or township before 1 July 2025, and the new communes it went into."""

    code: int | None  # None for the few rows the table gives no code (a district made a special zone, a mud flat)
    name: str  # with its prefix, as the table writes it: "Xã Quài Cang", "Thị trấn Tam Đường"
    district: str  # "Huyện Tuần Giáo", without its code
    province: str  # "Tỉnh Điện Biên", without its code
    successors: tuple[int, ...]  # new commune codes, in the table's order

    @property
    def split(self) -> bool:
        return len(self.successors) > 1


@dataclass(frozen=True)
class Official:
    version: str
    source: str
    provinces: tuple[OfficialProvince, ...]
    communes: tuple[Commune, ...]
    legacy: tuple[LegacyUnit, ...]
    old_provinces: dict[str, int] = field(default_factory=dict)  # old province (with prefix) -> new province code
    _by_code: dict[int, Commune] = field(default_factory=dict, repr=False)

    def commune(self, code: int) -> Commune | None:
        return self._by_code.get(code)

    def province(self, code: int) -> OfficialProvince | None:
        return next((p for p in self.provinces if p.code == code), None)


def parse_code(text: object) -> int | None:
    """A code as people write it: 3268, "03268", "3268.0" (a number cell), "Mã xã 03268", "mã: 3268"."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if text >= 0 else None
    if isinstance(text, float):
        return int(text) if text.is_integer() and text >= 0 else None
    m = _CODE_RE.fullmatch(str(text).strip())
    return int(m.group(1)) if m else None


_CODE_RE = re.compile(r"(?:m[aã]\s*(?:s[oố]\s*)?(?:x[aã]|t[iỉ]nh|đơn vị|don vi)?\s*[:.]?\s*)?0*(\d{1,5})(?:\.0+)?", re.IGNORECASE)


def _rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise CatalogError(f"{path}: file not found") from e
    return _text_rows(path.name, text, columns)


def _int(path: Path, line: int, column: str, value: str) -> int:
    if not value.isdigit():
        raise CatalogError(f"{path.name}: line {line}: field '{column}': {value!r} is not a code")
    return int(value)


def _without_code(text: str) -> str:
    return _BRACKETED_CODE.sub("", text)


def parse_official(directory: Path) -> tuple[list[OfficialProvince], list[Commune], list[LegacyUnit], dict[str, int]]:
    """Read and check the three files of an official list (provinces, communes, legacy)."""
    provinces: dict[int, OfficialProvince] = {}
    path = directory / "provinces.csv"
    for line, r in _rows(path, PROVINCE_COLUMNS):
        code = _int(path, line, "province_code", r["province_code"])
        if code in provinces:
            raise CatalogError(f"{path.name}: line {line}: field 'province_code': {code} is listed twice")
        if r["kind"] not in PROVINCE_KINDS or not r["province"]:
            raise CatalogError(f"{path.name}: line {line}: field 'kind'/'province': {r['kind']!r} {r['province']!r}")
        provinces[code] = OfficialProvince(code, r["kind"], r["province"])
    communes = parse_communes(directory / "communes.csv", provinces)
    legacy, old_provinces = parse_legacy(directory / "legacy.csv", {c.code: c for c in communes if c.code is not None})
    return list(provinces.values()), communes, legacy, old_provinces


def parse_communes(path: Path, provinces: dict[int, OfficialProvince], text: str | None = None) -> list[Commune]:
    """The communes file (or text in its columns, as `registry update` gets it), checked row by row."""
    rows = _rows(path, COMMUNE_COLUMNS) if text is None else _text_rows(path.name, text, COMMUNE_COLUMNS)
    out: list[Commune] = []
    codes: set[int] = set()
    names: set[tuple[int, str, str]] = set()
    for line, r in rows:
        code = _int(path, line, "commune_code", r["commune_code"])
        pcode = _int(path, line, "province_code", r["province_code"])
        province = provinces.get(pcode)
        if province is None:
            raise CatalogError(f"{path.name}: line {line}: field 'province_code': {pcode} is not a listed province")
        if r["province"] and r["province"] != province.name:
            raise CatalogError(
                f"{path.name}: line {line}: field 'province': {r['province']!r} but code {pcode} is {province.name!r}"
            )
        if r["kind"] not in KINDS or not r["commune"]:
            raise CatalogError(f"{path.name}: line {line}: field 'kind'/'commune': {r['kind']!r} {r['commune']!r}")
        if code in codes:
            raise CatalogError(f"{path.name}: line {line}: field 'commune_code': {code} is listed twice")
        if (pcode, r["kind"], r["commune"]) in names:
            raise CatalogError(
                f"{path.name}: line {line}: field 'commune': {r['kind']} {r['commune']} is listed twice in {province.name}"
            )
        codes.add(code)
        names.add((pcode, r["kind"], r["commune"]))
        out.append(Commune(province=province.name, name=r["commune"], kind=r["kind"], code=code, province_code=pcode))
    if not out:
        raise CatalogError(f"{path.name}: no communes listed")
    return out


def _text_rows(name: str, text: str, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogError(f"{name}: missing column(s) {', '.join(missing)}")
    for line, row in enumerate(reader, start=2):
        yield line, {k: clean_display(row.get(k) or "") for k in columns}


def parse_legacy(path: Path, communes: dict[int, Commune]) -> tuple[list[LegacyUnit], dict[str, int]]:
    """The conversion table: each old unit once, with every new commune it went into."""
    found: dict[object, tuple[int | None, str, str, str, list[int]]] = {}
    provinces: dict[str, Counter[int]] = {}
    for line, r in _rows(path, LEGACY_COLUMNS):
        new = _int(path, line, "commune_code", r["commune_code"])
        commune = communes.get(new)
        if commune is None:
            raise CatalogError(f"{path.name}: line {line}: field 'commune_code': {new} is not a listed commune")
        old_province = _without_code(r["old_province"])
        if old_province and not old_province.startswith(PROVINCE_KINDS):
            old_province = f"Tỉnh {old_province}"  # one row writes "Quảng Trị (44)"
        if old_province:
            assert commune.province_code is not None
            provinces.setdefault(old_province, Counter())[commune.province_code] += 1
        if not r["old_commune"]:
            continue  # a whole district made a special zone: the district's name is not a commune's
        old = int(r["old_commune_code"]) if r["old_commune_code"].isdigit() else None
        district = _without_code(r["old_district"])
        key: object = old if old is not None else (r["old_commune"], district, old_province)
        unit = found.setdefault(key, (old, r["old_commune"], district, old_province, []))
        if new not in unit[4]:
            unit[4].append(new)
    legacy = [LegacyUnit(code, name, district, prov, tuple(new)) for code, name, district, prov, new in found.values()]
    old_provinces = {}
    for name, counts in provinces.items():
        code, n = counts.most_common(1)[0]
        if n >= OLD_PROVINCE_SHARE * sum(counts.values()):
            old_provinces[name] = code
    return legacy, old_provinces


def _checked_source(directory: Path) -> dict[str, str]:
    try:
        source = tomllib.loads((directory / "source.toml").read_text(encoding="utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError) as e:
        raise CatalogError(f"{directory / 'source.toml'}: {e}") from e
    for name, digest in source.get("sha256", {}).items():
        if hashlib.sha256((directory / name).read_bytes()).hexdigest() != digest:
            raise CatalogError(f"{name}: differs from the file recorded in source.toml (sha256)")
    return source


def load_official(directory: Path = OFFICIAL_DIR) -> Official:
    source = _checked_source(directory)
    provinces, communes, legacy, old_provinces = parse_official(directory)
    return Official(
        version=str(source.get("version", "")),
        source=str(source.get("source", "")),
        provinces=tuple(provinces),
        communes=tuple(communes),
        legacy=tuple(legacy),
        old_provinces=old_provinces,
        _by_code={c.code: c for c in communes if c.code is not None},
    )


@cache
def default_official() -> Official:
    """The official list shipped with the product, read once per process (about 0.1 s)."""
    return load_official()
