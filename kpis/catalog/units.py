"""What every part of the catalog names: a commune of the registry, and the error a bad catalog file raises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kpis.core.errors import TextError

PACKAGE_DIR = Path(__file__).resolve().parent


class CatalogError(TextError):
    """A catalog file is missing, malformed or inconsistent; the message names file and field."""

    text_code = "error_catalog"


@dataclass(frozen=True)
class Commune:
    province: str
    name: str
    kind: str  # "Xã", "Phường" or "Đặc khu", as the registry writes it
    code: int | None = None  # the national statistics code; None for a commune added by hand before the official list
    province_code: int | None = None
