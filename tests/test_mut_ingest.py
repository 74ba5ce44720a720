"""Import reports and small ingest rules with hand-written expected text (issue 18:
mutation testing showed the wording and the limits untested)."""

from __future__ import annotations

from ingest.gazetteer import Candidate, Gazetteer, Match
from ingest.report import ImportFailed, Problem, Report
from tests.conftest import MANAGER_ACTOR
from tests.test_gazetteer import PREFIXES, SITES


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

    from geo.region import load_region
    from ingest.sites import _coerce_attr, table_to_gdf
    from onemap.kinds import kind_by_any

    r = Report()
    assert table_to_gdf(pd.DataFrame({"名称": ["甲"], "备注": ["x"]}), r, None, None, None, None) is None
    assert r.errors == [Problem("", "", "名称、备注", "没有找到坐标列",
                                "点位表请使用“经度/纬度”“lon/lat”或“x/y”列名（或导入时指定坐标列）；"
                                "任务台账需要“编号”和“问题/任务”列")]
    r = Report()
    df = pd.DataFrame({"名称": ["甲", "乙"], "经度": [117.2, "东经"], "纬度": [29.3, 29.4]})
    gdf = table_to_gdf(df, r, None, None, None, load_region("360200"))
    assert r.errors == [Problem(3, "经度", "东经", "坐标缺失或不是数字", "请填写十进制数字坐标，如 117.2135")]
    # the readable row goes on to the other checks (its number kept: index 0 → row 2)
    assert list(gdf.index) == [0] and list(gdf["名称"]) == ["甲"] and gdf.attrs["coord_cols"] == "经度/纬度"
    assert table_to_gdf(df.iloc[1:], Report(), None, None, None, load_region("360200")) is None  # no row left
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


# --- the gazetteer, exactly: every figure below worked out by hand from its rules ------------

GAZ = Gazetteer(SITES, prefixes=PREFIXES)


def test_gazetteer_core_of_a_phrase():
    cases = {
        "江西省景德镇市乐平工业园区": ("乐平", "park"),  # prefixes stripped one after another
        "乐平市塔山工业园区": ("塔山", "park"),
        "江西乐平": ("乐平", None),
        "江西乐": ("江西乐", None),  # a prefix is stripped only when two characters are left
        "江西": ("江西", None),
        "饮用水源地": ("", "water_source"),  # nothing but a generic word
        "国控断面": ("", "section"),
        "幸福水库": ("幸福水库", "water_source"),  # 水库 is part of the name
        "高岩钙业": ("高岩钙业", "mine"),
        "南河国控断面": ("南河", "section"),
        "南河国控": ("南河", None),  # a qualifier after the core
        "国控": ("", None),
        "废弃矿山": ("", "mine"),  # a describing word is no place
        "历史遗留废弃煤矿": ("煤矿", "mine"),  # leads stripped one after another
        "西湖乡水厂水源地": ("", "water_source"),  # a township before the suffix names no site
        "江村乡工业园": ("", "park"),
        "浮梁县": ("浮梁县", None),
        "樟树坑（昌江）饮用水水源保护区": ("樟树坑", "water_source"),
        "鱼山医药产业园区": ("鱼山", "park"),
    }
    assert {p: GAZ.core(p) for p in cases} == cases


def test_gazetteer_mentions():
    assert Gazetteer.mentions("对5家废弃矿山开展排查") == [("废弃矿山", 3)]  # 家 after a number ends it
    assert Gazetteer.mentions("2022年国考断面") == [("国考断面", 5)]
    assert Gazetteer.mentions("，断面水质") == []  # the suffix alone
    assert Gazetteer.mentions("划定樟树坑水源保护区") == [("樟树坑水源保护区", 2)]  # stop word cut
    assert Gazetteer.mentions("划定水源保护区") == []
    assert Gazetteer.mentions("完成樟树坑（昌江）饮用水水源保护区") == [("樟树坑（昌江）饮用水水源保护区", 2)]
    assert Gazetteer.mentions("樟树坑（一二三四五六七）水源地") == []  # a bracket longer than six ends it
    digits = "一二三四五六七八九十一二三四五六"
    assert Gazetteer.mentions(digits + "工业园") == [(digits[2:] + "工业园", 2)]  # at most 14 characters back


