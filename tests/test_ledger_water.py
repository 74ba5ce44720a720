"""The XLSX ledger's 水质 sheet (onemap export ledger.xlsx on the demo): one row per site and
month with values up to the as-of date, the verdicts equal to tests/water_truth.py, the
sample flag in the title and on every row, text cells only."""

from __future__ import annotations

from datetime import date

import openpyxl

from onemap import services
from tests import water_truth
from tests.conftest import MANAGER_ACTOR
from tests.truth import _rows


def test_water_sheet_rows_and_verdicts(demo_dir, tmp_path):
    out = tmp_path / "ledger.xlsx"
    services.export(MANAGER_ACTOR, out, as_of=date(2026, 9, 30))
    ws = openpyxl.load_workbook(out)["水质"]
    assert "含示例数据" in ws["A1"].value and "2026年9月30日" in ws["A1"].value
    head = [c.value for c in ws[3]]
    rows = [dict(zip(head, [c.value for c in r], strict=True)) for r in ws.iter_rows(min_row=4)]
    pairs = {(r["site_id"], str(r["sampled_at"])[:7]) for r in _rows("SELECT site_id, sampled_at FROM water_samples")}
    want = {p for p in pairs if p[1] <= "2026-09"}
    assert len(rows) == len(want) == 11 * 9  # 4 sections and 7 surface sources, January to September
    assert {(r["点位编号"], r["月份"]) for r in rows} == {(s, f"2026年{int(mo[5:])}月") for s, mo in want}
    sept = water_truth.month_verdicts("2026-09")
    for r in rows:
        if r["月份"] == "2026年9月":
            v = sept[r["点位编号"]]
            assert r["水质类别"] == water_truth.LABELS[v["class"]]
            assert r["达标"] == ("达标" if v["compliant"] else "不达标")
            for factor, mult in v["exceeding"].items():
                assert f"{factor}（" in r["超标因子（倍数）"] and f"超标 {mult:.2f} 倍" in r["超标因子（倍数）"]
    hutian = next(r for r in rows if r["点位"] == "湖田桥" and r["月份"] == "2026年9月")
    assert hutian["水质类别"] == "Ⅴ类" and hutian["超标因子（倍数）"] == "总磷（Ⅴ类，超标 0.59 倍）"  # (0.318 − 0.2) / 0.2
    assert {r["数据性质"] for r in rows} == {"示例数据（非实测）"}
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
