"""End to end in headless Chromium: the leader turns 一张图 to 水质达标, picks a month, sees the
sections and sources that missed their target in the 不达标 colour — as many as an independent
loop over water_samples counts — clicks one and reads its exceeding factor and 倍数 and the task
that answers it. Fully offline (the `page` fixture records any outside request)."""

from __future__ import annotations

import pytest

from layers.water_style import COMPLIANCE_BINS
from tests import water_truth
from tests.browser_kit import _map, _settled, _shot, _sign_operator, _symbols
from tests.test_browser import _wait_until

pytestmark = pytest.mark.browser
RED = dict(COMPLIANCE_BINS)["不达标"]
GREEN = dict(COMPLIANCE_BINS)["达标"]


def _click_red(page, frame, name: str) -> None:
    """Click the 不达标 symbol whose tooltip names the site. Events are sent to the symbol itself:
    around 珠山区 the symbols overlap, and a mouse click at its centre can land on a neighbour."""
    reds = frame.locator(f".onemap-site:has(svg g[fill='{RED}'])")
    for i in range(reds.count()):
        reds.nth(i).dispatch_event("mouseover")
        tip = frame.locator(".leaflet-tooltip")
        if tip.count() and name in tip.last.inner_text():
            reds.nth(i).dispatch_event("mouseout")
            reds.nth(i).dispatch_event("click")
            page.locator("[data-testid='stMarkdownContainer'] h4", has_text=name).first.wait_for(timeout=60_000)
            return
        reds.nth(i).dispatch_event("mouseout")
    raise AssertionError(f"no 不达标 symbol for {name}")


def _pick_month(page, label: str) -> None:
    """Choose the month in the 监测月份 picker (appears once a water mode is on)."""
    box = page.locator(".st-key-map_wq_month input[role='combobox']")
    box.wait_for(timeout=60_000)
    box.click()
    page.get_by_role("option", name=label, exact=True).click()
    page.wait_for_function(f"() => document.querySelector('.st-key-map_wq_month input').value === '{label}'",
                           timeout=60_000)
    _settled(page)


def test_leader_reads_the_months_non_compliant_sections(server, page):
    july, october = water_truth.month_verdicts("2026-07"), water_truth.month_verdicts("2026-10")
    bad_july = sorted(v["name"] for v in july.values() if v["compliant"] is False)
    bad_oct = sorted(v["name"] for v in october.values() if v["compliant"] is False)
    ok_oct = sum(v["compliant"] is True for v in october.values())
    assert bad_july == ["南河河口"] and bad_oct == ["浮梁罗家村", "湖田桥"]  # the demo's designed exceedances

    page.goto(server + "/")
    _sign_operator(page, "李局长", role="领导")
    frame = _map(page)
    assert _symbols(frame, RED) == 0  # 任务状态: no water colours yet
    page.locator(".st-key-map_color").get_by_text("水质达标", exact=True).click()
    _settled(page)
    assert "color=wqok" in page.url
    _pick_month(page, "2026年7月")
    frame = _map(page)
    assert _wait_until(lambda: _symbols(frame, RED), len(bad_july)) == len(bad_july)
    _pick_month(page, "2026年10月")
    frame = _map(page)
    assert _wait_until(lambda: _symbols(frame, RED), len(bad_oct)) == len(bad_oct)
    assert _symbols(frame, GREEN) == ok_oct
    legend = page.locator("[data-testid='stMarkdownContainer']", has_text="水质达标（2026年10月").first
    assert f"不达标（{len(bad_oct)}）" in legend.inner_text() and f"达标（{ok_oct}）" in legend.inner_text()
    page.get_by_text("水质监测值为示例数据").first.wait_for()  # flagged: not measurements
    _shot(page, "water-map-1600.png")

    _click_red(page, frame, "湖田桥")
    mult = october["SEC-04"]["exceeding"]["总磷"]
    page.get_by_text(f"超标因子：总磷（Ⅳ类，超标 {mult:.2f} 倍）").wait_for(timeout=60_000)
    assert page.get_by_text("2026年10月：Ⅳ类（目标Ⅲ类，不达标）").count() == 1
    assert page.get_by_text("2026年工作要点第5项").count() >= 1  # the open task linked to it
    assert page.get_by_text("没有关联的整改任务").count() == 0
    page.locator("[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart']").first.wait_for()
    _shot(page, "water-panel-1600.png")
    page.locator("[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart']").first.scroll_into_view_if_needed()
    _shot(page, "water-panel-chart-1600.png")
    page.locator("[data-testid='stDataFrame']").first.scroll_into_view_if_needed()
    _shot(page, "water-panel-values-1600.png")
    page.set_viewport_size({"width": 1280, "height": 720})
    _settled(page)
    _shot(page, "water-panel-1280.png")
