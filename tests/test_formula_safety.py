"""Text a user typed can never become a formula in an exported spreadsheet: a site and a
unit named `=1+1`, `+1`, `-1`, `@SUM(A1)` come out as text, exactly as typed, in the XLSX
ledger and in the inspection checklist."""

from __future__ import annotations

from datetime import date

import pandas as pd
from openpyxl import Workbook, load_workbook

from exports.cells import text_only
from onemap import services
from tests.conftest import MANAGER_ACTOR

SIMPLE = ["=1+1", "+1", "-1", "@SUM(A1)"]
HOSTILE = [*SIMPLE, '=HYPERLINK("http://x","y")']  # the comma makes it a list in unit/link columns


def _cells(path) -> dict[str, str]:
    """Every string-looking cell → its data type, over all sheets."""
    wb = load_workbook(path)
    return {c.value: c.data_type for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value in HOSTILE}


def _store_with_hostile_names(tmp_path):
    sites = tmp_path / "sites.csv"
    rows = [{"名称": n, "类型": "监测断面", "经度": 117.2 + i / 100, "纬度": 29.3} for i, n in enumerate(HOSTILE)]
    pd.DataFrame(rows).to_csv(sites, index=False)
    services.import_file(MANAGER_ACTOR, sites)
    ledger = tmp_path / "台账.xlsx"
    wb = Workbook()
    wb.active.append(["编号", "问题/任务", "整改时限", "责任单位", "关联点位"])
    for i, n in enumerate(SIMPLE):
        wb.active.append([f"（{i + 1}）", f"任务{i + 1}", "2024年6月底前", n, n])
    text_only(wb.active)  # the clerk's file holds the names as text too
    wb.save(ledger)
    services.import_file(MANAGER_ACTOR, ledger, document="公式测试清单")


def test_ledger_xlsx_writes_hostile_text_as_text(data_dir, tmp_path):
    _store_with_hostile_names(tmp_path)
    out = services.export(MANAGER_ACTOR, tmp_path / "台账.xlsx")
    cells = _cells(out)
    assert set(cells) == set(SIMPLE)  # every hostile name is in the file, exactly as typed …
    assert set(cells.values()) == {"s"}  # … and every one is text, none a formula


def test_checklist_xlsx_writes_hostile_text_as_text(tmp_path):
    from exports.field import Stop, StopTask, Trip, checklist_xlsx

    stops = [Stop(seq=i + 1, day=1, site_id=f"S{i}", name=n, kind="监测断面", county=n, lon=117.2, lat=29.3,
                  arrive=None, depart=None,
                  tasks=[StopTask(ref=n, title=n, status="整改中", flag="", deadline="2024年6月底前", units=n,
                                  verify=n, measures=[("1", n, "", n, "整改中")])])
             for i, n in enumerate(HOSTILE)]
    trip = Trip(title="=1+1", day=date(2026, 11, 23), base_name="@SUM(A1)", base=(117.2, 29.3), stops=stops,
                distance_km=1.0)
    cells = _cells(checklist_xlsx(trip, tmp_path / "检查表.xlsx"))
    assert set(cells) == set(HOSTILE) and set(cells.values()) == {"s"}
