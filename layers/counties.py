"""The offline vector basemap: county polygons with their names.

Labels are one GeoJson layer of points drawn as text (not one Marker per county):
a province has ~100 counties, and each folium element costs template work on every
page run."""

from __future__ import annotations

import html

import folium
import geopandas as gpd

from layers.reference import BASE_PANE, BASE_PANE_Z, Pane
from layers.style import COUNTY_FILL, COUNTY_LINE


def county_layer(counties: gpd.GeoDataFrame, *, label_size: int = 14, over_tiles: bool = False) -> folium.FeatureGroup:
    """over_tiles: an online basemap is underneath, so the counties are outlines only."""
    fg = folium.FeatureGroup(name="区县边界", control=False)
    Pane(BASE_PANE, BASE_PANE_Z).add_to(fg)  # below the reference layers (layers.reference), whatever their order
    gj = counties[["adcode", "name", "geometry"]].copy()
    # display outlines: simplified relative to the region's size (≈ 1/3000 of its extent)
    minx, miny, maxx, maxy = gj.total_bounds
    tolerance = max(maxx - minx, maxy - miny) / 3000
    gj["geometry"] = gj.geometry.simplify(tolerance, preserve_topology=True).set_precision(1e-5)
    gj["name"] = gj["name"].map(html.escape)
    folium.GeoJson(
        gj.to_json(),
        style_function=lambda f: {"color": COUNTY_LINE, "weight": 2, "fillColor": COUNTY_FILL,
                                  "fillOpacity": 0.0 if over_tiles else 1.0, "pane": BASE_PANE},
        interactive=False,
    ).add_to(fg)
    labels = gpd.GeoDataFrame({"name": gj["name"]}, geometry=gj.geometry.representative_point(), crs=gj.crs)
    style = (f"font-size:{label_size}px;font-weight:600;color:{COUNTY_LINE};white-space:nowrap;"
             "transform:translate(-50%,-50%);text-shadow:0 0 3px #fff,0 0 3px #fff;pointer-events:none")
    folium.GeoJson(
        labels.to_json(),
        marker=folium.Marker(icon=folium.DivIcon(class_name="onemap-county-label", icon_size=(0, 0)),
                             interactive=False),
        style_function=lambda f: {"html": f'<div style="{style}">{f["properties"]["name"]}</div>'},
        interactive=False,
    ).add_to(fg)
    return fg