def test_gazetteer_analyse_exactly():
    cases = [
        ("督察发现，乐平工业园在未完成调扩区手续的情况下", [Match("PARK-01", "乐平工业园", 0.8, 5)]),
        ("完成江西乐平工业园区扩区调区", [Match("PARK-01", "江西乐平工业园区", 1.0, 2)]),
        ("推动乐平化工园区“一园一策一图”实施", [Match("PARK-01", "乐平化工园区", 0.8, 2)]),
        ("基本完成鱼山医药产业园区地下水污染专项整治", [Match("PARK-04", "鱼山医药产业园区", 0.6, 4)]),
        ("完成南河国控断面上游分散污水源收集工程", [Match("SEC-01", "南河国控断面", 0.6, 2)]),
        ("完成樟树坑（昌江）饮用水水源保护区的划定", [Match("WS-01", "樟树坑（昌江）饮用水水源保护区", 0.8, 2)]),
        ("督促高岩钙业高标准进行防尘抑尘措施整改", [Match("MIN-12", "高岩钙业", 1.0, 2)]),
        # a better match of the same site is kept; the first place a name is written
        ("南河国控断面和南河河口", [Match("SEC-01", "南河河口", 1.0, 7)]),
        ("南河河口和南河河口", [Match("SEC-01", "南河河口", 1.0, 0)]),
        ("高岩钙业与南河河口", [Match("MIN-12", "高岩钙业", 1.0, 0), Match("SEC-01", "南河河口", 1.0, 5)]),
    ]
    for text, want in cases:
        assert GAZ.analyse(text) == (want, []), text


def test_gazetteer_candidate_named_by_its_shortest_phrase():
    assert GAZ.analyse("完成湘湖工业基地建设，湘湖工业园") == ([], [Candidate("湘湖工业园", "park", 2)])


def test_gazetteer_mentions_more():
    # a later bracket is not the one that closes the qualifier
    assert Gazetteer.mentions("完成樟树坑（昌江）饮用水水源保护区（试行）") == [("樟树坑（昌江）饮用水水源保护区", 2)]
    # 家 ends a phrase only right after a number
    assert Gazetteer.mentions("共有5家废弃矿山") == [("废弃矿山", 4)]
    assert Gazetteer.mentions("个体家废弃矿山") == [("个体家废弃矿山", 0)]


def test_gazetteer_keeps_looking_after_a_taken_or_generic_phrase():
    _m, cands = GAZ.analyse("完成江西乐平工业园区扩区，对双田岩口采石场开展修复")
    assert cands == [Candidate("双田岩口采石场", "mine", 14)]
    assert GAZ.analyse("废弃矿山整治，双田岩口采石场") == ([], [Candidate("双田岩口采石场", "mine", 7)])


def test_propose_links_and_candidates_exactly():
    import pandas as pd

    from ingest.review import propose

    title = "完成江西乐平工业园区扩区调区和规划环评批复并落实园区污水集中处理"
    rows = pd.DataFrame([
        {"行": 1, "编号": "（一）", "标题": title, "内容": "江西双田岩口采石场开展修复", "整改目标": ""},
        {"行": 2, "编号": "1", "标题": "南河国控断面", "内容": "对双田岩口采石场开展修复", "整改目标": None},
        {"行": 3, "编号": None, "标题": "对双田岩口采石场开展修复", "内容": "", "整改目标": ""},
    ])
    links, cands = propose(rows, GAZ, {"PARK-01": "江西乐平工业园区", "SEC-01": "南河河口"})
    assert links.to_dict("records") == [
        {"行": 1, "条目": "（一） " + title[:24], "点位编号": "PARK-01", "点位": "江西乐平工业园区",
         "匹配文字": "江西乐平工业园区", "置信度": 1.0, "采纳": True},
        {"行": 2, "条目": "1 南河国控断面", "点位编号": "SEC-01", "点位": "南河河口", "匹配文字": "南河国控断面",
         "置信度": 0.6, "采纳": False},
    ]
    # one place however it is written (its shortest form), with every row that names it, once
    assert cands.to_dict("records") == [
        {"地名": "双田岩口采石场", "类型": "mine", "涉及行": "1、2、3", "新建": False, "名称": "双田岩口采石场",
         "经度": None, "纬度": None, "坐标系": "EPSG:4326"}]


def test_review_table_is_the_parsed_tree_row_by_row():
    """to_table against a plain walk over the parsed tree of the demo's work points."""
    from domain.units import UnitParser
    from geo.region import load_region
    from ingest import review as rv
    from ingest.docparse import parse_document
    from onemap import settings

    doc = parse_document(settings.DEMO_DIR / "docs" / "000_work_points_2026.txt",
                         UnitParser(load_region("360200").places), short_name="要点")
    want = []

    def walk(items, parent):
        for it in items:
            part = {"main": "正文", "annex": "附件"}[it.part]  # the review speaks the clerk's words
            want.append((len(want) + 1, parent, it.number or "", it.title, it.group, part, it.category))
            walk(it.children, len(want))

    walk(doc.items, 0)
    rows = rv.to_table(doc)
    assert list(rows.columns) == rv.COLUMNS
    got = list(rows[["行", "上级", "编号", "标题", "分组", "部分", "类别"]].itertuples(index=False, name=None))
    assert got == want
    assert any(g for *_x, g, _p, _c in want)  # the groups are really there to compare


