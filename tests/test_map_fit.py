"""Choosing a county in the filter takes the map to it (a user trial: the view stayed on the whole
province while the map showed one county's sites); clearing it returns to the whole region; and
neither is forced again on the next run, so the user's own panning is kept. Checked on what the
map component is sent, against the county's outline read from the region's file."""

from __future__ import annotations

import json
import math

import geopandas as gpd

from geo.region import region_folder
from tests.conftest import app_test
from tests.map_frames import is_map_component


def _view(at) -> tuple:
    args = [json.loads(e.proto.json_args) for e in at.get("component_instance")
            if is_map_component(e.proto.component_name)]
    assert len(args) == 1
    return args[0]["center"], args[0]["zoom"]


def _px(bounds, zoom: int) -> float:
    """Screen pixels the bounds span at that zoom (Web Mercator, 256 px tiles), the wider way."""
    w, s, e, n = bounds
    y = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))  # noqa: E731
    return 256 * 2 ** zoom * max((e - w) / 360, (y(n) - y(s)) / (2 * math.pi))


def test_a_chosen_county_is_shown_and_then_left_to_the_user(demo_dir):
    counties = gpd.read_file(region_folder("360200") / "counties.geojson")  # the file, not the app's reader
    leping = counties[counties["name"] == "乐平市"].iloc[0]
    at = app_test()
    at.run()
    assert _view(at)[0] is None  # the base map's own view of the city

    at.multiselect(key="f_place").set_value([str(leping["adcode"])]).run()
    assert not at.exception, at.exception
    (lat, lon), zoom = _view(at)
    w, s, e, n = leping.geometry.bounds
    assert w < lon < e and s < lat < n
    assert _px((w, s, e, n), zoom) <= 800 < _px((w, s, e, n), zoom + 1)  # the closest zoom that shows it whole

    at.run()  # nothing changed: the view is not forced again (the user may have moved it)
    assert _view(at)[0] is None

    at.multiselect(key="f_place").set_value([]).run()
    (lat, lon), zoom = _view(at)
    cw, cs, ce, cn = counties.total_bounds
    assert abs(lon - (cw + ce) / 2) < 1e-6 and abs(lat - (cs + cn) / 2) < 1e-6
    assert _px((cw, cs, ce, cn), zoom) <= 800 < _px((cw, cs, ce, cn), zoom + 1)


def test_a_county_whose_sites_lie_elsewhere_is_shown_with_them(demo_dir):
    """A county without sites of its own shows its units' tasks' sites wherever they are: the view
    takes them in (fitted to the outline alone, a province trial counted 67 sites and showed none)."""
    from geo.gcj import Datum
    from geo.region import load_region
    from ui.views.map_view import place_view

    counties = gpd.read_file(region_folder("360200") / "counties.geojson")
    leping = counties[counties["name"] == "乐平市"].iloc[0]
    far = counties[counties["name"] == "浮梁县"].iloc[0].geometry.representative_point()
    region, code = load_region("360200"), [str(leping["adcode"])]
    (lat, lon), zoom = place_view(region, code, Datum(), gpd.GeoDataFrame(geometry=[far], crs=4326))
    w, s, e, n = leping.geometry.bounds
    w, s, e, n = min(w, far.x), min(s, far.y), max(e, far.x), max(n, far.y)
    assert abs(lon - (w + e) / 2) < 1e-9 and abs(lat - (s + n) / 2) < 1e-9
    assert _px((w, s, e, n), zoom) <= 800 < _px((w, s, e, n), zoom + 1)
    # its own sites (inside its outline): the outline's view, as before
    inside = gpd.GeoDataFrame(geometry=[leping.geometry.representative_point()], crs=4326)
    assert place_view(region, code, Datum(), inside) == place_view(region, code, Datum())
