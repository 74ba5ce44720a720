"""Spreadsheet cells that can never run: every text cell is written as text.

openpyxl stores a string that begins with "=" as a formula, so a site or unit named
`=HYPERLINK(...)` would run in the clerk's Excel or WPS. Marking every string cell as
an explicit string (data type "s") keeps the text exactly as typed — nothing is
prefixed or altered — and Excel/WPS show it as text ("+1", "-1", "@SUM(A1)" are plain
strings already; they stay so).

A CSV has no cell types: Excel and WPS evaluate any field beginning with = + - @ (or a
tab / carriage return followed by one) when the file is opened. `csv_safe` therefore
prefixes such a field with an apostrophe, the OWASP "CSV injection" rule: the field is
read as text, and the apostrophe makes plain that it was escaped."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_only(ws: Worksheet) -> None:
    """Mark every string cell of the sheet as text (no formula, ever)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def csv_safe(value: object) -> object:
    """A CSV field that no spreadsheet evaluates: text starting like a formula gets a leading "'"."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
