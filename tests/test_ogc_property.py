"""Property: for any bbox, county, 逾期 and status choice, kind and day, the service's items are
exactly the sites an independent loop over the store finds (tests/test_ogc_api.py's loop), and
numberMatched says how many. In process (onemap.ogc_api.handle, the whole request path but the
socket), so hypothesis can try many combinations."""

from __future__ import annotations

import base64
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.actors import Actor
from onemap import ogc_api, tokens
from tests.conftest import account
from tests.test_ogc_api import _expected_sites, _kinds

STATUSES = ("未启动", "整改中", "申请销号", "已销号", "退回", "长期坚持")
COUNTIES = ("360202", "360203", "360222", "360281")
DAYS = (date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date.today())


@st.composite
def boxes(draw):
    xs = sorted(draw(st.lists(st.floats(116.5, 118.0), min_size=2, max_size=2)))
    ys = sorted(draw(st.lists(st.floats(28.3, 29.8), min_size=2, max_size=2)))
    return xs[0], ys[0], xs[1], ys[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from([k["name"] for k in _kinds()]), counties=st.sets(st.sampled_from(COUNTIES), max_size=2),
       overdue=st.booleans(), statuses=st.sets(st.sampled_from(STATUSES), max_size=2),
       bbox=st.none() | boxes(), day=st.sampled_from(DAYS))
def test_items_equal_an_independent_count(demo_dir, kind, counties, overdue, statuses, bbox, day):
    user = account("领导（属性测试）", role="领导")
    token = tokens.create(Actor("tests", "测试夹具", "系统管理员"), "属性测试", username=user)
    header = "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
    code = next(k["code"] for k in _kinds() if k["name"] == kind)
    params = {"limit": "10000", "datetime": day.isoformat()}
    if counties:
        params["county"] = ",".join(sorted(counties))
    if overdue:
        params["overdue"] = "true"
    if statuses:
        params["status"] = ",".join(sorted(statuses))
    if bbox:
        params["bbox"] = ",".join(repr(x) for x in bbox)
    out = ogc_api.handle("GET", f"/collections/{code}/items", params, header, "127.0.0.1", "http://t/ogc")
    assert out.status == 200, out.body
    want = _expected_sites(kind, day, counties=counties, overdue=overdue, statuses=statuses, bbox=bbox)
    assert {f["id"]: f["properties"]["逾期"] for f in out.body["features"]} == want
    assert out.body["numberMatched"] == len(want)
