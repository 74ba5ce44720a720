"""Genre and field rules on documents the parser was not built on: another city's work points
(list-dash headings, a task that mentions 整改目标/整改时限 in a sentence, notes about units),
an earlier year's work points (numbered 主要目标 indicators, year only in the 文号, title
without 《》, numbering restarting per section), and what the dry run must refuse."""

from __future__ import annotations

from datetime import date

import pytest

from domain.places import PlaceSet
from domain.units import UnitParser
from ingest.docparse import RECTIFICATION, WORK_POINTS, parse_document, parse_lines
from onemap import settings
from tests.conftest import MANAGER_ACTOR

GANZHOU = PlaceSet.from_dict({
    "adcode": "360700", "name": "赣州市",
    "counties": [{"adcode": "360702", "name": "章贡区"}, {"adcode": "360703", "name": "南康区"},
                 {"adcode": "360704", "name": "赣县区"}],
    "zones": [{"code": "360700-Z01", "name": "赣州经开区"}],
})
GZ = UnitParser(GANZHOU)
JDZ = UnitParser(PlaceSet.from_region_json(settings.REGIONS_DIR / "360200" / "region.json"))
GZ_COUNTIES = ["章贡区生态环境局", "南康区生态环境局", "赣县区生态环境局"]

OTHER_CITY = """赣州市生态环境局文件
赣市环字〔2027〕12号
赣州市生态环境局关于印发2027年全市生态环境工作要点的通知
各县（市、区）生态环境局：
现将2027年全市生态环境工作要点印发给你们，请认真贯彻落实。
一、主要目标
1.全市PM2.5平均浓度≤30微克/立方米。
2.国考断面水质优良比例达到95%以上。
二、重点任务
- (一) 深入打好蓝天保卫战
1.持续改善空气质量。推进钢铁、水泥行业超低排放改造。[责任 单位:大气科、章贡区生态环境局等]
2.加强督察整改。对中央督察反馈问题，逐项明确整改目标、整改时限、整改措施，确保按时销号。（责任单位：督察办）
- (二) 深入打好碧水保卫战
3.巩固提升水环境质量。加强章江、贡江流域治理。（牵头单位：监测与水科；配合单位：南康区生态环境局）
4.推进入河排污口整治。（责任单位：监测与水科）开展饮用水水源地专项检查。（责任单位：执法支队）
三、保障措施
各单位要高度重视，确保各项工作落到实处。
注：各县（市、区）生态环境局为各项任务责任单位，不再单列。"""

EARLIER_YEAR = """景德镇市生态环境局文件
景环字〔2021〕9号
关于印发全市生态环境工作要点的通知
各县（市、区）生态环境分局：
现印发给你们，请认真贯彻执行。
一、主要目标
1.全市PM2.5平均浓度控制在30微克/立方米以内。
2.空气质量优良天数比例达到95%以上。
3.县级及以上集中式饮用水水源地水质达标率100%。
二、重点任务
（一）大气污染防治
1.推进陶瓷行业深度治理。（责任单位：大气科）
2.加强扬尘管控。（责任单位：大气科）
（二）水污染防治
1.推进城镇污水处理提质增效。（责任单位：水科）
2.开展入河排污口排查。（责任单位：水科、浮梁县生态环境局）"""


def units(item) -> list[str]:
    return [u.name for u in item.units]


def test_other_city_work_points():
    doc = parse_lines(OTHER_CITY.splitlines(), GZ)
    # 整改目标、整改时限 in a sentence does not make it a rectification list
    assert doc.genre == WORK_POINTS and doc.warnings == []
    assert (doc.title, doc.year, doc.short_name, doc.doc_number) == (
        "2027年全市生态环境工作要点", 2027, "2027年工作要点", "赣市环字〔2027〕12号")
    assert [(i.ref, i.group, i.title) for i in doc.items] == [
        ("2027年工作要点第1项", "深入打好蓝天保卫战", "持续改善空气质量"),
        ("2027年工作要点第2项", "深入打好蓝天保卫战", "加强督察整改"),
        ("2027年工作要点第3项", "深入打好碧水保卫战", "巩固提升水环境质量"),
        ("2027年工作要点第4项", "深入打好碧水保卫战", "推进入河排污口整治"),
    ]
    # 等 is dropped; the note makes every county's bureau responsible for every task
    assert units(doc.items[0]) == ["大气科", *GZ_COUNTIES]
    assert units(doc.items[1]) == ["督察办", *GZ_COUNTIES]
    assert units(doc.items[2]) == ["监测与水科", "南康区生态环境局", "章贡区生态环境局", "赣县区生态环境局"]
    # two clauses in one item: both are units, both leave the text
    assert units(doc.items[3]) == ["监测与水科", "执法支队", *GZ_COUNTIES]
    assert doc.items[3].body == "推进入河排污口整治。开展饮用水水源地专项检查。"
    assert [u.place_name for u in doc.items[0].units] == ["赣州市", "章贡区", "南康区", "赣县区"]
    assert all(i.deadline.date == date(2027, 12, 31) for i in doc.items)


