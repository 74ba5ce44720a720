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
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import shapely

from domain.rollup import NO_TASK
from layers.style import COLORS
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


def prepare_geometry(sites: gpd.GeoDataFrame, county_names: dict[str, str]) -> PreparedSites:
    geoms = sites.geometry.values
    is_point = sites.geometry.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    reps = shapely.point_on_surface(geoms)
    areas = []
    for g, pt in zip(geoms, is_point, strict=True):
        areas.append(None if pt else _rounded(shapely.simplify(g, SIMPLIFY_DEG, preserve_topology=True)))
    frame = pd.DataFrame({
        "id": sites["id"].to_numpy(),
        "kind": sites["kind"].to_numpy(),
        "name_html": [html.escape(n) for n in sites["name"]],
        "county": [html.escape(county_names.get(c, "") or "") for c in sites["county_code"]],
        "illustrative": sites["illustrative"].astype(bool).to_numpy(),
        "lon": [round(p.x, COORD_DECIMALS) for p in reps],
        "lat": [round(p.y, COORD_DECIMALS) for p in reps],
        "area": areas,
    })
    return PreparedSites(frame.set_index("id", drop=False))


def _props(row, sm: pd.DataFrame | None) -> dict:
    if sm is not None and row.id in sm.index:
        s = sm.loc[row.id]
        worst, text = s["worst"], f"{int(s['tasks'])} 项（逾期 {int(s['overdue'])}，未销号 {int(s['open'])}）"
    else:
        worst, text = NO_TASK, "0 项"
    return {"i": html.escape(row.id), "n": row.name_html, "k": row.kind, "c": row.county, "t": text, "s": worst,
            "x": "示意位置" if row.illustrative else ""}


TOOLTIP_FIELDS = ["n", "k", "c", "t", "s", "x"]
TOOLTIP_ALIASES = ["名称", "类型", "区县", "任务", "状态", ""]


def kind_group(kind: SiteKind, prepared: PreparedSites, site_ids: list[str], summary: pd.DataFrame | None, *,
               symbol_size: int = 18, stroke: float = 1.5, line_weight: float = 2.0,
               show: bool = True, name: str | None = None) -> folium.FeatureGroup:
    """The FeatureGroup of one kind, for the given (filtered) sites."""
    rows = prepared.frame.loc[[i for i in site_ids if i in prepared.frame.index]]
    rows = rows[rows["kind"] == kind.name]
    fg = folium.FeatureGroup(name=name or f"{kind.name}（{len(rows)}）", show=show)
    if rows.empty:
        return fg
    props = [_props(r, summary) for r in rows.itertuples()]
    areas = [{"type": "Feature", "id": p["i"], "properties": p, "geometry": r.area}
             for r, p in zip(rows.itertuples(), props, strict=True) if r.area is not None]
    dash = POLYGON_DASH.get(kind.code)
    if areas:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": areas},
            style_function=lambda f, dash=dash: {"color": "#1a1a1a", "weight": line_weight,
                                                 "fillColor": COLORS[f["properties"]["s"]], "fillOpacity": 0.45,
                                                 "dashArray": dash},
            highlight_function=lambda f: {"weight": line_weight + 2},
            tooltip=folium.GeoJsonTooltip(fields=TOOLTIP_FIELDS, aliases=TOOLTIP_ALIASES, sticky=True),
        ).add_to(fg)
    points = [{"type": "Feature", "id": p["i"], "properties": p,
               "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]}}
              for r, p in zip(rows.itertuples(), props, strict=True)]
    half = symbol_size / 2
    folium.GeoJson(
        {"type": "FeatureCollection", "features": points},
        marker=folium.Marker(icon=folium.DivIcon(class_name="onemap-site", icon_size=(symbol_size, symbol_size),
                                                 icon_anchor=(half, half))),
        style_function=lambda f: {"html": symbol_svg(kind.marker, COLORS[f["properties"]["s"]], symbol_size, stroke)},
        tooltip=folium.GeoJsonTooltip(fields=TOOLTIP_FIELDS, aliases=TOOLTIP_ALIASES, sticky=True),
    ).add_to(fg)
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
