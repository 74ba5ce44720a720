"""The session cookie's route (onemap.session_cookie) through Starlette's test client: it sets an
HttpOnly, SameSite=Strict cookie only for an open session's token posted from the app's own page;
Secure behind HTTPS; an empty body clears it; everything else is refused in Chinese with no
cookie. Hypothesis: no posted text other than an open session's token ever gets a cookie."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from onemap import accounts, session_cookie
from tests.conftest import session_token

HOST = "onemap.example.gov.cn:8443"
OWN = {"Origin": f"https://{HOST}", "Host": HOST, "Content-Type": "text/plain"}


@pytest.fixture()
def client(data_dir):
    return TestClient(Starlette(routes=session_cookie.routes()), base_url=f"http://{HOST}")


def _cookie(resp) -> str:
    return resp.headers.get("set-cookie", "")


def test_an_open_session_gets_an_http_only_cookie(client):
    token = session_token()
    resp = client.post(session_cookie.PATH, content=token, headers=OWN)
    assert resp.status_code == 204
    assert _cookie(resp) == f"onemap_session={token}; Path=/; HttpOnly; SameSite=Strict"
    assert resp.headers["cache-control"] == "no-store"
    # behind the bureau's HTTPS proxy: Secure too
    resp = client.post(session_cookie.PATH, content=token, headers={**OWN, "X-Forwarded-Proto": "https"})
    assert _cookie(resp) == f"onemap_session={token}; Path=/; HttpOnly; SameSite=Strict; Secure"


def test_an_empty_post_clears_the_cookie(client):
    resp = client.post(session_cookie.PATH, content="", headers=OWN)
    assert resp.status_code == 204
    assert _cookie(resp) == "onemap_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"


def test_refusals_set_no_cookie_and_say_why_in_chinese(client):
    token = session_token()
    cases = [
        (client.post(session_cookie.PATH, content=token, headers={**OWN, "Origin": "https://evil.example"}), 403,
         "请求不是来自本系统的页面"),
        (client.post(session_cookie.PATH, content=token, headers={k: v for k, v in OWN.items() if k != "Origin"}),
         403, "请求不是来自本系统的页面"),
        (client.post(session_cookie.PATH, content="A" * 43, headers=OWN), 400, "登录凭据无效或已过期"),
        (client.post(session_cookie.PATH, content=token + "; Domain=evil", headers=OWN), 400, "登录凭据无效"),
        (client.get(session_cookie.PATH, headers=OWN), 405, "只接受 POST"),
    ]
    for resp, status, words in cases:
        assert resp.status_code == status
        assert words in resp.json()["错误"]
        assert _cookie(resp) == ""


def test_an_ended_session_gets_no_cookie(client):
    token = session_token()
    accounts.sign_out(token, None)
    resp = client.post(session_cookie.PATH, content=token, headers=OWN)
    assert resp.status_code == 400 and _cookie(resp) == ""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(min_size=1, max_size=120).filter(lambda t: t.strip()))
def test_no_made_up_text_gets_a_cookie(client, body):
    resp = client.post(session_cookie.PATH, content=body.encode("utf-8"), headers=OWN)
    assert resp.status_code == 400 and _cookie(resp) == ""
