"""Overview layers: the county choropleth (zones as proportional circles), the density
surface as an image overlay, and Gi* hot/cold cells. Colours: sequential oranges for
amounts, red/blue for hot/cold (the product palette's overdue red and open blue)."""

from __future__ import annotations

import base64
import html
import io

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from PIL import Image

from geo.hotspots import Density, to_web_image

SEQUENTIAL = ["#FFF5EB", "#FDD0A2", "#FD8D3C", "#D94801", "#7F2704"]
HOT = {"hot99": "#B2182B", "hot95": "#EF8A62", "hot90": "#FDDBC7"}
COLD = {"cold99": "#2166AC", "cold95": "#67A9CF", "cold90": "#D1E5F0"}
CLASS_CN = {"hot99": "热点（99%置信）", "hot95": "热点（95%）", "hot90": "热点（90%）",
            "cold99": "冷点（99%置信）", "cold95": "冷点（95%）", "cold90": "冷点（90%）"}
DENSITY_RAMP = np.array([[255, 255, 178], [254, 204, 92], [253, 141, 60], [240, 59, 32], [189, 0, 38]], dtype=float)


def classes(values: pd.Series, k: int = 5) -> tuple[list[float], pd.Series]:
    """Equal-interval class breaks (integers when the values are counts) and each value's class."""
    v = values.fillna(0).astype(float)
    top = float(v.max()) if len(v) else 0.0
    if top <= 0:
        return [0.0], pd.Series(0, index=values.index)
    breaks = [top * (i + 1) / k for i in range(k)]
    cls = np.minimum((v / top * k).apply(np.ceil).astype(int) - 1, k - 1).clip(lower=0)
    cls[v <= 0] = -1
    return breaks, cls


def choropleth(counties: gpd.GeoDataFrame, table: pd.DataFrame, measure: str, zones: list[dict],
               label: str) -> folium.FeatureGroup:
    """Counties coloured by `measure` (a column of the by-place table, indexed by code)."""
    fg = folium.FeatureGroup(name=label)
    t = table.set_index("code") if "code" in table.columns else table
    vals = t[measure] if measure in t.columns else pd.Series(dtype=float)
    breaks, cls = classes(vals)
    gj = counties[["adcode", "name", "geometry"]].copy()
    gj["name"] = gj["name"].map(html.escape)
    gj["value"] = [(None if c not in vals.index or pd.isna(vals.get(c)) else float(vals.get(c))) for c in gj["adcode"]]
    gj["fill"] = [SEQUENTIAL[int(cls[c])] if c in cls.index and cls[c] >= 0 else "#FFFFFF" for c in gj["adcode"]]
    gj["text"] = [f"{label}：{'无' if v is None else (int(v) if float(v).is_integer() else v)}" for v in gj["value"]]
    folium.GeoJson(
        gj.drop(columns=["value"]).to_json(),
        style_function=lambda f: {"color": "#4A5A6A", "weight": 2, "fillColor": f["properties"]["fill"],
                                  "fillOpacity": 0.85},
        highlight_function=lambda f: {"weight": 4},
        tooltip=folium.GeoJsonTooltip(fields=["name", "text"], aliases=["", ""]),
    ).add_to(fg)
    for z in zones:
        if not z.get("anchor") or z["code"] not in vals.index:
            continue
        v = float(vals[z["code"]] or 0)
        c = int(cls[z["code"]]) if z["code"] in cls.index else -1
        folium.CircleMarker(
            [z["anchor"][1], z["anchor"][0]], radius=8 + 2 * max(c, 0), color="#4A5A6A", weight=2,
            fill=True, fill_color=SEQUENTIAL[c] if c >= 0 else "#FFFFFF", fill_opacity=0.95,
            tooltip=html.escape(f"{z['name']}（管理区，位置示意）：{label} {int(v) if v.is_integer() else v}"),
        ).add_to(fg)
    for _, r in counties.iterrows():
        p = r.geometry.representative_point()
        v = vals.get(r["adcode"])
        text = "" if v is None or pd.isna(v) else (int(v) if float(v).is_integer() else v)
        folium.Marker([p.y, p.x], icon=folium.DivIcon(
            html=f'<div style="transform:translate(-50%,-50%);font-size:13px;font-weight:700;color:#222;'
                 f'text-shadow:0 0 3px #fff,0 0 3px #fff;white-space:nowrap;text-align:center">'
                 f'{html.escape(r["name"])}<br>{text}</div>'), interactive=False).add_to(fg)
    return fg


