"""The deck's 断面水质 slides (demo): the latest month at or before the day, the shares for
the month and the year to date, and the non-compliant sites with factor, 倍数 and open tasks —
against tests/water_truth.py; the sample flag in the notice; nothing off the slide."""

from __future__ import annotations

from datetime import date

from pptx import Presentation

from exports.deck import shapes_inside
from onemap import meetings
from tests import truth, water_truth
from tests.conftest import MANAGER_ACTOR
from tests.truth import _rows


def _texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text]


def _pct(part: int, total: int) -> str:
    return f"{round(100 * part / total, 1):.1f}%（{part}/{total}）"


def test_water_slides_match_an_independent_count(demo_dir, tmp_path):
    as_of = date(2026, 9, 30)  # the latest month then: September
    path = meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "deck.pptx", as_of=as_of, title="9月调度会")
    prs = Presentation(str(path))
    slides = {_texts(s)[0].split("\n")[0]: s for s in prs.slides}
    figures = "\n".join(_texts(slides["断面水质（2026年9月）"]))
    sites, month = water_truth.water_sites(), water_truth.month_verdicts("2026-09")
    ytd = water_truth.year_verdicts(2026, "2026-09")

    def shares(vs):
        sec = [v for sid, v in vs.items() if sites[sid]["kind"] == "监测断面"]
        src = [v for sid, v in vs.items() if sites[sid]["kind"] == "饮用水水源地"]
        return [_pct(sum(v["class"] <= 3 for v in sec), len(sec)), _pct(sum(v["compliant"] for v in sec), len(sec)),
                _pct(sum(v["compliant"] for v in src), len(src))]

    for label, now, year in zip(("断面水质优良比例（Ⅰ–Ⅲ类）", "断面达标率", "水源地达标率"), shares(month), shares(ytd),
                                strict=True):
        assert f"{label}　{now}　2026年累计 {year}" in figures
    bad = {sid: v for sid, v in month.items() if v["compliant"] is False}
    assert f"不达标点位　{len(bad)} 个" in figures
    assert "水质监测值为示例数据（非实测）" in figures
    table = next(sh.table for sh in slides["2026年9月不达标的断面和水源地"].shapes if sh.has_table)
    got = {table.cell(i, 0).text: [table.cell(i, j).text for j in range(1, 4)] for i in range(1, len(table.rows))}
    assert sorted(got) == sorted(v["name"] for v in bad.values()) == ["湖田桥"]  # 总磷 0.318 in September
    klass, factor, tasks = got["湖田桥"]
    assert klass == "Ⅴ类（目标Ⅲ类）" and factor == "总磷（Ⅴ类，超标 0.59 倍）"
    refs = {r["id"]: r["ref"] for r in _rows("SELECT id, ref FROM tasks")}
    open_refs = [refs[i] for i, t in truth.top_tasks(as_of).items() if "SEC-04" in t["site_ids"] and t["status"] != "已销号"]
    assert open_refs and all(r in tasks for r in open_refs)
    assert "水质监测值为示例数据" in "\n".join(_texts(slides["2026年9月不达标的断面和水源地"]))
    assert not any("水质监测值" in x for x in _texts(prs.slides[0]))  # only the water slides say it
    assert shapes_inside(path) == []
