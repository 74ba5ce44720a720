"""The one-map page's base map as a kept script (ui.map_base_route) through Starlette's test client:
served by its content digest, for an open session only, marked immutable; a digest this process
never showed and every request without an open session are refused in Chinese with no script.
Hypothesis: no made-up address or cookie ever gets a script."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from onemap import accounts
from tests.conftest import session_token
from ui import map_base_route

SCRIPT = 'var map_div = L.map("map_div", {});\n/* 乐平市 */\n'
DIGEST = hashlib.sha256(SCRIPT.encode("utf-8")).hexdigest()[:32]


@pytest.fixture()
def client(data_dir):
    return TestClient(Starlette(routes=map_base_route.routes()), base_url="http://onemap.example.gov.cn")


def _get(client, digest: str, token: str | None):
    client.cookies.clear()
    if token is not None:
        client.cookies.set("onemap_session", token)
    return client.get(f"/_onemap/map/{digest}.js")


def test_a_shown_base_map_is_served_to_an_open_session_and_kept(client):
    address = map_base_route.publish(DIGEST, SCRIPT)
    assert address == f"../../_onemap/map/{DIGEST}.js"  # from /component/<name>/index.html
    resp = _get(client, DIGEST, session_token())
    assert resp.status_code == 200
    assert resp.text == SCRIPT
    assert resp.headers["content-type"] == "text/javascript; charset=utf-8"
    assert resp.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert resp.headers["x-content-type-options"] == "nosniff"


def test_without_an_open_session_nothing_is_served(client):
    map_base_route.publish(DIGEST, SCRIPT)
    token = session_token()
    accounts.sign_out(token, None)
    for cookie in (None, "", "A" * 43, token):
        resp = _get(client, DIGEST, cookie)
        assert resp.status_code == 401
        assert "未登录或登录已过期" in resp.json()["错误"]
        assert SCRIPT not in resp.text


def test_a_digest_not_shown_here_is_a_chinese_404(client):
    map_base_route.publish(DIGEST, SCRIPT)
    token = session_token()
    for digest in ("0" * 32, DIGEST.upper(), DIGEST[:-1], DIGEST + "0", "..%2F..%2Fapp"):
        resp = _get(client, digest, token)
        assert resp.status_code in (404,), digest
        assert SCRIPT not in resp.text


def test_only_the_most_recent_base_maps_are_kept():
    first = "a" * 32
    map_base_route.publish(first, "first")
    for i in range(map_base_route._MAX):
        map_base_route.publish(f"{i:032x}", str(i))
    assert map_base_route.script(first) is None
    assert map_base_route.script(f"{map_base_route._MAX - 1:032x}") == str(map_base_route._MAX - 1)
    map_base_route.publish(first, "first")  # shown again: fetchable again
    assert map_base_route.script(first) == "first"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(digest=st.text(alphabet="0123456789abcdefABCDEF./%-_", min_size=1, max_size=40),
       cookie=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=";,\\\""),
                      max_size=60))
def test_no_made_up_address_or_cookie_gets_a_script(client, digest, cookie):
    map_base_route.publish(DIGEST, SCRIPT)
    resp = _get(client, digest, cookie)
    assert resp.status_code in (401, 404)
    assert SCRIPT not in resp.text
