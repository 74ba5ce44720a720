"""The GIS officer's journey in headless Chromium (issue 17): the 乐平市 填报 (demo account leping)
signs in, opens 我的账户, makes an access token — shown once — and QGIS's request with it (HTTP
Basic, here through `requests`) gets exactly 乐平市's 矿山修复点 as an independent count from the
store finds them; another county is refused; after 撤销 on the same page the token gets 401."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import text

from onemap.demo import DEMO_PASSWORD
from store.db import reader
from tests.browser_kit import _shot

pytestmark = pytest.mark.browser


def _mine_sites_of(county: str) -> set[str]:
    with reader() as s:
        return {r[0] for r in s.execute(text("SELECT id FROM sites WHERE kind = '矿山修复点' AND county_code = :c"),
                                        {"c": county})}


def test_a_county_officer_makes_a_token_reads_the_live_layer_and_revokes_it(server, page):
    page.context.clear_cookies()
    page.goto(server + "/")
    page.get_by_label("账户名").fill("leping")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("当前用户：填报员（填报，乐平市生态环境局）").wait_for(timeout=90_000)
    page.goto(server + "/password")
    page.get_by_text("桌面 GIS 访问令牌（QGIS / ArcGIS）").wait_for(timeout=90_000)
    page.locator("code", has_text=f"{server}/ogc").first.wait_for(timeout=30_000)  # the address to type into QGIS
    page.get_by_label("令牌名称").fill("我的 QGIS")
    page.get_by_role("button", name="创建访问令牌").click()
    page.get_by_text("已创建访问令牌“我的 QGIS”").wait_for(timeout=60_000)
    token = page.locator("[data-testid='stCode'] code").first.inner_text().strip()
    assert token.startswith("om_")
    assert page.get_by_label("令牌名称").input_value() == ""  # ready for the next one
    _shot(page, "token-created.png")

    items = f"{server}/ogc/collections/mine/items"
    r = requests.get(items, params={"limit": 1000}, auth=("leping", token), timeout=60)
    assert r.status_code == 200
    want = _mine_sites_of("360281")
    assert want and {f["id"] for f in r.json()["features"]} == want
    r = requests.get(items, params={"county": "浮梁县"}, auth=("leping", token), timeout=60)
    assert r.status_code == 403 and "乐平市" in r.json()["description"]

    page.reload()  # shown once: not on the page any more
    page.get_by_text("桌面 GIS 访问令牌（QGIS / ArcGIS）").wait_for(timeout=90_000)
    page.get_by_role("button", name="撤销“我的 QGIS”").wait_for(timeout=60_000)
    assert page.get_by_text(token).count() == 0
    page.get_by_role("button", name="撤销“我的 QGIS”").click()
    page.get_by_text("撤销访问令牌“我的 QGIS”").wait_for(timeout=60_000)  # asked once more
    r = requests.get(items, params={"limit": 1}, auth=("leping", token), timeout=60)
    assert r.status_code == 200  # not revoked until confirmed
    page.get_by_role("button", name="确认撤销").click()
    page.get_by_text("已撤销访问令牌“我的 QGIS”").wait_for(timeout=60_000)
    _shot(page, "token-revoked.png")
    r = requests.get(items, auth=("leping", token), timeout=60)
    assert r.status_code == 401 and "features" not in r.text