def test_targets_are_not_tasks():
    doc = parse_lines(EARLIER_YEAR.splitlines(), JDZ)
    assert [(t.number, t.title, t.level) for t in doc.targets] == [
        ("1", "全市PM2.5平均浓度控制在30微克/立方米以内", "target"),
        ("2", "空气质量优良天数比例达到95%以上", "target"),
        ("3", "县级及以上集中式饮用水水源地水质达标率100%", "target"),
    ]
    assert all(i.level == "task" for i in doc.items) and len(doc.items) == 4
    assert doc.as_dict()["counts"] == {"items": 4, "children": 0, "targets": 3}


def test_year_from_doc_number_and_refs_unique_where_numbering_restarts():
    doc = parse_lines(EARLIER_YEAR.splitlines(), JDZ)
    assert (doc.title, doc.year, doc.short_name) == ("全市生态环境工作要点", 2021, "2021年工作要点")
    assert doc.warnings == []
    assert [(i.number, i.ref, i.group, units(i), i.deadline.date) for i in doc.items] == [
        ("（一）1", "2021年工作要点（一）第1项", "大气污染防治", ["大气科"], date(2021, 12, 31)),
        ("（一）2", "2021年工作要点（一）第2项", "大气污染防治", ["大气科"], date(2021, 12, 31)),
        ("（二）1", "2021年工作要点（二）第1项", "水污染防治", ["水科"], date(2021, 12, 31)),
        ("（二）2", "2021年工作要点（二）第2项", "水污染防治", ["水科", "浮梁县生态环境局"], date(2021, 12, 31)),
    ]


@pytest.mark.parametrize(("head", "title", "year"), [
    (["关于印发《2024年全市生态环境工作要点》的通知"], "2024年全市生态环境工作要点", 2024),
    (["关于印发2024年全市生态环境工作要点的通知"], "2024年全市生态环境工作要点", 2024),
    (["景环字〔2023〕5号", "关于印发全市生态环境工作要点的通知"], "全市生态环境工作要点", 2023),
    (["景环字[2023]5号", "全市生态环境工作要点"], "全市生态环境工作要点", 2023),
    (["全市生态环境工作要点", "景德镇市生态环境局", "2022年2月28日"], "全市生态环境工作要点", 2022),
], ids=["quoted", "unquoted", "doc_number", "doc_number_square", "date_only"])
def test_title_and_year(head, title, year):
    doc = parse_lines([*head, "一、重点任务", "1.推进治理。（责任单位：大气科）"], JDZ)
    assert (doc.title, doc.year) == (title, year)
    assert doc.items[0].deadline.date == date(year, 12, 31)


def test_genre_from_labelled_fields_only():
    rect = ["整改清单", "（一）问题甲。", "整改目标：目标。", "整改时限：2025年底前", "整改措施：",
            "1.措施一。〔责任单位：市住建局〕", "验收单位：市整改办"]
    assert parse_lines(rect, JDZ).genre == RECTIFICATION
    prose = ["工作要点", "1.逐项明确整改目标、整改时限、整改措施。（责任单位：督察办）"]
    assert parse_lines(prose, JDZ).genre == WORK_POINTS


