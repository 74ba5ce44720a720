"""Document parsing: both seed genres item by item, and the same genres written
with other punctuation (fixtures modelled on the domain notes)."""

from datetime import date
from pathlib import Path

import pytest

from domain.places import PlaceSet
from domain.units import UnitParser
from ingest.docparse import RECTIFICATION, WORK_POINTS, parse_document
from onemap import settings

FIX = Path(__file__).parent / "fixtures"
DOCS = settings.DEMO_DIR / "docs"


@pytest.fixture(scope="module")
def up() -> UnitParser:
    return UnitParser(PlaceSet.from_region_json(settings.REGIONS_DIR / "360200" / "region.json"))


@pytest.fixture(scope="module")
def rect(up):
    return parse_document(DOCS / "004_rectification_list_provincial_inspection.txt", up, short_name="省督察整改清单")


@pytest.fixture(scope="module")
def wp(up):
    return parse_document(DOCS / "000_work_points_2026.txt", up)


def test_rectification_counts(rect):
    assert rect.genre == RECTIFICATION
    assert rect.title == "景德镇市贯彻落实省生态环境保护督察报告整改方案"
    assert rect.warnings == []
    assert len(rect.items) == 40
    measures = [c for p in rect.items for c in p.children]
    assert len(measures) == 124
    assert sum(c.number is not None for c in measures) == 120
    unnumbered = [p.number for p in rect.items if any(c.number is None for c in p.children)]
    assert unnumbered == ["（一）", "（二十五）", "（三十一）", "（三十七）"]
    groups = {p.group for p in rect.items}
    assert groups == {"贯彻落实习近平生态文明思想有差距", "生态环境保护责任未压紧压实", "生态环境违法违规问题多发",
                      "突出生态环境问题整改不力"}


def test_rectification_sample_fields(rect):
    p = {i.number: i for i in rect.items}
    one = p["（一）"]
    assert one.deadline.ongoing and one.deadline.date is None and one.deadline.text == "立行立改，长期坚持"
    assert [u.name for u in one.acceptance_units] == ["市整改办"]
    assert "高新区党工委、管委会" in [u.name for u in one.children[0].units]
    sixteen = p["（十六）"]
    assert sixteen.ref == "省督察整改清单（十六）"
    assert sixteen.deadline.date == date(2025, 12, 31)
    assert sixteen.target.startswith("实现污水应收尽收")
    m3 = sixteen.children[2]
    assert m3.number == "3" and m3.ref == "省督察整改清单（十六）第3条"
    assert m3.deadline.date == date(2023, 12, 31) and not m3.deadline_inherited
    assert [u.name for u in m3.units] == ["市住建局"]
    assert [u.name for u in m3.acceptance_units] == ["市整改办"]
    assert [u.name for u in sixteen.children[3].acceptance_units] == ["市住建局"]
    assert [u.name for u in sixteen.children[5].acceptance_units] == ["市住建局", "市生态环境局"]
    m5 = sixteen.children[4]
    assert m5.deadline_inherited and m5.deadline.date == date(2025, 12, 31)
    assert p["（十三）"].deadline.date == date(2024, 9, 30) and p["（十三）"].deadline.ongoing
    assert p["（三十六）"].children[1].deadline.date == date(2024, 12, 31)  # "2024底前"
    assert p["（二十九）"].deadline.date == date(2024, 8, 31)
    assert [u.name for u in p["（八）"].children[0].units] == ["乐平市委、市政府"]
    assert p["（八）"].children[0].units[0].place_name == "乐平市"
    assert p["（三十五）"].children[1].units[0].name == "市政府"
    assert p["（十九）"].acceptance_note == "按职责分工验收"


def test_work_points(wp):
    assert wp.genre == WORK_POINTS
    assert wp.title == "2026年全市生态环境系统工作要点"
    assert wp.warnings == []
    main = [i for i in wp.items if i.part == "main"]
    annex = [i for i in wp.items if i.part == "annex"]
    assert [i.number for i in main] == [str(n) for n in range(1, 24)]
    assert [i.number for i in annex] == [str(n) for n in range(1, 29)]
    t4 = main[3]
    assert t4.title == "深入打好蓝天提升攻坚战"
    assert "超低排放改造" in t4.body  # the page break inside 超低排/放改造 is joined
    t5 = main[4]
    assert [u.name for u in t5.units] == ["监测与水科", "昌江区生态环境局", "珠山区生态环境局", "浮梁县生态环境局",
                                          "乐平市生态环境局"]
    assert t5.group == "聚焦污染防治攻坚，推动环境质量实现新提升"
    assert t5.deadline.date == date(2026, 12, 31)
    assert annex[22].title == "江西乐平化工园区及景德镇陶瓷工业园区鱼山医药产业园区地下水污染专项整治"
    assert [u.name for u in annex[17].units] == ["生态综合科", "土壤科", "监测与水科"]
    assert annex[0].group == "配合制定的地方性法规"


