"""What a clerk who had never seen the app found with their own document (九江市 2026 work
points, fixtures/clerk12, copied from their test files): each task's own deadline, the
signature block, and a blank short name."""

from datetime import date
from pathlib import Path

import pytest

from domain.places import PlaceSet
from domain.units import UnitParser
from ingest.docparse import parse_document
from onemap import settings

FIX = Path(__file__).parent / "fixtures" / "clerk12"


@pytest.fixture(scope="module")
def up() -> UnitParser:
    return UnitParser(PlaceSet.from_region_json(settings.REGIONS_DIR / "360200" / "region.json"))


@pytest.mark.parametrize("name", ["doc.txt", "doc.docx", "doc.pdf"])
def test_each_task_keeps_its_own_deadline_over_the_year_end_default(up, name):
    doc = parse_document(FIX / name, up, short_name="九江2026年工作要点")
    got = [(it.number, it.deadline.text, it.deadline.date, it.deadline_inherited) for it in doc.items]
    assert got == [
        ("1", "2026年6月底前", date(2026, 6, 30), False),
        ("2", "2026年9月底前", date(2026, 9, 30), False),
        ("3", "2026年度（年度工作要点，年底前完成）", date(2026, 12, 31), True),  # no phrase: the default
        ("4", "2026年11月底前", date(2026, 11, 30), False),
        ("5", "2026年度（年度工作要点，年底前完成）", date(2026, 12, 31), True),
        ("6", "2026年12月底前", date(2026, 12, 31), False),
    ]


def test_deadline_written_four_ways(up):
    """Leading phrase, a 完成时限 field inside the unit brackets (not a unit), a phrase in
    brackets, a trailing phrase."""
    doc = parse_document(FIX / "probe.txt", up, short_name="九江试")
    assert [(it.deadline.text, it.deadline.date) for it in doc.items] == [
        ("2026年6月底前", date(2026, 6, 30)), ("2026年9月底前", date(2026, 9, 30)),
        ("2026年11月底前", date(2026, 11, 30)), ("2026年12月底前", date(2026, 12, 31))]
    assert [[u.name for u in it.units] for it in doc.items] == [["市生态环境局"]] * 4
    assert doc.items[1].body == "完成排污口整治销号。"


def test_a_phrase_without_year_is_in_the_documents_year(up):
    lines = ["九江市2026年工作要点", "一、重点工作", "1．完成整治，9月底前完成。（责任单位：市生态环境局）"]
    from ingest.docparse import parse_lines
    doc = parse_lines(lines, up)
    assert (doc.items[0].deadline.text, doc.items[0].deadline.date) == ("9月底前", date(2026, 9, 30))
    doc = parse_lines([*lines[:2], "1．完成整治。（完成时限：年底前）（责任单位：市生态环境局）"], up)
    assert (doc.items[0].deadline.text, doc.items[0].deadline.date, doc.items[0].body) == (
        "年底前", date(2026, 12, 31), "完成整治。")


@pytest.mark.parametrize("name", ["doc.txt", "doc.docx", "doc.pdf"])
def test_signature_block_is_not_part_of_the_last_task(up, name):
    doc = parse_document(FIX / name, up, short_name="九江2026年工作要点")
    assert doc.items[-1].body == "完善生态环境监测网络，新建2个水质自动监测站。2026年12月底前完成。"
    assert doc.items[-1].title == "完善生态环境监测网络，新建2个水质自动监测站"
    assert doc.year == 2026


@pytest.mark.parametrize("tail", [
    ["九江市生态环境局", "2026年2月10日"],
    ["九江市生态环境局", "二〇二六年二月十日", "（此件公开发布）"],
    ["九江市生态环境局", "2026年2月10日", "附件：2026年重点事项", "1．事项甲（大气科）"],
], ids=["end", "cn_date_note", "before_annex"])
def test_signature_dropped_at_the_end_or_before_the_annex(up, tail):
    from ingest.docparse import parse_lines
    lines = ["九江市2026年工作要点", "一、重点工作", "1．新建监测站。（责任单位：市生态环境局）", *tail]
    doc = parse_lines(lines, up)
    assert doc.items[0].body == "新建监测站。"


def test_a_date_inside_the_text_stays(up):
    from ingest.docparse import parse_lines
    lines = ["九江市2026年工作要点", "一、重点工作", "1．召开会议。（责任单位：市生态环境局）", "2026年2月10日",
             "2．新建监测站。（责任单位：市生态环境局）"]
    doc = parse_lines(lines, up)
    assert doc.items[0].body == "召开会议。2026年2月10日"
