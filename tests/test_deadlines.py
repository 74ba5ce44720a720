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


# Every kind of phrase the parser knows, with the date worked out by hand.
@pytest.mark.parametrize(("text", "expected", "ongoing"), [
    # full dates, Arabic, Chinese and full-width numerals
    ("2024/6/5", date(2024, 6, 5), False),
    ("2024.12.1", date(2024, 12, 1), False),
    ("2024年6月5日", date(2024, 6, 5), False),
    ("2024年6月5号前", date(2024, 6, 5), False),
    ("2026年十二月三十日", date(2026, 12, 30), False),
    ("2026年十月二十五日", date(2026, 10, 25), False),
    ("2026年十一月底", date(2026, 11, 30), False),
    ("2026年十月底", date(2026, 10, 31), False),
    # parts of a month
    ("2024年6月上旬", date(2024, 6, 10), False),
    ("2024年6月中旬", date(2024, 6, 20), False),
    ("2024年6月下旬", date(2024, 6, 30), False),
    ("2024年2月下旬", date(2024, 2, 29), False),
    # month ends
    ("2024年6月末", date(2024, 6, 30), False),
    ("2024年9月", date(2024, 9, 30), False),
    ("2024-09", date(2024, 9, 30), False),
    ("2023年2月底", date(2023, 2, 28), False),
    # "M月前" = before that month: the last day of the month before
    ("2025年6月以前", date(2025, 5, 31), False),
    ("2024年3月前", date(2024, 2, 29), False),
    ("2025年十二月前", date(2025, 11, 30), False),
    # quarters and halves
    ("2025年一季度", date(2025, 3, 31), False),
    ("2025年第二季度", date(2025, 6, 30), False),
    ("2025年3季度", date(2025, 9, 30), False),
    ("2025第四季度", date(2025, 12, 31), False),
    ("2026年下半年", date(2026, 12, 31), False),
    ("2026上半年", date(2026, 6, 30), False),
    # year ends
    ("2024年底", date(2024, 12, 31), False),
    ("2024年末", date(2024, 12, 31), False),
    ("2024年年底前", date(2024, 12, 31), False),
    ("2024年内", date(2024, 12, 31), False),
    ("2024全年", date(2024, 12, 31), False),
    ("2024年", date(2024, 12, 31), False),
    ("至2030年", date(2030, 12, 31), False),
    ("到2035", date(2035, 12, 31), False),
    # "YYYY年前" = before that year: the previous year's last day
    ("2025年前", date(2024, 12, 31), False),
    ("2025年以前", date(2024, 12, 31), False),
    ("2030年前完成", date(2029, 12, 31), False),
    # 长期坚持 mixed with a date, and standing obligations
    ("2025年底前完成，持续推进", date(2025, 12, 31), True),
    ("2024年6月底前完成，常态化开展", date(2024, 6, 30), True),
    ("到2030年，长期坚持", date(2030, 12, 31), True),
    ("持续开展", None, True),
    ("常态化", None, True),
    ("自2024年1月起长期坚持", None, True),
    ("从2025年起执行", None, True),
    ("立即整改", None, False),
    ("即知即改", None, False),
])
def test_every_known_phrase(text, expected, ongoing):
    d = parse_deadline(text)
    assert (d.date, d.ongoing, d.understood) == (expected, ongoing, True)
    assert d.text == text


@pytest.mark.parametrize("text", ["尽快", "年底前", "", None, "2024年2月30日", "2024年13月底", "2024年0月底",
                                  "2024-00-15", "2024-06-00", "2024年0月上旬", "2024年0月前", "2024年十十月底"])
def test_unknown_or_impossible_dates_are_not_understood(text):
    d = parse_deadline(text)
    assert (d.date, d.ongoing, d.understood) == (None, False, False)
    assert d.text == (text or "")


def test_trailing_punctuation_is_dropped_from_the_kept_wording():
    assert parse_deadline(" 2024年6月底前；").text == "2024年6月底前"
    assert parse_deadline("2024年6月底前.").text == "2024年6月底前"
    assert parse_deadline("２０２４年６月底").text == "２０２４年６月底"  # wording kept as written


def test_as_dict():
    assert parse_deadline("2024年9月，并长期坚持").as_dict() == {
        "text": "2024年9月，并长期坚持", "date": "2024-09-30", "ongoing": True}
    assert parse_deadline("长期坚持").as_dict() == {"text": "长期坚持", "date": None, "ongoing": True}


@pytest.mark.parametrize(("text", "expected"), [
    ("到2025年底前，完成整治", date(2025, 12, 31)),
    ("于2025年9月底前完成验收", date(2025, 9, 30)),
    ("2025年6月前，完成清理", date(2025, 5, 31)),
    ("2026年前，全面完成", date(2025, 12, 31)),
    ("2024年上半年内：完成排查", date(2024, 6, 30)),
])
def test_more_leading_deadlines(text, expected):
    d, kept = leading_deadline(text)
    assert d is not None and d.date == expected
    assert kept == text  # the measure's text is kept whole


@pytest.mark.parametrize("text", ["自2024年起，执行新标准", "2024年起，执行新标准", "2024年开始排查", ""])
def test_starts_are_not_deadlines(text):
    assert leading_deadline(text) == (None, text)


def test_year_before_is_the_previous_years_last_day():
    """`2025年前` = before 2025 begins: 2024年12月31日, not 2025年12月31日 (issue 18's planted bug)."""
    assert parse_deadline("2025年前").date == date(2024, 12, 31)
    assert parse_deadline("2025年以前").date == date(2024, 12, 31)
    assert parse_deadline("2025年1月前").date == date(2024, 12, 31)


@pytest.mark.parametrize(("s", "n"), [
    ("7", 7), ("12", 12), ("十", 10), ("十二", 12), ("二十", 20), ("二十五", 25), ("三十一", 31), ("九", 9),
    ("〇", 0), ("一二", 12), ("两", 2), ("", None), ("x", None), ("十x", None), ("十十", None), ("二十十", None),
])
def test_chinese_numbers(s, n):
    from domain.deadlines import _cn_number

    assert _cn_number(s) == n


def test_normalise():
    from domain.deadlines import normalise

    assert normalise(" ２０２４ 年\u3000６月 底前 ") == "2024年6月底前"
    assert normalise(None) == ""


def test_leading_deadline_after_indentation():
    d, kept = leading_deadline("\u3000 2024年底前，完成整治 ")
    assert d is not None and d.date == date(2024, 12, 31) and kept == "\u3000 2024年底前，完成整治 "
