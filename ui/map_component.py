"""streamlit-folium's map component, fed from a cache: the page's one-map rerun ships the
same `script`/`header`/`html` strings every time (the base map changes only with the region,
the basemap and the theme), so they are rendered once per process, not per rerun.

`st_folium` re-renders the whole folium Figure on every call — the county GeoJSON
re-serialised and branca compiling a Jinja template for every `Element(...)` a new Figure
holds — about 0.1 s of fixed floor per rerun at province scale. Here the base map's strings
and the component's key hash are kept per (region, basemap, options); only the layers that
change (the site groups, as plain script text from layers.sites) are built per rerun. The
component and its return value are streamlit-folium's own (`last_active_drawing` etc.);
this wrapper uses its private helpers, so streamlit-folium is pinned in constraints.txt.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import folium
import streamlit as st
import streamlit_folium as sf

_LOCK = threading.Lock()
_BASE: OrderedDict[tuple, dict] = OrderedDict()
_MAX = 16
# the site layers' scripts per (base, sites shown, their roll-up, colouring…): a filter flipped
# back and forth — or the same view opened by everyone in a meeting — is built once per process
_LAYERS: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
_LAYERS_MAX = 24


# Run at the end of the base script, just before streamlit-folium's initComponent(map_div), which
# reports the map's state at once if it differs from `previous_data` (the Python defaults, which
# cannot know the frame's pixel size): a rerun of the whole page while the map paints — 0.3 s of
# first paint at province scale (measured, bench/compare_naive.py) and a window in which a press
# elsewhere on the page could be lost to that rerun. The opening view is the page's own, so it is
# recorded as already reported: pans, zooms, clicks and drawings are reported as before. The
# object is built as the pinned frontend builds it (same keys, same order) so that its JSON
# compares equal; tests/test_map_opening.py proves both halves in a browser.
OPENING_VIEW_JS = """
(function (g) {
  if (!g || !g.returned_objects || typeof map_div === "undefined") { return; }
  var now = {last_active_drawing: g.last_active_drawing, bounds: map_div.getBounds(), zoom: map_div.getZoom(),
             center: map_div.getCenter()};
  var seen = {};
  Object.keys(now).forEach(function (k) { if (g.returned_objects.indexOf(k) >= 0) { seen[k] = now[k]; } });
  g.previous_data = seen;
})(window.__GLOBAL_DATA__);
"""


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
    return {"script": script + OPENING_VIEW_JS, "header": header, "html": html, "id": sf.get_full_id(m),
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
         returned_objects: list[str], center=None, zoom=None):
    """The component, as st_folium(..., use_container_width=True) calls it."""
    wanted = {"last_active_drawing": None, "bounds": rendered["bounds"], "zoom": rendered["zoom"],
              "last_clicked": None, "center": None}
    defaults = {k: wanted.get(k) for k in returned_objects if k != "center"}
    hashes = rendered["hashes"]
    if key not in hashes:
        hashes[key] = sf.generate_js_hash(rendered["script"], key, False)
    hash_key = hashes[key]

    def _on_change():
        st.session_state[key] = st.session_state.get(hash_key, {})

    return sf._component_func(
        script=rendered["script"], header=rendered["header"], html=rendered["html"], id=rendered["id"],
        key=hash_key, height=height, width=None, returned_objects=returned_objects, default=defaults,
        zoom=zoom, center=center, feature_group=feature_group, return_on_hover=False, layer_control=layer_control,
        pixelated=False, css_links=rendered["css_links"], js_links=rendered["js_links"], on_change=_on_change,
        wrap_longitude=False)
