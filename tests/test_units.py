import pytest

from domain.places import PlaceSet
from domain.units import UnitParser, parse_acceptance
from onemap import settings


@pytest.fixture(scope="module")
def up() -> UnitParser:
    return UnitParser(PlaceSet.from_region_json(settings.REGIONS_DIR / "360200" / "region.json"))


def names(units):
    return [(u.name, u.place_name) for u in units]


def test_pairs_groups_and_zones(up):
    got = up.parse("〔责任单位：市委宣传部、市委组织部、市委党校，各县（市、区）党委、政府，高新区、昌南新区党工委、管委会〕")
    assert names(got) == [
        ("市委宣传部", "景德镇市"), ("市委组织部", "景德镇市"), ("市委党校", "景德镇市"),
        ("昌江区委、区政府", "昌江区"), ("珠山区委、区政府", "珠山区"), ("浮梁县委、县政府", "浮梁县"),
        ("乐平市委、市政府", "乐平市"), ("高新区党工委、管委会", "高新区"), ("昌南新区党工委、管委会", "昌南新区"),
    ]


def test_city_government_vs_county_pair(up):
    # 市政府 alone is the city's; inside 乐平市委、市政府 it is 乐平's
    assert names(up.parse("市政府，珠山区委、区政府")) == [("市政府", "景德镇市"), ("珠山区委、区政府", "珠山区")]
    assert names(up.parse("乐平市委、市政府")) == [("乐平市委、市政府", "乐平市")]


def test_county_bureau_group_and_half_width(up):
    got = up.parse("[责任单位: 生态综合科、监测与水科,各县(市、区)生态环境局]")
    assert [n for n, _ in names(got)] == ["生态综合科", "监测与水科", "昌江区生态环境局", "珠山区生态环境局",
                                          "浮梁县生态环境局", "乐平市生态环境局"]
    assert got[-1].place_name == "乐平市"


def test_defined_short_name(up):
    (u,) = up.parse("市生态环境保护督察问题整改工作领导小组办公室（以下简称市整改办）")
    assert u.name == "市整改办" and u.alias_of == "市生态环境保护督察问题整改工作领导小组办公室"


def test_per_measure_acceptance(up):
    units, per, note = parse_acceptance("市整改办负责第1、2、3、8条措施，市住建局负责第4-6条措施、市生态环境局负责6-7条措施。", up)
    assert [u.name for u in units] == ["市整改办", "市住建局", "市生态环境局"]
    assert {k: [u.name for u in v] for k, v in per.items()} == {
        1: ["市整改办"], 2: ["市整改办"], 3: ["市整改办"], 8: ["市整改办"], 4: ["市住建局"], 5: ["市住建局"],
        6: ["市住建局", "市生态环境局"], 7: ["市生态环境局"]}
    assert note == ""


def test_acceptance_by_duty(up):
    units, per, note = parse_acceptance("市住建局、市生态环境局按职责分工验收。", up)
    assert [u.name for u in units] == ["市住建局", "市生态环境局"] and per == {} and note == "按职责分工验收"


def test_role_notes_are_not_part_of_the_name(up):
    got = up.parse("市生态环境局（牵头）、市住建局(配合)、浮梁县委、县政府（负责）")
    assert names(got) == [("市生态环境局", "景德镇市"), ("市住建局", "景德镇市"), ("浮梁县委、县政府", "浮梁县")]
    # the same unit with and without a note is one unit
    assert names(up.parse("市住建局（牵头）、市住建局")) == [("市住建局", "景德镇市")]


def test_duplicates_keep_first_position(up):
    assert names(up.parse("市住建局、市财政局；市住建局/乐平市生态环境局")) == [
        ("市住建局", "景德镇市"), ("市财政局", "景德镇市"), ("乐平市生态环境局", "乐平市")]
    assert up.parse("") == [] and up.parse("〔责任单位：〕") == []


def test_county_authority_group_without_government_is_a_suffix(up):
    got = up.parse("各县（市、区）住建局")
    assert names(got) == [("昌江区住建局", "昌江区"), ("珠山区住建局", "珠山区"), ("浮梁县住建局", "浮梁县"),
                          ("乐平市住建局", "乐平市")]


