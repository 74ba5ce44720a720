from datetime import date

import pytest

from domain.deadlines import leading_deadline, parse_deadline


@pytest.mark.parametrize(("text", "expected", "ongoing"), [
    # every phrase listed in the domain notes
    ("2023年9月底前", date(2023, 9, 30), False),
    ("2024年6月底", date(2024, 6, 30), False),
    ("2023年底前", date(2023, 12, 31), False),
    ("2024底前", date(2024, 12, 31), False),
    ("2025年6月前", date(2025, 5, 31), False),
    ("到2030年", date(2030, 12, 31), False),
    ("立行立改，长期坚持", None, True),
    ("2024年9月，并长期坚持", date(2024, 9, 30), True),
    # further wording met in ledgers and other cities
    ("2024年8月底。", date(2024, 8, 31), False),
    ("2023年10月底前", date(2023, 10, 31), False),
    ("２０２４年１２月３１日前", date(2024, 12, 31), False),
    ("2024-06-30", date(2024, 6, 30), False),
    ("2026年上半年", date(2026, 6, 30), False),
    ("2025年第三季度", date(2025, 9, 30), False),
    ("2024年2月底", date(2024, 2, 29), False),
    ("2025年1月前", date(2024, 12, 31), False),
    ("2026年二月底前", date(2026, 2, 28), False),
    ("立行立改", None, False),
    ("长期坚持", None, True),
])
def test_deadline_phrases(text, expected, ongoing):
    d = parse_deadline(text)
    assert d.date == expected
    assert d.ongoing is ongoing
    assert d.understood
    assert d.text == text.rstrip("。")


def test_unknown_wording_is_reported_not_guessed():
    d = parse_deadline("尽快")
    assert d.date is None and not d.understood


@pytest.mark.parametrize(("text", "expected"), [
    ("2023年底前，完成老南河水生态环境修复与治理项目", date(2023, 12, 31)),
    ("2024年6月底前，完成樟树坑（昌江）饮用水水源保护区规范化建设", date(2024, 6, 30)),
    ("2024底前，对历次生态环境保护督察交办的信访件整改情况进行“回头看”", date(2024, 12, 31)),
    ("2023年10月底前，淘汰拆除陶土坩埚生产工艺装备", date(2023, 10, 31)),
])
def test_leading_measure_deadline(text, expected):
    d, _ = leading_deadline(text)
    assert d is not None and d.date == expected


@pytest.mark.parametrize("text", [
    "对接省发改委等相关部门，2024年6月底前，完善乐平工业园扩区调区相关手续",
    "自2024年1月起，各县（市、区）生态环境局公务员工资统一执行市级预算标准",
    "加强日常巡查整治",
])
def test_no_leading_deadline(text):
    assert leading_deadline(text)[0] is None
