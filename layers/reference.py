"""Reference layers (参考图层) on the map: the bureau's 生态保护红线, protection zones,
rivers and roads, one FeatureGroup per layer (so the layer control toggles each), drawn in
their own pane beneath the sites, each in its stored style.

Each feature is one SVG path with the classes `onemap-ref onemap-ref-<layer id>` (tests
and styles find a layer's features by them); hatched fills are an SVG pattern referenced
from CSS. Names from the data are HTML-escaped here, before they reach the page. Leaflet
layers are built in the browser from compact rows (as layers.sites does): no per-feature
folium element, so a layer of thousands of features costs one script."""

from __future__ import annotations

import dataclasses
import html
import json
from dataclasses import dataclass

import folium
import geopandas as gpd
import shapely
from branca.element import Figure, MacroElement
from jinja2 import Template

from layers.sites import _RawScript, script_json

PANE = "onemapRef"
PANE_Z = 350  # above the county basemap (300), below the overlay pane of the sites (400)
BASE_PANE, BASE_PANE_Z = "onemapBase", 300
COORD_DECIMALS = 5  # ≈ 1 m
SIMPLIFY_DEG = 0.00003  # ≈ 3 m: invisible at city scale, fewer vertices to send
FAMILY_CN = {"Polygon": "面", "LineString": "线"}


@dataclass(frozen=True)
class RefLayerData:
    """One layer ready to draw (computed once per store revision)."""

    id: int
    name: str  # as stored (escaped when drawn)
    kind: str
    style: dict
    family: str  # Polygon | LineString
    rows: list  # [name (escaped), GeoJSON geometry]

    @property
    def css_class(self) -> str:
        return f"onemap-ref-{self.id}"


def prepare_layer(layer_id: int, name: str, kind: str, style: dict, family: str,
                  features: gpd.GeoDataFrame) -> RefLayerData:
    rows = []
    for fname, geom in zip(features["name"], features.geometry, strict=True):
        g = shapely.set_precision(shapely.simplify(geom, SIMPLIFY_DEG, preserve_topology=True), 10 ** -COORD_DECIMALS)
        if g.is_empty:  # a sliver below the display precision: keep the original (still one feature)
            g = geom
        rows.append([html.escape(fname or ""), shapely.geometry.mapping(g)])
    return RefLayerData(int(layer_id), name, kind, dict(style), family, rows)


class Pane(MacroElement):
    """A map pane at a z-index, made when its FeatureGroup is first added to a map (before
    the group's layers are), so the group works in any map — streamlit-folium's live map
    included, where the group's script runs apart from the map's."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var fg = {{ this._parent.get_name() }}, onAdd = fg.onAdd;
            fg.onAdd = function (map) {
                if (!map.getPane({{ this.pane }})) {
                    map.createPane({{ this.pane }}).style.zIndex = {{ this.z }};
                }
                return onAdd.call(this, map);
            };
        })();
        {% endmacro %}
    """)

    def __init__(self, pane: str, z: int):
        super().__init__()
        self._name = "Pane"
        self.pane, self.z = json.dumps(pane), int(z)


