"""统一身份认证 in a real browser against a real OpenID Connect provider on loopback
(oidc-provider-mock, an Authlib provider: the authorization-code flow exactly as Streamlit's
`st.login` runs it, discovery document, signed ID token). The journey a colleague takes:
an identity nobody has bound is refused with the words to send to the administrator and sees
no task data; once bound, the same provider sign-in lands in the app as the bound account
(role and unit from the store, not from the provider); signing out ends both sessions, so the
next visit asks again. Audit rows are read from the store by a plain query."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.browser_kit import _free_port, _shot, demo_copy, serve_app
from tests.map_frames import MAP_IFRAME

pytestmark = pytest.mark.browser
TEMPLATES = Path(__file__).parent / "fixtures" / "oidc"  # the provider's page without its CDN stylesheet
SIGN_IN = "使用统一身份认证登录"


@pytest.fixture(scope="module")
def provider():
    import jinja2
    import oidc_provider_mock
    import werkzeug.serving

    app = oidc_provider_mock.app()
    app.jinja_loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(TEMPLATES), app.jinja_loader])
    srv = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory, demo_store, provider):
    from domain.actors import SYSADMIN, Actor
    from onemap import sso

    with demo_copy(tmp_path_factory, demo_store, "sso") as tmp:
        sso.set_subject(Actor("tests", "测试夹具", SYSADMIN), "leping", "wang.wu")
        port = _free_port()
        secrets_file = tmp / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "test-cookie-secret-not-for-production"\n'
            'client_id = "onemap"\n'
            'client_secret = "onemap-test-secret"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
        yield from serve_app(port=port, args=("--secrets.files", str(secrets_file)))


def _provider_sign_in(page, sub: str) -> None:
    page.get_by_role("button", name=SIGN_IN).click()
    page.get_by_role("button", name="Authorize").wait_for(timeout=60_000)
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def _audit(action: str) -> list[tuple[str, str]]:
    from store.db import reader

    with reader() as s:
        return [tuple(r) for r in s.execute(text("SELECT username, summary FROM audit_log WHERE action = :a "
                                                 "ORDER BY id"), {"a": action})]


def test_an_identity_signs_in_only_as_the_account_bound_to_it(sso_server, page):
    from store.db import reader

    page.context.clear_cookies()  # a colleague's own browser: no session of the tests
    page.goto(sso_server)
    page.get_by_text("生态环境一张图 · 登录").wait_for(timeout=60_000)

    _provider_sign_in(page, "zhao.liu")  # nobody bound this identity
    page.get_by_text("统一身份账号 zhao.liu 尚未绑定本系统账户").wait_for(timeout=60_000)
    assert page.locator(MAP_IFRAME).count() == 0
    assert page.get_by_text("当前用户：").count() == 0
    page.get_by_role("button", name=SIGN_IN).wait_for(timeout=60_000)  # and may try another identity
    _shot(page, "sso_refused.png")
    assert _audit("登录失败")[-1] == ("zhao.liu", "统一身份账号未绑定本系统账户")

    _provider_sign_in(page, "wang.wu")  # bound to the demo's 填报 account of 乐平市
    with reader() as s:
        name, role, unit = s.execute(text("SELECT display_name, role, unit FROM users WHERE username = 'leping'")).one()
    page.get_by_text(f"当前用户：{name}（{role}，{unit}）").wait_for(timeout=60_000)
    page.wait_for_selector(MAP_IFRAME, timeout=60_000)
    _shot(page, "sso_signed_in.png")
    user, summary = _audit("登录")[-1]
    assert user == "leping" and summary.startswith("统一身份认证登录（wang.wu")

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_timeout(3000)
    if page.get_by_role("button", name="End session").count():  # the provider asks to end its session too
        page.get_by_role("button", name="End session").click()
    page.goto(sso_server)  # the next visit asks again: neither session is left
    page.get_by_role("button", name=SIGN_IN).wait_for(timeout=60_000)
    assert page.get_by_text("当前用户：").count() == 0
    assert _audit("退出登录")[-1][0] == "leping"
