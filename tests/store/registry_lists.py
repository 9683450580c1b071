"""Official lists as `registry update` reads them: the shipped communes.csv, changed row by row, as real CSV bytes."""

from __future__ import annotations

import csv
import io

from kpis.catalog.official import COMMUNE_COLUMNS, OFFICIAL_DIR

Row = dict[str, str]


def shipped() -> list[Row]:
    """The rows of the list the product ships (kpis/catalog/official/communes.csv)."""
    with (OFFICIAL_DIR / "communes.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def changed(rows: list[Row], code: int, **cells: str) -> list[Row]:
    """The rows with the commune of this code changed (province_code, province, kind, commune...)."""
    found = [r for r in rows if int(r["commune_code"]) == code]
    assert len(found) == 1, code
    return [{**r, **cells} if r is found[0] else r for r in rows]


def without(rows: list[Row], *codes: int) -> list[Row]:
    return [r for r in rows if int(r["commune_code"]) not in codes]


def row(province_code: int, province: str, code: int, kind: str, commune: str) -> Row:
    return {
        "province_code": str(province_code),
        "province": province,
        "commune_code": str(code),
        "kind": kind,
        "commune": commune,
    }


def list_bytes(rows: list[Row]) -> bytes:
    """The rows as a CSV file in communes.csv's columns, as a spreadsheet saves it (CRLF, UTF-8 with BOM)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COMMUNE_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
