"""Site layers for folium: one FeatureGroup per kind, coloured by the worst state of
the site's open work. All text from data is HTML-escaped before it reaches the map."""

from __future__ import annotations

import html
import json

import folium
import geopandas as gpd
import pandas as pd

from layers.style import COLORS, NO_TASK
from onemap.kinds import SiteKind

COORD_DECIMALS = 6


def _round(coords, nd=COORD_DECIMALS):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(c, nd) for c in coords]
    return [_round(c, nd) for c in coords]


def site_features(sites: gpd.GeoDataFrame, summary: pd.DataFrame, county_names: dict[str, str]) -> list[dict]:
    feats = []
    for _, s in sites.iterrows():
        sm = summary.loc[s["id"]] if s["id"] in summary.index else None
        worst = sm["worst"] if sm is not None else NO_TASK
        geom = s.geometry.__geo_interface__
        feats.append({
            "type": "Feature",
            "geometry": {"type": geom["type"], "coordinates": _round(geom["coordinates"])},
            "properties": {
                "site_id": html.escape(s["id"]),
                "名称": html.escape(s["name"]),
                "类型": html.escape(s["kind"]),
                "区县": html.escape(county_names.get(s["county_code"], "")),
                "任务": f"{int(sm['tasks']) if sm is not None else 0} 项（逾期 {int(sm['overdue']) if sm is not None else 0}，"
                        f"未销号 {int(sm['open']) if sm is not None else 0}）",
                "状态": worst,
                "示意": "示意位置" if s["illustrative"] else "",
                "color": COLORS[worst],
            },
        })
    return feats


def kind_group(kind: SiteKind, features: list[dict], *, radius: int = 8, show: bool = True) -> folium.FeatureGroup:
    fg = folium.FeatureGroup(name=f"{kind.name}（{len(features)}）", show=show)
    if not features:
        return fg
    weight = {"triangle": 3, "square": 2, "diamond": 2}.get(kind.marker, 1.5)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=kind.name,
        marker=folium.CircleMarker(radius=radius, fill=True, fill_opacity=0.9, weight=weight),
        style_function=lambda f: {"color": "#222222", "weight": 1.5, "fillColor": f["properties"]["color"],
                                  "fillOpacity": 0.55 if f["geometry"]["type"] != "Point" else 0.9},
        highlight_function=lambda f: {"weight": 4, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["名称", "类型", "区县", "任务", "状态", "示意"],
                                      aliases=["名称", "类型", "区县", "任务", "状态", ""], sticky=True),
    ).add_to(fg)
    return fg


def features_json(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
