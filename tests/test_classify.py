"""The one classifier of the choropleths (web and slides): exact classes on known value lists."""

import math

import pytest

from layers.classify import MISSING_COLOR, RAMPS, ZERO_COLOR, classify


def _labels(values, **kw):
    return [k.label for k in classify(values, **kw).classes]


def test_counts_get_integer_ranges_that_meet():
    c = classify([1, 2, 3, 5, 8, 13, 21, 34])
    assert [(k.lo, k.hi) for k in c.classes] == [(1, 5), (6, 13), (14, 21), (22, 34)]
    assert [k.label for k in c.classes] == ["1–5", "6–13", "14–21", "22–34"]
    assert [k.color for k in c.classes] == RAMPS[4]
    assert c.integer


def test_zero_is_its_own_class_and_few_values_few_classes():
    # the demo's overdue figures per county and zone: 4 counties at 4, 高新区 3, 昌南新区 2, none at 0
    assert _labels([4, 4, 4, 4, 3, 2]) == ["1–2", "3", "4"]
    c = classify([0, 0, 4, 4, 4, 4, 3, 2])
    assert [k.label for k in c.classes] == ["0", "1–2", "3", "4"]
    assert [k.color for k in c.classes] == [ZERO_COLOR, *RAMPS[3]]
    assert c.color(0) == ZERO_COLOR and c.color(2) == RAMPS[3][0] and c.color(4) == RAMPS[3][2]
    assert _labels([1, 1, 2, 10, 11, 50], k=3) == ["1–2", "3–11", "12–50"]
    assert _labels([7]) == ["1–7"]
    assert _labels([0, 0]) == ["0"]
    assert _labels([]) == []


def test_no_range_like_3_4_for_whole_numbers():
    for values in ([3, 4, 5], [4, 5], [0, 1, 2, 3, 4, 5], [2, 9, 9, 17, 30, 31]):
        for k in classify(values).classes:
            lo, _, hi = k.label.partition("–")
            assert lo.isdigit() and (hi == "" or (hi.isdigit() and int(hi) > int(lo))), k.label
        # every value falls in exactly one class whose range holds it
        for v in values:
            holding = [k for k in classify(values).classes if k.lo <= v <= k.hi]
            assert len(holding) == 1 and classify(values).of(v) == holding[0]


def test_fractions_and_missing_values():
    c = classify([0.5, 0.6, 3.4, 3.5, None, math.nan], k=2, missing_label="无点位")
    assert [k.label for k in c.classes] == ["无点位", "0.50–0.60", "3.40–3.50"]
    assert [k.color for k in c.classes] == [MISSING_COLOR, *RAMPS[2]]
    assert c.color(None) == MISSING_COLOR and c.color(0.55) == RAMPS[2][0] and c.color(3.45) == RAMPS[2][1]
    assert not c.integer


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_classes_never_exceed_distinct_values(n):
    values = list(range(1, n + 1))
    assert _labels(values) == [str(v) for v in values]
