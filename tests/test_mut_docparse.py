"""ingest/docparse mutation survivors (issue 18): exact answers worked out by hand. Only tests
are added here; the package itself is being changed on another branch."""

from __future__ import annotations

from ingest.docparse import parse_lines
from ingest.docparse.text import int_to_cn
from tests.test_docparse_rules import EARLIER_YEAR, JDZ


def test_int_to_cn():
    cases = {0: "0", -1: "-1", 1: "一", 9: "九", 10: "十", 11: "十一", 20: "二十", 21: "二十一", 99: "九十九",
             100: "一百", 101: "一百零一", 109: "一百零九", 110: "一百一十", 111: "一百一十一", 119: "一百一十九",
             120: "一百二十", 999: "九百九十九"}
    assert {n: int_to_cn(n) for n in cases} == cases


def test_a_target_continued_on_the_next_line_keeps_its_whole_text():
    text = EARLIER_YEAR.replace("2.空气质量优良天数比例达到95%以上。",
                                "2.空气质量优良天数比例达到95%以上，\n重污染天气基本消除。")
    doc = parse_lines(text.splitlines(), JDZ)
    # (the title is still cut from the first line only, "…95%以上，": left to the docparse work)
    assert [(t.number, t.body) for t in doc.targets] == [
        ("1", "全市PM2.5平均浓度控制在30微克/立方米以内。"),
        ("2", "空气质量优良天数比例达到95%以上，重污染天气基本消除。"),
        ("3", "县级及以上集中式饮用水水源地水质达标率100%。"),
    ]
    assert len(doc.items) == 4


def test_canon_spacing():
    from ingest.docparse.text import canon

    assert canon("PM2.5\t浓度") == "PM2.5 浓度"  # a tab is one space
    assert canon("PM2.5\u3000浓度\xa0下降") == "PM2.5 浓度下降"  # a gap between two CJK characters closes
    assert canon(" 1.(一)责任 单位:市生态环境局; ") == "1.（一）责任单位：市生态环境局；"
