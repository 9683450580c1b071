"""`python -m kpis registry update FILE.csv`: a newer official list into a database, as one journaled change.

The statistics office publishes the list again when communes are renamed, merged or created. The file has
the columns of kpis/catalog/official/communes.csv (province_code, province, commune_code, kind, commune) and
is checked by kpis.catalog.official.parse_communes; a province's name comes from the province column (a new
province code must come with it; rows of a known province may leave it empty). The database's places are
compared with the file's by code: a code the database lacks is added, a code with another name, kind or
province is renamed (or moved), a code the file lacks is removed. Places without a code (an older
database's, which the official list lacks, such as Tam Đường) are not compared and stay.

Plans and accounts hold codes, so a rename changes nothing else: they show the new name at once.

Refused with nothing written (RegistryUpdateRefused): removing a commune that has submissions (its history
would lose its place), naming each; and a list that would register two places of one province under one
name. Otherwise the change is applied in one transaction, written ahead to the journal (RegistryUpdated,
the file kept under uploads/ by its sha256), with the data version bumped, meta 'registry_version' set
and an audit row; rebuild replays it through update_registry(journal=False) on the rebuilt database.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kpis.catalog.official import OfficialProvince, default_official, parse_communes
from kpis.catalog.units import CatalogError, Commune
from kpis.core.errors import KpisError
from kpis.core.text import clean_display, name_key, tone_key
from kpis.store import audit
from kpis.store.catalog_tables import fill_scope_codes, registry, rename_province
from kpis.store.files import keep_file
from kpis.store.journal import RegistryUpdated
from kpis.store.meta import bump_data_version
from kpis.store.plan_book import refresh_plan_places
from kpis.store.transactions import journaled, writing

_VERSION_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_PROVINCE_PREFIX = re.compile(r"^(tỉnh|thành phố|tp)[\s.]", re.IGNORECASE)


class RegistryUpdateRefused(KpisError):
    """The list cannot be applied as it is; nothing was written. code and params are worded by kpis.core.i18n."""


@dataclass(frozen=True)
class Renamed:
    before: Commune
    after: Commune


@dataclass(frozen=True)
class RegistryDiff:
    """What applying a list changes, by code. Provinces are (code, name); a renamed one (code, before, after)."""

    file_name: str
    version: str
    previous_version: str
    added: tuple[Commune, ...]
    renamed: tuple[Renamed, ...]
    removed: tuple[Commune, ...]
    provinces_added: tuple[tuple[int, str], ...]
    provinces_renamed: tuple[tuple[int, str, str], ...]
    provinces_removed: tuple[tuple[int, str], ...]
    applied: bool = False

    @property
    def changes(self) -> int:
        return sum(
            map(
                len,
                (self.added, self.renamed, self.removed, self.provinces_added, self.provinces_renamed, self.provinces_removed),
            )
        )

    def counts(self) -> dict[str, int | str]:
        """The diff in numbers, as the audit row and the command line's summary give it."""
        return {
            "version": self.version,
            "previous": self.previous_version,
            "added": len(self.added),
            "renamed": len(self.renamed),
            "removed": len(self.removed),
            "provinces_added": len(self.provinces_added),
            "provinces_renamed": len(self.provinces_renamed),
            "provinces_removed": len(self.provinces_removed),
        }


def place(c: Commune) -> str:
    """One commune as the update lists it: "3268 Xã Mường Mùn (Điện Biên)"."""
    return f"{c.code} {c.kind} {c.name} ({c.province})"


def version_from_name(file_name: str) -> str | None:
    """The list's data version written in its file name as YYYY-MM-DD ("communes-2027-01-15.csv"), if any."""
    m = _VERSION_IN_NAME.search(Path(file_name).name)
    return m.group(1) if m else None


