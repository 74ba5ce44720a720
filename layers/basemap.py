"""A registry basemap (onemap.basemaps.Basemap) as folium tile layers.

The attribution Leaflet shows on the map names the source and, for standard-map sources,
its 审图号. The bureau's own tiles are requested only inside their bounds and between their
zooms (scaled beyond them), so the browser never asks the app for a tile that does not exist."""

from __future__ import annotations

import html

import folium


def attribution(bm) -> str:
    text = html.escape(bm.attribution or bm.name)
    return text + (f" 审图号：{html.escape(bm.approval)}" if bm.approval else "")


def add_tiles(m: folium.Map, bm) -> list[folium.TileLayer]:
    """The basemap's tile layers (an annotation layer over its base where it has one); none for the
    vector (county) basemap, nor for a source whose key is not configured (the page says so)."""
    if bm.type == "vector" or bm.missing_key:  # without its key every tile is refused: not asked for
        return []
    out = []
    for i, url in enumerate(bm.urls()):
        opts = {"max_zoom": 20, "max_native_zoom": bm.max_zoom, "min_zoom": 0}
        if bm.subdomains:
            opts["subdomains"] = bm.subdomains
        if bm.type == "local":
            w, s, e, n = bm.bounds
            opts.update(min_native_zoom=bm.min_zoom, bounds=[[s, w], [n, e]])
        layer = folium.TileLayer(url, attr=attribution(bm) if i == 0 else " ", name=bm.name if i == 0 else f"{bm.name}注记",
                                 overlay=i > 0, control=False, **opts)
        layer.add_to(m)
        out.append(layer)
    return out
