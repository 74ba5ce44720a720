"""Roles × actions through the UI (AppTest, the demo): what each signed-in role is offered —
the status changes on the map panel, the data management tabs, the accounts page, the
audit page and 我的账户's desktop GIS tokens — against this file's table, written by hand from issue 11."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from store.db import reader
from tests.conftest import app_test, page_test, sign_in
from tests.test_roles import ALLOWED

ACCOUNTS = {  # role → (name, unit, county)
    "系统管理员": ("管理员甲", "市生态环境局", ""),
    "业务管理员": ("管理员乙", "市生态环境局", ""),
    "审核": ("审核员丙", "市整改办", ""),
    "填报": ("填报员丁", "乐平市生态环境局", "360281"),
    "领导": ("领导戊", "市生态环境局", ""),
    "审计员": ("审计员己", "市生态环境局", ""),
}
OFFERED = ALLOWED  # the roles, by hand (one table: what the UI offers is what the service allows)


def _tid(uid: str) -> int:
    with reader() as s:
        return s.execute(text("SELECT id FROM tasks WHERE uid = :u"), {"u": uid}).scalar()


def _options(at, tid: int) -> list[str]:
    return [o for r in at.radio if r.key == f"map_{tid}_to" for o in r.options]


def _app(role: str, site: str):
    name, unit, county = ACCOUNTS[role]
    at = app_test(signed_in=False)
    sign_in(at, name, unit, role, county)
    at.session_state["site_id"] = site
    return at.run()


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_what_each_role_is_offered(role, demo_dir):
    pending = _tid("省督察整改清单|main|（十六）")  # 申请销号; 验收单位 include 市整改办
    started = _tid("2026年工作要点|main|5")  # 整改中; 责任单位 include 乐平市生态环境局
    ongoing = _tid("省督察整改清单|main|（四）")  # 长期坚持; 责任单位 include 乐平市委、市政府
    offered = set()
    at = _app(role, "SEC-01")
    assert not at.exception
    if any(m.value == "#### 南河河口" for m in at.markdown):
        offered.add("view")
    offered |= {"approve"} & {"approve" for o in _options(at, pending) if o == "已销号"}
    offered |= {"return"} & {"return" for o in _options(at, pending) if o == "退回"}
    offered |= {"apply"} & {"apply" for o in _options(at, started) if o == "申请销号"}
    at = _app(role, "MIN-14")
    if "定期调度（长期坚持）" in [r.format_func(o) for r in at.radio if r.key == f"map_{ongoing}_to"
                               for o in r.options]:
        offered.add("progress")
    name, unit, county = ACCOUNTS[role]
    data = sign_in(page_test("data_view", signed_in=False), name, unit, role, county).run()
    tabs = {t.label for t in data.tabs}
    if "导入点位图层" in tabs:  # a full export is restored through the same upload
        offered |= {"import", "restore"}
    if "导入文件（整改清单/工作要点）" in tabs:
        offered.add("revise")
    users = sign_in(page_test("audit_view:accounts_page", signed_in=False), name, unit, role, county).run()
    if not users.error and users.dataframe:
        offered.add("users")
    trail = sign_in(page_test("audit_view", signed_in=False), name, unit, role, county).run()
    if not trail.error and trail.dataframe:
        offered.add("audit")
    mine = sign_in(page_test("tokens_view", signed_in=False), name, unit, role, county).run()
    if any(b.label == "创建访问令牌" for b in mine.button):  # 我的账户's desktop GIS tokens (issue 17)
        offered.add("api")
    assert offered == OFFERED[role]


def test_an_unsigned_visitor_gets_the_sign_in_page_only(demo_dir):
    at = app_test(signed_in=False)
    at.session_state["site_id"] = "SEC-01"
    at.run()
    assert not at.exception
    assert [m.value for m in at.markdown][0] == "### 生态环境一张图 · 登录"
    assert not at.dataframe and not at.expander and not at.radio
    shown = " ".join(m.value for m in at.markdown)
    assert "南河河口" not in shown and "省督察" not in shown