def test_ledger_errors_name_value_and_fix(tmp_path):
    import json

    import pandas as pd

    from domain.units import UnitParser
    from geo.region import load_region
    from ingest.ledger import read_ledger
    from onemap import settings

    cfg = json.loads((settings.REPO_ROOT / "data/config/categories.json").read_text("utf-8"))
    cats = sorted([c["name"] for c in cfg["categories"]] + [cfg["default"]])
    f = tmp_path / "台账.xlsx"
    pd.DataFrame([{"编号": "1", "问题/任务": "甲", "类别": "天文"},
                  {"编号": "2", "上级编号": "9", "问题/任务": "乙", "类别": "水"}]).to_excel(f, index=False)
    out = read_ledger(f, UnitParser(load_region("360200").places), {}, default_document="台账")
    assert [(e.row, e.column, e.value, e.problem, e.fix) for e in out.report.errors] == [
        (2, "类别", "天文", "未知类别", "可用类别：" + "、".join(cats)),
        (3, "上级编号", "9", "上级编号不存在", "上级编号须是同一来源文件中另一行的编号"),
    ]


def test_latitude_beyond_90_is_refused_up_to_a_longitude_of_exactly_90():
    import pandas as pd

    from geo.region import load_region
    from ingest.sites import table_to_gdf

    r = Report()
    df = pd.DataFrame({"名称": ["甲", "乙"], "经度": [90.0, -90.0], "纬度": [117.2, -95.0]})
    assert table_to_gdf(df, r, None, None, None, load_region("360200")) is None
    assert r.errors == [Problem(2, "经度/纬度", "90.0, 117.2", "纬度超出 ±90°，经纬度可能填反", "请检查坐标列"),
                        Problem(3, "经度/纬度", "-90.0, -95.0", "纬度超出 ±90°，经纬度可能填反", "请检查坐标列")]


def test_files_too_large_are_refused_with_both_sizes(tmp_path, monkeypatch):
    import zipfile

    from ingest.sites import _table_within_limits

    monkeypatch.setenv("ONEMAP_LIMIT_UPLOAD_BYTES", str(3 * 2**20))
    monkeypatch.setenv("ONEMAP_LIMIT_SHEET_UNZIPPED_BYTES", str(2 * 2**20))
    big = tmp_path / "大.csv"
    big.write_bytes(b"0" * (4 * 2**20 + 100))
    r = Report()
    assert _table_within_limits(big, r) is False
    assert r.errors == [Problem("", "", "大.csv", "文件过大（4 MB，上限 3 MB）", "请分批导入（上限可由 ONEMAP_LIMIT_UPLOAD_BYTES 调整）")]
    bomb = tmp_path / "炸.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (5 * 2**20))
    r = Report()
    assert _table_within_limits(bomb, r) is False
    assert r.errors == [Problem("", "", "炸.xlsx", "表格解压后过大（5 MB，上限 2 MB），未读取", "请确认文件来源，或分批导入")]
    small = tmp_path / "小.csv"
    small.write_bytes(b"0" * (3 * 2**20))  # exactly the limit
    assert _table_within_limits(small, Report()) is True


def test_unreadable_layer_files_are_refused_in_words(tmp_path):
    import zipfile

    from ingest.sites import read_vector

    slip = tmp_path / "层.zip"
    with zipfile.ZipFile(slip, "w") as zf:
        zf.writestr("../evil.shp", b"x")
    r = Report()
    assert read_vector(slip, r) is None
    assert r.errors == [Problem("", "", "../evil.shp", "zip 包中的文件路径试图跳出所在文件夹", "该文件可能被篡改，请重新打包后导入")]
    kmz = tmp_path / "点.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.writestr("readme.txt", b"x")
    r = Report()
    assert read_vector(kmz, r) is None
    assert r.errors == [Problem("", "", "点.kmz", "KMZ 中没有 KML 文件", "请导出为 KML 或 KMZ")]
    junk = tmp_path / "坏.gpkg"
    junk.write_bytes(b"not a geopackage")
    r = Report()
    assert read_vector(junk, r) is None
    assert r.errors == [Problem("", "", "坏.gpkg", "无法读取文件：不是可识别的图层文件，或文件已损坏", "请确认文件完整、格式与扩展名一致")]


def test_is_present():
    from ingest.sites import _is_present

    assert [_is_present(v) for v in (None, float("nan"), "", "  ", "x", 0, 0.0)] == [
        False, False, False, False, True, True, True]