@pytest.mark.parametrize(("text", "per"), [
    ("市住建局负责第1-3条", {1: ["市住建局"], 2: ["市住建局"], 3: ["市住建局"]}),
    ("市住建局负责第3至1条措施", {1: ["市住建局"], 2: ["市住建局"], 3: ["市住建局"]}),
    ("市住建局负责第１、２条，市水利局负责第2和4条", {1: ["市住建局"], 2: ["市住建局", "市水利局"], 4: ["市水利局"]}),
    ("市住建局负责第5～6条及第8条", {5: ["市住建局"], 6: ["市住建局"], 8: ["市住建局"]}),
])
def test_per_measure_numbers(up, text, per):
    units, got, note = parse_acceptance(text, up)
    assert {k: [u.name for u in v] for k, v in got.items()} == per and note == ""


def test_acceptance_without_measures(up):
    units, per, note = parse_acceptance("验收单位：市整改办负责", up)
    assert [u.name for u in units] == ["市整改办"] and per == {} and note == ""
    assert parse_acceptance("", up) == ([], {}, "")


@pytest.mark.parametrize(("text", "want"), [
    ("浮梁县委、县人民政府", [("浮梁县委、县人民政府", "浮梁县")]),
    ("市委、市政府", [("市委、市政府", "景德镇市")]),
    ("市委、市人民政府、市住建局", [("市委、市人民政府", "景德镇市"), ("市住建局", "景德镇市")]),
    ("昌江区委、区人民政府", [("昌江区委、区人民政府", "昌江区")]),
    ("市委组织部、政府办", [("市委组织部", "景德镇市"), ("政府办", "景德镇市")]),  # 委 + a non-government word
    ("各县（市、区）党委", [("昌江区党委", "昌江区"), ("珠山区党委", "珠山区"), ("浮梁县党委", "浮梁县"),
                       ("乐平市党委", "乐平市")]),
    ("牵头单位：高新区党工委、管委会", [("高新区党工委、管委会", "高新区")]),
    ("昌南新区、高新区党工委、管委会", [("昌南新区党工委、管委会", "昌南新区"), ("高新区党工委、管委会", "高新区")]),
    ("市住建局、高新区党工委、管委会", [("市住建局", "景德镇市"), ("高新区党工委、管委会", "高新区")]),
    ("市水利局（市河长办）、市林业局", [("市水利局（市河长办）", "景德镇市"), ("市林业局", "景德镇市")]),
    ("市住建局）、市林业局", [("市住建局）", "景德镇市"), ("市林业局", "景德镇市")]),  # a stray bracket
    ("【责任单位：市住建局；市林业局/市水利局】。", [("市住建局", "景德镇市"), ("市林业局", "景德镇市"),
                                         ("市水利局", "景德镇市")]),
])
def test_unit_lists(up, text, want):
    assert names(up.parse(text)) == want


def test_unit_levels_and_dicts(up):
    a, b, c = up.parse("市住建局、乐平市委、市政府、高新区党工委、管委会")
    assert (a.level, b.level, c.level) == ("city", "county", "zone")
    assert (a.place_code, b.place_code) == ("360200", "360281")
    assert b.as_dict() == {"name": "乐平市委、市政府", "place_code": "360281", "place_name": "乐平市", "level": "county"}
    assert a.alias_of is None


def test_county_group_written_for_a_city_without_county_level_cities():
    """抚州市 has counties and districts only: its documents write 各县（区）; a city without
    districts writes 各县（市）. Both mean every county-level division of the city."""
    fz = UnitParser(PlaceSet.from_dict({"adcode": "361000", "name": "抚州市", "counties": [
        {"adcode": "361002", "name": "临川区"}, {"adcode": "361021", "name": "南城县"}]}))
    assert names(fz.parse("市农业农村局，各县（区）党委、政府")) == [
        ("市农业农村局", "抚州市"), ("临川区委、区政府", "临川区"), ("南城县委、县政府", "南城县")]
    assert names(fz.parse("各县(区)生态环境局")) == [("临川区生态环境局", "临川区"), ("南城县生态环境局", "南城县")]
    assert names(fz.parse("各县（市）自然资源局")) == [("临川区自然资源局", "临川区"), ("南城县自然资源局", "南城县")]
