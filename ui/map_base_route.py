"""GET /_onemap/map/<digest>.js: the one-map page's base map as a script the browser keeps.

The base map — county outlines and names, the basemap's tiles, the scale — is the same for every
run of a region, basemap and theme: 364 KB at province scale, against 77 KB for the 2,000 sites.
Sent as a component argument it travelled over the websocket, was decoded by Streamlit's page and
copied into the map's frame on every rerun and every page opened. Here it is addressed by its
content (a SHA-256 digest of the script, made by ui.map_component), so the browser fetches it once and
keeps it (`immutable`), and a rerun carries only its address.

It holds the bureau's data and, for an online basemap, its key: only a browser with an open
session gets it (the HttpOnly `onemap_session` cookie, onemap.session_cookie). A digest this
process has not shown (a restart, a base map replaced since) is a Chinese 404; the frame then
says to reload the page. Refusals are Chinese JSON like the session route's; the store is read in
a worker thread.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from onemap import accounts, session_cookie

# Not ui.map_component: the server imports this module before any page runs, and a component
# declared outside a page run is never registered with Streamlit (its frame would be a 404).
PATH = "/_onemap/map/{digest}.js"
_DIGEST = re.compile(r"[0-9a-f]{32}")
_LOCK = threading.Lock()
_SCRIPTS: OrderedDict[str, str] = OrderedDict()  # digest → base script, the most recently shown last
_MAX = 64


def publish(digest: str, script: str) -> str:
    """Make a base script fetchable (again on every run: the list is bounded) and return its
    address as the map's frame (/component/<name>/index.html) asks for it."""
    with _LOCK:
        _SCRIPTS[digest] = script
        _SCRIPTS.move_to_end(digest)
        while len(_SCRIPTS) > _MAX:
            _SCRIPTS.popitem(last=False)
    return "../.." + PATH.format(digest=digest)


def script(digest: str) -> str | None:
    """The base script with this digest, if a page of this process has shown it."""
    with _LOCK:
        return _SCRIPTS.get(digest) if _DIGEST.fullmatch(digest) else None


async def endpoint(request: Request) -> Response:
    token = request.cookies.get(session_cookie.COOKIE, "")[:512]
    if not token or await run_in_threadpool(accounts.resume, token, touch=False) is None:
        return session_cookie.refuse(401, "未登录或登录已过期，请重新登录后再打开地图")
    body = script(request.path_params["digest"])
    if body is None:
        return session_cookie.refuse(404, "地图底图已更新或服务已重启，请刷新页面")
    return Response(body, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=31536000, immutable",
                             "X-Content-Type-Options": "nosniff"})


def routes() -> list:
    """The route app.py hands to st.App."""
    return [Route(PATH, endpoint, methods=["GET"])]
