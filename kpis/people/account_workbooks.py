"""The two workbooks of the bulk import of accounts: the empty sheet to fill in, and the handout of one-time passwords.

Every cell is written through kpis.core.xlsx.write_cell as text (a name or an e-mail that starts with "=" stays
text), in the text number format, so codes keep their leading zeros (01273) when the sheet is filled in again.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpis.catalog.model import Commune
from kpis.core.i18n import DEFAULT_LANG, Lang, t
from kpis.core.xlsx import HEADER_FILL, HEADER_FONT, WRAP, active_sheet, write_cell
from kpis.people import accounts
from kpis.people.account_sheet import COLUMNS, HEADERS_EN, HEADERS_VI, IssuedAccount, code_text, places_text

TEXT = "@"  # Excel's text number format
TEMPLATE_ROWS = 500  # rows of the template formatted as text and offered the role list
_WIDTHS = {"username": 22, "full_name": 28, "role": 20, "province": 12, "communes": 24, "email": 32}
HELP_KEYS = (
    "account_template_help_columns",
    "account_template_help_username",
    "account_template_help_role",
    "account_template_help_places",
    "account_template_help_email",
    "account_template_help_password",
    "account_template_help_all_or_nothing",
)


def _row(ws: Worksheet, line: int, values: Sequence[object], bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = write_cell(ws.cell(line, column), value)
        cell.number_format = TEXT
        if bold:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_xlsx(communes: Iterable[Commune], lang: Lang = DEFAULT_LANG) -> bytes:
    """The empty account sheet: its headers (in lang; both languages' headers are read), a role drop-down, an
    instructions sheet, and the codes of the communes given (a province's, or the whole registry)."""
    headers = HEADERS_VI if lang == "vi" else HEADERS_EN
    wb = Workbook()
    ws = active_sheet(wb)
    ws.title = t("account_template_sheet", lang)
    _row(ws, 1, [headers[c] for c in COLUMNS], bold=True)
    for line in range(2, TEMPLATE_ROWS + 2):
        for column in range(1, len(COLUMNS) + 1):
            ws.cell(line, column).number_format = TEXT
    for column, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = _WIDTHS[name]
    ws.freeze_panes = "A2"
    labels = [t(accounts.ROLE_LABELS[r], lang) for r in accounts.ROLES]
    roles = DataValidation(
        type="list",
        formula1='"' + ",".join(labels) + '"',
        allow_blank=True,
        errorStyle="warning",  # a role code (commune, province...) typed instead is read too
        error=t("account_template_role_error", lang),
        prompt=t("account_template_role_prompt", lang),
    )
    role_letter = get_column_letter(COLUMNS.index("role") + 1)
    roles.add(f"{role_letter}2:{role_letter}{TEMPLATE_ROWS + 1}")
    ws.add_data_validation(roles)

    help_ws = wb.create_sheet(t("account_template_help_sheet", lang))
    write_cell(help_ws.cell(1, 1), t("account_template_help_title", lang)).font = Font(bold=True, size=13)
    for line, key in enumerate(HELP_KEYS, start=3):
        cell = write_cell(help_ws.cell(line, 1), t(key, lang, roles=", ".join(labels)))
        cell.alignment = WRAP
    help_ws.column_dimensions["A"].width = 110

    codes = wb.create_sheet(t("account_template_codes_sheet", lang))
    _row(
        codes,
        1,
        [headers["province"], t("communes_col_province", lang), headers["communes"], t("account_template_col_commune", lang)],
        True,
    )
    for line, c in enumerate(communes, start=2):
        _row(codes, line, [code_text(c.province_code, 2), c.province, code_text(c.code, 5), f"{c.kind} {c.name}"])
    for letter, width in zip("ABCD", (12, 20, 12, 32), strict=True):
        codes.column_dimensions[letter].width = width
    codes.freeze_panes = "A2"
    return _save(wb)


def handout_xlsx(issued: Iterable[IssuedAccount], lang: Lang = DEFAULT_LANG) -> bytes:
    """The accounts just created with their one-time passwords, for the administrator to hand out (and then destroy)."""
    wb = Workbook()
    ws = active_sheet(wb)
    ws.title = t("account_handout_sheet", lang)
    write_cell(ws.cell(1, 1), t("account_handout_title", lang)).font = Font(bold=True, size=13)
    note = write_cell(ws.cell(2, 1), t("account_handout_note", lang))
    note.font = Font(bold=True, color="9C0006")
    header = [
        t("sign_in_username", lang),
        t("accounts_full_name", lang),
        t("accounts_role", lang),
        t("accounts_scope", lang),
        t("account_email", lang),
        t("account_one_time_password", lang),
    ]
    _row(ws, 4, header, bold=True)
    for line, a in enumerate(issued, start=5):
        role = t(accounts.ROLE_LABELS[a.role], lang)
        _row(ws, line, [a.username, a.full_name, role, places_text(a.scopes), a.email or "", a.password])
    for letter, width in zip("ABCDEF", (22, 28, 18, 44, 32, 20), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"
    return _save(wb)
