"""The OGC API – Features service (issue 17) read by an independent client — OWSLib's
features client — from the app's real server (`streamlit run app.py`, the same process and port
as the pages), on a private copy of the demo. Every figure is counted independently from the
store with plain loops (tests/store_counts.py and the loops below), never by onemap.features.
Also: 401 without or with a bad token (no data), 403 for a role that reads no task data, a
county-scoped account confined to its county, one audit row per request, read-only."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, time

import pytest
import requests
import shapely
from owslib.ogcapi.features import Features
from owslib.util import Authentication
from sqlalchemy import select, text

from domain.actors import Actor
from onemap import accounts, settings, tokens
from store import models as m
from store.db import reader
from store.geometry import Geometry
from tests import store_counts
from tests.conftest import Stores, account

LEPING = "360281"
FULIANG = "360222"
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
PAST = date(2026, 6, 30)
SEPTEMBER = date(2026, 9, 30)
ADMIN = Actor("tests", "测试夹具", "系统管理员")


@pytest.fixture(scope="module")
def ogc(tmp_path_factory, demo_store):
    """The app on a private copy of the demo; tokens of a 领导 and of 乐平市's 填报."""
    from tests.browser_kit import serve_app

    mp = pytest.MonkeyPatch()
    stores = Stores(tmp_path_factory.mktemp("ogc"), mp)
    stores.new(demo=demo_store)
    leader = account("领导（接口）", role="领导")
    filler = account("填报（接口）", unit="乐平市生态环境局", role="填报", county=LEPING)
    keys = {"leader": (leader, tokens.create(ADMIN, "QGIS", username=leader)),
            "filler": (filler, tokens.create(ADMIN, "QGIS", username=filler))}
    gen = serve_app()
    url = next(gen)
    _wait(url)
    yield {"url": f"{url}/ogc", **keys}
    next(gen, None)
    stores.close()
    mp.undo()


def _wait(url: str) -> None:
    import time as clock

    deadline = clock.time() + 60
    while clock.time() < deadline:
        try:
            if requests.get(f"{url}/_stcore/health", timeout=5).text == "ok":
                return
        except requests.ConnectionError:
            pass
        clock.sleep(0.5)
    raise AssertionError("the app did not answer")


def _client(ogc, who: str = "leader") -> Features:
    user, token = ogc[who]
    return Features(ogc["url"], auth=Authentication(user, token))


def _kinds() -> list[dict]:
    return json.loads((settings.REPO_ROOT / "data" / "config" / "site_kinds.json").read_text(encoding="utf-8"))["kinds"]


def _code(name: str) -> str:
    return next(k["code"] for k in _kinds() if k["name"] == name)


# ----------------------------------------------------------------------------- independent loops
def _top_tasks(as_of: date) -> dict[int, dict]:
    """Top-level tasks existing on the day: state replayed by hand, 逾期, linked sites."""
    end = datetime.combine(as_of, time.max)
    with reader() as s:
        rows = s.execute(text("SELECT id, parent_id, archived, created_at, deadline FROM tasks")).all()
        events = s.execute(text("SELECT task_id, at, seq, to_status FROM status_events")).all()
        links = s.execute(text("SELECT task_id, site_id FROM task_sites")).all()
    out = {}
    for tid, parent, archived, created, deadline in rows:
        created = created if isinstance(created, datetime) else datetime.fromisoformat(str(created))
        if parent is None and not archived and created <= end:
            d = deadline if deadline is None or isinstance(deadline, date) else date.fromisoformat(str(deadline)[:10])
            out[tid] = {"status": "未启动", "deadline": d, "sites": set()}
    for tid, at, _seq, to in sorted(events, key=lambda e: (str(e[1]), e[2])):
        at = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        if tid in out and at <= end:
            out[tid]["status"] = to
    for t in out.values():
        t["overdue"] = (t["deadline"] is not None and t["status"] not in ("已销号", "长期坚持")
                        and t["deadline"] < as_of)
    for tid, sid in links:
        if tid in out:
            out[tid]["sites"].add(sid)
    return out


def _sites() -> dict[str, dict]:
    with reader() as s:
        return {r[0]: {"kind": r[1], "county": r[2], "geom": shapely.from_wkt(r[3])}
                for r in s.execute(text("SELECT id, kind, county_code, geom_wkt FROM sites")
                                   .columns(geom_wkt=Geometry()))}  # WKT on PostGIS too


