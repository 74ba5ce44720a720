"""The offline vector basemap: county polygons with their names.

Labels are one GeoJson layer of points drawn as text (not one Marker per county):
a province has ~100 counties, and each folium element costs template work on every
page run. Where labels would overlap (a province at its opening zoom, a city zoomed out) the
smaller county's label is hidden until the user zooms in: `DECLUTTER_JS`, a greedy pass over
the labels' boxes, largest county first, after every zoom. Written here because it is twenty
lines over boxes the browser has already laid out; the Leaflet collision plugins
(Leaflet.LayerGroup.Collision, leaflet-labeltextcollision) are unmaintained and redraw labels
of their own instead of these."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from layers.reference import BASE_PANE, BASE_PANE_Z, Pane
from layers.style import COUNTY_FILL, COUNTY_LINE


def county_layer(counties: gpd.GeoDataFrame, *, label_size: int = 14, over_tiles: bool = False) -> folium.FeatureGroup:
    """over_tiles: an online basemap is underneath, so the counties are outlines only."""
    fg = folium.FeatureGroup(name="区县边界", control=False)
    Pane(BASE_PANE, BASE_PANE_Z).add_to(fg)  # below the reference layers (layers.reference), whatever their order
    gj = counties[["adcode", "name", "geometry"]].copy()
    # display outlines: simplified relative to the region's size (≈ 1/3000 of its extent)
    minx, miny, maxx, maxy = gj.total_bounds
    tolerance = max(maxx - minx, maxy - miny) / 3000
    gj["geometry"] = gj.geometry.simplify(tolerance, preserve_topology=True).set_precision(1e-5)
    gj["name"] = gj["name"].map(html.escape)
    folium.GeoJson(
        gj.to_json(),
        style_function=lambda f: {"color": COUNTY_LINE, "weight": 2, "fillColor": COUNTY_FILL,
                                  "fillOpacity": 0.0 if over_tiles else 1.0, "pane": BASE_PANE},
        interactive=False,
    ).add_to(fg)
    # largest first: where two labels would overlap, the larger county keeps its name (Declutter)
    metric = gj if gj.crs is not None else gj.set_crs(4326)  # a region file is GeoJSON: WGS84
    order = metric.to_crs(metric.estimate_utm_crs()).area.sort_values(ascending=False, kind="stable").index
    ranked = gj.loc[order]
    labels = gpd.GeoDataFrame({"name": ranked["name"]}, geometry=ranked.geometry.representative_point(), crs=gj.crs)
    # max-content: the box is the text (in the 0-wide icon a block is 0 wide: not centred, no extent to declutter)
    style = (f"font-size:{label_size}px;font-weight:600;color:{COUNTY_LINE};white-space:nowrap;width:max-content;"
             "transform:translate(-50%,-50%);text-shadow:0 0 3px #fff,0 0 3px #fff;pointer-events:none")
    names = folium.GeoJson(
        labels.to_json(),
        marker=folium.Marker(icon=folium.DivIcon(class_name="onemap-county-label", icon_size=(0, 0)),
                             interactive=False),
        style_function=lambda f: {"html": f'<div style="{style}">{f["properties"]["name"]}</div>'},
        interactive=False,
    ).add_to(fg)
    Declutter(names).add_to(fg)
    return fg


# hide a label whose box (2 px apart) meets one already shown; labels in the layer's order (largest
# county first). All boxes are read before any is hidden (one layout, not one per label).
DECLUTTER_JS = """
function (labels) {
    function declutter() {
        if (!labels._map) { return; }
        var els = [];
        labels.eachLayer(function (m) { var el = m._icon && m._icon.firstElementChild; if (el) { els.push(el); } });
        var boxes = els.map(function (el) { return el.getBoundingClientRect(); });
        var shown = [];
        els.forEach(function (el, i) {
            var r = boxes[i];
            var free = shown.every(function (p) {
                return r.right + 2 <= p.left || r.left - 2 >= p.right || r.bottom + 2 <= p.top || r.top - 2 >= p.bottom; });
            el.style.visibility = free ? "" : "hidden";
            el.dataset.hidden = free ? "" : "1";
            if (free) { shown.push(r); }
        });
    }
    function attach() { labels._map.on("zoomend", declutter); setTimeout(declutter, 0); }
    if (labels._map) { attach(); } else { labels.once("add", attach); }
}"""


class Declutter(MacroElement):
    """DECLUTTER_JS on a GeoJson layer of DivIcon labels."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (""" + DECLUTTER_JS + """)({{ this.labels.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, labels: folium.GeoJson):
        super().__init__()
        self._name = "Declutter"
        self.labels = labels
