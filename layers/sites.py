"""Site layers for folium: one FeatureGroup per kind, each site drawn with its kind's
symbol in the colour of the worst state of its work. Polygons (parks, protection
zones) are drawn as areas and also get the symbol at an inner point, so they stay
visible and clickable at city scale.

Geometry is prepared once per store revision (`prepare_geometry`: simplified,
coordinates trimmed); a filter change only recomputes colours and counts.
All text from data is HTML-escaped before it reaches the map.
"""

from __future__ import annotations

import base64
import html
import json
import zlib
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement

from domain.rollup import BUCKETS, NO_TASK
from layers.style import COLORS
from layers.water_style import FADED, Colouring
from onemap import settings
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
QUANT = 10 ** COORD_DECIMALS  # coordinates travel as integers in 1e-5 degrees (≈ 1 m), as prepared


def _packed_area(geo: dict):
    """A (Multi)Polygon as [[ring, …], …] of flat integer deltas (x0, y0, dx1, dy1, …) in 1e-5
    degrees — a third of its GeoJSON text; other geometry stays GeoJSON."""
    if geo["type"] not in ("Polygon", "MultiPolygon"):
        return geo
    polys = [geo["coordinates"]] if geo["type"] == "Polygon" else geo["coordinates"]
    out = []
    for poly in polys:
        rings = []
        for ring in poly:
            flat, px, py = [], 0, 0
            for x, y in ring:
                qx, qy = round(x * QUANT), round(y * QUANT)
                flat += [qx - px, qy - py]
                px, py = qx, qy
            rings.append(flat)
        out.append(rings)
    return out


def _unpacked_area(a):
    if not isinstance(a, list):
        return a
    polys = []
    for poly in a:
        rings = []
        for flat in poly:
            x = y = 0
            ring = []
            for i in range(0, len(flat), 2):
                x, y = x + flat[i], y + flat[i + 1]
                ring.append((x / QUANT, y / QUANT))
            rings.append(ring)
        polys.append(rings)
    return {"type": "MultiPolygon", "coordinates": polys}


def pack_rows(rows: list) -> str:
    """Rows as the browser gets them: UTF-8 JSON (names as their characters, not \\uXXXX
    escapes), deflated (zlib) and base64-encoded — base64 travels through Streamlit's
    ASCII-escaped JSON unchanged, and ids, names and coordinates of neighbouring rows share
    most of their text. The browser inflates it with its built-in DecompressionStream."""
    raw = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


# The canvas symbol: Leaflet's CircleMarker (its hit test, tooltip and click handling) with the
# kind's shape drawn through the canvas renderer's own fill/stroke. Written here because no
# maintained Leaflet plugin draws vector shapes on the canvas renderer (the canvas-marker
# plugins draw bitmap icons and are unmaintained); 20 lines on Leaflet 1.9's renderer.
_SYMBOL_JS = """
    window.OnemapSymbol = window.OnemapSymbol || L.CircleMarker.extend({
        _updatePath: function () {
            var rd = this._renderer, shape = this.options.shape;
            if (!rd._ctx || !shape || shape === "circle" || shape === "drop") {
                return L.CircleMarker.prototype._updatePath.call(this);
            }
            if (!rd._drawing || this._empty()) { return; }
            var p = this._point, r = this._radius, c = rd._ctx;
            c.beginPath();
            if (shape === "triangle") {
                c.moveTo(p.x, p.y - r); c.lineTo(p.x + r, p.y + 0.8 * r); c.lineTo(p.x - r, p.y + 0.8 * r);
            } else if (shape === "square") {
                c.rect(p.x - 0.8 * r, p.y - 0.8 * r, 1.6 * r, 1.6 * r);
            } else {
                c.moveTo(p.x, p.y - r); c.lineTo(p.x + r, p.y); c.lineTo(p.x, p.y + r); c.lineTo(p.x - r, p.y);
            }
            c.closePath();
            rd._fillStroke(c, this);
        }
    });
"""

