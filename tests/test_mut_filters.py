"""filter_tasks against a plain loop (issue 18, mutation survivors of the filter rules).

The expected set of every case is computed here by a deliberately simple loop over the
hand-built fixture of tests/test_filters.py (rows as plain dicts), never by the filter
functions: every filter alone with each of its values, then every pair of filters with
every pair of values, then a few triples — including each way a filter can match nothing
(a zone without sites, a county without tasks, a kind no task is linked to, a word found
nowhere), which must narrow to nothing, never switch the filter off."""

from __future__ import annotations

import itertools
from datetime import date

from domain.filtering import Filters, filter_tasks
from tests.test_filters import C1, C2, C3, CITY, PLACE_OF_SITE, SITES, TASKS, Z1, Z2

DAY = date(2026, 11, 20)

# The values tried for each filter: matching one task, several, and nothing.
VALUES = {
    "places": [[C1], [C2], [C3], [Z1], [Z2], [CITY], [C2, Z1], ["999999"]],
    "kinds": [["监测断面"], ["矿山修复点"], ["饮用水水源地"], ["监测断面", "工业园区"]],
    "statuses": [["整改中"], ["已销号", "长期坚持"], ["退回"]],
    "flags": [["逾期"], ["临期"], ["逾期", "临期"]],
    "units": [["乐平市委、市政府"], ["市公安局", "市生态环境局"], ["不存在的单位"]],
    "documents": [["A"], ["B"], ["C"]],
    "categories": [["水"], ["大气", "综合"], ["核与辐射"]],
    "keyword": ["矿山", "pm2.5", "净土", "旧措施", "南河 水环境", "南河 大气", "不存在的词", "市公安局"],
}

ROWS = TASKS.to_dict("records")
SITE_ROWS = SITES.drop(columns="geometry").to_dict("records")


def _expected(f: Filters) -> set[int]:
    """The filter rules, written out once more as a plain loop over the fixture."""
    kind_of = {s["id"]: s["kind"] for s in SITE_ROWS}
    names_of = {s["id"]: [s["name"], *s["aliases"]] for s in SITE_ROWS}
    out = set()
    for t in ROWS:
        if t["parent_id"] is not None and t["parent_id"] == t["parent_id"]:  # a measure (NaN = top level)
            continue
        if t["archived"]:
            continue
        if f.statuses and t["status"] not in f.statuses:
            continue
        if f.flags and t["flag"] not in f.flags:
            continue
        if f.documents and t["document"] not in f.documents:
            continue
        if f.categories and t["category"] not in f.categories:
            continue
        if f.units and not any(u in f.units for u in t["units"]):
            continue
        if f.places:
            by_unit = any(c in f.places for c in t["unit_place_codes"])
            by_site = any(PLACE_OF_SITE[s] in f.places for s in t["site_ids"])
            if not (by_unit or by_site):
                continue
        if f.kinds and not any(kind_of[s] in f.kinds for s in t["site_ids"]):
            continue
        texts = [t["title"], t["body"], t["ref"], t["target"], *t["units"]]
        for m in ROWS:
            if m["parent_id"] == t["id"] and not m["archived"]:
                texts += [m["title"], m["body"], m["ref"], m["target"], *m["units"]]
        for s in t["site_ids"]:
            texts += names_of[s]
        words = f.keyword.split()
        if all(any(w.lower() in x.lower() for x in texts) for w in words):
            out.add(t["id"])
    return out


def _check(chosen: dict) -> None:
    f = Filters(**chosen, as_of=DAY)
    got = filter_tasks(TASKS, f, SITES, PLACE_OF_SITE)
    want = _expected(f)
    assert sorted(got["id"]) == sorted(want), chosen  # each task once
    assert got["parent_id"].isna().all() and not got["archived"].any(), chosen


def test_oracle_agrees_with_the_hand_worked_answers():
    """The loop itself is checked against answers worked out by hand (tests/test_filters.py)."""
    assert _expected(Filters()) == {1, 2, 3, 4, 5}
    assert _expected(Filters(places=[C1])) == {1, 3, 4}
    assert _expected(Filters(places=[Z1])) == {2}
    assert _expected(Filters(places=[Z2])) == set()
    assert _expected(Filters(kinds=["矿山修复点"])) == {3, 4}
    assert _expected(Filters(keyword="矿山")) == {2, 3, 4}
    assert _expected(Filters(keyword="净土")) == {5}
    assert _expected(Filters(keyword="不存在的词")) == set()


def test_every_filter_alone():
    _check({})
    for name, values in VALUES.items():
        for v in values:
            _check({name: v})


def test_every_pair_of_filters():
    for (a, va), (b, vb) in itertools.combinations(VALUES.items(), 2):
        for x, y in itertools.product(va, vb):
            _check({a: x, b: y})


def test_triples_that_narrow_step_by_step():
    for chosen in (
        {"places": [C1], "kinds": ["矿山修复点"], "statuses": ["已销号"]},
        {"places": [C1], "kinds": ["矿山修复点"], "statuses": ["整改中"]},
        {"places": [Z1], "keyword": "矿山", "documents": ["A"]},
        {"places": [Z1], "keyword": "矿山", "documents": ["B"]},
        {"flags": ["临期"], "units": ["市公安局"], "keyword": "PM2.5"},
        {"units": ["市生态环境局"], "categories": ["水"], "kinds": ["工业园区"]},
        {"places": [CITY], "keyword": "净土", "statuses": ["长期坚持"]},
    ):
        _check(chosen)


def test_empty_matches_narrow_to_zero():
    """The known defect of issue 18: a zone or a word that matches no site returned every task."""
    for chosen in ({"places": [Z2]}, {"places": [C3]}, {"kinds": ["饮用水水源地"]}, {"keyword": "不存在的词"},
                   {"units": ["不存在的单位"]}, {"documents": ["C"]}, {"categories": ["核与辐射"]},
                   {"statuses": ["退回"]}, {"keyword": "玉田"}):
        f = Filters(**chosen, as_of=DAY)
        assert _expected(f) == set(), chosen
        assert filter_tasks(TASKS, f, SITES, PLACE_OF_SITE).empty, chosen