def read_update(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str) -> list[Commune]:
    """The file's communes, checked: the official list's rules, a name for every province, one name per place."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CatalogError(f"{file_name}: not UTF-8 text ({e.reason} at byte {e.start})") from e
    communes = parse_communes(Path(file_name), _file_provinces(con, file_name, text), text=text)
    seen: dict[tuple[int | None, str], Commune] = {}
    for c in communes:
        if c.name.casefold().startswith(c.kind.casefold() + " "):
            raise CatalogError(f"{file_name}: commune_code {c.code}: field 'commune': write {c.name!r} without its kind")
        other = seen.setdefault((c.province_code, tone_key(c.name, strip_prefix=True)), c)
        if other is not c:
            raise CatalogError(
                f"{file_name}: commune_code {c.code}: field 'commune': {c.kind} {c.name} and {other.code} {other.kind} "
                f"{other.name} are one name in {c.province}; the registry could not tell them apart"
            )
    return communes


def _file_provinces(con: duckdb.DuckDBPyConnection, file_name: str, text: str) -> dict[int, OfficialProvince]:
    """Each province code of the file with its name: the first the file gives, else the database's."""
    known = {code: name for name, code in con.execute("SELECT name, code FROM provinces WHERE code IS NOT NULL").fetchall()}
    kinds = {p.code: p.kind for p in default_official().provinces}
    names: dict[int, str] = {}
    unnamed: dict[int, int] = {}  # code -> first line without a name
    for line, row in enumerate(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))), start=2):
        written, name = clean_display(row.get("province_code") or ""), clean_display(row.get("province") or "")
        if not written.isdigit():
            continue  # parse_communes names the line
        if name and _PROVINCE_PREFIX.match(name):
            raise CatalogError(f"{file_name}: line {line}: field 'province': write {name!r} without 'Tỉnh' or 'Thành phố'")
        if name:
            names.setdefault(int(written), name)
        else:
            unnamed.setdefault(int(written), line)
    for number, line in unnamed.items():
        if number not in names and number not in known:
            raise CatalogError(f"{file_name}: line {line}: field 'province': province code {number} is new; write its name")
    final = {number: names.get(number) or known[number] for number in {*names, *unnamed}}
    seen: dict[str, int] = {}
    for number, name in sorted(final.items()):
        other = seen.setdefault(name_key(name, strip_prefix=True), number)
        if other != number:
            raise CatalogError(
                f"{file_name}: field 'province': codes {other} and {number} are one name: {final[other]!r}, {name!r}"
            )
    return {number: OfficialProvince(number, kinds.get(number, ""), name) for number, name in final.items()}


def compare(con: duckdb.DuckDBPyConnection, communes: list[Commune], file_name: str, version: str) -> RegistryDiff:
    """What the file changes in the database, by code; refuses what cannot be applied (RegistryUpdateRefused)."""
    have = {c.code: c for c in registry(con) if c.code is not None}
    want = {c.code: c for c in communes}
    db_provinces = dict(con.execute("SELECT code, name FROM provinces WHERE code IS NOT NULL").fetchall())
    file_provinces = {c.province_code: c.province for c in communes if c.province_code is not None}
    previous = con.execute("SELECT value FROM meta WHERE key = 'registry_version'").fetchone()
    diff = RegistryDiff(
        file_name=file_name,
        version=version,
        previous_version=previous[0] if previous else "",
        added=tuple(c for code, c in want.items() if code not in have),
        renamed=tuple(
            Renamed(have[code], c)
            for code, c in want.items()
            if code in have and (have[code].name, have[code].kind, have[code].province_code) != (c.name, c.kind, c.province_code)
        ),
        removed=tuple(c for code, c in have.items() if code not in want),
        provinces_added=tuple((code, name) for code, name in file_provinces.items() if code not in db_provinces),
        provinces_renamed=tuple(
            (code, db_provinces[code], name)
            for code, name in file_provinces.items()
            if code in db_provinces and db_provinces[code] != name
        ),
        provinces_removed=tuple((code, name) for code, name in db_provinces.items() if code not in file_provinces),
    )
    _refuse_removals_with_history(con, diff.removed)
    _refuse_name_clashes(con, diff)
    return diff


def _refuse_removals_with_history(con: duckdb.DuckDBPyConnection, removed: tuple[Commune, ...]) -> None:
    """A commune the list leaves out may go only if no submission holds figures for it (its units have none)."""
    if not removed:
        return
    rows = con.execute(
        "SELECT DISTINCT c.code FROM communes c JOIN units u ON u.commune_id = c.id"
        " WHERE c.code IN (SELECT unnest(?)) ORDER BY c.code",
        [[c.code for c in removed]],
    ).fetchall()  # units exist only with submission values: an upload makes both, and nothing deletes either
    if rows:
        by_code = {c.code: c for c in removed}
        units = "; ".join(place(by_code[code]) for (code,) in rows)
        raise RegistryUpdateRefused("registry_remove_has_submissions", count=len(rows), units=units)


def _refuse_name_clashes(con: duckdb.DuckDBPyConnection, diff: RegistryDiff) -> None:
    """Refuse a list under which a place would take the name of another that stays (or goes only later):
    an uncoded place keeps its own history, and provinces' names are unique."""
    uncoded = {key: name for name, key in con.execute("SELECT name, key FROM provinces WHERE code IS NULL").fetchall()}
    leaving = {name_key(name, strip_prefix=True): name for _, name in diff.provinces_removed}
    for name, adopts in [(after, False) for _, _, after in diff.provinces_renamed] + [(n, True) for _, n in diff.provinces_added]:
        key = name_key(name, strip_prefix=True)
        other = leaving.get(key) or (None if adopts else uncoded.get(key))  # a new code may adopt an uncoded province
        if other is not None:
            raise RegistryUpdateRefused("registry_name_clash", place=name, other=other)
    if not diff.renamed:
        return
    taken = {
        (p, key): name for p, name, key in con.execute("SELECT province, name, key FROM communes WHERE code IS NULL").fetchall()
    }
    for r in diff.renamed:
        other = taken.get((r.after.province, tone_key(r.after.name, strip_prefix=True)))
        if other is not None:
            raise RegistryUpdateRefused("registry_name_clash", place=place(r.after), other=f"{other} ({r.after.province})")