_SITES_LIB = """
window.OnemapSites = window.OnemapSites || function (fg, o) {
    var colors = o.colors, states = o.states, counties = o.counties, size = o.size;
    var renderer = o.dots ? (window.OnemapCanvas || (window.OnemapCanvas = L.canvas({padding: 0.5}))) : null;
    var icons = colors.map(function (c) {
        return L.divIcon({className: "onemap-site", html: o.svg.replace("%COLOR%", c),
                          iconSize: [size, size], iconAnchor: [size / 2, size / 2]});
    });
    function tip(r) {
        return "<b>" + r[1] + "</b><br>类型：" + o.kind + "<br>区县：" + counties[r[4]] +
            "<br>任务：" + r[6] + " 项（逾期 " + r[7] + "，未销号 " + r[8] + "）<br>" + o.stateTitle + "：" + states[r[5]] +
            (r[9] ? "<br><i>示意位置</i>" : "");
    }
    function unpackArea(a) {  // layers.sites._packed_area reversed
        if (!Array.isArray(a)) { return a; }
        return {type: "MultiPolygon", coordinates: a.map(function (poly) { return poly.map(function (flat) {
            var out = [], x = 0, y = 0;
            for (var i = 0; i < flat.length; i += 2) { x += flat[i]; y += flat[i + 1]; out.push([x / 1e5, y / 1e5]); }
            return out;
        }); })};
    }
    function feature(r) { return {type: "Feature", properties: {i: r[0]}}; }
    function draw(rows) {
        rows.forEach(function (r) {
            r[2] /= 1e5; r[3] /= 1e5;
            if (r[10]) {
                // many sites: on the symbols' canvas (one canvas takes the pointer: a canvas beneath
                // it would never get a hover or a click), moved to the back of its drawing order so
                // every kind's symbols stay above every area; few: SVG, beneath the DOM symbols
                var area = L.geoJSON(unpackArea(r[10]), {renderer: renderer || undefined, style: {color: "#1a1a1a",
                    weight: o.lineWeight, fillColor: colors[r[5]], fillOpacity: 0.45, dashArray: o.dash}});
                area.eachLayer(function (l) { l.feature = feature(r); l.onemapRow = r; });
                fg.addLayer(area);
                if (renderer) { area.bringToBack(); }
            }
        });
        rows.forEach(function (r) {
            var mk = o.dots
                ? new window.OnemapSymbol([r[3], r[2]], {renderer: renderer, radius: size / 2 - 2, shape: o.shape,
                    color: "#1a1a1a", weight: o.stroke, fillColor: colors[r[5]], fillOpacity: 0.95})
                : L.marker([r[3], r[2]], {icon: icons[r[5]]});
            mk.feature = feature(r);
            mk.onemapRow = r;
            fg.addLayer(mk);
        });
        // one tooltip for the group, its text made for the site under the pointer (not 2,000 tooltips)
        fg.bindTooltip(function (l) { return l.onemapRow ? tip(l.onemapRow) : ""; }, {sticky: true});
        fg.fire("onemap:drawn");
    }
    var bin = atob(o.packed), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"))).json().then(draw);
};
"""
# sent once per page (the functions), then one short call per kind
SITES_LIB = "\n".join(ln.strip() for ln in (_SYMBOL_JS + _SITES_LIB).splitlines() if ln.strip()) + "\n"


def sites_script(kind: SiteKind, rows: list, counties: list[str], *, size: int, stroke: float,
                 line_weight: float, dots: bool, colors: list[str] | None = None, states: list[str] | None = None,
                 state_title: str = "状态", lib: bool = True) -> str:
    """The script that draws one kind's sites into the Leaflet layer group `fg` (lib: with the
    drawing functions, SITES_LIB; without, they must have been sent before it on the page).

    Row: [id, name (escaped), lon, lat (integers, 1e-5 degrees), county index, state index, tasks,
    overdue, open, illustrative, area (_packed_area) or 0]. Each layer carries
    `feature.properties.i` (the site id) so a click reaches the app through streamlit-folium's
    `last_active_drawing`; the panel's details are read on the server for the clicked site, not
    shipped per site."""
    opts = {"kind": html.escape(kind.name), "colors": colors or [COLORS[b] for b in BUCKETS],
            "states": [html.escape(x) for x in (states or BUCKETS)], "stateTitle": html.escape(state_title),
            "counties": counties, "svg": symbol_svg(kind.marker, "%COLOR%", size, stroke), "size": size,
            "shape": kind.marker, "dots": dots, "lineWeight": line_weight, "dash": POLYGON_DASH.get(kind.code),
            "stroke": stroke, "packed": pack_rows(rows)}
    return (SITES_LIB if lib else "") + f"OnemapSites(fg, {script_json(opts)});/*end*/\n"


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
    """All sites of one kind in a folium FeatureGroup (the standalone export's map); the
    one-map page sends the same script without folium (ui.map_component)."""

    def __init__(self, script: str):
        super().__init__()
        self._name = "SiteMarkers"
        self.body = script

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        if isinstance(figure, Figure):
            text = f"(function (fg) {{{self.body}}})({self._parent.get_name()});"
            figure.script.add_child(_RawScript(text), name=self.get_name())


