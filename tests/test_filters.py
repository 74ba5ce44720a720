"""filter_tasks / filter_sites on a small hand-built world whose answers are known.

Every expected set below was worked out by hand from the fixture (see the comments on
each task), not by running the functions. Each filter alone, combined, and every way a
filter can match nothing: a zone without sites, a county without tasks, a kind no task
is linked to, a word found nowhere. A filter that matches nothing must leave nothing."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from domain.filtering import Filters, filter_sites, filter_tasks, filters_from_params

C1, C2, C3 = "360281", "360202", "360222"  # 乐平市, 昌江区, 浮梁县
Z1, Z2 = "360200-Z01", "360200-Z02"  # 高新区 (has tasks, no sites), 昌南新区 (nothing)
CITY = "360200"


def _sites() -> gpd.GeoDataFrame:
    rows = [
        ("S1", "监测断面", "南河河口", ["南河国控断面"], C1),
        ("S2", "矿山修复点", "宝山煤矿", ["宝山矿山修复区"], C1),
        ("S3", "工业园区", "鱼丽工业园区", [], C2),
        ("S4", "饮用水水源地", "玉田水库", [], C3),  # linked to no task
    ]
    df = pd.DataFrame(rows, columns=["id", "kind", "name", "aliases", "county_code"])
    return gpd.GeoDataFrame(df, geometry=[Point(117.1 + i / 10, 29.3) for i in range(len(df))], crs="EPSG:4326")


def _task(id_, ref, title, *, parent=None, body="", target="", units=(), codes=(), sites=(), status="未启动",
          flag="", doc="A", cat="水", archived=False) -> dict:
    return {"id": id_, "parent_id": parent, "ref": ref, "title": title, "body": body, "target": target,
            "units": list(units), "unit_place_codes": list(codes), "site_ids": list(sites), "status": status,
            "flag": flag, "document": doc, "category": cat, "archived": archived}


def _tasks() -> pd.DataFrame:
    rows = [
        # T1: 乐平 by its unit; linked to 南河河口 (监测断面, 乐平); overdue
        _task(1, "清单（一）", "水环境治理不到位", units=["乐平市委、市政府"], codes=[C1], sites=["S1"],
              status="整改中", flag="逾期", doc="A", cat="水"),
        # T2: 高新区 by its unit; linked to 鱼丽工业园区 (昌江); the word 矿山 only in its body
        _task(2, "清单（二）", "固废处置", body="矿山生态修复滞后", units=["高新区党工委、管委会"], codes=[Z1],
              sites=["S3"], status="未启动", doc="A", cat="固废"),
        # T3: city + 昌江 by units; linked to 鱼丽 (昌江) and 宝山煤矿 (乐平 — through the site only)
        _task(3, "清单（三）", "园区污水", units=["市生态环境局", "昌江区委、区政府"], codes=[CITY, C2],
              sites=["S3", "S2"], status="已销号", doc="B", cat="水"),
        # T4: city unit only; 乐平 and 矿山修复点 only through 宝山煤矿; due soon
        _task(4, "清单（四）", "大气防控", target="PM2.5 浓度下降", units=["市公安局"], codes=[CITY], sites=["S2"],
              status="申请销号", flag="临期", doc="B", cat="大气"),
        # T5: city unit, no sites; the word 净土 only in its measure
        _task(5, "要点（五）", "能力建设", units=["市财政局"], codes=[CITY], status="长期坚持", doc="A", cat="综合"),
        # measures: roll up into their parent for the keyword, never listed themselves
        _task(11, "清单（一）措施1", "截污纳管", parent=1, units=["乐平市委、市政府"], codes=[C1], sites=["S1"],
              status="整改中"),
        _task(51, "要点（五）措施1", "净土保卫战监测能力", parent=5, units=["市财政局"], codes=[CITY]),
        _task(31, "清单（三）措施1", "旧措施", parent=3, units=["市生态环境局"], codes=[CITY], archived=True),
        # T6: archived — never shown, whatever matches it
        _task(6, "清单（六）", "矿山旧账", units=["乐平市委、市政府"], codes=[C1], sites=["S2"], status="整改中",
              flag="逾期", doc="A", cat="水", archived=True),
    ]
    return pd.DataFrame(rows)


SITES = _sites()
TASKS = _tasks()
PLACE_OF_SITE = dict(zip(SITES["id"], SITES["county_code"], strict=True))
ALL = {1, 2, 3, 4, 5}

# Case ids are plain ASCII numbers: mutmut selects tests by id, and ids made from the
# (Chinese, bracketed) filter values were "not found" in its runs, so every mutant these
# cases would kill was reported as surviving. A failing case prints its filters anyway.
TASK_CASES = [
    # nothing chosen
    ({}, ALL),
    # places: a county through units or through a linked site's county; zones; empty ones
    ({"places": [C1]}, {1, 3, 4}),
    ({"places": [C2]}, {2, 3}),
    ({"places": [C3]}, set()),  # a county with a site but no task
    ({"places": [Z1]}, {2}),  # a zone: no sites of its own
    ({"places": [Z2]}, set()),  # a zone with nothing at all
    ({"places": [CITY]}, {3, 4, 5}),
    ({"places": [C2, Z1]}, {2, 3}),
    ({"places": ["999999"]}, set()),
    # kinds (through linked sites)
    ({"kinds": ["监测断面"]}, {1}),
    ({"kinds": ["矿山修复点"]}, {3, 4}),
    ({"kinds": ["工业园区"]}, {2, 3}),
    ({"kinds": ["饮用水水源地"]}, set()),  # a kind whose only site has no task
    ({"kinds": ["监测断面", "工业园区"]}, {1, 2, 3}),
    # statuses, flags
    ({"statuses": ["整改中"]}, {1}),
    ({"statuses": ["已销号", "长期坚持"]}, {3, 5}),
    ({"statuses": ["退回"]}, set()),
    ({"flags": ["逾期"]}, {1}),
    ({"flags": ["临期"]}, {4}),
    ({"flags": ["逾期", "临期"]}, {1, 4}),
    # units, documents, categories
    ({"units": ["乐平市委、市政府"]}, {1}),
    ({"units": ["市财政局"]}, {5}),
    ({"units": ["市公安局", "市生态环境局"]}, {3, 4}),
    ({"units": ["不存在的单位"]}, set()),
    ({"documents": ["A"]}, {1, 2, 5}),
    ({"documents": ["B"]}, {3, 4}),
    ({"documents": ["C"]}, set()),
    ({"categories": ["水"]}, {1, 3}),
    ({"categories": ["核与辐射"]}, set()),
    # keyword in task text only
    ({"keyword": "修复滞后"}, {2}),  # body
    ({"keyword": "清单（二）"}, {2}),  # ref
    ({"keyword": "PM2.5"}, {4}),  # target
    ({"keyword": "pm2.5"}, {4}),  # Latin letters in any case
    ({"keyword": "公安"}, {4}),  # responsible unit
    ({"keyword": "净土"}, {5}),  # a measure's text → its problem
    ({"keyword": "截污纳管"}, {1}),
    ({"keyword": "旧措施"}, set()),  # an archived measure does not count
    ({"keyword": "矿山旧账"}, set()),  # an archived task is never shown
    # keyword in site name / alias only
    ({"keyword": "宝山煤矿"}, {3, 4}),
    ({"keyword": "宝山矿山修复区"}, {3, 4}),
    ({"keyword": "南河国控"}, {1}),
    ({"keyword": "南河"}, {1}),
    ({"keyword": "鱼丽"}, {2, 3}),
    ({"keyword": "玉田"}, set()),  # a site without tasks
    # keyword in both task text and site alias
    ({"keyword": "矿山"}, {2, 3, 4}),
    # keyword matching nothing; several words (all must match)
    ({"keyword": "不存在的词"}, set()),
    ({"keyword": "水环境 南河"}, {1}),
    ({"keyword": "南河 大气"}, set()),
    # combined
    ({"places": [C1], "kinds": ["矿山修复点"]}, {3, 4}),
    ({"places": [C1], "flags": ["逾期"]}, {1}),
    ({"places": [Z1], "statuses": ["整改中"]}, set()),
    ({"places": [Z1], "kinds": ["工业园区"]}, {2}),
    ({"documents": ["B"], "categories": ["水"], "units": ["市生态环境局"]}, {3}),
    ({"places": [C1], "keyword": "南河"}, {1}),
    ({"kinds": ["监测断面"], "keyword": "矿山"}, set()),
    ({"places": [C3], "kinds": ["饮用水水源地"]}, set()),
    ({"statuses": ["已销号"], "kinds": ["矿山修复点"], "places": [C1]}, {3}),
    ({"flags": ["临期"], "units": ["市公安局"], "keyword": "PM2.5", "documents": ["B"], "categories": ["大气"]}, {4}),
    ({"flags": ["临期"], "units": ["市公安局"], "categories": ["水"]}, set()),
]


@pytest.mark.parametrize(("chosen", "want"), TASK_CASES, ids=[f"task{i:02d}" for i in range(len(TASK_CASES))])
def test_filter_tasks(chosen, want):
    got = filter_tasks(TASKS, Filters(**chosen, as_of=date(2026, 11, 20)), SITES, PLACE_OF_SITE)
    assert set(got["id"]) == want
    assert len(got) == len(want)  # each task once


SITE_CASES = [
    ({}, {"S1", "S2", "S3", "S4"}),
    ({"kinds": ["矿山修复点"]}, {"S2"}),
    ({"kinds": ["饮用水水源地"]}, {"S4"}),  # no task filter: the layer still shows its sites
    ({"places": [C1]}, {"S1", "S2"}),
    ({"places": [C3]}, {"S4"}),
    ({"places": [Z1]}, {"S3"}),  # a zone: the sites of the tasks it is responsible for
    ({"places": [Z2]}, set()),
    ({"places": [C1, Z1]}, {"S1", "S2", "S3"}),
    ({"places": [C2], "kinds": ["矿山修复点"]}, set()),
    ({"statuses": ["已销号"]}, {"S2", "S3"}),
    ({"places": [C1], "statuses": ["整改中"]}, {"S1"}),
    ({"kinds": ["矿山修复点"], "flags": ["逾期"]}, set()),  # the overdue task is at a 监测断面
    ({"units": ["市财政局"]}, set()),  # its task has no site
    ({"keyword": "南河"}, {"S1"}),
    ({"keyword": "矿山"}, {"S2", "S3"}),  # S2 by alias and its tasks, S3 through T2's text
    ({"keyword": "玉田"}, {"S4"}),  # found by name though it has no task
    ({"keyword": "玉田", "statuses": ["整改中"]}, set()),  # another task filter: only sites of shown tasks
    ({"keyword": "不存在的词"}, set()),
    ({"keyword": "南河 大气"}, set()),
]


@pytest.mark.parametrize(("chosen", "want"), SITE_CASES, ids=[f"site{i:02d}" for i in range(len(SITE_CASES))])
def test_filter_sites(chosen, want):
    f = Filters(**chosen, as_of=date(2026, 11, 20))
    shown = filter_tasks(TASKS, f, SITES, PLACE_OF_SITE)
    assert set(filter_sites(SITES, f, shown, PLACE_OF_SITE)["id"]) == want


def test_empty_frames_give_empty_results():
    f = Filters(places=[Z1], keyword="矿山", kinds=["工业园区"])
    none = TASKS.iloc[0:0]
    assert filter_tasks(none, f, SITES, PLACE_OF_SITE).empty
    assert filter_sites(SITES.iloc[0:0], f, none, PLACE_OF_SITE).empty


def test_filters_from_params():
    f = filters_from_params({"place": f"{C1},{Z1}", "kind": "矿山修复点", "status": "整改中,退回", "flag": "逾期",
                             "unit": "市公安局", "doc": "B", "cat": "水,大气", "q": "  南河 ", "asof": "2026-10-01"})
    assert f == Filters(places=[C1, Z1], kinds=["矿山修复点"], statuses=["整改中", "退回"], flags=["逾期"],
                        units=["市公安局"], documents=["B"], categories=["水", "大气"], keyword="南河",
                        as_of=date(2026, 10, 1))
    assert filters_from_params({"asof": "不是日期"}, as_of=date(2026, 1, 2)).as_of == date(2026, 1, 2)
    assert filters_from_params({}, as_of=date(2026, 1, 2)) == Filters(as_of=date(2026, 1, 2))
