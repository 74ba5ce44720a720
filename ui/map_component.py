"""The one-map page's map: streamlit-folium's strings, fed from a cache, in a frame of our own.

The page's one-map rerun ships the same `script`/`header`/`html` strings every time (the base
map changes only with the region, the basemap and the theme), so they are rendered once per
process, not per rerun. `st_folium` re-renders the whole folium Figure on every call — the
county GeoJSON re-serialised and branca compiling a Jinja template for every `Element(...)` a
new Figure holds — about 0.1 s of fixed floor per rerun at province scale. Here the base map's
strings and the component's key hash are kept per (region, basemap, options); only the layers
that change (the site groups, as plain script text from layers.sites) are built per rerun. The
strings are made by streamlit-folium's own helpers (private: streamlit-folium is pinned in
constraints.txt), and the other pages' maps are plain `st_folium`.

The base script itself does not travel with the run: the frame gets its address and the
browser fetches it once and keeps it (ui.map_base_route), so a rerun carries the site layers
only (77 KB at province scale, against 364 KB of base map).

The frame (`map_frame/`, component `ui.map_component.onemap_map`) is ours, written because it
is the product's first paint: streamlit-folium's frame starts a React bundle (225 KB) before it
asks for the map, then loads Leaflet script by script, then re-parses its own head. Ours is
Leaflet in its page's head — loaded while Streamlit is still drawing the page — and ninety
lines of Streamlit's component protocol (componentReady / render / setComponentValue /
setFrameHeight) around the same folium script, with streamlit-folium's contract kept
(`window.map`, `window.feature_group`, `window.layer_control`, `window.__GLOBAL_DATA__`, the
same value reported: `last_active_drawing`, `bounds`, `zoom`, `center`…). Measured at
province scale (interleaved, 9 paints each): from the map's frame created to the map painted
0.70 → 0.39 s. tests/test_map_frame.py holds it to the protocol.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import folium
import streamlit as st
import streamlit.components.v1 as components
import streamlit_folium as sf

from ui import map_base_route

FRAME = components.declare_component("onemap_map", path=str(Path(__file__).with_name("map_frame")))

_LOCK = threading.Lock()
_BASE: OrderedDict[tuple, dict] = OrderedDict()
_MAX = 16
# the site layers' scripts per (base, sites shown, their roll-up, colouring…): a filter flipped
# back and forth — or the same view opened by everyone in a meeting — is built once per process
_LAYERS: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
_LAYERS_MAX = 24


def _render_base(m: folium.Map) -> dict:
    """What st_folium sends for the map itself (the same calls, in the same order)."""
    m.get_root().render()
    m.render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    css, js = [], []
    for elem in _walk(m):
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
    try:
        sw, ne = m.get_bounds()
    except AttributeError:
        sw, ne = [None, None], [None, None]
    return {"script": script, "digest": hashlib.sha256(script.encode("utf-8")).hexdigest()[:32],
            "header": header, "html": html,
            "css_links": list(dict.fromkeys(css)), "js_links": list(dict.fromkeys(js)),
            "bounds": {"_southWest": {"lat": sw[0], "lng": sw[1]}, "_northEast": {"lat": ne[0], "lng": ne[1]}},
            "zoom": m.options.get("zoom"), "map": m, "hashes": {}}


def _walk(fig):
    if isinstance(fig, folium.elements.JSCSSMixin):
        yield fig
    for child in getattr(fig, "_children", {}).values():
        yield from _walk(child)


def _memo(store: OrderedDict, limit: int, key: tuple, build: Callable[[], object]):
    """store[key], built by build() the first time in this process (least recently used out)."""
    with _LOCK:
        hit = store.get(key)
        if hit is not None:
            store.move_to_end(key)
            return hit
    value = build()
    with _LOCK:
        store[key] = value
        while len(store) > limit:
            store.popitem(last=False)
    return value


def base(key: tuple, build: Callable[[], folium.Map]) -> dict:
    """The rendered base map for key (built by build() the first time in this process)."""
    return _memo(_BASE, _MAX, key, lambda: _render_base(build()))


def layers(key: tuple, build: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """The (feature_group, layer_control) scripts for key — which must hold everything they are
    built from (see ui.data.fingerprint) — built by build() the first time in this process."""
    return _memo(_LAYERS, _LAYERS_MAX, key, build)


def group_script(idx: int, body: str, *, show: bool = True) -> tuple[str, str]:
    """A feature group as streamlit-folium's frontend expects it (window.feature_group, on
    map_div), with body run with `fg` bound to the group. Returns (script, variable)."""
    var = f"feature_group_feature_group_{idx}"
    add = f"map_div.addLayer({var});\n" if show else ""
    return (f"var {var} = L.featureGroup({{}});\n(function (fg) {{\n{body}\n}})({var});\n{add}"
            f"window.feature_group = window.feature_group || [];\nwindow.feature_group.push({var});\n", var)


def folium_group_script(rendered: dict, fg: folium.FeatureGroup, idx: int) -> str:
    """A folium FeatureGroup (reference layers, focus rings) through streamlit-folium's own
    serialiser, on the cached map (detached again afterwards)."""
    m = rendered["map"]
    with _LOCK:
        try:
            return sf._get_feature_group_string(fg, map=m, idx=idx)
        finally:
            m._children.pop(fg.get_name(), None)


def layer_control_script(overlays: list[tuple[str, str]], *, collapsed: bool) -> str:
    """folium.LayerControl's script for these (name, variable) overlays."""
    from layers.sites import script_json

    items = ",".join(f"{script_json(name)}: {var}" for name, var in overlays)
    return ("var layer_control_layer_control_layers = {base_layers: {}, overlays: {" + items + "}};\n"
            "var layer_control_layer_control = L.control.layers(layer_control_layer_control_layers.base_layers, "
            "layer_control_layer_control_layers.overlays, {position: \"topright\", collapsed: "
            + ("true" if collapsed else "false") + ", autoZIndex: true}).addTo(map_div);\n"
            "window.layer_control = layer_control_layer_control;\n")


def show(rendered: dict, *, key: str, height: int, feature_group: str, layer_control: str,
         returned_objects: list[str], center=None, zoom=None, area=None):
    """The component, as st_folium(..., use_container_width=True) calls it; area ([[s, w], [n, e]]
    in the basemap's datum): with center and zoom, a view to show whole — zoomed out as far as a
    smaller frame needs, never in."""
    wanted = {"last_active_drawing": None, "bounds": rendered["bounds"], "zoom": rendered["zoom"],
              "last_clicked": None, "center": None}
    defaults = {k: wanted.get(k) for k in returned_objects if k != "center"}
    hashes = rendered["hashes"]
    if key not in hashes:
        hashes[key] = sf.generate_js_hash(rendered["script"], key, False)
    hash_key = hashes[key]

    def _on_change():
        st.session_state[key] = st.session_state.get(hash_key, {})

    return FRAME(
        script_url=map_base_route.publish(rendered["digest"], rendered["script"]),
        header=rendered["header"], html=rendered["html"], key=hash_key, height=height,
        returned_objects=returned_objects, default=defaults, zoom=zoom, center=center, area=area, feature_group=feature_group, layer_control=layer_control,
        css_links=rendered["css_links"], js_links=rendered["js_links"], on_change=_on_change)