def _expected_sites(kind: str, as_of: date, counties=(), overdue=False, statuses=(), bbox=None) -> dict[str, int]:
    """Site id → its linked overdue tasks, for the sites the map shows with these filters."""
    tasks = _top_tasks(as_of)
    linked = defaultdict(list)
    for t in tasks.values():
        for sid in t["sites"]:
            linked[sid].append(t)
    out = {}
    for sid, x in _sites().items():
        if x["kind"] != kind or (counties and x["county"] not in counties):
            continue
        if bbox is not None and not x["geom"].intersects(shapely.box(*bbox)):
            continue
        if overdue or statuses:
            hits = [t for t in linked[sid] if (not overdue or t["overdue"]) and (not statuses or t["status"] in statuses)]
            if not hits:
                continue
        out[sid] = sum(t["overdue"] for t in linked[sid]
                       if (not overdue or t["overdue"]) and (not statuses or t["status"] in statuses))
    return out


def _all_items(ogc, who: str, cid: str, limit: int, **params) -> tuple[list[dict], list[int]]:
    """Every page by following the `next` links; returns the features and numberMatched per page."""
    user, token = ogc[who]
    url, got, matched = f"{ogc['url']}/collections/{cid}/items", [], []
    params = {"limit": limit, **params}
    while url:
        r = requests.get(url, params=params, auth=(user, token), timeout=60)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/geo+json")
        body = r.json()
        assert body["numberReturned"] == len(body["features"]) <= limit
        got += body["features"]
        matched.append(body["numberMatched"])
        url = next((ln["href"] for ln in body["links"] if ln["rel"] == "next"), None)
        params = None  # the next link carries them
    return got, matched


def _audit_rows(after_id: int) -> list[tuple]:
    with reader() as s:
        return [tuple(r) for r in s.execute(text(
            "SELECT username, action, object_id, summary, after, client FROM audit_log WHERE id > :i ORDER BY id"),
            {"i": after_id})]


def _last_audit_id() -> int:
    with reader() as s:
        return s.execute(text("SELECT COALESCE(MAX(id), 0) FROM audit_log")).scalar()


# ----------------------------------------------------------------------------- the standard
def test_conformance_and_collections_as_an_independent_client_reads_them(ogc):
    w = _client(ogc)
    assert sorted(w.conformance()["conformsTo"]) == sorted([CORE, GEOJSON])
    landing = w.links
    assert {"conformance", "data", "service-desc"} <= {ln["rel"] for ln in landing}
    colls = w.collections()["collections"]
    assert [c["id"] for c in colls] == [k["code"] for k in _kinds()] + ["counties"]
    assert [c["title"] for c in colls] == [k["name"] for k in _kinds()] + ["区县任务统计"]
    for c in colls:
        assert c["crs"] == ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]
        assert "items" in {ln["rel"] for ln in c["links"]}
    one = w.collection(_code("矿山修复点"))
    assert one["title"] == "矿山修复点" and one["itemType"] == "feature"


def test_overdue_mine_sites_of_leping_equal_an_independent_count(ogc):
    """The issue's morning: the 逾期 mine sites of 乐平市, each with its overdue tasks — as of a
    day in September (the demo has one then) and today (none left: the same loop says so)."""
    w = _client(ogc)
    for as_of in (SEPTEMBER, date.today()):
        got = w.collection_items(_code("矿山修复点"), county="乐平市", overdue="true", datetime_=as_of.isoformat(),
                                 limit=1000)
        want = _expected_sites("矿山修复点", as_of, counties={LEPING}, overdue=True)
        assert {f["id"]: f["properties"]["逾期"] for f in got["features"]} == want
        assert got["numberMatched"] == got["numberReturned"] == len(want)
        assert all(f["properties"]["状态"] == "逾期" and f["properties"]["区县"] == "乐平市" for f in got["features"])
    assert _expected_sites("矿山修复点", SEPTEMBER, counties={LEPING}, overdue=True), "the demo's September case"
    got = w.collection_items(_code("矿山修复点"), county="乐平市", overdue="true", datetime_=SEPTEMBER.isoformat())
    lon, lat = got["features"][0]["geometry"]["coordinates"][:2]
    assert 116 < lon < 118.5 and 28 < lat < 30  # CRS84: longitude first