GANZHOU = PlaceSet.from_dict({
    "adcode": "360700", "name": "赣州市",
    "counties": [{"adcode": "360702", "name": "章贡区"}, {"adcode": "360703", "name": "南康区"},
                 {"adcode": "360704", "name": "赣县区"}],
    "zones": [{"code": "360700-Z01", "name": "赣州经开区"}],
})


def test_variant_rectification_list():
    doc = parse_document(FIX / "variant_rectification.txt", UnitParser(GANZHOU))
    assert doc.genre == RECTIFICATION and doc.warnings == []
    assert doc.short_name == "中央督察整改清单"
    assert [p.number for p in doc.items] == ["1", "2", "3"]
    p1, p2, p3 = doc.items
    assert p1.deadline.date == date(2025, 12, 31)
    assert [c.number for c in p1.children] == ["1", "2"]
    assert p1.children[0].deadline.date == date(2025, 6, 30)
    assert [u.name for u in p1.children[0].units] == ["市住建局", "章贡区委、区政府"]
    assert "对违规车辆依法处罚" in p1.children[1].body  # broken line joined
    assert [u.name for u in p1.children[1].units] == ["市城管局", "章贡区委、区政府", "南康区委、区政府",
                                                      "赣县区委、区政府"]
    assert p2.deadline.ongoing and [c.number for c in p2.children] == ["1", "2"]
    assert p2.children[1].units[0].name == "赣州经开区党工委、管委会"
    assert p2.children[1].units[0].place_name == "赣州经开区"
    assert [u.name for u in p2.children[1].acceptance_units] == ["市生态环境局"]
    assert p3.deadline.date == date(2026, 5, 31)
    assert p3.group == "水污染防治推进缓慢"
    assert [u.place_name for u in p3.children[0].units] == ["章贡区", "南康区"]
    assert p3.children[0].number == "1"  # `1、2025年底前…`: numbered like the problems, still a measure
    assert p3.children[0].deadline.date == date(2025, 12, 31)


def test_variant_work_points(up):
    doc = parse_document(FIX / "variant_work_points.txt", up)
    assert doc.genre == WORK_POINTS and doc.year == 2027
    main = [i for i in doc.items if i.part == "main"]
    annex = [i for i in doc.items if i.part == "annex"]
    assert [i.number for i in main] == ["1", "2", "3"]
    assert main[0].title == "持续改善空气质量"
    assert [u.name for u in main[0].units][:2] == ["大气科", "昌江区生态环境局"]
    assert "全市断面水质优良比例达到95%以上" in main[1].body
    assert [u.name for u in main[1].units] == ["监测与水科"]
    assert main[2].group == "守牢安全底线"
    assert [c.number for c in main[2].children] == ["1", "2"]
    assert main[2].children[0].deadline.date == date(2027, 6, 30)
    assert [u.name for u in main[2].units] == ["土壤科", "市生态环境保护综合执法支队"]
    assert [(a.title, [u.name for u in a.units]) for a in annex] == [
        ("景德镇市“十五五”生态环境保护规划", ["生态综合科"]), ("2027年大气污染防治实施方案", ["大气科"])]


