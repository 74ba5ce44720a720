"""Sign-in and roles in headless Chromium, on a copy of the demo: an unsigned visitor sees
the sign-in page and no task data; the 乐平市 填报 (demo account leping) sees no control that
would change a 浮梁县 task, applies for closing one of his own, and the acceptance unit's 审核
(reviewer, 市整改办) approves it — the store shows both events with the right accounts."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from domain.actors import Actor
from onemap import services
from onemap.demo import DEMO_PASSWORD
from store.db import reader
from tests.browser_kit import _click_site, _map, _shot
from tests.map_frames import MAP_IFRAME

pytestmark = pytest.mark.browser
OWN = "省督察整改清单|main|（四十）"  # at 江西乐平工业园区; 责任单位 include 乐平市; 验收单位 市整改办
FULIANG_SITE = "湘湖工业基地"  # 浮梁县; its task (十七) names no unit of 乐平市


def _q(sql: str, **params):
    with reader() as s:
        return s.execute(text(sql), params).all()


def _sign_in(page, user: str, who: str) -> None:
    page.get_by_label("账户名").fill(user)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text(f"当前用户：{who}").wait_for(timeout=90_000)


def test_unsigned_visitor_sees_only_the_sign_in_page(server, page):
    page.context.clear_cookies()
    for path in ("/", "/ledger", "/overview"):
        page.goto(server + path)
        page.get_by_role("button", name="登录", exact=True).wait_for(timeout=90_000)
        page.get_by_text("生态环境一张图 · 登录").wait_for(timeout=30_000)
        body = page.locator("[data-testid='stMain']").inner_text()
        refs = [r[0] for r in _q("SELECT ref FROM tasks")] + [r[0] for r in _q("SELECT name FROM sites")]
        assert refs and not [x for x in refs if x in body]  # no task, no site
        assert page.locator(MAP_IFRAME).count() == 0
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
    # the demo accounts are listed (the store holds the demo data)
    page.get_by_text("示例账户").wait_for(timeout=30_000)
    for user in ("admin", "manager", "reviewer", "leping", "leader", "auditor"):
        assert page.locator("code", has_text=user).count() == 1
    _shot(page, "sign-in.png")


def test_leping_filler_applies_and_the_acceptance_unit_approves(server, page):
    tid = _q("SELECT id FROM tasks WHERE uid = :u", u=OWN)[0][0]
    ref = _q("SELECT ref FROM tasks WHERE id = :t", t=tid)[0][0]
    # the sample history left it applied for: the acceptance unit returns it first (through the service)
    services.change_status(Actor("r0", "审核员", "审核", "市整改办"), tid, "退回", note="请补充验收材料")
    fuliang_tasks = _q("SELECT COUNT(DISTINCT t.id) FROM tasks t JOIN task_sites ts ON ts.task_id = t.id JOIN sites s "
                       "ON s.id = ts.site_id WHERE s.name = :n AND t.parent_id IS NULL", n=FULIANG_SITE)[0][0]
    leping_units = _q("SELECT COUNT(*) FROM task_units tu JOIN units u ON u.id = tu.unit_id JOIN task_sites ts ON "
                      "ts.task_id = tu.task_id JOIN sites s ON s.id = ts.site_id WHERE s.name = :n AND "
                      "u.place_code = '360281'", n=FULIANG_SITE)[0][0]
    assert fuliang_tasks >= 1 and leping_units == 0  # a 浮梁县 site whose tasks are none of 乐平市's

    page.context.clear_cookies()
    page.goto(server + "/")
    _sign_in(page, "leping", "填报员（填报，乐平市生态环境局）")
    frame = _map(page)
    _click_site(page, frame, FULIANG_SITE)
    page.get_by_text(f"相关任务（{fuliang_tasks} 项）").wait_for(timeout=60_000)
    exps = page.locator("[data-testid='stMain'] [data-testid='stExpander']")
    assert exps.count() >= fuliang_tasks  # the tasks are shown…
    for i in range(exps.count()):
        exps.nth(i).locator("summary").click()
    page.get_by_text("状态记录").first.wait_for(timeout=60_000)
    # …and nothing that would change them
    assert page.get_by_role("tab", name="登记状态变更").count() == 0
    assert exps.get_by_role("button", name="登记").count() == 0
    assert exps.get_by_role("radiogroup").count() == 0 and exps.locator("textarea").count() == 0
    _shot(page, "leping-fuliang.png")

    _click_site(page, frame, "江西乐平工业园区")
    exp = page.locator("[data-testid='stExpander']", has_text=ref).first
    exp.locator("summary").click()
    exp.get_by_role("tab", name="登记状态变更").click()
    exp.get_by_role("radiogroup").get_by_text("申请销号", exact=True).click()
    exp.get_by_label("整改完成情况说明（必填）").fill("园区污水处理厂提标改造完成，已补充验收材料")
    exp.get_by_role("button", name="登记").click()
    page.get_by_text(f"已登记：{ref} 退回 → 申请销号").wait_for(timeout=60_000)
    _shot(page, "leping-applied.png")

    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
    _sign_in(page, "reviewer", "审核员（审核，市整改办）")
    frame = _map(page)
    _click_site(page, frame, "江西乐平工业园区")
    exp = page.locator("[data-testid='stExpander']", has_text=ref).first
    exp.locator("summary").click()
    exp.get_by_role("tab", name="登记状态变更").click()
    exp.get_by_role("radiogroup").get_by_text("已销号", exact=True).click()
    exp.get_by_label("验收意见（可选）").fill("材料齐全，同意销号")
    exp.get_by_role("button", name="登记").click()
    page.get_by_text(f"已登记：{ref} 申请销号 → 已销号").wait_for(timeout=60_000)
    rows = _q("SELECT from_status, to_status, actor, actor_unit, actor_user, note FROM status_events "
              "WHERE task_id = :t ORDER BY seq DESC LIMIT 3", t=tid)
    assert [tuple(r) for r in rows] == [
        ("申请销号", "已销号", "审核员", "市整改办", "reviewer", "材料齐全，同意销号"),
        ("退回", "申请销号", "填报员", "乐平市生态环境局", "leping", "园区污水处理厂提标改造完成，已补充验收材料"),
        ("申请销号", "退回", "审核员", "市整改办", "r0", "请补充验收材料")]
    audit = _q("SELECT username, action, object_id FROM audit_log WHERE action IN ('状态变更', '登录', '退出登录') "
               "ORDER BY id DESC LIMIT 5")
    assert [tuple(r) for r in audit] == [("reviewer", "状态变更", ref), ("reviewer", "登录", "reviewer"),
                                         ("leping", "退出登录", "leping"), ("leping", "状态变更", ref),
                                         ("leping", "登录", "leping")]


def test_the_session_cookie_is_out_of_reach_of_scripts_and_survives_a_reload(server, page):
    """Signed in through the form: the browser holds the session token in an HttpOnly cookie set by
    the server (onemap.session_cookie) — no script on the page can read it — a reload stays signed
    in, and 退出登录 removes the cookie, so a reload shows the sign-in page."""
    page.context.clear_cookies()
    page.goto(server + "/")
    _sign_in(page, "leader", "局领导（领导，市生态环境局）")
    jar = []
    for _ in range(50):  # the page posts the token once after the sign-in run
        jar = [c for c in page.context.cookies() if c["name"] == "onemap_session"]
        if jar:
            break
        page.wait_for_timeout(200)
    assert len(jar) == 1 and jar[0]["httpOnly"] and jar[0]["sameSite"] == "Strict"
    token = jar[0]["value"]
    assert _q("SELECT COUNT(*) FROM user_sessions")[0][0] >= 1
    assert token not in page.evaluate("() => document.cookie")
    page.reload()
    page.get_by_text("当前用户：局领导（领导，市生态环境局）").wait_for(timeout=90_000)
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
    for _ in range(50):
        if not [c for c in page.context.cookies() if c["name"] == "onemap_session"]:
            break
        page.wait_for_timeout(200)
    assert [c for c in page.context.cookies() if c["name"] == "onemap_session"] == []
    page.reload()
    page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
    assert page.get_by_text("当前用户：").count() == 0
