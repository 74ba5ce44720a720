"""断面水质 import: the station fixture (tests/fixtures/water/README.md) read, previewed,
written and judged; every bad row reported at once with its exact Chinese text; nothing
written on any refusal or on a failure during the write."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain import water_quality as wq
from ingest.report import ImportFailed
from onemap import services, water
from onemap import settings as app_settings
from store import models as m
from store import repo
from store.db import reader, transaction
from tests.conftest import MANAGER_ACTOR

FIXTURE = Path(__file__).parent / "fixtures" / "water" / "station_2026.csv"
FACTOR_COLS = range(2, 13)  # 水温 … 汞 in the fixture (备注 is not a factor)


@pytest.fixture()
def sites(data_dir):
    """A store holding the demo's sites and parks only (no sample water data)."""
    with transaction() as s:
        repo.set_meta(s, "region", "360200")
    for name in ("sites.csv", "parks.geojson"):
        services.import_file(MANAGER_ACTOR, app_settings.DEMO_DIR / name)
    return data_dir


def stored_count() -> int:
    with reader() as s:
        return s.scalar(select(func.count()).select_from(m.WaterSample))


def fixture_rows() -> list[list[str]]:
    with FIXTURE.open(encoding="utf-8") as fh:
        return list(csv.reader(fh))[2:]  # header and units row


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_station_file_is_read_previewed_and_written(sites):
    rows = fixture_rows()
    values = sum(1 for r in rows for j in FACTOR_COLS if r[j].strip())  # a plain loop over the file
    out = water.import_water(MANAGER_ACTOR, FIXTURE, dry_run=True)
    assert (out.rows, out.sites, out.written) == (6, 5, False)
    assert out.counts == {"新增": values, "修改": 0, "不变": 0} and values == 60
    assert stored_count() == 0  # a dry run writes nothing
    out = water.import_water(MANAGER_ACTOR, FIXTURE)
    assert out.written and stored_count() == values
    with reader() as s:
        got = {(w.site_id, w.sampled_at, w.factor): (w.value_text, w.value, w.below_detection, w.detection_limit,
                                                     w.unit, w.source_file, w.sample)
               for w in s.scalars(select(m.WaterSample))}
        audit_rows = s.scalars(select(m.AuditEntry).where(m.AuditEntry.object_type == "水质监测数据")).all()
    # aliases, codes and names resolved; ND in each spelling; units as the standard's
    assert got[("SEC-01", datetime(2026, 1, 12), "六价铬")] == ("ND", None, True, None, "mg/L", "station_2026.csv", False)
    assert got[("SEC-01", datetime(2026, 1, 12), "汞")] == ("0.00002L", None, True, 0.00002, "mg/L",
                                                           "station_2026.csv", False)
    assert got[("SEC-01", datetime(2026, 2, 10), "六价铬")][:4] == ("<0.004", None, True, 0.004)
    assert got[("SEC-01", datetime(2026, 2, 10), "汞")][:4] == ("未检出", None, True, None)
    assert got[("SEC-02", datetime(2026, 1, 15, 10, 30), "总磷")][:3] == ("0.05", 0.05, False)
    assert got[("SEC-03", datetime(2026, 2, 3), "溶解氧")][:2] == ("5.4", 5.4)
    assert got[("WS-02", datetime(2026, 1, 20), "总氮")][:2] == ("1.20", 1.2)
    assert got[("SEC-01", datetime(2026, 1, 12), "pH")][4] == "无量纲"
    assert got[("SEC-01", datetime(2026, 1, 12), "水温")][4] == "℃"
    assert {k[0] for k in got} == {"SEC-01", "SEC-02", "SEC-03", "WS-02", "WS-05"}
    assert len(audit_rows) == 1 and audit_rows[0].summary == (
        "导入水质监测数据（station_2026.csv）：6 行（5 个断面/水源地），监测值：新增 60 个，修改 0 个，不变 0 个")
    # the same file again: all unchanged; one value edited: one changed
    again = water.import_water(MANAGER_ACTOR, FIXTURE, dry_run=True)
    assert again.counts == {"新增": 0, "修改": 0, "不变": 60}


