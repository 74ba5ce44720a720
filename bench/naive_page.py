"""The page a team would build first (the baseline of bench/compare_naive.py): the same store
and the same county filter, drawn the textbook streamlit-folium way — a new folium.Map on
every rerun, one CircleMarker with a popup and a tooltip per site, a GeoJson per park / water
source / mine polygon, the counties as one GeoJson, and plain `st_folium`. Data reads are
cached (st.cache_resource) as anyone would; the map is not. Leaflet is served locally (the
machine is offline), like the app's.

Run it with `streamlit run` on a stub next to a copy of `static` (see compare_naive.serve_naive)."""

from __future__ import annotations

import html
from datetime import date

import folium
import streamlit as st
from branca.element import MacroElement
from jinja2 import Template
from streamlit_folium import st_folium

from domain.rollup import NO_TASK, site_summary
from layers.style import COLORS
from onemap import settings
from onemap.assets import use_local_assets


class _JQueryStandIn(MacroElement):
    """folium's Popup builds its content with jQuery's `$(html)[0]`, which a naive page loads
    from a CDN; the machine is offline, so this one-liner stands in for it."""

    _template = Template("""{% macro script(this, kwargs) %}
        window.$ = window.$ || function (h) { var d = document.createElement("div"); d.innerHTML = h.trim();
                                              return [d.firstChild]; };
        {% endmacro %}""")


@st.cache_resource(show_spinner=False)
def _data(url: str):
    from geo.region import load_region
    from store import queries, repo
    from store.db import reader

    with reader() as s:
        region = load_region(repo.get_meta(s, "region"))
        tasks = queries.tasks_frame(s, date.today())
        sites = queries.sites_frame(s)
    summary = site_summary(tasks, list(sites["id"]))
    return region, sites, summary


def main() -> None:
    use_local_assets()
    st.set_page_config(page_title="一张图（朴素实现）", layout="wide")
    region, sites, summary = _data(settings.database_url())
    names = {c.code: c.name for c in region.places.counties}
    places = st.sidebar.multiselect("区县/管理区", list(names), key="f_place", format_func=names.get,
                                    placeholder="全部")
    shown = sites[sites["county_code"].isin(places)] if places else sites
    minx, miny, maxx, maxy = region.bbox
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None)
    _JQueryStandIn().add_to(m)
    folium.GeoJson(region.counties()[["name", "geometry"]].to_json(),
                   style_function=lambda f: {"color": "#4A5A6A", "weight": 2, "fillColor": "#F4F1EA",
                                             "fillOpacity": 1.0}).add_to(m)
    for _, s in shown.iterrows():
        sm = summary.loc[s["id"]] if s["id"] in summary.index else None
        worst = sm["worst"] if sm is not None else NO_TASK
        color = COLORS.get(worst, COLORS[NO_TASK])
        text = (f"<b>{html.escape(s['name'])}</b><br>类型：{html.escape(s['kind'])}<br>"
                f"区县：{html.escape(names.get(s['county_code'], ''))}<br>"
                f"任务：{int(sm['tasks']) if sm is not None else 0} 项（逾期 {int(sm['overdue']) if sm is not None else 0}，"
                f"未销号 {int(sm['open']) if sm is not None else 0}）<br>状态：{html.escape(worst)}")
        geom = s.geometry
        if geom.geom_type not in ("Point", "MultiPoint"):
            folium.GeoJson(geom.__geo_interface__, style_function=lambda f, c=color: {
                "color": "#1a1a1a", "weight": 2, "fillColor": c, "fillOpacity": 0.45},
                popup=folium.Popup(text, max_width=300)).add_to(m)
        pt = geom.representative_point()
        folium.CircleMarker([pt.y, pt.x], radius=7, color="#1a1a1a", weight=1.5, fill=True, fill_color=color,
                            fill_opacity=0.95, popup=folium.Popup(text, max_width=300),
                            tooltip=html.escape(s["name"])).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    st.markdown(f"### {html.escape(region.name)}（朴素实现，{len(shown)} 个点位）")
    st_folium(m, key="naive", height=640, use_container_width=True, returned_objects=["last_object_clicked_popup"])
