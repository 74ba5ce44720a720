"""The browser's session cookie, set by the server: `HttpOnly`, so no script on the page can read
the token later (等保 三级: a session identifier out of reach of injected script), `SameSite=Strict`,
and `Secure` when the browser came over HTTPS (directly or through the bureau's proxy).

A Streamlit page runs over its websocket and cannot answer with headers, so after a sign-in the
page posts the new token once to `POST /_onemap/session` (mounted beside the app by app.py through
st.App, like the OGC API) and this route answers with the Set-Cookie. It sets a cookie only for a
token that is an open session in the store (no cookie can be planted for a made-up or ended
session) and only for a request from the app's own pages (the Origin header names this host: a
form on another site cannot sign a browser into someone else's session). An empty body clears the
cookie (退出登录; the session itself is ended in the store by onemap.accounts).

Refusals are Chinese JSON with 400/403/405, like the OGC API's. The store is read in a worker
thread (the server's event loop is not held up by the database).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from onemap import accounts

PATH = "/_onemap/session"
COOKIE = "onemap_session"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,200}")  # accounts' tokens are url-safe base64 (secrets.token_urlsafe)


def refuse(status: int, message: str, headers: dict | None = None) -> Response:
    return Response(json.dumps({"错误": message}, ensure_ascii=False), status_code=status, headers=headers,
                    media_type="application/json; charset=utf-8")


def _https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _same_origin(request: Request) -> bool:
    """The request comes from a page of this host (browsers send Origin on every POST)."""
    origin = request.headers.get("origin")
    if not origin:
        return False
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or ""
    return urlsplit(origin).netloc.lower() == host.split(",")[0].strip().lower()


def cookie_header(token: str | None, *, secure: bool) -> str:
    """The Set-Cookie value: the token, or (None) the cookie cleared."""
    tail = "; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")
    return f"{COOKIE}={token}{tail}" if token else f"{COOKIE}={tail}; Max-Age=0"


async def endpoint(request: Request) -> Response:
    if request.method != "POST":
        return refuse(405, "只接受 POST 请求", {"Allow": "POST"})
    if not _same_origin(request):
        return refuse(403, "请求不是来自本系统的页面，未设置登录凭据")
    body = (await request.body())[:1024].decode("ascii", errors="replace").strip()
    if body and (not _TOKEN.fullmatch(body) or await run_in_threadpool(accounts.resume, body, touch=False) is None):
        return refuse(400, "登录凭据无效或已过期，请重新登录")
    resp = Response(status_code=204)
    resp.headers["Set-Cookie"] = cookie_header(body or None, secure=_https(request))
    resp.headers["Cache-Control"] = "no-store"
    return resp


def routes() -> list:
    """The route app.py hands to st.App (every method reaches `endpoint`, which refuses all but POST)."""
    return [Route(PATH, endpoint, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])]