def test_unplaceable_text_is_a_warning(up, tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("整改清单\n（一）问题甲。\n整改目标：目标。\n整改时限：尽快\n整改措施：\n1．措施一。\n验收单位：市整改办\n",
                 encoding="utf-8")
    doc = parse_document(f, up)
    assert len(doc.items) == 1
    assert doc.warnings == [
        {"line": 4, "text": "整改时限：尽快", "message": "整改时限“尽快”无法识别为日期，已保留原文"},
        {"line": 6, "text": "措施一。", "message": "整改清单（一）第1条 没有责任单位"},
    ]


def test_docx_input(up, tmp_path):
    import docx

    d = docx.Document()
    for line in (FIX / "variant_rectification.txt").read_text(encoding="utf-8").splitlines():
        d.add_paragraph(line)
    path = tmp_path / "v.docx"
    d.save(path)
    doc = parse_document(path, UnitParser(GANZHOU))
    assert len(doc.items) == 3 and sum(len(i.children) for i in doc.items) == 5


def test_variant_work_points_with_section_numbered_tasks():
    """Tasks numbered （一） under 一、 sections, units on their own line (牵头/配合), sub-items 1. 2."""
    doc = parse_document(FIX / "variant_work_points_2.txt", UnitParser(GANZHOU))
    assert doc.genre == WORK_POINTS and doc.title == "2027年全市生态环境工作要点" and doc.year == 2027
    assert [i.number for i in doc.items] == ["（一）", "（二）", "（三）"]
    one, two, three = doc.items
    assert one.title == "持续改善空气质量" and "2027年6月底前完成" in one.body  # broken line joined
    assert [u.name for u in one.units] == ["大气科", "章贡区生态环境局", "南康区生态环境局", "赣县区生态环境局"]
    assert one.group == "深入打好污染防治攻坚战"
    assert [u.name for u in two.units] == ["监测与水科", "章贡区生态环境局"]
    assert three.group == "守牢生态安全底线" and [c.title for c in three.children] == [
        "开展非法倾倒专项整治", "建立危险废物全过程监管台账"]
    assert [u.name for u in three.units] == ["土壤科"]
    assert all("各单位要高度重视" not in i.body for i in doc.items)  # 保障措施 text is not a task
    assert doc.warnings == []


@pytest.mark.parametrize(("text", "rest", "units"), [
    ("完成整治。〔责任单位：市住建局、各县（市、区）政府〕", "完成整治。", "市住建局、各县（市、区）政府"),
    # several clauses: the last one is the measure's units, earlier ones stay in the text
    ("完成截污（牵头单位：市发改委），加强巡查。〔责任单位：市住建局〕", "完成截污（牵头单位：市发改委），加强巡查。", "市住建局"),
    ("【责任单位：市水利局】完成清淤。〔责任部门：市林业局〕", "【责任单位：市水利局】完成清淤。", "市林业局"),
    # a clause not closed (the line broke inside it)
    ("加强巡查。〔责任单位：市住建局、", "加强巡查。", "市住建局、"),
    # punctuation left doubled by the cut is merged
    ("完成整治；〔责任单位：市住建局〕。", "完成整治。", "市住建局"),
    ("完成整治", "完成整治", None),
], ids=["one_clause", "several_clauses_last_wins", "several_labels_last_wins", "clause_not_closed",
        "doubled_punctuation", "no_clause"])
def test_split_unit_clause(text, rest, units):
    from ingest.docparse import split_unit_clause

    assert split_unit_clause(text) == (rest, units)


def test_last_unit_clause_wins_and_broken_clauses_are_joined(up):
    from ingest.docparse import parse_lines

    text = """整改清单
（一）问题甲。
整改目标：目标。
整改时限：2025年底前
整改措施：
1．2024年底前，完成截污（牵头单位：市发改委）。〔责任单位：市住建局〕
2．加强巡查，
对违规车辆依法处罚。〔责任单位：市城管局、
珠山区委、区政府〕
3．开展排查。〔责任单位：市生态环境局（牵头）、浮梁县委、县政府〕
验收单位：市整改办负责第1、3条，市生态环境局负责第2条
"""
    doc = parse_lines(text.splitlines(), up)
    assert doc.warnings == []
    (p,) = doc.items
    got = [(c.ref, c.body, [(u.name, u.place_name) for u in c.units], [u.name for u in c.acceptance_units],
            c.deadline.date, c.deadline_inherited) for c in p.children]
    assert got == [
        ("整改清单（一）第1条", "2024年底前，完成截污（牵头单位：市发改委）。", [("市住建局", "景德镇市")], ["市整改办"],
         date(2024, 12, 31), False),
        ("整改清单（一）第2条", "加强巡查，对违规车辆依法处罚。", [("市城管局", "景德镇市"), ("珠山区委、区政府", "珠山区")],
         ["市生态环境局"], date(2025, 12, 31), True),
        ("整改清单（一）第3条", "开展排查。", [("市生态环境局", "景德镇市"), ("浮梁县委、县政府", "浮梁县")], ["市整改办"],
         date(2025, 12, 31), True),
    ]
    # the problem's units: the union of its measures', in order
    assert [u.name for u in p.units] == ["市住建局", "市城管局", "珠山区委、区政府", "市生态环境局", "浮梁县委、县政府"]
