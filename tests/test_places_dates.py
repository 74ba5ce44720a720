"""Small domain rules with exact answers: places and their authorities, dates in words,
task categories by keyword score."""

from datetime import date, datetime

import pandas as pd
import pytest

from domain.categories import category_names, classify
from domain.dates import cn_date, deadline_words
from domain.places import PlaceSet

PS = PlaceSet.from_dict({
    "adcode": 360700, "name": "赣州市", "aliases": ["赣州"],
    "counties": [{"adcode": 360702, "name": "章贡区"}, {"adcode": "360721", "name": "赣县区", "aliases": ["赣县"]},
                 {"adcode": "360781", "name": "瑞金市"}, {"adcode": "360731", "name": "于都县"},
                 {"adcode": "360799", "name": "X县"}],
    "zones": [{"code": "360700-Z01", "name": "赣州经开区", "aliases": ["经开区"]}],
})


def test_places_from_dict():
    assert (PS.city.code, PS.city.name, PS.city.level, PS.city.aliases) == ("360700", "赣州市", "city", ("赣州",))
    assert [(p.code, p.level) for p in PS.counties] == [("360702", "county"), ("360721", "county"),
                                                        ("360781", "county"), ("360731", "county"),
                                                        ("360799", "county")]
    assert [p.code for p in PS.all()] == ["360700", "360702", "360721", "360781", "360731", "360799", "360700-Z01"]
    assert [p.code for p in PS.local_places()] == ["360702", "360721", "360781", "360731", "360799", "360700-Z01"]
    assert PS.by_code(360781).name == "瑞金市" and PS.by_code("360700").level == "city"
    assert PS.by_code("999999") is None
    assert PlaceSet.from_dict({"adcode": "1", "name": "某市"}).all() == (PS.city.__class__("1", "某市", "city"),)


@pytest.mark.parametrize(("code", "short", "authority"), [
    ("360702", "章贡", "章贡区委、区政府"), ("360781", "瑞金", "瑞金市委、市政府"), ("360731", "于都", "于都县委、县政府"),
    ("360799", "X县", "X县委、县政府"),  # a two-character name keeps its suffix
    ("360700-Z01", "赣州经开区", "赣州经开区党工委、管委会"), ("360700", "赣州市", "市委、市政府"),
])
def test_short_names_and_authorities(code, short, authority):
    p = PS.by_code(code)
    assert (p.short, p.authority) == (short, authority)


@pytest.mark.parametrize(("text", "code"), [
    ("章贡区生态环境局", "360702"), ("章贡区委、区政府", "360702"),
    ("瑞金市人民政府", "360781"), ("瑞金生态环境局", "360781"), ("瑞金分局", "360781"), ("瑞金县", "360781"),
    ("于都人民政府", "360731"), ("于都政府", "360731"), ("于都党委", "360731"),
    ("于都市场监督管理局", "360731"), ("于都区域治理办", "360731"), ("于都县林业局", "360731"),  # 市/区/县 follow
    ("赣县区住建局", "360721"),
    ("经开区党工委、管委会", "360700-Z01"), ("赣州经开区管委会", "360700-Z01"),
    ("瑞金红色旅游", None),  # a short county name followed by no organ word is not the county
    ("市生态环境局", None), ("", None), ("赣州市委", None),
])
def test_place_of_text(text, code):
    p = PS.place_of_text(text)
    assert (p.code if p else None) == code


def test_cn_date():
    assert cn_date(date(2026, 1, 5)) == "2026年1月5日"
    assert cn_date(datetime(2026, 11, 23, 8, 30)) == "2026年11月23日"
    assert cn_date(None) == ""


@pytest.mark.parametrize(("row", "shown"), [
    ({"deadline_text": "2024年6月底", "deadline": date(2024, 6, 30)}, "2024年6月底（2024年6月30日）"),
    ({"deadline_text": "2024年6月30日前", "deadline": date(2024, 6, 30)}, "2024年6月30日前"),  # date already in words
    ({"deadline_text": "", "deadline": date(2024, 6, 30)}, "2024年6月30日"),
    ({"deadline_text": None, "deadline": date(2024, 6, 30)}, "2024年6月30日"),
    ({"deadline_text": "立行立改，长期坚持", "deadline": None}, "立行立改，长期坚持"),
    ({"deadline_text": "", "deadline": None}, "未定"),
    ({"deadline_text": "2024年底", "deadline": date(2024, 12, 31), "deadline_inherited": True, "level": "measure"},
     "2024年底（2024年12月31日）〔同所属问题〕"),
    ({"deadline_text": "2024年底", "deadline": date(2024, 12, 31), "deadline_inherited": True, "level": "sub"},
     "2024年底（2024年12月31日）〔同所属问题〕"),
    ({"deadline_text": "2024年底", "deadline": date(2024, 12, 31), "deadline_inherited": True, "level": "task"},
     "2024年底（2024年12月31日）"),
    ({"deadline_text": "2024年底", "deadline": date(2024, 12, 31), "deadline_inherited": False, "level": "measure"},
     "2024年底（2024年12月31日）"),
    ({"deadline_text": "", "deadline": pd.NaT}, "未定"),
])
def test_deadline_words(row, shown):
    assert deadline_words(pd.Series(row)) == shown


def test_categories():
    assert category_names() == ["大气", "水", "土壤", "固废", "生态", "气候", "执法", "核与辐射", "应急", "综合"]
    assert classify("推进城镇污水管网建设") == "水"  # 污水 + 管网
    assert classify("加强扬尘管控，治理废气") == "大气"
    assert classify("开展危险废物专项检查，严厉打击") == "固废"  # 危险废物 1 = 打击 1: the first listed wins ties
    assert classify("查处违法排污，立案处罚，打击偷排，污水") == "执法"  # 3 执法 words against 1 水 word
    assert classify("加强组织领导") == "综合"
    assert classify("") == "综合"