# ----------------------------------------------------------------------------- units
@pytest.mark.parametrize(("clause", "expected"), [
    ("[责任 单位:市住建局、市城管局]", ["市住建局", "市城管局"]),
    ("【责任单位 ：市住建局】", ["市住建局"]),
    ("（责任单位：市住建局、市水利局等）", ["市住建局", "市水利局"]),
    ("（责任单位：市住建局等相关部门）", ["市住建局"]),
    ("（牵头单位：市住建局；配合单位：市水利局）", ["市住建局", "市水利局"]),
    ("〔责任单位：市住建局；各县（市、区）政府为责任主体，不再单列〕", ["市住建局"]),
], ids=["spaced_label_half_width", "spaced_colon", "etc", "etc_departments", "lead_and_support", "not_listed"])
def test_unit_clause_notes(clause, expected):
    lines = ["整改清单", "（一）问题甲。", "整改目标：目标。", "整改时限：2025年底前", "整改措施：",
             f"1.完成整治。{clause}", "验收单位：市整改办"]
    doc = parse_lines(lines, JDZ)
    assert doc.warnings == []
    m = doc.items[0].children[0]
    assert units(m) == expected and m.body == "完成整治。"


def test_clause_broken_across_lines_and_other_city_counties():
    lines = ["整改清单", "（一）问题甲。", "整改目标：目标。", "整改时限：2025年底前", "整改措施：",
             "1.完成整治。〔责任单位：市城管局、章贡区委、", "区政府，各县（市、区）党委、政府〕", "验收单位：市整改办"]
    m = parse_lines(lines, GZ).items[0].children[0]
    assert [(u.name, u.place_name) for u in m.units] == [
        ("市城管局", "赣州市"), ("章贡区委、区政府", "章贡区"), ("南康区委、区政府", "南康区"),
        ("赣县区委、区政府", "赣县区")]


def test_every_county_for_every_task_in_a_rectification_list():
    lines = ["整改清单", "说明：各县（市、区）党委、政府为各项任务责任单位，不再单列。", "（一）问题甲。", "整改目标：目标。",
             "整改时限：2025年底前", "整改措施：", "1.完成整治。〔责任单位：市住建局〕", "验收单位：市整改办"]
    doc = parse_lines(lines, GZ)
    assert doc.warnings == []
    expected = ["市住建局", "章贡区委、区政府", "南康区委、区政府", "赣县区委、区政府"]
    assert units(doc.items[0].children[0]) == expected and units(doc.items[0]) == expected


# ----------------------------------------------------------------------------- never silent
def test_a_problem_taken_into_the_one_before_is_a_warning():
    lines = ["整改清单", "1.问题甲。", "整改目标：目标。", "整改时限：2025年底前", "整改措施：",
             "1.措施一。〔责任单位：市住建局〕",
             "2.问题乙（没有整改目标和时限）。", "整改措施：", "1.措施。〔责任单位：市水利局〕",
             "3.问题丙。", "整改目标：目标。", "整改时限：2026年底前", "整改措施：", "1.措施。〔责任单位：市城管局〕"]
    doc = parse_lines(lines, JDZ)
    assert [p.number for p in doc.items] == ["1", "3"]
    assert {"line": 2, "text": "", "message": "编号不连续：缺少第2项。编号显示应有 3 条，只识别出 2 条，请核对是否漏识别"} \
        in doc.warnings


def test_unplaced_text_names_its_line():
    lines = ["整改清单", "（一）问题甲。", "整改目标：目标。", "整改时限：2025年底前", "整改措施：",
             "1.措施一。〔责任单位：市住建局〕", "验收单位：市整改办", "责任人：张三", "这一行无法归属。"]
    doc = parse_lines(lines, JDZ)
    assert doc.warnings == [{"line": 9, "text": "这一行无法归属。", "message": "未能归属到任何字段的文字，已忽略"}]


# ----------------------------------------------------------------------------- dry run = commit
def test_dry_run_refuses_what_the_commit_would_refuse(data_dir, tmp_path, capsys):
    from onemap.cli import main
    from tests.conftest import db_counts

    dup = tmp_path / "dup.txt"  # the same number twice, no section to tell them apart
    dup.write_text("2027年工作要点\n1.推进治理。（责任单位：大气科）\n1.加强管控。（责任单位：大气科）\n", encoding="utf-8")
    assert main(["import-doc", str(dup), "--dry-run"]) == 1
    out = capsys.readouterr()
    assert "编号“1”重复出现" in out.out
    assert out.err == "错误：条目编号重复：“1”（编号在文件中重复出现），无法分别保存。请在核对表中改正编号后再导入\n"
    assert "UNIQUE" not in out.err and db_counts()["tasks"] == 0
    assert main(["import-doc", str(dup)]) == 1 and db_counts()["tasks"] == 0

    ok = tmp_path / "ok.txt"
    ok.write_text(EARLIER_YEAR, encoding="utf-8")
    assert main(["import-doc", str(ok), "--dry-run"]) == 0
    assert "预览（未写入）：可以导入" in capsys.readouterr().out and db_counts()["tasks"] == 0
    assert main(["import-doc", str(ok)]) == 0 and db_counts()["tasks"] == 4
    assert main(["import-doc", str(ok), "--dry-run"]) == 1  # already imported: the dry run says so
    assert "已导入过“2021年工作要点”" in capsys.readouterr().err


