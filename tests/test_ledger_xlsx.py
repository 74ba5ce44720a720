"""The XLSX ledger a clerk opens, cell by cell, against a hand-written table.

The store is built from a hand-made ledger (four rows) with a known status history, so
every figure below is worked out by hand: the 逾期/临期 flag from the deadlines chosen
around the export date, the inherited deadline left blank, the latest note of each task."""

from datetime import date, timedelta

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select

from domain.dates import cn_date
from exports.ledger_xlsx import HEADERS
from onemap import services, settings
from store import models as m
from store import repo
from store.db import transaction
from tests.conftest import MANAGER_ACTOR


def _words(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日前"


def _days(t: date) -> tuple[date, date]:
    """逾期 by one day; 临期 on the last day of the window."""
    return t - timedelta(days=1), t + timedelta(days=30)


@pytest.fixture()
def ledger_store(data_dir, tmp_path):
    """The export and its date. Tasks imported now exist from today on, so the export is as of
    the day of the import, read when the test runs (a suite that crosses midnight still agrees)."""
    day = date.today()
    over, soon = _days(day)
    services.import_file(MANAGER_ACTOR, settings.DEMO_DIR / "sites.csv")
    f = tmp_path / "台账.xlsx"
    pd.DataFrame([
        {"编号": "（一）", "问题/任务": "南河水质不稳定。需加强治理。", "整改目标": "稳定达到Ⅲ类", "整改时限": _words(over),
         "责任单位": "珠山区委、区政府", "验收单位": "市生态环境局", "类别": "水", "关联点位": "南河河口"},
        {"编号": "（一）/1", "上级编号": "（一）", "问题/任务": "完成截污管网建设", "责任单位": "市住建局", "类别": "水"},
        {"编号": "（一）/2", "上级编号": "（一）", "问题/任务": "加强巡查", "整改时限": _words(soon),
         "责任单位": "市城管局、珠山区委、区政府", "类别": "执法", "关联点位": "湖田桥、SEC-01"},
        {"编号": "2", "问题/任务": "开展生态环境保护宣传", "整改时限": "2030年底前，长期坚持", "责任单位": "市生态环境局",
         "类别": "综合"},
    ]).to_excel(f, index=False)
    services.import_file(MANAGER_ACTOR, f, document="测试台账")
    with transaction() as s:
        ids = {t.uid.split("|")[-1]: t.id for t in s.scalars(select(m.Task))}
        repo.record_status(s, ids["（一）"], "整改中", actor="张三", note="已开工")
        repo.record_status(s, ids["（一）/2"], "整改中", actor="李四", note="开始巡查")
        repo.record_status(s, ids["（一）/2"], "申请销号", actor="李四", note="巡查台账已报送")
    out = tmp_path / "export.xlsx"
    services.export(MANAGER_ACTOR, out, as_of=day)
    return out, day


def _expected(day: date) -> list[list]:
    over, soon = _days(day)
    return [
    # 来源文件, 编号, 上级编号, 层级, 问题/任务, 整改目标, 整改时限, 时限日期, 长期坚持, 责任单位, 责任单位所属,
    # 验收单位, 类别, 关联点位, 状态, 逾期/临期, 最新进展
    ["测试台账", "（一）", None, "问题", "南河水质不稳定。需加强治理。", "稳定达到Ⅲ类", _words(over), over.isoformat(), None,
     "珠山区委、区政府", "珠山区", "市生态环境局", "水", "南河河口", "整改中", "逾期", "已开工"],
    # the deadline taken over from the problem is left blank (reads as 同上), but still makes it 逾期
    ["测试台账", "（一）/1", "（一）", "措施", "完成截污管网建设", None, None, None, None,
     "市住建局", "景德镇市", None, "水", None, "未启动", "逾期", None],
    ["测试台账", "（一）/2", "（一）", "措施", "加强巡查", None, _words(soon), soon.isoformat(), None,
     "市城管局、珠山区委、区政府", "景德镇市、珠山区", None, "执法", "湖田桥、南河河口", "申请销号", "临期", "巡查台账已报送"],
    ["测试台账", "2", None, "任务", "开展生态环境保护宣传", None, "2030年底前，长期坚持", "2030-12-31", "是",
     "市生态环境局", "景德镇市", None, "综合", None, "未启动", None, None],
    ]


def test_ledger_cells(ledger_store):
    path, day = ledger_store
    expected = _expected(day)
    ws = openpyxl.load_workbook(path)["台账"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == f"任务台账（数据截至 {cn_date(day)}）"
    assert rows[2] == HEADERS
    assert rows[2] == ["来源文件", "编号", "上级编号", "层级", "问题/任务", "整改目标", "整改时限", "时限日期", "长期坚持",
                       "责任单位", "责任单位所属", "验收单位", "类别", "关联点位", "状态", "逾期/临期", "最新进展"]
    assert len(rows) == 3 + len(expected)
    for n, (got, want) in enumerate(zip(rows[3:], expected, strict=True), start=4):
        for header, g, w in zip(HEADERS, got, want, strict=True):
            assert (header, g) == (header, w), f"第{n}行“{header}”"


def test_flag_and_note_columns(ledger_store):
    """The columns a leader reads first, named on their own so a blank column fails by name."""
    path, day = ledger_store
    over, soon = _days(day)
    df = pd.read_excel(path, sheet_name="台账", header=2, dtype=str).fillna("")
    assert df["逾期/临期"].tolist() == ["逾期", "逾期", "临期", ""]
    assert df["最新进展"].tolist() == ["已开工", "", "巡查台账已报送", ""]
    assert df["整改时限"].tolist() == [_words(over), "", _words(soon), "2030年底前，长期坚持"]  # inherited: blank
