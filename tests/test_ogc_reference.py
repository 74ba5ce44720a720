"""The reference layers as OGC API collections (in process through onemap.ogc_api.handle): the
fixture's 生态保护红线 (EPSG:4548) comes out with its names and attributes in CRS84, each vertex
where pyproj puts the fixture's own coordinates; a county-scoped account gets only the patches
touching its county; the task filters are refused for a layer that has no tasks."""

from __future__ import annotations

import base64

import shapely
from pyproj import Transformer
from shapely.geometry import shape

from domain.actors import Actor
from onemap import ogc_api, reflayers, tokens
from tests.conftest import MANAGER_ACTOR, account
from tests.reflayer_fixtures import REDLINE, redline_features

ADMIN = Actor("tests", "测试夹具", "系统管理员")


def _get(path: str, params: dict, who: str):
    token = tokens.create(ADMIN, "参考图层测试", username=who)
    header = "Basic " + base64.b64encode(f"{who}:{token}".encode()).decode()
    return ogc_api.handle("GET", path, params, header, "127.0.0.1", "http://t/ogc")


def test_reference_layer_collection_in_crs84(demo_dir):
    reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线")
    leader = account("领导（参考图层）", role="领导")
    colls = _get("/collections", {}, leader).body["collections"]
    ref = [c for c in colls if c["id"].startswith("ref-")]
    assert [c["title"] for c in ref] == ["生态保护红线"]
    out = _get(f"/collections/{ref[0]['id']}/items", {}, leader)
    assert out.status == 200 and out.body["numberMatched"] == 3
    fixture = redline_features()
    to_wgs = Transformer.from_crs("EPSG:4548", "EPSG:4326", always_xy=True)
    for got, want in zip(out.body["features"], fixture, strict=True):
        assert got["properties"] == {"名称": want["properties"]["名称"], "编码": want["properties"]["编码"]}
        expected = shapely.transform(shape(want["geometry"]), to_wgs.transform, interleaved=False)
        assert shape(got["geometry"]).hausdorff_distance(expected) < 1e-6  # degrees: about 0.1 m
    bad = _get(f"/collections/{ref[0]['id']}/items", {"status": "整改中"}, leader)
    assert bad.status == 400 and "status" in bad.body["description"]


def test_a_county_scoped_account_gets_the_patches_touching_its_county(demo_dir):
    from geo.region import load_region

    reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线")
    filler = account("填报（参考图层）", unit="浮梁县生态环境局", role="填报", county="360222")
    counties = load_region("360200").counties()
    fuliang = counties.loc[counties["adcode"].astype(str) == "360222", "geometry"].iloc[0]
    to_wgs = Transformer.from_crs("EPSG:4548", "EPSG:4326", always_xy=True)
    want = [f["properties"]["名称"] for f in redline_features()
            if shapely.transform(shape(f["geometry"]), to_wgs.transform, interleaved=False).intersects(fuliang)]
    cid = next(c["id"] for c in _get("/collections", {}, filler).body["collections"] if c["id"].startswith("ref-"))
    out = _get(f"/collections/{cid}/items", {}, filler)
    assert [f["properties"]["名称"] for f in out.body["features"]] == want
    assert 0 < len(want) < 3, "the fixture has patches inside and outside 浮梁县"
