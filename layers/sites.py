"""Site layers for folium: one FeatureGroup per kind, each site drawn with its kind's
symbol in the colour of the worst state of its work. Polygons (parks, protection
zones) are drawn as areas and also get the symbol at an inner point, so they stay
visible and clickable at city scale.

Geometry is prepared once per store revision (`prepare_geometry`: simplified,
coordinates trimmed); a filter change only recomputes colours and counts.
All text from data is HTML-escaped before it reaches the map.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from domain.rollup import BUCKETS, NO_TASK
from layers.style import COLORS
from layers.water_style import FADED, Colouring
from onemap.kinds import SiteKind

COORD_DECIMALS = 5  # ≈ 1 m
SIMPLIFY_DEG = 0.00005  # ≈ 5 m: invisible at city scale, fewer vertices to send

SHAPES = {
    "triangle": '<polygon points="{h},1 {s1},{s1} 1,{s1}"/>',
    "drop": '<circle cx="{h}" cy="{h}" r="{r}"/>',
    "square": '<rect x="2" y="2" width="{s2}" height="{s2}"/>',
    "diamond": '<polygon points="{h},1 {s1},{h} {h},{s1} 1,{h}"/>',
    "circle": '<circle cx="{h}" cy="{h}" r="{r}"/>',
}
POLYGON_DASH = {"park": None, "water_source": "6 4", "mine": "2 4"}


def symbol_svg(marker: str, color: str, size: int = 18, stroke: float = 1.5) -> str:
    """An inline SVG symbol; sizes are in CSS pixels."""
    h, s1, s2, r = size / 2, size - 1, size - 4, size / 2 - 2
    shape = SHAPES.get(marker, SHAPES["circle"]).format(h=h, s1=s1, s2=s2, r=r)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 {size} {size}" style="display:block;overflow:visible">'
            f'<g fill="{color}" stroke="#1a1a1a" stroke-width="{stroke}">{shape}</g></svg>')


@dataclass(frozen=True)
class PreparedSites:
    """Per-site display geometry, computed once per store revision."""

    frame: pd.DataFrame  # id, kind, name_html, county, illustrative, point (lon, lat), area (GeoJSON geometry | None)


def _rounded(geom) -> dict:
    g = shapely.set_precision(geom, 10 ** -COORD_DECIMALS)
    return shapely.geometry.mapping(g)


def prepare_geometry(sites: gpd.GeoDataFrame, county_names: dict[str, str], datum=None) -> PreparedSites:
    """datum (geo.gcj.Datum): the basemap's datum; the stored WGS84 geometry is shifted to it
    (GCJ-02) before it is simplified and rounded, so rounding adds its error only once."""
    if datum is not None and datum.shifted:
        sites = datum.frame(sites)
    geoms = sites.geometry.values
    is_point = sites.geometry.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    reps = shapely.point_on_surface(geoms)
    areas = []
    for g, pt in zip(geoms, is_point, strict=True):
        areas.append(None if pt else _rounded(shapely.simplify(g, SIMPLIFY_DEG, preserve_topology=True)))
    frame = pd.DataFrame({
        "id": sites["id"].to_numpy(dtype=object),
        "kind": sites["kind"].to_numpy(),
        "name_html": [html.escape(n) for n in sites["name"]],
        "county": [html.escape(county_names.get(c, "") or "") for c in sites["county_code"]],
        "illustrative": sites["illustrative"].astype(bool).to_numpy(),
        "lon": [round(p.x, COORD_DECIMALS) for p in reps],
        "lat": [round(p.y, COORD_DECIMALS) for p in reps],
        "area": areas,
    })
    frame["kind"] = frame["kind"].astype(object)
    # object dtype on purpose: membership tests against Python sets run per rerun, and
    # pandas' Arrow-backed strings make isin an order of magnitude slower
    return PreparedSites(frame.set_index(pd.Index(frame["id"], dtype=object, name=None)))


def script_json(value) -> str:
    """JSON for inline <script>: UTF-8 kept (half the bytes of \\uXXXX escapes), and the
    characters that could end the script or start markup escaped."""
    out = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        out = out.replace(ch, esc)
    return out


STATE_INDEX = {b: i for i, b in enumerate(BUCKETS)}
DOT_THRESHOLD = 3000  # above this many sites in one layer, draw canvas dots instead of SVG symbols


class _RawScript(Element):
    """Script text added to a figure as is. branca's default wraps a rendered script in
    `Element(text)`, which compiles the text as a Jinja template: for a layer whose
    script carries thousands of rows that is most of a page run."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class SiteMarkers(MacroElement):
    """All sites of one kind as compact rows; Leaflet layers are built in the browser.

    Row: [id, name (escaped), lon, lat, county index, state index, tasks, overdue, open,
    illustrative, area GeoJSON or 0]. Each layer carries `feature.properties.i` (the site
    id) so a click reaches the app through streamlit-folium's `last_active_drawing`."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var fg = {{ this._parent.get_name() }};
            var colors = {{ this.colors }}, states = {{ this.states }}, counties = {{ this.counties }};
            var stateTitle = {{ this.state_title }};
            var kind = {{ this.kind }}, svg = {{ this.svg }}, size = {{ this.size }};
            var rows = {{ this.rows }};
            var dots = {{ this.dots }}, renderer = dots ? L.canvas({padding: 0.5}) : null;
            var icons = colors.map(function (c) {
                return L.divIcon({className: "onemap-site", html: svg.replace("%COLOR%", c),
                                  iconSize: [size, size], iconAnchor: [size / 2, size / 2]});
            });
            function tip(r) {
                return "<b>" + r[1] + "</b><br>类型：" + kind + "<br>区县：" + counties[r[4]] +
                    "<br>任务：" + r[6] + " 项（逾期 " + r[7] + "，未销号 " + r[8] + "）<br>" + stateTitle + "：" + states[r[5]] +
                    (r[9] ? "<br><i>示意位置</i>" : "");
            }
            rows.forEach(function (r) {
                var feature = {type: "Feature", properties: {i: r[0]}};
                if (r[10]) {
                    var area = L.geoJSON(r[10], {style: {color: "#1a1a1a", weight: {{ this.line_weight }},
                        fillColor: colors[r[5]], fillOpacity: 0.45, dashArray: {{ this.dash }}}});
                    area.eachLayer(function (l) { l.feature = feature; });
                    area.bindTooltip(function () { return tip(r); }, {sticky: true});
                    fg.addLayer(area);
                }
                var mk = dots
                    ? L.circleMarker([r[3], r[2]], {renderer: renderer, radius: 5, color: "#1a1a1a", weight: 1,
                                                    fillColor: colors[r[5]], fillOpacity: 0.95})
                    : L.marker([r[3], r[2]], {icon: icons[r[5]]});
                mk.feature = feature;
                mk.bindTooltip(function () { return tip(r); }, {sticky: true});
                fg.addLayer(mk);
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, kind: SiteKind, rows: list, counties: list[str], *, size: int, stroke: float,
                 line_weight: float, dots: bool, colors: list[str] | None = None, states: list[str] | None = None,
                 state_title: str = "状态"):
        super().__init__()
        self._name = "SiteMarkers"
        self.kind = script_json(html.escape(kind.name))
        self.colors = script_json(colors or [COLORS[b] for b in BUCKETS])
        self.states = script_json([html.escape(x) for x in (states or BUCKETS)])
        self.state_title = script_json(html.escape(state_title))
        self.counties = script_json(counties)
        self.svg = script_json(symbol_svg(kind.marker, "%COLOR%", size, stroke))
        self.size = size
        self.rows = script_json(rows)
        self.dots = "true" if dots else "false"
        self.line_weight = line_weight
        self.dash = script_json(POLYGON_DASH.get(kind.code))

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        if isinstance(figure, Figure):
            script = self._template.module.__dict__["script"](self, kwargs)
            figure.script.add_child(_RawScript(script), name=self.get_name())


def kind_group(kind: SiteKind, prepared: PreparedSites, site_ids: list[str], summary: pd.DataFrame | None, *,
               symbol_size: int = 18, stroke: float = 1.5, line_weight: float = 2.0,
               show: bool = True, name: str | None = None, colouring: Colouring | None = None,
               faded: bool = False) -> folium.FeatureGroup:
    """The FeatureGroup of one kind, for the given (filtered) sites. colouring: a 水质 mode
    (layers.water_style) colours these sites by it instead of by their work; faded: drawn in
    one pale grey (the kinds a water mode does not judge)."""
    frame = prepared.frame
    wanted = site_ids if isinstance(site_ids, (set, frozenset)) else set(site_ids)
    # a boolean array even for an empty frame (a plain [] & array is a float/bool TypeError)
    rows = frame[frame.index.isin(list(wanted)) & (frame["kind"] == kind.name).to_numpy()]
    fg = folium.FeatureGroup(name=name or f"{kind.name}（{len(rows)}）", show=show)
    if rows.empty:
        return fg
    if summary is not None:
        sm = summary.reindex(rows.index)
        state = sm["worst"].fillna(NO_TASK).map(STATE_INDEX)
        counts = sm[["tasks", "overdue", "open"]].fillna(0).astype(int)
    else:
        state = pd.Series(STATE_INDEX[NO_TASK], index=rows.index)
        counts = pd.DataFrame(0, index=rows.index, columns=["tasks", "overdue", "open"])
    colors = states = None
    title = "状态"
    if colouring is not None:
        last = len(colouring.labels) - 1
        state = pd.Series([colouring.index.get(i, last) for i in rows.index], index=rows.index)
        colors, states, title = list(colouring.colors), list(colouring.labels), colouring.title
    elif faded:
        colors = [FADED] * len(BUCKETS)
    county_names = sorted(set(rows["county"]))
    county_idx = {c: i for i, c in enumerate(county_names)}
    data = [[html.escape(i), n, lon, lat, county_idx[c], int(s), int(t), int(o), int(p), int(x), a or 0]
            for i, n, lon, lat, c, s, t, o, p, x, a in zip(
                rows["id"], rows["name_html"], rows["lon"], rows["lat"], rows["county"], state,
                counts["tasks"], counts["overdue"], counts["open"], rows["illustrative"], rows["area"], strict=True)]
    SiteMarkers(kind, data, county_names, size=symbol_size, stroke=stroke, line_weight=line_weight,
                dots=len(rows) > DOT_THRESHOLD, colors=colors, states=states, state_title=title).add_to(fg)
    return fg


def focus_group(prepared: PreparedSites, site_ids: list[str], size: int = 34) -> folium.FeatureGroup:
    """Rings around the sites of a task selected in the ledger."""
    fg = folium.FeatureGroup(name="选中任务的点位", control=False)
    for sid in site_ids:
        if sid not in prepared.frame.index:
            continue
        r = prepared.frame.loc[sid]
        folium.CircleMarker([r["lat"], r["lon"]], radius=size / 2, color="#000000", weight=3, fill=False,
                            dash_array="4 3", interactive=False).add_to(fg)
    return fg