class RefFeatures(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var fg = {{ this._parent.get_name() }}, s = {{ this.style }}, rows = {{ this.rows }};
            var cls = {{ this.cls }}, title = {{ this.title }}, hatch = {{ this.hatch }};
            if (hatch && !document.getElementById(hatch)) {
                var box = document.createElement("div");
                box.style.cssText = "position:absolute;width:0;height:0;overflow:hidden";
                box.innerHTML = '<svg width="0" height="0"><defs><pattern id="' + hatch +
                    '" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)">' +
                    '<line x1="0" y1="0" x2="0" y2="8" stroke="' + s.fill_color + '" stroke-width="2.5"/>' +
                    '</pattern></defs></svg><style>.' + cls + '{fill:url(#' + hatch + ')}</style>';
                document.body.appendChild(box);
            }
            var style = {pane: {{ this.pane }}, className: "onemap-ref " + cls, color: s.color, weight: s.weight,
                         dashArray: s.dash || null, fill: {{ this.fill }}, fillColor: s.fill_color,
                         fillOpacity: hatch ? 1 : s.fill_opacity};
            rows.forEach(function (r) {
                var g = L.geoJSON(r[1], {pane: {{ this.pane }}, style: style});
                g.bindTooltip("<b>" + title + "</b>" + (r[0] ? "<br>" + r[0] : ""), {sticky: true});
                fg.addLayer(g);
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, layer: RefLayerData, pane: str = PANE):
        super().__init__()
        self._name = "RefFeatures"
        polygon = layer.family == "Polygon"
        hatch = polygon and bool(layer.style.get("hatch"))
        self.style = script_json(layer.style)
        self.rows = script_json(layer.rows)
        self.cls = script_json(layer.css_class)
        self.title = script_json(html.escape(layer.name))
        self.hatch = script_json(f"onemap-hatch-{layer.id}" if hatch else "")
        self.fill = "true" if polygon else "false"
        self.pane = json.dumps(pane)

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        if isinstance(figure, Figure):
            script = self._template.module.__dict__["script"](self, kwargs)
            figure.script.add_child(_RawScript(script), name=self.get_name())


def reference_group(layer: RefLayerData, *, show: bool = True) -> folium.FeatureGroup:
    """The toggleable group of one layer (named in the layer control as in the legend)."""
    fg = folium.FeatureGroup(name=f"参考：{html.escape(layer.name)}", show=show)
    Pane(PANE, PANE_Z).add_to(fg)
    RefFeatures(layer).add_to(fg)
    return fg


def reference_groups(layers: list[RefLayerData], datum=None) -> list[folium.FeatureGroup]:
    """One group per layer, in the order the layers were added (later ones drawn on top); on a
    GCJ-02 basemap (`datum` from geo.gcj) every vertex shifted so the layers sit on it."""
    if datum is not None and datum.shifted:
        layers = [dataclasses.replace(x, rows=[[n, datum.geojson(g)] for n, g in x.rows]) for x in layers]
    return [reference_group(x) for x in layers]


def swatch_svg(layer: RefLayerData, size: int = 16) -> str:
    s = layer.style
    dash = f' stroke-dasharray="{html.escape(str(s.get("dash")))}"' if s.get("dash") else ""
    if layer.family == "LineString":
        shape = (f'<line x1="1" y1="{size - 3}" x2="{size - 1}" y2="3" stroke="{s["color"]}" '
                 f'stroke-width="{min(float(s["weight"]), 4)}"{dash}/>')
    elif s.get("hatch"):
        lines = "".join(f'<line x1="{x}" y1="{size}" x2="{x + size}" y2="0" stroke="{s["fill_color"]}" '
                        f'stroke-width="1.5"/>' for x in range(-size, size, 5))
        shape = (f'<clipPath id="c{layer.id}"><rect x="1" y="1" width="{size - 2}" height="{size - 2}"/></clipPath>'
                 f'<g clip-path="url(#c{layer.id})">{lines}</g>'
                 f'<rect x="1" y="1" width="{size - 2}" height="{size - 2}" fill="none" stroke="{s["color"]}" '
                 f'stroke-width="1.5"{dash}/>')
    else:
        shape = (f'<rect x="1" y="1" width="{size - 2}" height="{size - 2}" fill="{s["fill_color"]}" '
                 f'fill-opacity="{s["fill_opacity"]}" stroke="{s["color"]}" stroke-width="1.5"{dash}/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
            f'style="display:block">{shape}</svg>')


def reference_legend_html(layers: list[RefLayerData]) -> str:
    """One legend line naming each reference layer with its swatch ('' when there is none)."""
    if not layers:
        return ""
    items = [f'<span class="onemap-ref-legend-item" style="display:inline-flex;align-items:center;margin-right:14px;'
             f'white-space:nowrap"><span style="margin-right:5px">{swatch_svg(x, 14)}</span>{html.escape(x.name)}'
             f'（{len(x.rows)}）</span>' for x in layers]
    return ('<div class="onemap-ref-legend" style="font-size:0.9rem;line-height:1.9">参考图层：'
            + "".join(items) + "</div>")
