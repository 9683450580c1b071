"""What the command line or the upload page says about a file that the file itself may not: where and when.

A form names its commune and its period in the title rows; a tidy table names them in columns. The options
(`import --province --commune --year --quarter`) and the page (the officer's commune, the period chosen)
give what the file does not say; where both say it and disagree, the file is refused naming both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Given:
    """Place and period supplied from outside the file; None where nothing was supplied."""

    province: str | None = None
    commune: str | None = None
    year: int | None = None
    quarter: int | None = None

    @property
    def empty(self) -> bool:
        return self.province is None and self.commune is None and self.year is None and self.quarter is None