def update_registry(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    version: str,
    updated_by: str,
    dry_run: bool = False,
    journal: bool = True,
    at: dt.datetime | None = None,
) -> RegistryDiff:
    """Compare the list with the database and, unless dry_run, apply it (see the module's docstring).

    A list the database already holds, under the version it already has, writes nothing. journal=False
    only when rebuild replays the line: no journal line, no kept file, no audit row.
    """
    communes = read_update(con, data, file_name)
    with writing(con):
        diff = compare(con, communes, file_name, version)
        if dry_run or (diff.changes == 0 and version == diff.previous_version):
            return diff
        event = None
        if journal:
            sha, kept = keep_file(con, data, file_name)
            event = RegistryUpdated(
                sha256=sha, kept=kept.name, file_name=file_name, version=version, updated_by=updated_by,
                at=at or dt.datetime.now(),
            )  # fmt: skip
        with journaled(con, event):
            _apply(con, diff, communes)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('registry_version', ?)", [version])
            bump_data_version(con)
            if event is not None:
                audit.record(con, updated_by, "registry_updated", file_name, diff.counts(), file_sha256=event.sha256, at=event.at)
    return dataclasses.replace(diff, applied=True)


def _apply(con: duckdb.DuckDBPyConnection, diff: RegistryDiff, communes: list[Commune]) -> None:
    """The diff, inside the caller's transaction. Nothing references communes' names or provinces by a
    foreign key (schema.py), so renames and moves are UPDATEs; ids, and so units and history, stay."""
    province_names = {c.province_code: c.province for c in communes}
    uncoded_provinces = {key: name for name, key in con.execute("SELECT name, key FROM provinces WHERE code IS NULL").fetchall()}
    for code, name in diff.provinces_added:
        adopted = uncoded_provinces.get(name_key(name, strip_prefix=True))
        if adopted is None:
            con.execute(
                "INSERT INTO provinces (name, key, code) VALUES (?, ?, ?)", [name, name_key(name, strip_prefix=True), code]
            )
        else:  # a place the database had without a code: it joins the list
            con.execute("UPDATE provinces SET code = ? WHERE name = ?", [code, adopted])
            if adopted != name:
                rename_province(con, adopted, name)
    # through a name no one has, so two provinces may swap names (U+FFFF, a noncharacter: not NUL, which PostgreSQL refuses)
    for code, before, _ in diff.provinces_renamed:
        rename_province(con, before, f"\uffff{code}")
    for code, _, after in diff.provinces_renamed:
        rename_province(con, f"\uffff{code}", after)
    for r in diff.renamed:
        con.execute(
            "UPDATE communes SET name = ?, kind = ?, key = ?, province = ? WHERE code = ?",
            [
                r.after.name,
                r.after.kind,
                tone_key(r.after.name, strip_prefix=True),
                province_names[r.after.province_code],
                r.after.code,
            ],
        )
    if diff.removed:
        con.execute("DELETE FROM communes WHERE code IN (SELECT unnest(?))", [[c.code for c in diff.removed]])
    _add(con, diff.added, diff.file_name)
    for code, _ in diff.provinces_removed:
        left = con.execute("SELECT count(*) FROM communes c JOIN provinces p ON p.name = c.province WHERE p.code = ?", [code])
        if left.fetchall()[0][0]:
            con.execute("UPDATE provinces SET code = NULL WHERE code = ?", [code])  # its uncoded places stay in it
        else:
            con.execute("DELETE FROM provinces WHERE code = ?", [code])
    refresh_plan_places(con)
    fill_scope_codes(con)


def _add(con: duckdb.DuckDBPyConnection, added: tuple[Commune, ...], source: str) -> None:
    """New communes: an uncoded one of the same name in the province gets the code; the rest are inserted at once."""
    if not added:
        return
    uncoded = {(p, key): i for i, p, key in con.execute("SELECT id, province, key FROM communes WHERE code IS NULL").fetchall()}
    new = []
    for c in added:
        key = tone_key(c.name, strip_prefix=True)
        commune_id = uncoded.get((c.province, key))
        if commune_id is None:
            new.append((c.province, c.name, c.kind, key, source, c.code))
        else:
            con.execute("UPDATE communes SET code = ?, name = ?, kind = ? WHERE id = ?", [c.code, c.name, c.kind, commune_id])
    if new:
        frame = pd.DataFrame(new, columns=["province", "name", "kind", "key", "source", "code"])
        con.register("registry_added", frame)
        try:
            con.execute(
                "INSERT INTO communes (province, name, kind, key, source, code)"
                " SELECT province, name, kind, key, source, code FROM registry_added ORDER BY code"
            )
        finally:
            con.unregister("registry_added")
