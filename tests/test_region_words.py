"""Region words (issue 19): the examples in the input boxes name the active city's own
places — a bureau of 赣州 never reads 景德镇's 乐平 there."""

from __future__ import annotations

from geo.region import load_region
from tests.conftest import app_test, page_test


def _placeholders(at) -> list[str]:
    return [w.placeholder for w in at.text_input if w.placeholder]


def test_another_city_reads_its_own_places_in_the_examples(data_dir):
    from onemap.cli import main

    assert main(["region", "360700"]) == 0
    from onemap import services
    from tests.conftest import MANAGER_ACTOR
    from ui.views.start_view import site_template

    template = data_dir / "点位.csv"  # one site of 赣州's own, so the pages (not 开始) are drawn
    template.write_bytes(site_template())
    services.import_file(MANAGER_ACTOR, template)
    last = load_region("360700").places.counties[-1]
    assert "乐平" not in last.name and "景德镇" not in last.name
    at = app_test().run()
    assert not at.exception
    assert at.text_input(key="f_q").placeholder == f"如 矿山、水源地、{last.name}"
    assert at.text_input(key="view_title").placeholder == f"如 {last.name}逾期问题"
    field = page_test("field_view").run()
    assert field.text_input(key="trip_title").placeholder == f"如 {last.name}矿山修复点现场核查"
    shown = _placeholders(at) + _placeholders(field)
    assert not [p for p in shown if "乐平" in p or "景德镇" in p], shown