@dataclass
class KindRows:
    kind: SiteKind
    rows: list
    counties: list[str]
    colors: list[str] | None
    states: list[str] | None
    title: str


def kind_rows(kind: SiteKind, prepared: PreparedSites, site_ids, summary: pd.DataFrame | None, *,
              colouring: Colouring | None = None, faded: bool = False) -> KindRows:
    """The rows of one kind for the given (filtered) sites (None: all in prepared). colouring: a 水质 mode
    (layers.water_style) colours these sites by it instead of by their work; faded: drawn in
    one pale grey (the kinds a water mode does not judge)."""
    frame = prepared.frame
    if site_ids is None:  # the frame holds the sites to draw (and maybe only this kind's)
        rows = frame[(frame["kind"] == kind.name).to_numpy()]
    else:
        wanted = site_ids if isinstance(site_ids, (set, frozenset)) else set(site_ids)
        # a boolean array even for an empty frame (a plain [] & array is a float/bool TypeError)
        rows = frame[frame.index.isin(list(wanted)) & (frame["kind"] == kind.name).to_numpy()]
    if rows.empty:
        return KindRows(kind, [], [], None, None, "状态")
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
    data = [[html.escape(i), n, round(lon * QUANT), round(lat * QUANT), county_idx[c], int(s), int(t), int(o), int(p),
             int(x), _packed_area(a) if a else 0]
            for i, n, lon, lat, c, s, t, o, p, x, a in zip(
                rows["id"], rows["name_html"], rows["lon"], rows["lat"], rows["county"], state,
                counts["tasks"], counts["overdue"], counts["open"], rows["illustrative"], rows["area"], strict=True)]
    return KindRows(kind, data, county_names, colors, states, title)


def kind_script(kr: KindRows, *, symbol_size: int = 18, stroke: float = 1.5, line_weight: float = 2.0,
                dots: bool | None = None, lib: bool = True) -> str:
    """dots: draw on the canvas (None: when this layer alone has more sites than settings.canvas_above(): a
    province's 2,000 DOM symbols cost the browser seconds before the first paint)."""
    return sites_script(kr.kind, kr.rows, kr.counties, size=symbol_size, stroke=stroke, line_weight=line_weight,
                        dots=len(kr.rows) > settings.canvas_above() if dots is None else dots, colors=kr.colors,
                        states=kr.states, state_title=kr.title, lib=lib)


def kind_group(kind: SiteKind, prepared: PreparedSites, site_ids: list[str], summary: pd.DataFrame | None, *,
               symbol_size: int = 18, stroke: float = 1.5, line_weight: float = 2.0,
               show: bool = True, name: str | None = None, colouring: Colouring | None = None,
               faded: bool = False, dots: bool | None = None) -> folium.FeatureGroup:
    """The FeatureGroup of one kind, for the given (filtered) sites (see kind_rows)."""
    kr = kind_rows(kind, prepared, site_ids, summary, colouring=colouring, faded=faded)
    fg = folium.FeatureGroup(name=name or f"{kind.name}（{len(kr.rows)}）", show=show)
    if kr.rows:
        SiteMarkers(kind_script(kr, symbol_size=symbol_size, stroke=stroke, line_weight=line_weight,
                                dots=dots)).add_to(fg)
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


def unpack_rows(packed: str) -> list:
    """pack_rows reversed (what the browser decodes)."""
    return json.loads(zlib.decompress(base64.b64decode(packed)).decode("utf-8"))


_LAYER_RE = None


def page_layers(page: str) -> list[tuple[list[str], list]]:
    """(colours, rows) of every site layer in a rendered page or component script, decoded as
    the browser decodes them (for checks and benchmarks)."""
    import re

    global _LAYER_RE
    if _LAYER_RE is None:
        _LAYER_RE = re.compile(r"OnemapSites\(\w+, (\{.*?\})\);/\*end\*/", re.S)
    out = []
    for text in _LAYER_RE.findall(page):
        opts = json.loads(text)
        c, p = json.dumps(opts["colors"]), opts["packed"]
        rows = [[*r[:2], r[2] / QUANT, r[3] / QUANT, *r[4:10], _unpacked_area(r[10]) if r[10] else 0]
                for r in unpack_rows(p)]
        out.append((json.loads(c), rows))
    return out
