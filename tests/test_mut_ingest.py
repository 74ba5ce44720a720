"""Import reports and small ingest rules with hand-written expected text (issue 18:
mutation testing showed the wording and the limits untested)."""

from __future__ import annotations

from ingest.report import ImportFailed, Problem, Report
from tests.conftest import MANAGER_ACTOR


def test_report_text_names_row_column_value_problem_and_fix():
    r = Report()
    assert r.ok and r.text() == ""
    r.warn(3, "整改时限", "年底", "时限按当年12月31日计")
    r.error(5, "编号", None, "编号为空", "每行都需要编号")
    r.error("要素7", "", "x" * 61, "坐标超出范围", "")
    r.error("", "关联点位", "", "缺少必需的列", "请加上该列")
    assert not r.ok
    assert r.text() == "\n".join([
        "导入失败：发现 3 处错误，未写入任何数据。",
        "  - 第5行“编号”列：编号为空。每行都需要编号",
        "  - 要素7，值“" + "x" * 57 + "…”：坐标超出范围",
        "  - 文件“关联点位”列：缺少必需的列。请加上该列",
        "  提示：第3行“整改时限”列，值“年底”：时限按当年12月31日计",
    ])
    assert r.errors[1].as_dict() == {"row": "要素7", "column": "", "value": "x" * 57 + "…", "problem": "坐标超出范围",
                                     "fix": ""}
    assert r.warnings == [Problem(3, "整改时限", "年底", "时限按当年12月31日计", "")]


def test_values_up_to_sixty_characters_are_kept_whole():
    r = Report()
    r.warn(2, "名称", "甲" * 60, "过长")
    r.warn(2, "名称", 12.5, "数字")
    assert [p.value for p in r.warnings] == ["甲" * 60, "12.5"]


def test_import_failed_carries_the_report_and_its_text():
    r = Report()
    r.error(2, "名称", "", "名称为空", "")
    e = ImportFailed(r)
    assert e.report is r
    assert str(e) == "导入失败：发现 1 处错误，未写入任何数据。\n  - 第2行“名称”列：名称为空"


def _site_rows() -> dict:
    from sqlalchemy import select

    from store import models as m
    from store.db import reader

    with reader() as s:
        return {x.id: (x.kind, x.name, list(x.aliases or []), x.county_code, dict(x.attrs or {}), x.source_crs,
                       x.source, x.illustrative) for x in s.scalars(select(m.Site))}


def test_full_export_restores_every_site_field(demo_dir, stores, tmp_path):
    from onemap import services

    out = tmp_path / "all.gpkg"
    services.export(MANAGER_ACTOR, out)
    before = _site_rows()
    assert before and all(v[3] for v in before.values())  # the demo's sites all have a county
    stores.new()
    services.import_file(MANAGER_ACTOR, out)
    assert _site_rows() == before


def test_splitting_a_measure_splits_its_title_too():
    import pandas as pd

    from ingest.review import COLUMNS, split_row

    row = dict.fromkeys(COLUMNS, "")
    row.update({"行": 1, "上级": 0, "层级": "措施", "编号": "3", "标题": "清理河道垃圾。加装拦污网。",
                "内容": "清理河道垃圾。加装拦污网。"})
    got = split_row(pd.DataFrame([row], columns=COLUMNS), 1, "加装")
    assert got[["行", "编号", "标题", "内容"]].values.tolist() == [
        [1, "3", "清理河道垃圾。", "清理河道垃圾。"], [2, "3之二", "加装拦污网。", "加装拦污网。"]]


def test_gazetteer_sites_without_a_kind():
    from ingest.gazetteer import Gazetteer

    gaz = Gazetteer([("S1", "王雌涧水库", ["王雌涧"]), ("S2", "南河河口", [], "section")])
    assert [(s.id, s.kind_code, s.names) for s in gaz.sites] == [
        ("S1", None, ("王雌涧水库", "王雌涧")), ("S2", "section", ("南河河口",))]


def test_site_table_errors_say_how_to_fix():
    import pandas as pd

    from ingest.sites import _coerce_attr, table_to_gdf
    from onemap.kinds import kind_by_any

    r = Report()
    assert table_to_gdf(pd.DataFrame({"名称": ["甲"], "备注": ["x"]}), r, None, None, None, None) is None
    assert r.errors == [Problem("", "", "名称、备注", "没有找到坐标列",
                                "点位表请使用“经度/纬度”“lon/lat”或“x/y”列名（或导入时指定坐标列）；"
                                "任务台账需要“编号”和“问题/任务”列")]
    r = Report()
    df = pd.DataFrame({"名称": ["甲", "乙"], "经度": [117.2, "东经"], "纬度": [29.3, 29.4]})
    assert table_to_gdf(df, r, None, None, None, None) is None
    assert r.errors == [Problem(3, "经度", "东经", "坐标缺失或不是数字", "请填写十进制数字坐标，如 117.2135")]
    r = Report()
    assert _coerce_attr(kind_by_any("监测断面"), "备注", "长" * 2001, r, 4) is None
    assert r.errors == [Problem(4, "备注", "长" * 20 + "…", "内容过长（2001 字，上限 2000 字）", "请精简该列内容")]


def test_a_geographic_crs_with_metre_values_is_refused():
    import pandas as pd
    from pyproj import CRS

    from ingest.sites import table_to_gdf

    r = Report()
    df = pd.DataFrame({"名称": ["甲"], "x": [39_500_000.0], "y": [3_250_000.0]})
    assert table_to_gdf(df, r, CRS.from_epsg(4490), None, None, None) is None
    [p] = r.errors
    assert (p.row, p.column, p.value, p.fix) == ("", "x/y", "39500000.0, 3250000.0",
                                                 "投影坐标请指定高斯-克吕格投影坐标系，如 EPSG:4548 或 EPSG:4527")
    assert p.problem.endswith("是经纬度，但坐标值不是度数") and "4490" in p.problem
