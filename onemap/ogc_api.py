"""OGC API – Features (Part 1: Core, GeoJSON), read-only, under /ogc beside the app (app.py
mounts `routes()` into Streamlit's own server with st.App, so it shares host, port and
process). QGIS's "OGC API – Features" connection and ArcGIS Pro's OGC API server open it.

Hand-written on Starlette (already Streamlit's server) rather than pygeoapi: the service is
six read-only endpoints over the app's own query functions (onemap.features), and a pygeoapi
provider would still need all of that plus its configuration, templates and a second server.

Every request: the account from its token (HTTP Basic: account name + token as password, or
`Authorization: Bearer`), the account's role and county checked, one audit row (who, which
collection, which filters, from where), a Chinese JSON error for anything refused, never a
traceback. Only GET and HEAD."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import shapely
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from domain import permissions as perm
from domain import status as st
from domain.actors import Actor
from domain.filtering import Filters
from onemap import audit, features, tokens

PREFIX = "/ogc"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = ["http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
               "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"]
JSON, GEOJSON = "application/json", "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
DEFAULT_LIMIT, MAX_LIMIT = 100, 10000
FILTER_PARAMS = ("county", "status", "overdue", "unit", "document", "keyword")
PAGING_PARAMS = ("bbox", "limit", "offset", "datetime", "f")
CHALLENGE = 'Basic realm="eco-onemap", charset="UTF-8", Bearer realm="eco-onemap"'
log = logging.getLogger("onemap.ogc")


class ApiError(Exception):
    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


@dataclass
class Outcome:
    """What a request got, for the response and its audit row."""

    status: int = 200
    body: dict = field(default_factory=dict)
    media: str = JSON
    collection: str = ""
    returned: int | None = None
    headers: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- parameters
def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        xs = [float(v) for v in value.split(",")]
    except ValueError:
        xs = []
    if len(xs) != 4 or not all(map(lambda x: x == x and abs(x) != float("inf"), xs)):
        raise ApiError(400, "InvalidParameterValue", f"bbox 参数无效（“{value}”）：应为 最小经度,最小纬度,最大经度,最大纬度 "
                       "四个数（WGS84 经纬度，CRS84 顺序）")
    w, s, e, n = xs
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise ApiError(400, "InvalidParameterValue", f"bbox 参数无效（“{value}”）：经度须在 -180～180、纬度须在 -90～90 之间，"
                       "且最小值不大于最大值")
    return w, s, e, n


def parse_int(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        n = int(value)
    except ValueError:
        n = None
    if n is None or not low <= n <= high:
        raise ApiError(400, "InvalidParameterValue", f"{name} 参数无效（“{value}”）：应为 {low}～{high} 之间的整数")
    return n


def parse_datetime(value: str | None) -> date:
    """The state as of a day (the app replays the history by day): a date or a date-time;
    an interval is refused (the service shows one moment's state)."""
    if value is None or value.strip() == "":
        return date.today()
    v = value.strip()
    if "/" in v:
        raise ApiError(400, "InvalidParameterValue", f"datetime 参数无效（“{value}”）：只支持单一日期（如 2026-11-01），"
                       "表示截至该日的状态，不支持时间段")
    try:
        return date.fromisoformat(v) if len(v) == 10 else datetime.fromisoformat(v.replace("Z", "+00:00")).date()
    except ValueError:
        raise ApiError(400, "InvalidParameterValue", f"datetime 参数无效（“{value}”）：应为日期，如 2026-11-01") from None


def parse_filters(params: dict[str, str], region, as_of: date) -> Filters:
    """The app's own filter object from the query parameters (values comma-separated)."""
    places = []
    for word in _list(params.get("county", "")):
        p = region.places.by_code(word) or next((x for x in region.places.local_places()
                                                 if word in (x.name, x.short, *x.aliases)), None)
        if p is None:
            known = "、".join(x.name for x in region.places.local_places())
            raise ApiError(400, "InvalidParameterValue", f"county 参数中的“{word}”不是本市的区县或管理区，可用：{known}")
        places.append(p.code)
    statuses = _list(params.get("status", ""))
    bad = [s for s in statuses if s not in st.STATUSES]
    if bad:
        raise ApiError(400, "InvalidParameterValue", f"status 参数中的“{'、'.join(bad)}”不是任务状态，可用：{'、'.join(st.STATUSES)}")
    flags = []
    for word in _list(params.get("overdue", "")):
        if word.lower() in ("1", "true", "yes", "是", st.OVERDUE):
            flags.append(st.OVERDUE)
        elif word == st.DUE_SOON:
            flags.append(st.DUE_SOON)
        else:
            raise ApiError(400, "InvalidParameterValue", f"overdue 参数无效（“{word}”）：可用 true（逾期）、逾期、临期")
    return Filters(places=places, statuses=statuses, flags=list(dict.fromkeys(flags)),
                   units=_list(params.get("unit", "")), documents=_list(params.get("document", "")),
                   keyword=params.get("keyword", "").strip(), as_of=as_of)


def _check_params(params: dict[str, str], allowed: tuple[str, ...]) -> None:
    unknown = [k for k in params if k not in allowed]
    if unknown:
        raise ApiError(400, "InvalidParameterValue", f"不支持的参数：{'、'.join(unknown)}；可用参数：{'、'.join(allowed)}")


# ----------------------------------------------------------------------------- documents
def _link(href: str, rel: str, media: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media, "title": title}


def landing(base: str, region) -> dict:
    return {"title": f"{region.name}生态环境一张图 — 实时图层", "description": "点位（按类型）及其任务状态、区县任务统计、参考图层；"
            "只读，须以账户名和访问令牌访问",
            "links": [_link(f"{base}/", "self", JSON, "本页"),
                      _link(f"{base}/api", "service-desc", OPENAPI, "接口定义（OpenAPI 3.0）"),
                      _link(f"{base}/conformance", "conformance", JSON, "符合的标准类"),
                      _link(f"{base}/collections", "data", JSON, "图层列表")]}


def collection_doc(base: str, c: features.Collection, region) -> dict:
    doc = {"id": c.id, "title": c.title, "description": c.description, "itemType": "feature",
           "crs": [CRS84], "storageCrs": CRS84,
           "extent": {"spatial": {"bbox": [list(features.extent(c, region))], "crs": CRS84}},
           "links": [_link(f"{base}/collections/{c.id}", "self", JSON, c.title),
                     _link(f"{base}/collections/{c.id}/items", "items", GEOJSON, f"{c.title}（要素）")]}
    if c.task_filters:
        doc["extent"]["temporal"] = {"interval": [[None, None]],
                                     "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    return doc


def openapi(base: str, region) -> dict:
    """A short API definition (the landing page must link one); the README explains the filters."""
    def param(name: str, desc: str, kind: str = "string") -> dict:
        return {"name": name, "in": "query", "required": False, "description": desc, "schema": {"type": kind}}

    items_params = [param("bbox", "最小经度,最小纬度,最大经度,最大纬度（CRS84）"), param("limit", "每页要素数 1～10000", "integer"),
                    param("offset", "跳过的要素数", "integer"), param("datetime", "截至该日的状态（如 2026-11-01）"),
                    param("county", "区县或管理区（名称或代码，逗号分隔）"), param("status", "任务状态（逗号分隔）"),
                    param("overdue", "true/逾期 或 临期"), param("unit", "责任单位"), param("document", "来源文件"),
                    param("keyword", "关键词")]
    ok = {"200": {"description": "成功"}, "400": {"description": "参数错误"}, "401": {"description": "未验证身份"},
          "403": {"description": "无权查看"}}
    paths = {"/": {"get": {"summary": "首页", "responses": ok}},
             "/conformance": {"get": {"summary": "符合的标准类", "responses": ok}},
             "/collections": {"get": {"summary": "图层列表", "responses": ok}},
             "/collections/{collectionId}": {"get": {"summary": "图层说明", "responses": ok}},
             "/collections/{collectionId}/items": {"get": {"summary": "要素", "parameters": items_params,
                                                           "responses": ok}},
             "/collections/{collectionId}/items/{featureId}": {"get": {"summary": "单个要素", "responses": ok}}}
    return {"openapi": "3.0.3", "info": {"title": f"{region.name}生态环境一张图 OGC API – Features", "version": "1.0"},
            "servers": [{"url": base}], "paths": paths,
            "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                                               "bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"basic": []}, {"bearer": []}]}


