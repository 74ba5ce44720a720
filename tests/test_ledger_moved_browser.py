"""A reviewer approves from the ledger filtered to 申请销号: the approved task leaves the list.
The table's selection is a row number, so the next run used to open the next task with no word
of what was recorded (found by a user trial: a second 登记 would act on the wrong task). Now the
confirmation names the task above the list and no other task's form is opened."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.browser_kit import _settled, _sign_operator
from tests.truth import _rows

pytestmark = pytest.mark.browser


def _status(ref: str) -> str:
    rows = _rows("SELECT e.to_status FROM status_events e JOIN tasks t ON t.id = e.task_id "
                 "WHERE t.ref = :r AND t.parent_id IS NULL ORDER BY e.seq DESC", r=ref)
    return rows[0]["to_status"] if rows else "未启动"


def test_an_approved_task_that_leaves_the_list_is_confirmed_by_name(server, page):
    page.set_default_timeout(120_000)
    page.goto(server + "/ledger?status=" + quote("申请销号"))
    _sign_operator(page, "验收员", "市整改办", "审核")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    _settled(page)
    pending = [r["ref"] for r in _rows(
        "SELECT t.ref FROM tasks t WHERE t.parent_id IS NULL AND (SELECT e.to_status FROM status_events e "
        "WHERE e.task_id = t.id ORDER BY e.seq DESC LIMIT 1) = '申请销号' ORDER BY t.id")]
    assert len(pending) >= 2  # the list still has rows after the approval
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 17)  # the first row's selection box
    tabs = page.get_by_role("tab", name="登记状态变更")
    tabs.wait_for()
    ref = None
    for _ in range(300):  # the panel below the list names the task chosen
        tail = page.locator("[data-testid='stMain']").inner_text().split("导出当前视图")[-1]
        ref = next((r for r in pending if r in tail), None)
        if ref:
            break
        page.wait_for_timeout(200)
    assert ref, "no task panel opened"
    tabs.click()
    page.locator("[data-testid='stRadio']").get_by_text("已销号", exact=True).click()
    _settled(page)
    page.locator("textarea").first.fill("经核查整改到位，同意销号")
    page.get_by_role("button", name="登记", exact=True).click()
    msg = page.get_by_text(re.compile(f"已登记：{re.escape(ref)} 申请销号 → 已销号.*该任务已不在当前筛选结果中"))
    msg.wait_for()
    assert _status(ref) == "已销号"
    _settled(page)
    # no other task's form was opened in its place
    assert page.get_by_role("tab", name="登记状态变更").count() == 0
