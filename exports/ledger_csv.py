"""The task ledger as CSV, beside the XLSX: the same rows and Chinese headers
(exports.ledger_xlsx.ledger_rows), UTF-8 with a byte-order mark so Excel and WPS open the
Chinese text correctly, and every field formula-safe (exports.cells.csv_safe)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from exports.cells import csv_safe
from exports.ledger_xlsx import ledger_rows


def ledger_csv_bytes(tasks: pd.DataFrame, site_names: dict[str, str]) -> bytes:
    rows = ledger_rows(tasks, site_names)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow([csv_safe(h) for h in rows.columns])
    for rec in rows.itertuples(index=False):
        w.writerow(["" if v is None or (isinstance(v, float) and pd.isna(v)) else csv_safe(v) for v in rec])
    return buf.getvalue().encode("utf-8-sig")


def write_ledger_csv(tasks: pd.DataFrame, site_names: dict[str, str], path: Path) -> Path:
    Path(path).write_bytes(ledger_csv_bytes(tasks, site_names))
    return Path(path)