def _feature(row, c: features.Collection, base: str) -> dict:
    return {"type": "Feature", "id": row.fid, "geometry": shapely.geometry.mapping(row.geometry),
            "properties": row.properties,
            "links": [_link(f"{base}/collections/{c.id}/items/{row.fid}", "self", GEOJSON, "本要素"),
                      _link(f"{base}/collections/{c.id}", "collection", JSON, c.title)]}


# ----------------------------------------------------------------------------- dispatch
_ITEMS = re.compile(r"^/collections/([^/]+)/items/?$")
_ITEM = re.compile(r"^/collections/([^/]+)/items/([^/]+)$")
_COLL = re.compile(r"^/collections/([^/]+)/?$")


def _collection(cid: str) -> features.Collection:
    c = features.collection(cid)
    if c is None:
        raise ApiError(404, "NotFound", f"没有名为“{cid}”的图层，可用图层见 /collections")
    return c


def answer(actor: Actor, path: str, params: dict[str, str], base: str) -> Outcome:
    """The document for an authorised GET (raises ApiError)."""
    from onemap.services import active_region

    region = active_region()
    if path in ("", "/"):
        _check_params(params, ("f",))
        return Outcome(body=landing(base, region))
    if path == "/api":
        return Outcome(body=openapi(base, region), media=OPENAPI)
    if path == "/conformance":
        _check_params(params, ("f",))
        return Outcome(body={"conformsTo": CONFORMANCE})
    if path in ("/collections", "/collections/"):
        _check_params(params, ("f",))
        colls = features.collections()
        return Outcome(body={"collections": [collection_doc(base, c, region) for c in colls],
                             "links": [_link(f"{base}/collections", "self", JSON, "图层列表")]})
    if m := _COLL.match(path):
        _check_params(params, ("f",))
        c = _collection(m.group(1))
        return Outcome(body=collection_doc(base, c, region), collection=c.id)
    m_items, m_item = _ITEMS.match(path), _ITEM.match(path)
    if not (m_items or m_item):
        raise ApiError(404, "NotFound", f"没有这个地址（{PREFIX}{path}）；可用地址见 {PREFIX}/")
    c = _collection((m_items or m_item).group(1))
    allowed = PAGING_PARAMS + (FILTER_PARAMS if c.task_filters else ())
    _check_params(params, allowed if m_items else ("f", "datetime", *(FILTER_PARAMS if c.task_filters else ())))
    f = parse_filters(params, region, parse_datetime(params.get("datetime")))
    bbox = parse_bbox(params.get("bbox")) if m_items else None
    try:
        found = features.features(actor, region, c, f, bbox)
    except features.ScopeRefused as exc:
        raise ApiError(403, "Forbidden", str(exc)) from None
    if m_item:
        fid = m_item.group(2)
        hit = found[found["fid"].astype(str) == fid]
        if hit.empty:
            raise ApiError(404, "NotFound", f"图层“{c.title}”中没有编号为“{fid}”的要素（或不在本账户可查看的范围内）")
        return Outcome(body=_feature(next(hit.itertuples()), c, base), media=GEOJSON, collection=c.id, returned=1)
    limit = parse_int("limit", params.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = parse_int("offset", params.get("offset"), 0, 0, 10**9)
    page = found.iloc[offset:offset + limit]
    here = f"{base}/collections/{c.id}/items"
    rest = "&".join(f"{k}={v}" for k, v in _encoded(params).items() if k not in ("limit", "offset"))
    rest = f"&{rest}" if rest else ""
    links = [_link(f"{here}?limit={limit}&offset={offset}{rest}", "self", GEOJSON, "本页"),
             _link(f"{base}/collections/{c.id}", "collection", JSON, c.title)]
    if offset + limit < len(found):
        links.append(_link(f"{here}?limit={limit}&offset={offset + limit}{rest}", "next", GEOJSON, "下一页"))
    if offset > 0:
        links.append(_link(f"{here}?limit={limit}&offset={max(0, offset - limit)}{rest}", "prev", GEOJSON, "上一页"))
    body = {"type": "FeatureCollection", "features": [_feature(r, c, base) for r in page.itertuples()],
            "numberMatched": len(found), "numberReturned": len(page),
            "timeStamp": datetime.now().astimezone().isoformat(timespec="seconds"), "links": links}
    return Outcome(body=body, media=GEOJSON, collection=c.id, returned=len(page))


def _encoded(params: dict[str, str]) -> dict[str, str]:
    from urllib.parse import quote

    return {k: quote(v, safe=",") for k, v in params.items()}


def _credentials(header: str) -> tuple[str | None, str | None]:
    """(username, token) from an Authorization header (Basic or Bearer)."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        return None, value.strip() or None
    if scheme.lower() == "basic":
        try:
            user, _, token = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        return user, token or None
    return None, None


def client_of(request: Request) -> str:
    fwd = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    return fwd or (request.client.host if request.client else "")


def handle(method: str, path: str, params: dict[str, str], auth_header: str, client: str, base: str) -> Outcome:
    """One request, start to end: authenticate, authorise, answer, audit. Never raises."""
    audit.client_address.set(client)
    actor: Actor | None = None
    user_hint = ""
    try:
        user_hint, token = _credentials(auth_header)
        try:
            actor = tokens.authenticate(token, user_hint)
        except tokens.TokenRefused as exc:
            raise ApiError(401, "Unauthorized", str(exc)) from None
        reason = perm.why_not(actor, perm.VIEW)
        if reason:
            raise ApiError(403, "Forbidden", f"{reason}：本接口提供任务数据，该账户无权读取")
        if method not in ("GET", "HEAD"):
            raise ApiError(405, "MethodNotAllowed", f"本接口只读，只接受 GET 和 HEAD 请求（收到 {method}）")
        out = answer(actor, path, params, base)
    except ApiError as exc:
        out = Outcome(status=exc.status, body={"code": exc.code, "description": exc.description})
        if exc.status == 401:
            out.headers["WWW-Authenticate"] = CHALLENGE
        if exc.status == 405:
            out.headers["Allow"] = "GET, HEAD"
    except Exception:  # noqa: BLE001 - the boundary: logged with its traceback, never shown
        log.exception("OGC API request %s %s failed", method, path)
        out = Outcome(status=500, body={"code": "ServerError", "description": "服务器内部错误，请求未完成；详细信息已记录在日志，"
                                        "请联系系统管理员"})
    _audit(actor, user_hint or "", method, path, params, out)
    return out


def _audit(actor: Actor | None, user_hint: str, method: str, path: str, params: dict, out: Outcome) -> None:
    from store.db import transaction

    action = audit.SIGN_IN_FAILED if out.status == 401 else audit.DENIED if out.status == 403 else audit.API_READ
    what = f"{method} {PREFIX}{path or '/'}"
    if out.status == 200:
        summary = f"{what}：返回 {out.returned} 个要素" if out.returned is not None else f"{what}：成功"
    else:
        summary = f"{what}：{out.status} {out.body.get('description', '')}"
    try:
        with transaction() as s:
            audit.record(s, actor, action, object_type="OGC接口", object_id=out.collection or path or "/",
                         summary=summary[:2000], username=user_hint[:64],
                         after={"参数": dict(params), "状态码": out.status, "返回要素": out.returned})
    except Exception:  # noqa: BLE001 - a failed audit write is logged; the answer is still withheld below
        log.exception("OGC API audit row not written")
        if out.status == 200:
            out.status, out.body, out.media = 500, {"code": "ServerError", "description": "审计记录写入失败，请求未完成"}, JSON
            out.returned = None


async def endpoint(request: Request) -> Response:
    path = request.url.path[len(PREFIX):] if request.url.path.startswith(PREFIX) else request.url.path
    params = dict(request.query_params)
    base = f"{request.url.scheme}://{request.url.netloc}{PREFIX}"
    out = await run_in_threadpool(handle, request.method, path, params, request.headers.get("authorization", ""),
                                  client_of(request), base)
    body = json.dumps(out.body, ensure_ascii=False, default=str)
    return Response(body, status_code=out.status, media_type=out.media if out.status == 200 else JSON,
                    headers=out.headers)


METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def routes() -> list:
    """The routes app.py hands to st.App (every method reaches `handle`, which refuses all but
    GET and HEAD in Chinese)."""
    return [Route(PREFIX, endpoint, methods=METHODS),
            Mount(PREFIX, routes=[Route("/{rest:path}", endpoint, methods=METHODS)])]
