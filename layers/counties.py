"""The offline vector basemap: county polygons with their names."""

from __future__ import annotations

import html

import folium
import geopandas as gpd

from layers.style import COUNTY_FILL, COUNTY_LINE


def county_layer(counties: gpd.GeoDataFrame, *, label_size: int = 14) -> folium.FeatureGroup:
    fg = folium.FeatureGroup(name="区县边界", control=False)
    gj = counties[["adcode", "name", "geometry"]].copy()
    gj["name"] = gj["name"].map(html.escape)
    folium.GeoJson(
        gj.to_json(),
        style_function=lambda f: {"color": COUNTY_LINE, "weight": 2, "fillColor": COUNTY_FILL, "fillOpacity": 1.0},
        interactive=False,
    ).add_to(fg)
    for _, c in gj.iterrows():
        p = c.geometry.representative_point()
        folium.Marker(
            [p.y, p.x],
            icon=folium.DivIcon(
                html=f'<div style="font-size:{label_size}px;font-weight:600;color:#4A5A6A;white-space:nowrap;'
                     f'transform:translate(-50%,-50%);text-shadow:0 0 3px #fff">{c["name"]}</div>'),
            interactive=False,
        ).add_to(fg)
    return fg