def test_county_filter_and_datetime_equal_independent_counts(ogc):
    w = _client(ogc)
    for as_of in (PAST, date.today()):
        got = w.collection_items(_code("工业园区"), county=LEPING, datetime_=as_of.isoformat(), limit=1000)
        want = _expected_sites("工业园区", as_of, counties={LEPING})
        assert {f["id"]: f["properties"]["截至日期"] for f in got["features"]} == {s: as_of.isoformat() for s in want}
    # the county figures as the overview counts them, today and as of a past day
    past, now = store_counts.count(PAST), store_counts.count(date.today())
    assert {k: len(v) for k, v in past.place_overdue.items()} != {k: len(v) for k, v in now.place_overdue.items()}
    for as_of, truth in ((PAST, past), (date.today(), now)):
        got = w.collection_items("counties", datetime_=as_of.isoformat(), limit=100)
        with reader() as s:
            counties = {r[0] for r in s.execute(text("SELECT DISTINCT county_code FROM sites"))}
        assert got["numberMatched"] >= len(counties - {""})
        for f in got["features"]:
            code = f["id"]
            assert f["properties"]["逾期"] == len(truth.place_overdue.get(code, ())), (as_of, code)
            assert f["properties"]["未销号"] == len(truth.place_open.get(code, ())), (as_of, code)
            assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_a_status_change_is_in_the_next_answer(ogc):
    """The service keeps the replayed tasks per store revision (a desktop GIS asks again on every
    pan): a 销号 recorded meanwhile is in the very next answer, as the same independent loop counts."""
    from onemap import services

    w = _client(ogc)
    kind, own = "工业园区", "省督察整改清单|main|（四十）"  # the demo leaves it 申请销号, overdue; 验收单位 市整改办
    got = w.collection_items(_code(kind), overdue="true", limit=1000)  # read (and kept) before the change
    want = _expected_sites(kind, date.today(), overdue=True)
    assert {f["id"]: f["properties"]["逾期"] for f in got["features"]} == want
    with reader() as s:
        tid = s.execute(text("SELECT id FROM tasks WHERE uid = :u"), {"u": own}).scalar()
    user = account("审核员（接口）", unit="市整改办", role="审核")
    services.change_status(Actor(user, "审核员（接口）", "审核", "市整改办"), tid, "已销号", note="验收通过（接口测试）")
    after = _expected_sites(kind, date.today(), overdue=True)
    assert after != want  # the change matters to this layer
    got = w.collection_items(_code(kind), overdue="true", limit=1000)
    assert {f["id"]: f["properties"]["逾期"] for f in got["features"]} == after


