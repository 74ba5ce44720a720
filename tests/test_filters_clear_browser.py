"""清除筛选 in a real browser: the ledger filtered by a link goes back to every task, the link
loses its filters and no error is shown. Before the fix the button set the filter widgets'
values after they were drawn, and the page showed StreamlitWidgetAlreadyInstantiatedError.
The counts are the store's, by plain SQL."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.browser_kit import _settled, _shot, _sign_operator
from tests.truth import _rows

pytestmark = pytest.mark.browser


def test_clear_filters_returns_to_every_task(server, page):
    page.set_default_timeout(120_000)
    every = len(_rows("SELECT id FROM tasks WHERE parent_id IS NULL AND NOT archived"))
    overdue_status = "整改中"
    narrowed = len(_rows(
        "SELECT t.id FROM tasks t WHERE t.parent_id IS NULL AND NOT t.archived AND (SELECT e.to_status "
        "FROM status_events e WHERE e.task_id = t.id ORDER BY e.seq DESC LIMIT 1) = :s", s=overdue_status))
    assert 0 < narrowed < every
    page.goto(server + "/ledger?status=" + quote(overdue_status))
    _sign_operator(page, "查看员", "市生态环境局", "审核")
    caption = page.get_by_text(re.compile(r"^\d+ 项（截至"))
    page.get_by_text(re.compile(rf"^{narrowed} 项（截至")).first.wait_for()
    clear = page.get_by_role("button", name="清除筛选")
    clear.click()
    page.get_by_text(re.compile(rf"^{every} 项（截至")).first.wait_for()
    _settled(page)
    _shot(page, "filters-cleared.png")
    assert caption.first.inner_text().startswith(f"{every} 项")
    assert "status=" not in page.url, page.url
    assert page.locator("[data-testid='stException']").count() == 0
    assert clear.count() == 0  # nothing left to clear
