"""One self-contained HTML map for a USB stick: Leaflet, its stylesheet and images, the
county basemap and the site layers are all inside the file — it opens with no network
and no server.

A handout carries the work, not only the places: it opens fitted to the sites, and a
click on a site shows its tasks with their state (status, deadline, 逾期/临期,
responsible units). Every text from the data is HTML-escaped in Python before it is put
into the page as JSON (layers.sites.script_json), so a hostile name stays text."""

from __future__ import annotations

import base64
import html
import re
from datetime import date
from pathlib import Path

import folium
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from domain.dates import cn_date, deadline_words
from domain.rollup import bucket
from geo.region import Region
from layers.counties import county_layer
from layers.scale import metric_scale
from layers.sites import PreparedSites, kind_group, script_json
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


def site_tasks(tasks: pd.DataFrame) -> dict[str, list[dict]]:
    """The top-level tasks (problems, key tasks) of each site, deadline first; plain text."""
    top = tasks[tasks["parent_id"].isna()] if "parent_id" in tasks else tasks
    out: dict[str, list[dict]] = {}
    for _, t in top.iterrows():
        item = {"ref": str(t["ref"]), "title": str(t["title"] or ""), "status": str(t["status"]),
                "flag": t["flag"] or "", "deadline": deadline_words(t), "units": "、".join(t["units"] or []),
                "color": COLORS[bucket(t["status"], t["flag"] or None)],
                "sort": (t["deadline"].isoformat() if isinstance(t["deadline"], date) else "9999", str(t["ref"]))}
        for sid in t["site_ids"]:
            out.setdefault(sid, []).append(item)
    for items in out.values():
        items.sort(key=lambda i: i["sort"])
    return out


def popup_html(name_html: str, kind: str, county_html: str, items: list[dict]) -> str:
    """The popup of one site. `name_html` and `county_html` are escaped already."""
    e = html.escape
    overdue = sum(i["flag"] == "逾期" for i in items)
    soon = sum(i["flag"] == "临期" for i in items)
    head = (f'<div class="onemap-popup"><div style="font-size:15px;font-weight:700">{name_html}</div>'
            f'<div style="color:#555">{e(kind)} · {county_html}</div>'
            f'<div style="margin:4px 0">相关任务 {len(items)} 项（逾期 {overdue}，临期 {soon}）</div>')
    if not items:
        return head + '<div style="color:#555">暂无关联任务</div></div>'
    rows = []
    for i in items:
        state = i["status"] + (f"·{i['flag']}" if i["flag"] else "")
        rows.append(
            f'<li class="onemap-task" style="margin:0 0 6px 0"><b>{e(i["ref"])}</b> '
            f'<span class="onemap-state" style="background:{i["color"]};color:#fff;padding:0 6px;'
            f'border-radius:8px">{e(state)}</span><br>{e(i["title"])}'
            f'<br><span style="color:#333">时限：{e(i["deadline"])}</span>'
            + (f'<br><span style="color:#333">责任单位：{e(i["units"])}</span>' if i["units"] else "")
            + "</li>")
    return head + '<ol style="padding-left:18px;margin:4px 0">' + "".join(rows) + "</ol></div>"


class SitePopups(MacroElement):
    """A popup on every site symbol and area of the given feature groups (matched by the
    site id the layers carry in `feature.properties.i`)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var popups = {{ this.popups }};
            function bind(l) {
                var p = l.feature && popups[l.feature.properties.i];
                if (p) {
                    l.bindPopup(p, {maxWidth: 420, maxHeight: 380, autoPanPadding: [20, 20]});
                    l.on("popupopen", function () { l.closeTooltip(); });
                }
                else if (l.eachLayer) { l.eachLayer(bind); }  // an area: a GeoJSON group of paths
            }
            // the site layers are drawn once their packed rows are decoded (layers.sites): bind as they come
            [{{ this.groups }}].forEach(function (fg) {
                fg.eachLayer(bind);
                fg.on("layeradd", function (e) { bind(e.layer); });
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, groups: list[folium.FeatureGroup], popups: dict[str, str]):
        super().__init__()
        self._name = "SitePopups"
        self.groups = ", ".join(g.get_name() for g in groups)
        self.popups = script_json(popups)


def site_bounds(prepared: PreparedSites) -> list[list[float]] | None:
    """[[south, west], [north, east]] around every site (areas included), or None."""
    f = prepared.frame
    if f.empty:
        return None
    lons, lats = list(f["lon"]), list(f["lat"])
    for a in f["area"]:
        if a:
            from shapely.geometry import shape

            minx, miny, maxx, maxy = shape(a).bounds
            lons += [minx, maxx]
            lats += [miny, maxy]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def standalone_map(region: Region, prepared: PreparedSites, summary: pd.DataFrame, *, data_date: date,
                   title: str, illustrative: bool, sample: bool, tasks: pd.DataFrame | None = None,
                   basemap: tuple[str, str] = ("", "")) -> str:
    """tasks: the tasks frame (store.queries.tasks_frame); each site's popup lists its own.
    basemap: (credit, note) — the source and 审图号 of the basemap drawn, and a note when the
    basemap chosen in the app is not in the file (onemap.services.basemap_caption)."""
    from onemap.assets import use_local_assets

    use_local_assets()
    minx, miny, maxx, maxy = region.bbox
    # quarter zoom steps: a tall city fills the window instead of half of it
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None, zoom_snap=0.25,
                   zoom_delta=0.5)
    metric_scale(m)
    county_layer(region.counties()).add_to(m)
    ids = set(prepared.frame.index)
    groups = [kind_group(k, prepared, ids, summary).add_to(m) for k in site_kinds()]
    by_site = site_tasks(tasks) if tasks is not None else {}
    f = prepared.frame
    popups = {html.escape(str(i)): popup_html(n, k, c, by_site.get(i, []))
              for i, n, k, c in zip(f.index, f["name_html"], f["kind"], f["county"], strict=True)}
    SitePopups(groups, popups).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    bounds = site_bounds(prepared)
    if bounds:  # the sites, clear of the title panel at the top
        m.fit_bounds(bounds, padding_top_left=(40, 130), padding_bottom_right=(40, 40), max_zoom=14)
    else:
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    notes = [f"数据截至 {cn_date(data_date)}"]
    if illustrative:
        notes.append("点位为示意位置")
    if sample:
        notes.append("任务进展为示例数据")
    notes += [t for t in basemap if t]
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