def test_paging_covers_every_item_exactly_once(ogc):
    want = _expected_sites("矿山修复点", date.today())
    got, matched = _all_items(ogc, "leader", _code("矿山修复点"), limit=3)
    ids = [f["id"] for f in got]
    assert sorted(ids) == sorted(want) and len(ids) == len(set(ids))
    assert set(matched) == {len(want)} and len(matched) == -(-len(want) // 3)
    # OWSLib's offset lands on the same pages
    w = _client(ogc)
    second = w.collection_items(_code("矿山修复点"), limit=3, offset=3)
    assert [f["id"] for f in second["features"]] == ids[3:6]


# ----------------------------------------------------------------------------- access
def test_unsigned_or_bad_token_gets_401_and_no_data(ogc):
    items = f"{ogc['url']}/collections/{_code('矿山修复点')}/items"
    user, token = ogc["leader"]
    for auth, headers in ((None, {}), ((user, "om_wrong"), {}), (None, {"Authorization": "Bearer om_wrong"}),
                          (("someone-else", token), {})):
        r = requests.get(items, auth=auth, headers=headers, timeout=30)
        assert r.status_code == 401, (auth, headers)
        assert r.headers["WWW-Authenticate"].startswith("Basic ")
        body = r.json()
        assert set(body) == {"code", "description"} and "features" not in r.text and "MIN-" not in r.text
    assert requests.get(items, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 200


def test_revoked_token_and_disabled_account_get_401(ogc):
    who = account("领导（停用）", role="领导")
    t1, t2 = tokens.create(ADMIN, "甲", username=who), tokens.create(ADMIN, "乙", username=who)
    url = f"{ogc['url']}/collections"
    assert requests.get(url, auth=(who, t1), timeout=30).status_code == 200
    first = next(r for r in tokens.listing(ADMIN, username=who) if r["名称"] == "甲")
    tokens.revoke(ADMIN, first["编号"], username=who)
    assert requests.get(url, auth=(who, t1), timeout=30).status_code == 401
    assert requests.get(url, auth=(who, t2), timeout=30).status_code == 200
    accounts.disable_user(ADMIN, who)
    r = requests.get(url, auth=(who, t2), timeout=30)
    assert r.status_code == 401 and "停用" in r.json()["description"]


def test_a_role_that_reads_no_task_data_gets_403(ogc):
    who = account("领导（改任审计员）", role="领导")
    token = tokens.create(ADMIN, "QGIS", username=who)
    items = f"{ogc['url']}/collections/counties/items"
    assert requests.get(items, auth=(who, token), timeout=30).status_code == 200
    accounts.set_role(ADMIN, who, "审计员")
    r = requests.get(items, auth=(who, token), timeout=30)
    assert r.status_code == 403 and "审计员" in r.json()["description"] and "features" not in r.text
    with pytest.raises(PermissionError):  # and no new token for such a role
        tokens.create(ADMIN, "再来", username=who)


def test_a_county_scoped_account_sees_only_its_county(ogc):
    w = _client(ogc, "filler")
    got = w.collection_items(_code("矿山修复点"), limit=1000)
    want = _expected_sites("矿山修复点", date.today(), counties={LEPING})
    assert sorted(f["id"] for f in got["features"]) == sorted(want)
    counties = w.collection_items("counties", limit=100)
    assert [f["id"] for f in counties["features"]] == [LEPING]
    truth = store_counts.count(date.today())
    assert counties["features"][0]["properties"]["逾期"] == len(truth.place_overdue[LEPING] & truth.place_any[LEPING])
    user, token = ogc["filler"]
    r = requests.get(f"{ogc['url']}/collections/counties/items", params={"county": "浮梁县"}, auth=(user, token),
                     timeout=30)
    assert r.status_code == 403 and "乐平市" in r.json()["description"] and "features" not in r.text
    other = next(sid for sid, x in _sites().items() if x["county"] == FULIANG)
    kind = _code(_sites_kind(other))
    r = requests.get(f"{ogc['url']}/collections/{kind}/items/{other}", auth=(user, token), timeout=30)
    assert r.status_code == 404 and "features" not in r.text and other not in r.json().get("id", "")


def _sites_kind(sid: str) -> str:
    with reader() as s:
        return s.scalar(select(m.Site.kind).where(m.Site.id == sid))


def test_read_only_and_bad_parameters_answer_in_chinese_without_a_traceback(ogc):
    user, token = ogc["leader"]
    items = f"{ogc['url']}/collections/{_code('矿山修复点')}/items"
    for method in ("post", "put", "delete", "patch"):
        r = getattr(requests, method)(items, auth=(user, token), timeout=30)
        assert r.status_code == 405 and "只读" in r.json()["description"], method
    assert requests.head(items, auth=(user, token), timeout=30).status_code == 200
    for params, word in (({"bbox": "117,28,116"}, "bbox"), ({"bbox": "a,b,c,d"}, "bbox"), ({"limit": "0"}, "limit"),
                         ({"limit": "x"}, "limit"), ({"datetime": "2026-13-45"}, "datetime"),
                         ({"datetime": "2026-01-01/2026-02-01"}, "datetime"), ({"status": "完成"}, "status"),
                         ({"county": "南昌市"}, "county"), ({"foo": "1"}, "foo")):
        r = requests.get(items, params=params, auth=(user, token), timeout=30)
        assert r.status_code == 400, params
        body = r.json()
        assert body["code"] == "InvalidParameterValue" and word in body["description"]
        assert "Traceback" not in r.text and "features" not in body
    r = requests.get(f"{ogc['url']}/collections/nope/items", auth=(user, token), timeout=30)
    assert r.status_code == 404 and "nope" in r.json()["description"]


def test_every_request_leaves_one_audit_row_with_who_what_filters_and_address(ogc):
    user, token = ogc["leader"]
    start = _last_audit_id()
    items = f"{ogc['url']}/collections/{_code('矿山修复点')}/items"
    requests.get(items, params={"county": "乐平市", "overdue": "true"}, auth=(user, token), timeout=30)
    requests.get(items, timeout=30)
    requests.get(items, params={"limit": "0"}, auth=(user, token), timeout=30)
    rows = _audit_rows(start)
    assert len(rows) == 3
    ok, unsigned, bad = rows
    assert ok[0] == user and ok[1] == "接口读取" and ok[2] == _code("矿山修复点") and ok[5] == "127.0.0.1"
    after = ok[4] if isinstance(ok[4], dict) else json.loads(ok[4])
    assert after["参数"] == {"county": "乐平市", "overdue": "true"} and after["状态码"] == 200
    assert after["返回要素"] == len(_expected_sites("矿山修复点", date.today(), counties={LEPING}, overdue=True))
    assert unsigned[1] == "登录失败" and unsigned[5] == "127.0.0.1"
    assert bad[0] == user and "400" in bad[3]