def test_layers_of_a_geopackage(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from ingest.sites import _layers_to_read

    path = tmp_path / "点位.gpkg"
    for name in ("监测断面", "other"):
        gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[Point(117.2, 29.3)], crs="EPSG:4326").to_file(path, layer=name)
    r = Report()
    assert _layers_to_read(path, "nope", None, r) is None
    assert r.errors == [Problem("", "图层", "nope", "文件中没有这个图层", "可用图层：监测断面、other")]
    assert _layers_to_read(path, "监测断面", None, Report()) == [("监测断面", "监测断面")]  # named after a kind
    assert _layers_to_read(path, "other", None, Report()) == [("other", None)]
    assert _layers_to_read(path, "other", "矿山修复点", Report()) == [("other", "矿山修复点")]
    r = Report()
    assert _layers_to_read(path, None, None, r) is None
    assert r.errors == [Problem("", "图层", "监测断面、other", "文件中有多个图层", "请用 --layer 指定要导入的图层")]


def test_validate_sites_refusals_and_repairs_exactly():
    import json

    import geopandas as gpd
    import shapely
    from shapely.geometry import Point, Polygon

    from geo.region import load_region
    from ingest.sites import validate_sites
    from onemap import settings

    region = load_region("360200")
    kinds = [k["name"] for k in json.loads((settings.REPO_ROOT / "data/config/site_kinds.json").read_text("utf-8"))["kinds"]]

    def check(frame: dict, geoms: list, crs="EPSG:4326") -> Report:
        r = Report()
        validate_sites(gpd.GeoDataFrame(frame, geometry=geoms, crs=crs), r, region, kind=None, allow_outside=True,
                       source="测试", row_offset=2, row_is_table=True)
        return r

    r = check({"名称": ["甲"]}, [Point(117.2, 29.3)])
    assert r.errors == [Problem("", "类型", "", "没有类型列，也没有指定类型",
                                "请增加“类型”列，或导入时指定类型（--kind），可用类型：" + "、".join(kinds))]
    r = check({"名称": ["甲", "乙"], "类型": ["监测断面", "监测断面"]}, [Point(117.2, 29.3), Point(200.0, 29.3)])
    assert r.errors == [Problem(3, "geometry", "200.0, 29.3", "坐标超出经纬度范围（经度 ±180°，纬度 ±90°）",
                                "请检查坐标与坐标系：投影坐标（米）请指定高斯-克吕格坐标系")]
    r = check({"名称": ["甲", "乙", "甲"], "类型": ["监测断面", "监测断面", "监测断面"]},
              [Point(117.2, 29.3), Point(117.21, 29.3), Point(117.22, 29.3)])
    assert r.errors == [Problem(4, "名称", "甲", "同类型点位名称与第2行重复", "请合并或改名")]
    bow_tie = Polygon([(117.2, 29.3), (117.3, 29.4), (117.3, 29.3), (117.2, 29.4)])
    r = check({"名称": ["园"], "类型": ["工业园区"]}, [bow_tie])
    assert r.errors == []
    assert r.warnings == [Problem(2, "geometry", shapely.is_valid_reason(bow_tie), "几何图形无效，已自动修复", "")]
    assert shapely.is_valid_reason(bow_tie).startswith("Self-intersection")


def test_a_geopackage_of_kind_layers_names_the_layer_of_each_error(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.region import load_region
    from ingest.sites import read_sites

    region = load_region("360200")
    path = tmp_path / "导出.gpkg"
    gpd.GeoDataFrame({"名称": ["南河河口"]}, geometry=[Point(117.2, 29.3)], crs="EPSG:4326").to_file(path, layer="监测断面")
    gpd.GeoDataFrame({"名称": [""]}, geometry=[Point(117.3, 29.3)], crs="EPSG:4326").to_file(path, layer="矿山修复点")
    out = read_sites(path, region, allow_outside=True)
    assert out.records == []
    assert out.report.errors == [Problem("图层“矿山修复点”第1个要素", "名称", "", "名称为空", "每个点位都需要名称")]
    # every layer empty: nothing to import, said once for the file
    empty = tmp_path / "空.gpkg"
    for name in ("监测断面", "矿山修复点"):
        gpd.GeoDataFrame({"名称": []}, geometry=[], crs="EPSG:4326").to_file(empty, layer=name)
    out = read_sites(empty, region, allow_outside=True)
    assert out.report.errors == [Problem("", "", "空.gpkg", "文件中没有要素", "请检查文件内容")]


def test_gazetteer_goes_on_after_an_exact_core_match():
    assert GAZ.analyse("乐平工业园和金山工业园") == (
        [Match("PARK-01", "乐平工业园", 0.8, 0), Match("PARK-02", "金山工业园", 0.8, 6)], [])