def legend(breaks: list[float], label: str) -> str:
    if len(breaks) < 2:
        return f'<div style="font-size:0.85rem">{html.escape(label)}：均为 0</div>'
    parts, lo = [], 0.0
    for b, color in zip(breaks, SEQUENTIAL, strict=False):
        parts.append(f'<span style="display:inline-block;width:22px;height:12px;background:{color};'
                     f'border:1px solid #888;margin:0 4px 0 10px"></span>{lo:g}–{b:g}')
        lo = b
    return f'<div style="font-size:0.85rem">{html.escape(label)}：' + "".join(parts) + "</div>"


DENSITY_PANE = "onemap-density"


def density_image(d: Density) -> tuple[str, list[list[float]], float]:
    """The surface as a PNG data URL in Web Mercator (transparent where near zero), its
    [[south, west], [north, east]] bounds, and its maximum."""
    img, (south, west, north, east) = to_web_image(d)
    top = float(img.max()) if img.size else 0.0
    rgba = np.zeros((*img.shape, 4), dtype=np.uint8)
    if top > 0:
        t = np.clip(img / top, 0, 1) * (len(DENSITY_RAMP) - 1)
        lo = np.floor(t).astype(int)
        hi = np.minimum(lo + 1, len(DENSITY_RAMP) - 1)
        frac = (t - lo)[..., None]
        rgb = DENSITY_RAMP[lo] * (1 - frac) + DENSITY_RAMP[hi] * frac
        rgba[..., :3] = rgb.astype(np.uint8)
        rgba[..., 3] = np.where(img / top > 0.03, 200, 0)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode(), [[south, west], [north, east]], top


def density_overlay(url: str, bounds: list[list[float]], opacity: float = 0.7) -> folium.raster_layers.ImageOverlay:
    """The image as an overlay. Add `density_pane()` to the map first: in the default overlay
    pane Leaflet's CSS puts vector SVG (the county fill) above images, hiding the surface."""
    return folium.raster_layers.ImageOverlay(url, bounds=bounds, opacity=opacity, name="任务密度", interactive=False,
                                             pane=DENSITY_PANE)


def density_pane() -> folium.map.CustomPane:
    return folium.map.CustomPane(DENSITY_PANE, z_index=450, pointer_events=False)


def density_legend(top: float) -> str:
    stops = ", ".join(f"rgb({int(r)},{int(g)},{int(b)})" for r, g, b in DENSITY_RAMP)
    return (f'<div style="font-size:0.85rem">未销号任务密度（项/平方公里）：0 '
            f'<span style="display:inline-block;width:160px;height:12px;vertical-align:middle;'
            f'background:linear-gradient(to right,{stops});border:1px solid #888"></span> {top:.2f}</div>')


def gi_layer(cells: gpd.GeoDataFrame) -> folium.FeatureGroup:
    fg = folium.FeatureGroup(name="热点分析")
    sig = cells[cells["class"] != ""].to_crs(4326)
    if sig.empty:
        return fg
    sig = sig.assign(label=sig["class"].map(CLASS_CN), color=sig["class"].map({**HOT, **COLD}),
                     z=sig["z"].round(2))
    folium.GeoJson(
        sig[["label", "color", "z", "value", "geometry"]].to_json(),
        style_function=lambda f: {"color": f["properties"]["color"], "weight": 0.5,
                                  "fillColor": f["properties"]["color"], "fillOpacity": 0.75},
        tooltip=folium.GeoJsonTooltip(fields=["label", "value", "z"], aliases=["", "本格任务", "z 值"]),
    ).add_to(fg)
    return fg


def gi_legend() -> str:
    items = [(CLASS_CN[k], c) for k, c in {**HOT, **COLD}.items()]
    return '<div style="font-size:0.85rem">' + "".join(
        f'<span style="display:inline-block;width:14px;height:12px;background:{c};margin:0 4px 0 10px"></span>{t}'
        for t, c in items) + "；空白为不显著</div>"
