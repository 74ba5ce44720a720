"""The clerk's journey on 一张图 in headless Chromium: open a site, take a task from 申请销号
to 已销号 through the status form. The form follows the chosen status, a refusal keeps the
text, a success is confirmed in the still-open panel, the store holds the event (a plain
query on the server's store) and the symbol recolours."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from layers.style import COLORS
from store import models as m
from store.db import reader
from tests.browser_kit import _click_site, _color_of, _map, _shot, _sign_operator

pytestmark = pytest.mark.browser
UID = "省督察整改清单|main|（十六）"


def _events(uid: str) -> list[tuple]:
    with reader() as s:
        tid = s.scalar(select(m.Task.id).where(m.Task.uid == uid))
        rows = s.execute(select(m.StatusEvent.from_status, m.StatusEvent.to_status, m.StatusEvent.actor,
                                m.StatusEvent.actor_unit, m.StatusEvent.note)
                         .where(m.StatusEvent.task_id == tid).order_by(m.StatusEvent.at, m.StatusEvent.id)).all()
    return [tuple(r) for r in rows]


def _n_events() -> int:
    with reader() as s:
        return s.scalar(select(func.count()).select_from(m.StatusEvent))


def _wait_colour(page, name: str, color: str, timeout_s: float = 60) -> str:
    """Poll the symbol's colour until it is `color` (the map is redrawn after the rerun)."""
    deadline = time.monotonic() + timeout_s
    while True:
        got = _color_of(_map(page), name)
        if got == color or time.monotonic() > deadline:
            return got
        page.wait_for_timeout(500)


def test_clerk_closes_a_task_on_the_map(server, page):
    history, total = _events(UID), _n_events()
    page.goto(server + "/")
    _sign_operator(page, "赵六")
    frame = _map(page)
    _click_site(page, frame, "南河河口")
    exp = page.locator("[data-testid='stExpander']", has_text="省督察整改清单（十六）")
    exp.locator("summary").click()
    exp.get_by_role("tab", name="登记状态变更").click()
    assert _color_of(frame, "南河河口") == COLORS["逾期"]
    radios = exp.get_by_role("radiogroup")
    # the label follows the chosen status, and text typed before the switch stays
    radios.get_by_text("退回", exact=True).click()
    exp.get_by_label("退回理由（必填）").wait_for(timeout=60_000)
    exp.get_by_label("退回理由（必填）").fill("   ")
    exp.get_by_role("button", name="登记").click()
    refusal = exp.get_by_text("未登记：退回需填写退回理由")
    refusal.wait_for(timeout=60_000)
    assert exp.get_by_label("退回理由（必填）").input_value() == "   "
    assert _n_events() == total and _events(UID) == history
    radios.get_by_text("已销号", exact=True).click()
    exp.get_by_label("验收意见（可选）").wait_for(timeout=60_000)
    exp.get_by_label("验收意见（可选）").fill("现场核实，截污管网已接通")
    _shot(page, "clerk-form.png")
    exp.get_by_role("button", name="登记").click()
    done = page.get_by_text("已登记：省督察整改清单（十六） 申请销号 → 已销号")
    done.wait_for(timeout=60_000)
    # the panel is still open on the form: the next step needs no click to get back
    exp = page.locator("[data-testid='stExpander']", has_text="省督察整改清单（十六） · 已销号")
    assert exp.locator("details").get_attribute("open") is not None
    assert exp.get_by_role("tab", selected=True).inner_text() == "登记状态变更"
    exp.get_by_text("当前状态：已销号").wait_for(timeout=60_000)
    assert done.is_visible()
    # the store holds exactly one new event, with what was typed
    assert _n_events() == total + 1
    assert _events(UID) == [*history, ("申请销号", "已销号", "赵六", "市生态环境局", "现场核实，截污管网已接通")]
    # 南河河口 keeps one open key task (整改中): red → blue
    assert _wait_colour(page, "南河河口", COLORS["整改中"]) == COLORS["整改中"]
    # after a close the only legal change is a relapse found by 回头看 (整改中)
    assert exp.get_by_role("radiogroup").get_by_role("radio").count() == 1
    assert exp.get_by_role("radiogroup").get_by_text("整改中", exact=True).count() == 1
    _shot(page, "clerk-done.png")
    page.set_viewport_size({"width": 1280, "height": 720})
    done.wait_for(timeout=60_000)
    done.scroll_into_view_if_needed()
    _shot(page, "clerk-done-1280.png")
