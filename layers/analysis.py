"""Overview layers: the county choropleth (zones as circles; classes from layers.classify), the density
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
from layers.classify import Classification

HOT = {"hot99": "#B2182B", "hot95": "#EF8A62", "hot90": "#FDDBC7"}
COLD = {"cold99": "#2166AC", "cold95": "#67A9CF", "cold90": "#D1E5F0"}
CLASS_CN = {"hot99": "热点（99%置信）", "hot95": "热点（95%）", "hot90": "热点（90%）",
            "cold99": "冷点（99%置信）", "cold95": "冷点（95%）", "cold90": "冷点（90%）"}
DENSITY_RAMP = np.array([[255, 255, 178], [254, 204, 92], [253, 141, 60], [240, 59, 32], [189, 0, 38]], dtype=float)


def place_values(table: pd.DataFrame, measure: str, codes: list[str]) -> dict[str, float | None]:
    """`measure` per place code (None where the table has no value), for the given codes."""
    t = table.set_index("code") if "code" in table.columns else table
    col = t[measure] if measure in t.columns else pd.Series(dtype=float)
    out: dict[str, float | None] = {}
    for c in codes:
        v = col.get(c)
        out[c] = None if v is None or pd.isna(v) else float(v)
    return out


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"


def zone_label_points(zones: list[dict], bbox: tuple[float, float, float, float],
                      scale: float = 1.0) -> dict[str, tuple[float, float]]:
    """Where each zone's label goes (lon, lat): west of the anchors, stacked top-down in the
    order of the anchors' latitude, so labels never sit on each other, on a county label or
    on the small central districts the zones lie in. Shared with the slide maps. scale: the
    labels' size against the 15 px they were placed for (the projector's are larger)."""
    minx, miny, maxx, maxy = bbox
    placed = [z for z in zones if z.get("anchor")]
    if not placed:
        return {}
    west = min(z["anchor"][0] for z in placed) - 0.10 * (maxx - minx)
    top = max(z["anchor"][1] for z in placed) + 0.10 * scale * (maxy - miny)
    step = 0.065 * scale * (maxy - miny)
    order = sorted(placed, key=lambda z: -z["anchor"][1])
    return {z["code"]: (west, top - i * step) for i, z in enumerate(order)}


def county_label_shift(point: tuple[float, float], zones: list[dict], bbox, scale: float = 1.0) -> int:
    """Pixels to move a county label sideways when a zone circle sits right beside it."""
    near = 0.09 * (bbox[2] - bbox[0])
    for z in zones:
        a = z.get("anchor")
        if a and abs(a[0] - point[0]) < near and abs(a[1] - point[1]) < near:
            return round((34 if point[0] >= a[0] else -34) * scale)
    return 0


def choropleth(counties: gpd.GeoDataFrame, values: dict[str, float | None], zones: list[dict], label: str,
               klass: Classification, bbox: tuple[float, float, float, float],
               label_px: int = 15) -> folium.FeatureGroup:
    """Counties filled by their class; zones (no boundaries of their own) as circles at their
    illustrative anchors, labelled beside the map with a leader line; every fill colour is a
    legend colour (`klass`). label_px: the county labels' size (a zone's is 1 px less) — the
    projector asks for the room's text size (a user trial read 14 px labels on the slide)."""
    fg = folium.FeatureGroup(name=label)
    gj = counties[["adcode", "name", "geometry"]].copy()
    gj["name"] = gj["name"].map(html.escape)
    vals = [values.get(c) for c in gj["adcode"]]
    gj["fill"] = [klass.color(v) for v in vals]
    gj["text"] = [f"{html.escape(label)}：{_num(v)}" for v in vals]
    folium.GeoJson(
        gj.to_json(),
        style_function=lambda f: {"color": "#4A5A6A", "weight": 2, "fillColor": f["properties"]["fill"],
                                  "fillOpacity": 0.9},
        highlight_function=lambda f: {"weight": 4},
        tooltip=folium.GeoJsonTooltip(fields=["name", "text"], aliases=["", ""]),
    ).add_to(fg)
    label_at = zone_label_points(zones, bbox, label_px / 15)
    for z in zones:
        if z["code"] not in label_at:
            continue
        v = values.get(z["code"], 0.0)
        lon, lat = z["anchor"]
        lx, ly = label_at[z["code"]]
        tip = html.escape(f"{z['name']}（管理区，位置示意）：{label} {_num(v)}")
        folium.PolyLine([[lat, lon], [ly, lx]], color="#4A5A6A", weight=1.5, interactive=False).add_to(fg)
        folium.CircleMarker([lat, lon], radius=11, color="#222222", weight=2, fill=True, fill_color=klass.color(v),
                            fill_opacity=1.0, tooltip=tip,
                            **{"class_name": "onemap-zone"}).add_to(fg)
        folium.Marker([ly, lx], icon=folium.DivIcon(
            icon_size=(0, 0), class_name="onemap-zone-label",
            html=f'<div style="width:max-content;transform:translate(calc(-100% - 2px),-50%);font-size:{label_px - 1}px;font-weight:700;color:#222;'
                 f'background:rgba(255,255,255,.92);border:2px solid {klass.color(v)};border-radius:4px;'
                 f'padding:1px 6px;white-space:nowrap">{html.escape(z["name"])} {_num(v)}</div>'),
            tooltip=tip).add_to(fg)
    for _, r in counties.iterrows():
        p = r.geometry.representative_point()
        shift = county_label_shift((p.x, p.y), zones, bbox, label_px / 15)
        folium.Marker([p.y, p.x], icon=folium.DivIcon(
            icon_size=(0, 0), class_name="onemap-county-label",
            html=f'<div style="width:max-content;transform:translate(calc(-50% + {shift}px),-50%);font-size:{label_px}px;font-weight:700;'
                 f'color:#111;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff;white-space:nowrap;'
                 f'text-align:center">{html.escape(r["name"])}<br>{_num(values.get(r["adcode"]))}</div>'),
            interactive=False).add_to(fg)
    return fg


def legend(klass: Classification, label: str) -> str:
    """The classes as swatches with their value ranges (the colours the map is filled with)."""
    if not klass.classes:
        return f'<div class="onemap-choro-legend" style="font-size:0.95rem">{html.escape(label)}：无数据</div>'
    parts = [f'<span class="onemap-legend-class" data-color="{k.color}" style="white-space:nowrap">'
             f'<span style="display:inline-block;width:26px;height:16px;background:{k.color};border:1px solid #666;'
             f'vertical-align:middle;margin:0 5px 0 12px"></span>{html.escape(k.label)}</span>'
             for k in klass.classes]
    return (f'<div class="onemap-choro-legend" style="font-size:0.95rem;line-height:1.9">{html.escape(label)}：'
            + "".join(parts) + "</div>")


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


def gi_layer(cells: gpd.GeoDataFrame, datum=None) -> folium.FeatureGroup:
    """datum (geo.gcj.Datum): the basemap's; the cells are shifted to GCJ-02 for 高德/腾讯."""
    fg = folium.FeatureGroup(name="热点分析")
    sig = cells[cells["class"] != ""].to_crs(4326)
    if datum is not None:
        sig = datum.frame(sig)
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