def test_a_changed_value_is_previewed_as_changed(sites, tmp_path):
    water.import_water(MANAGER_ACTOR, FIXTURE)
    with FIXTURE.open(encoding="utf-8") as fh:
        grid = list(csv.reader(fh))
    grid[4][8] = "0.18"  # 关山村 氨氮 0.12 → 0.18
    out = water.import_water(MANAGER_ACTOR, write_csv(tmp_path / "again.csv", grid))
    changed = [p for p in out.preview if p.action == "修改"]
    assert out.counts == {"新增": 0, "修改": 1, "不变": 59}
    assert [(p.record.site_id, p.record.factor, p.before, p.record.value_text) for p in changed] == [
        ("SEC-02", "氨氮", "0.12", "0.18")]
    with reader() as s:
        w = s.scalar(select(m.WaterSample).where(m.WaterSample.site_id == "SEC-02", m.WaterSample.factor == "氨氮"))
        assert (w.value_text, w.value, w.source_file) == ("0.18", 0.18, "again.csv")


def test_xlsx_as_delivered_reads_the_same(sites, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2026年第一季度地表水监测结果"])  # a title row above the header
    with FIXTURE.open(encoding="utf-8") as fh:
        for r in csv.reader(fh):
            ws.append(r)
    wb.save(tmp_path / "station.xlsx")
    out = water.import_water(MANAGER_ACTOR, tmp_path / "station.xlsx", dry_run=True)
    assert (out.rows, out.sites, out.counts["新增"]) == (6, 5, 60)


def test_verdicts_of_the_fixture(sites):
    """The classes worked out by hand from GB 3838-2002 Table 1 (values in the fixture):
    SEC-01 Jan: 氨氮 0.62 Ⅲ (0.5<x≤1.0), 总磷 0.12 Ⅲ (0.1<x≤0.2) → Ⅲ, target Ⅲ: 达标.
    SEC-01 Feb: 氨氮 1.35 Ⅳ, 总磷 0.28 Ⅳ → Ⅳ; 倍数 (0.28−0.2)/0.2 = 0.40, (1.35−1.0)/1.0 = 0.35.
    SEC-02 Jan: 总磷 0.05 Ⅱ (river) → Ⅱ, target Ⅱ: 达标.
    SEC-03 Feb: 溶解氧 5.4 Ⅲ (5≤x<6) → Ⅲ, target Ⅱ: 不达标, 溶解氧 without 倍数.
    WS-02 (湖库) Jan: 总磷 0.04 Ⅲ on the 湖库 limits (0.025<x≤0.05); 总氮 1.2 Ⅳ apart → Ⅲ, target Ⅲ.
    WS-05 (河流) Mar: 溶解氧 7.2 Ⅱ, 高锰酸盐指数 2.2 Ⅱ, 氨氮 0.30 Ⅱ, 总磷 0.03 Ⅱ → Ⅱ.
    SEC-01 annual: means 氨氮 (0.62+1.35)/2 = 0.985 Ⅲ, 总磷 (0.12+0.28)/2 = 0.20 Ⅲ,
    五日生化需氧量 (2.1+3.5)/2 = 2.8 Ⅰ, 高锰酸盐指数 (3.2+4.6)/2 = 3.9 Ⅱ, COD 15 Ⅰ → Ⅲ: 达标."""
    water.import_water(MANAGER_ACTOR, FIXTURE)
    s1 = water.series("SEC-01")
    assert {k: (v.water_class, v.compliant) for k, v in s1.monthly.items()} == {"2026-01": (3, True),
                                                                              "2026-02": (4, False)}
    assert s1.monthly["2026-01"].worst == ("氨氮", "总磷")
    assert [(e.factor, e.factor_class, e.multiple) for e in s1.monthly["2026-02"].exceeding] == [
        ("总磷", 4, 0.4), ("氨氮", 4, 0.35)]
    a = water.annual(s1)
    assert (a.water_class, a.compliant, a.exceeding) == (3, True, ())
    assert s1.sample is False
    s2 = water.series("SEC-02")
    assert [(v.water_class, v.target, v.worst) for v in s2.monthly.values()] == [(2, 2, ("总磷",))]
    s3 = water.series("SEC-03")
    v3 = s3.monthly["2026-02"]
    assert (v3.water_class, v3.target, v3.compliant) == (3, 2, False)
    assert [(e.factor, e.multiple) for e in v3.exceeding] == [("溶解氧", None)]
    ws2 = water.series("WS-02")
    assert ws2.site.water == wq.LAKE and ws2.site.target == 3
    v = ws2.monthly["2026-01"]
    assert (v.water_class, v.worst, v.separate, v.compliant) == (3, ("总磷",), {"总氮": 4}, True)
    ws5 = water.series("WS-05")
    assert ws5.site.water == wq.RIVER and [x.water_class for x in ws5.monthly.values()] == [2]
    assert water.verdict_text(s1.monthly["2026-02"]) == "Ⅳ类（目标Ⅲ类，不达标；超标因子：总磷 0.40 倍、氨氮 0.35 倍）"
    assert water.verdict_text(v) == "Ⅲ类（目标Ⅲ类，达标）；总氮Ⅳ类（单独评价）"
    # 水质优良比例 and 达标率 of the sections' latest month, against a plain count of the above
    latest = [list(water.series(sid).monthly.values())[-1] for sid in ("SEC-01", "SEC-02", "SEC-03")]
    assert wq.good_share(v.water_class for v in latest) == wq.Share(2, 3)  # Ⅳ, Ⅱ, Ⅲ
    assert wq.compliance_share((v.water_class, v.target) for v in latest) == wq.Share(1, 3)


BAD = [
    ["断面名称", "采样日期", "pH", "溶解氧", "氨氮(mg/L)", "总磷"],
    ["南河河口", "2026-03-01", "7.2", "6.0", "0.5", "0.1"],
    ["不存在断面", "2026-03-01", "7.2", "6.0", "0.5", "0.1"],
    ["江西乐平工业园区", "2026-03-01", "7.2", "6.0", "0.5", "0.1"],
    ["关山村", "2026-13-01", "7.2", "6.0", "0.5", "0.1"],
    ["关山村", "2099-01-05", "7.2", "6.0", "0.5", "0.1"],
    ["湖田桥", "2026-03-01", "7.2", "abc", "0.5", "0.1"],
    ["湖田桥", "2026-04-01", "7.2", "6.0", "-0.5", "0.1"],
    ["南河河口", "2026-03-01", "7.3", "6.1", "0.4", "0.1"],
    ["湖田桥", "2026-05-01", "7.2", "ND", "0.5", "=1+2"],
    ["湖田桥", "2026-06-01", "15", "6.0", "0.5", "0.1"],
    ["", "2026-06-01", "7.2", "6.0", "0.5", "0.1"],
]
BAD_REPORT = """导入失败：发现 11 处错误，未写入任何数据。
  - 第3行“断面名称”列，值“不存在断面”：未知的断面或水源地。请先在“点位”中导入该断面，或使用已有的名称、编号或别名
  - 第4行“断面名称”列，值“江西乐平工业园区”：该点位不是监测断面或饮用水水源地。水质数据只能导入断面和水源地
  - 第5行“采样日期”列，值“2026-13-01”：无法识别的日期。格式如 2026-01-12、2026/1/12 10:30 或 2026年1月12日
  - 第6行“采样日期”列，值“2099-01-05”：采样日期晚于今天。请核对日期
  - 第7行“溶解氧”列，值“abc”：不是数值。请填写数值；低于检出限填 ND、未检出、<检出限 或 检出限L
  - 第8行“氨氮(mg/L)”列，值“-0.5”：监测值不能为负数。请核对数值
  - 第9行“断面名称”列，值“南河河口”：与第2行重复（同一断面、同一采样时间）。请删除重复行，或核对采样时间
  - 第10行“溶解氧”列，值“ND”：溶解氧为现场测定项目，不应为未检出。请填写实测值
  - 第10行“总磷”列，值“=1+2”：不是数值。请填写数值；低于检出限填 ND、未检出、<检出限 或 检出限L
  - 第11行“pH”列，值“15”：pH 应在 0–14 之间。请核对数值
  - 第12行“断面名称”列：没有填写断面名称。请填写断面名称、编号或别名
  提示：第1行“溶解氧”列：未注明单位，按标准单位 mg/L 导入
  提示：第1行“总磷”列：未注明单位，按标准单位 mg/L 导入"""


def test_every_bad_row_is_reported_at_once_and_nothing_is_written(sites, tmp_path):
    with pytest.raises(ImportFailed) as exc:
        water.import_water(MANAGER_ACTOR, write_csv(tmp_path / "bad.csv", BAD))
    assert exc.value.report.text() == BAD_REPORT
    assert stored_count() == 0


@pytest.mark.parametrize("grid,expected", [
    ([["断面名称", "采样日期", "氨氮(μg/L)"], ["南河河口", "2026-03-01", "500"]],
     "第1行“氨氮(μg/L)”列，值“μg/L”：单位与 GB 3838-2002 不一致（氨氮应为 mg/L）。请换算为 mg/L 后导入"),
    ([["断面名称", "采样日期", "总磷"], ["单位", "", "μg/L"], ["南河河口", "2026-03-01", "50"]],
     "第2行“总磷”列，值“μg/L”：单位与 GB 3838-2002 不一致（总磷应为 mg/L）。请换算为 mg/L 后导入"),
    ([["断面名称", "采样日期", "总磷(mg/L)"], ["单位", "", "g/L"], ["南河河口", "2026-03-01", "0.05"]],
     "第2行“总磷(mg/L)”列，值“g/L”：单位与表头“mg/L”不一致。请核对单位"),
    ([["断面名称", "采样日期", "氨氮", "氨氮"], ["南河河口", "2026-03-01", "0.5", "0.5"]],
     "第1行“氨氮”列：表头有重复的列名。每列用不同的列名，每个项目只保留一列"),
    ([["断面名称", "采样日期", "氨氮", "NH3-N"], ["南河河口", "2026-03-01", "0.5", "0.5"]],
     "第1行“NH3-N”列：与“氨氮”列是同一监测项目（氨氮）。每个项目只保留一列"),
    ([["断面名称", "日期", "备注"], ["南河河口", "2026-03-01", "晴"]],
     "第1行：没有识别出任何监测项目列。列名应为标准中的项目名称，如 pH、溶解氧、高锰酸盐指数、氨氮(mg/L)、总磷"),
    ([["名字", "采样日期", "氨氮"], ["南河河口", "2026-03-01", "0.5"]],
     "第1行：找不到断面名称列。请用以下列名之一：断面名称、断面、断面编号、点位名称"),
    ([["断面名称", "采样日期", "氨氮"], ["南河河口", "2026-03-01", ""]],
     "第2行，值“南河河口”：这一行没有任何监测值。请填写监测值，或删除该行"),
])
def test_file_level_refusals(sites, tmp_path, grid, expected):
    with pytest.raises(ImportFailed) as exc:
        water.import_water(MANAGER_ACTOR, write_csv(tmp_path / "x.csv", grid))
    assert exc.value.report.text().splitlines()[1] == f"  - {expected}"
    assert stored_count() == 0


def test_wrong_file_type_and_missing_file(sites, tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        water.import_water(MANAGER_ACTOR, tmp_path / "a.txt")
    assert exc.value.report.text() == ("导入失败：发现 1 处错误，未写入任何数据。\n"
                                       "  - 文件，值“a.txt”：不支持的文件类型“.txt”。水质监测数据支持 XLSX、XLS、CSV")
    with pytest.raises(ImportFailed) as exc:
        water.import_water(MANAGER_ACTOR, tmp_path / "none.csv")
    assert exc.value.report.errors[0].problem == "文件不存在"


def test_a_failure_during_the_write_leaves_nothing(sites, monkeypatch):
    """The values are written, then the audit row fails: the transaction takes both back."""
    def broken(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(water.audit, "record", broken)
    with pytest.raises(RuntimeError):
        water.import_water(MANAGER_ACTOR, FIXTURE)
    assert stored_count() == 0


def test_only_importers_may_import(sites):
    from domain.actors import Actor

    leader = Actor("t-leader", "局领导（测试）", "领导", "市生态环境局")
    with pytest.raises(services.ServiceError) as exc:
        water.import_water(leader, FIXTURE)
    assert str(exc.value) == "“领导”角色不能导入数据"
    assert stored_count() == 0
    with reader() as s:
        denied = s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "拒绝操作")).all()
    assert [(d.username, d.object_type) for d in denied] == [("t-leader", "导入数据")]


def test_cli_import_and_show(sites, capsys):
    from onemap.cli import main

    assert main(["water", "import", str(FIXTURE), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "预览（未写入）水质监测数据：6 行（5 个断面/水源地），监测值：新增 60 个，修改 0 个，不变 0 个"
    assert stored_count() == 0
    assert main(["water", "import", str(FIXTURE)]) == 0
    capsys.readouterr()
    assert main(["water", "show", "南河河口断面"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "南河河口（SEC-01，监测断面，按河流评价，目标 Ⅲ类）",
        "2026-01\tⅢ类（目标Ⅲ类，达标）",
        "2026-02\tⅣ类（目标Ⅲ类，不达标；超标因子：总磷 0.40 倍、氨氮 0.35 倍）",
        "年均值\tⅢ类（目标Ⅲ类，达标）",
    ]
    assert main(["water", "show", "无此断面"]) == 1
    assert capsys.readouterr().err.strip() == "错误：没有名为或编号为“无此断面”的断面或水源地"
    assert main(["water", "show", "江西乐平工业园区"]) == 1
    assert capsys.readouterr().err.strip() == "错误：“江西乐平工业园区”不是监测断面或饮用水水源地"


cell = st.one_of(st.text(max_size=12), st.sampled_from(["ND", "<0.01", "0.01L", "-1", "1e400", "=A1", "0.5", ""]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(cell, min_size=3, max_size=3))
def test_any_cells_are_imported_or_refused_never_raised(sites, tmp_path, cells):
    """Whatever a station types in the value cells: a report or a clean write, no traceback;
    a refusal writes nothing, and what is written parses back to the cell as typed."""
    grid = [["断面名称", "采样日期", "氨氮", "总磷", "高锰酸盐指数"], ["湖田桥", "2026-07-01", *cells]]
    before = stored_count()
    try:
        out = water.import_water(MANAGER_ACTOR, write_csv(tmp_path / "p.csv", grid))
    except ImportFailed:
        assert stored_count() == before
        return
    assert out.written
    with reader() as s:
        for w in s.scalars(select(m.WaterSample).where(m.WaterSample.sampled_at == datetime(2026, 7, 1))):
            parsed = wq.parse_value(w.value_text)
            assert parsed is not None and parsed.nd == w.below_detection
            assert w.below_detection or (w.value is not None and w.value >= 0)


def test_code_and_name_columns_and_a_separate_time_column(sites, tmp_path):
    grid = [["断面编号", "断面名称", "采样日期", "采样时间", "氨氮(mg/L)"],
            ["SEC-01", "南河河口", "2026-03-01", "10:30", "0.5"],
            ["SEC-01", "南河河口", "2026-03-01", "15:05", "0.6"],  # same day, another time: not a duplicate
            ["", "湖田桥", "2026-03-01", "", "0.7"]]
    out = water.import_water(MANAGER_ACTOR, write_csv(tmp_path / "ok.csv", grid))
    assert sorted((p.record.site_id, p.record.sampled_at, p.record.value_text) for p in out.preview) == [
        ("SEC-01", datetime(2026, 3, 1, 10, 30), "0.5"), ("SEC-01", datetime(2026, 3, 1, 15, 5), "0.6"),
        ("SEC-04", datetime(2026, 3, 1), "0.7")]
    bad = [grid[0], ["SEC-02", "南河河口", "2026-03-02", "10:30", "0.5"],
           ["SEC-01", "南河河口", "2026-03-02", "下午", "0.5"]]
    with pytest.raises(ImportFailed) as exc:
        water.import_water(MANAGER_ACTOR, write_csv(tmp_path / "bad.csv", bad))
    assert exc.value.report.text().splitlines()[1:] == [
        "  - 第2行“断面名称、断面编号”列，值“南河河口、SEC-02”：编号与名称指向不同的点位（关山村、南河河口）。请核对断面编号和名称",
        "  - 第3行“采样时间”列，值“下午”：采样时间无法识别或与采样日期不符。时间格式如 10:30，或与日期相同的 2026-01-12 10:30"]
    assert stored_count() == 3


def test_upload_size_limit_and_a_broken_limits_file(sites, tmp_path, monkeypatch, capsys):
    import json
    import shutil

    from onemap import config
    from onemap.cli import main

    monkeypatch.setenv("ONEMAP_LIMIT_UPLOAD_BYTES", "100")
    assert main(["water", "import", str(FIXTURE)]) == 1
    assert capsys.readouterr().err.strip() == ("导入失败：发现 1 处错误，未写入任何数据。\n  - 文件，值“station_2026.csv”："
                                               "文件过大（0 MB，上限 0 MB）。请分批导入（上限可由 ONEMAP_LIMIT_UPLOAD_BYTES 调整）")
    monkeypatch.delenv("ONEMAP_LIMIT_UPLOAD_BYTES")
    cfg = tmp_path / "config"
    shutil.copytree(app_settings.CONFIG_DIR, cfg)
    d = json.loads((cfg / "gb3838_2002.json").read_text(encoding="utf-8"))
    d["factors"][2]["direction"] = "下限"
    (cfg / "gb3838_2002.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(app_settings, "CONFIG_DIR", cfg)
    config.load.cache_clear()
    water.standard.cache_clear()
    try:
        assert main(["water", "import", str(FIXTURE)]) == 2
        err = capsys.readouterr().err
        assert err.strip() == ("错误：配置文件 data/config/gb3838_2002.json 中 factors[2].direction：值“下限”无效，"
                               "可用：max、min、range、none")
        d["factors"][2]["direction"] = "min"
        d["factors"][6]["limits"] = [0.5, 0.15, 1.0, 1.5, 2.0]  # 氨氮 Ⅰ and Ⅱ swapped
        (cfg / "gb3838_2002.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
        config.load.cache_clear()
        assert main(["water", "import", str(FIXTURE)]) == 2
        assert capsys.readouterr().err.strip() == ("错误：配置文件 data/config/gb3838_2002.json：标准限值文件中“氨氮”的限值"
                                                   "没有按Ⅰ→Ⅴ类由严到宽排列")
        assert stored_count() == 0
    finally:
        config.load.cache_clear()
        water.standard.cache_clear()


@pytest.mark.parametrize("header,factor,unit", [
    ("氨氮", "氨氮", None), ("氨氮(mg/L)", "氨氮", "mg/L"), ("氨氮（mg/L）", "氨氮", "mg/L"), ("NH3-N", "氨氮", None),
    ("高锰酸盐指数(CODMn)", "高锰酸盐指数", None), ("高锰酸钾指数（mg/L）", "高锰酸盐指数", "mg/L"),
    ("化学需氧量(COD)(mg/L)", "化学需氧量", "mg/L"), ("总磷(以P计)(mg/L)", "总磷", "mg/L"),
    ("水温(℃)", "水温", "℃"), ("pH值", "pH", None), ("PH(无量纲)", "pH", "无量纲"),
    ("粪大肠菌群(个/L)", "粪大肠菌群", "个/L"), ("铬(六价)", "六价铬", None), ("DO (mg/L)", "溶解氧", "mg/L"),
    ("备注", None, None), ("透明度(cm)", None, None)])
def test_factor_headers_as_stations_write_them(header, factor, unit):
    from ingest.water import _split_header

    f, u = _split_header(header, water.standard())
    assert (f.name if f else None, u) == (factor, unit)


@pytest.mark.parametrize("row,expected", [
    (["南河河口", "", "0.5"], "第2行“采样日期”列：没有填写采样日期。格式如 2026-01-12 或 2026年1月12日"),
    (["南河河口", "1985-06-01", "0.5"], "第2行“采样日期”列，值“1985-06-01”：采样日期早于 1990 年。请核对日期"),
    (["南河河口", "2026-03-01", "0." + "5" * 40],
     f"第2行“氨氮”列，值“{'0.' + '5' * 40}”：内容过长（42 字符）。请只填写数值，如 0.52、ND 或 <0.01"),
    (["南河河口", "2026-03-01", "<0"],
     "第2行“氨氮”列，值“<0”：不是数值。请填写数值；低于检出限填 ND、未检出、<检出限 或 检出限L"),
    (["地下井", "2026-03-01", "0.5"],
     "第2行“断面名称”列，值“地下井”：地下水型水源地按 GB/T 14848 评价，不适用地表水标准。请只导入地表水断面和河流型、湖库型水源地"),
])
def test_row_refusals(sites, tmp_path, row, expected):
    groundwater = tmp_path / "gw.csv"
    write_csv(groundwater, [["编号", "类型", "名称", "区县", "经度", "纬度", "水源类型"],
                            ["WS-GW", "饮用水水源地", "地下井", "浮梁县", "117.25", "29.42", "地下水型"]])
    services.import_file(MANAGER_ACTOR, groundwater)
    with pytest.raises(ImportFailed) as exc:
        water.import_water(MANAGER_ACTOR, write_csv(tmp_path / "x.csv", [["断面名称", "采样日期", "氨氮"], row]))
    assert exc.value.report.text().splitlines()[1] == f"  - {expected}"
    assert stored_count() == 0


def test_empty_files_are_refused(sites, tmp_path):
    for grid, expected in (([["断面名称", "采样日期", "氨氮"]], "表格是空的。请在表头下方逐行填写监测数据（每行一个断面、一次采样）"),
                           ([["断面名称", "采样日期", "氨氮"], ["单位", "", "mg/L"]],
                            "表格中没有监测数据行。请在表头下方逐行填写监测数据")):
        with pytest.raises(ImportFailed) as exc:
            water.import_water(MANAGER_ACTOR, write_csv(tmp_path / "e.csv", grid))
        assert exc.value.report.text().splitlines()[1] == f"  - 文件，值“e.csv”：{expected}"
    (tmp_path / "blank.csv").write_text("", encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        water.import_water(MANAGER_ACTOR, tmp_path / "blank.csv")
    assert exc.value.report.errors[0].problem == "无法读取表格：不是有效的 CSV、XLSX 或 XLS 文件，或文件已损坏"


def test_the_store_revision_moves_with_water_writes(sites, tmp_path):
    """The pages' cache key (store.queries.revision) changes with an import and with one changed value."""
    from store import queries

    def rev():
        with reader() as s:
            return queries.revision(s)

    r0 = rev()
    water.import_water(MANAGER_ACTOR, FIXTURE)
    r1 = rev()
    assert r1["water"] != r0["water"] and r1["sites"] == r0["sites"]
    with FIXTURE.open(encoding="utf-8") as fh:
        grid = list(csv.reader(fh))
    grid[4][8] = "0.18"
    water.import_water(MANAGER_ACTOR, write_csv(tmp_path / "again.csv", grid))
    assert rev()["water"] != r1["water"]
