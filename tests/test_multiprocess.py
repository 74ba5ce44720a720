"""Two app processes on one database (deploy/: N `streamlit run` processes behind nginx, one
PostgreSQL/PostGIS). Both serve a copy of the demo; a browser page on each shows the map page's
count of tasks under the status filter 退回 (one browser page, visiting each in turn). A status change is then recorded through the
service by a signed-in 审核 account — the call the status form makes — and the next run of
the page in each process with its caches warm, shows the count a plain replay of the
store gives. The caches key on the store revision (ui/data.py), read from the database on every
run, so no process keeps serving what it loaded before. The signed-in session itself crosses the
processes too (one token, both pages). Runs on SQLite and, under scripts/test-postgres.sh, on
PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from domain.actors import Actor
from onemap import services
from store.db import reader
from tests import truth
from tests.browser_kit import _shot, demo_copy, page_fixture, serve_app
from tests.conftest import account

pytestmark = pytest.mark.browser
OWN = "省督察整改清单|main|（四十）"  # the demo's sample history leaves it 申请销号; 验收单位 市整改办


def _returned() -> int:
    """Top-level tasks whose replayed status is 退回 (independent of the app's queries)."""
    return sum(1 for t in truth.top_tasks().values() if t["status"] == "退回")


def _count_shown(page, url: str, want: int) -> None:
    page.goto(url + "/?status=退回")
    metric = page.locator("[data-testid='stMetric']", has_text="筛选范围内的任务")
    metric.get_by_text(f"{want} 项", exact=True).wait_for(timeout=120_000)


@pytest.fixture()
def two_apps(tmp_path_factory, demo_store):
    with demo_copy(tmp_path_factory, demo_store, "two-apps"):
        first, second = serve_app(), serve_app()
        try:
            yield next(first), next(second)
        finally:
            for gen in (first, second):
                next(gen, None)  # runs serve_app past its yield: terminates that process and waits for it


def test_a_status_change_shows_in_both_processes_on_their_next_rerun(two_apps):
    url_a, url_b = two_apps
    assert url_a != url_b
    before = _returned()
    pages = page_fixture()
    page = next(pages)
    try:
        _count_shown(page, url_a, before)  # both processes load (and cache) the store as it is
        _count_shown(page, url_b, before)
        with reader() as s:
            tid = s.execute(text("SELECT id FROM tasks WHERE uid = :u"), {"u": OWN}).scalar()
        assert truth.top_tasks()[tid]["status"] == "申请销号"
        user = account("审核员（多进程）", unit="市整改办", role="审核")
        services.change_status(Actor(user, "审核员（多进程）", "审核", "市整改办"), tid, "退回",
                               note="多进程测试：请补充验收材料")
        after = _returned()
        assert after == before + 1
        _count_shown(page, url_b, after)  # each process, caches warm, sees it on its next run
        _shot(page, "two-processes-b.png")
        _count_shown(page, url_a, after)
    finally:
        next(pages, None)  # closes the browser (and checks nothing left the machine)
