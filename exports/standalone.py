"""One self-contained HTML map for a USB stick: Leaflet, its stylesheet and images, the
county basemap and the site layers are all inside the file — it opens with no network
and no server."""

from __future__ import annotations

import base64
import html
import re
from datetime import date
from pathlib import Path

import folium
import pandas as pd

from domain.dates import cn_date
from geo.region import Region
from layers.counties import county_layer
from layers.scale import metric_scale
from layers.sites import PreparedSites, kind_group
from layers.style import BUCKETS, COLORS, LEGEND_TEXT
from onemap.assets import URL_PREFIX, VENDOR, fetch
from onemap.kinds import site_kinds


def _inline_css(css: str, folder: Path) -> str:
    def data_url(m: re.Match) -> str:
        ref = m.group(1).strip("'\"")
        f = folder / ref
        if not f.exists():
            return m.group(0)
        mime = "image/svg+xml" if f.suffix == ".svg" else f"image/{f.suffix.lstrip('.')}"
        return f"url(data:{mime};base64,{base64.b64encode(f.read_bytes()).decode()})"

    return re.sub(r"url\(([^)]+)\)", data_url, css)


def inline_assets(page: str) -> str:
    """Replace the app-served Leaflet files with their contents."""
    fetch("leaflet")
    folder = VENDOR / "leaflet"
    js = (folder / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = _inline_css((folder / "leaflet.css").read_text(encoding="utf-8"), folder)
    page = re.sub(rf'<script[^>]*src="{re.escape(URL_PREFIX)}/leaflet/leaflet.js"[^>]*></script>',
                  lambda _m: f"<script>{js}</script>", page)
    page = re.sub(rf'<link[^>]*href="{re.escape(URL_PREFIX)}/leaflet/leaflet.css"[^>]*/?>',
                  lambda _m: f"<style>{css}</style>", page)
    return page


def standalone_map(region: Region, prepared: PreparedSites, summary: pd.DataFrame, *, data_date: date,
                   title: str, illustrative: bool, sample: bool) -> str:
    from onemap.assets import use_local_assets

    use_local_assets()
    minx, miny, maxx, maxy = region.bbox
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None)
    metric_scale(m)
    county_layer(region.counties()).add_to(m)
    ids = set(prepared.frame.index)
    for k in site_kinds():
        kind_group(k, prepared, ids, summary).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    notes = [f"数据截至 {cn_date(data_date)}"]
    if illustrative:
        notes.append("点位为示意位置")
    if sample:
        notes.append("任务进展为示例数据")
    legend = "".join(f'<span style="margin-right:10px"><span style="display:inline-block;width:12px;height:12px;'
                     f'border-radius:6px;background:{COLORS[b]};border:1px solid #222"></span> '
                     f'{html.escape(LEGEND_TEXT[b].format(days=30))}</span>' for b in BUCKETS)
    panel = (f'<div style="position:fixed;top:10px;left:60px;z-index:1000;background:rgba(255,255,255,0.95);'
             f'padding:8px 12px;border-radius:6px;font:14px sans-serif;max-width:70%">'
             f'<div style="font-size:18px;font-weight:700">{html.escape(title)}</div>'
             f'<div>{legend}</div><div style="color:#555">{html.escape("　".join(notes))}</div></div>')
    m.get_root().html.add_child(folium.Element(panel))
    m.get_root().header.add_child(folium.Element(
        '<meta charset="utf-8"><style>html,body{margin:0;height:100%}</style>'))
    return inline_assets(m.get_root().render())
