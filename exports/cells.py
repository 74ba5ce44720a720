"""Spreadsheet cells that can never run: every text cell is written as text.

openpyxl stores a string that begins with "=" as a formula, so a site or unit named
`=HYPERLINK(...)` would run in the clerk's Excel or WPS. Marking every string cell as
an explicit string (data type "s") keeps the text exactly as typed — nothing is
prefixed or altered — and Excel/WPS show it as text ("+1", "-1", "@SUM(A1)" are plain
strings already; they stay so)."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet


def text_only(ws: Worksheet) -> None:
    """Mark every string cell of the sheet as text (no formula, ever)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