def test_restarted_numbering_imports_with_unique_uids(data_dir, tmp_path):
    from sqlalchemy import select

    from onemap import services
    from store import models as m
    from store.db import reader

    f = tmp_path / "wp.txt"
    f.write_text(EARLIER_YEAR, encoding="utf-8")
    doc = parse_document(f, JDZ)
    services.commit_doc(MANAGER_ACTOR, doc, link_sites=False)
    with reader() as s:
        got = sorted((t.uid, t.ref) for t in s.scalars(select(m.Task)))
    assert got == [("2021年工作要点|main|（一）1", "2021年工作要点（一）第1项"),
                   ("2021年工作要点|main|（一）2", "2021年工作要点（一）第2项"),
                   ("2021年工作要点|main|（二）1", "2021年工作要点（二）第1项"),
                   ("2021年工作要点|main|（二）2", "2021年工作要点（二）第2项")]


def test_letterhead_is_not_the_title():
    doc = parse_lines(["赣州市生态环境局", "全市生态环境工作要点", "一、重点任务", "1.推进治理。（责任单位：大气科）"], GZ)
    assert doc.title == "全市生态环境工作要点"


def test_a_clause_closing_the_title_sentence_is_a_second_clause():
    doc = parse_lines(["2027年全市生态环境工作要点", "一、重点任务",
                       "1.推进治理（责任单位：大气科）。完成改造。（责任单位：南康区生态环境局）"], GZ)
    (t,) = doc.items
    assert units(t) == ["大气科", "南康区生态环境局"] and t.body == "推进治理。完成改造。" and t.title == "推进治理"


def test_bracketed_labels_without_colon():
    lines = ["整改清单", "（一）问题甲。", "【整改目标】目标。", "【整改时限】2025年底前", "【整改措施】",
             "1.措施一。〔责任单位：市住建局〕", "【责任领导】张三", "【验收单位】市整改办"]
    doc = parse_lines(lines, JDZ)
    assert doc.genre == RECTIFICATION and doc.warnings == []
    (p,) = doc.items
    assert (p.target, p.deadline.date, p.person, [u.name for u in p.acceptance_units]) == (
        "目标。", date(2025, 12, 31), "张三", ["市整改办"])


def test_a_clause_on_its_own_line_belongs_to_the_measure_above():
    lines = ["整改清单", "1.问题甲。", "整改目标:目标。", "整改时限:2025年底前", "整改措施:",
             "(1)规范渣土运输管理。", "[责任 单位:市城管局、市公安局等]",
             "(2)完成整治。[责任单位:各科室（单位）]", "验收单位:市住建局。"]
    doc = parse_lines(lines, JDZ)
    assert doc.warnings == []
    assert [(c.body, units(c)) for c in doc.items[0].children] == [
        ("规范渣土运输管理。", ["市城管局", "市公安局"]), ("完成整治。", ["各科室（单位）"])]


def test_issuer_beside_the_only_page_break_is_a_running_header():
    lines = ["整改清单", "1.问题甲。", "整改目标：目标。", "- 1 -", "", "上饶市生态环境局", "整改时限：2025年底前",
             "整改措施：", "(1)完成整治。〔责任单位：市住建局〕", "验收单位：市住建局。"]
    doc = parse_lines(lines, JDZ)
    assert [w["message"] for w in doc.warnings] == ["已去除页码 1 处（第4行）", "已去除页眉/页脚 1 行：“上饶市生态环境局”"]
    assert doc.items[0].deadline.date == date(2025, 12, 31) and len(doc.items[0].children) == 1
