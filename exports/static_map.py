"""Static maps for slides, drawn on the server with matplotlib: counties, sites by kind
and state (or counties by a value), legend, scale bar, north arrow, data date and the
illustrative-positions notice. Drawn in the region's CGCS2000 Gauss-Krüger zone, so the
scale bar is in true metres. Chinese text uses Noto Sans CJK SC (exports/fonts.py), from a PyPI package."""

from __future__ import annotations

import io
from datetime import date

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrow, Patch  # noqa: E402
from shapely.geometry import box as shapely_box  # noqa: E402

from domain.dates import cn_date  # noqa: E402
from exports.fonts import sc_otf  # noqa: E402
from geo.crs import metric_crs_for  # noqa: E402
from layers.analysis import county_label_shift, zone_label_points  # noqa: E402
from layers.classify import Classification, classify  # noqa: E402
from layers.style import BUCKETS, COLORS, LEGEND_TEXT  # noqa: E402

MARKERS = {"triangle": "^", "drop": "o", "square": "s", "diamond": "D", "circle": "o"}


def _font(size: float) -> FontProperties:
    return FontProperties(fname=str(sc_otf()), size=size)


def _scale_bar(ax, extent_m: float, font) -> None:
    nice = [1000, 2000, 5000, 10000, 20000, 50000, 100000]
    length = max(n for n in nice if n <= extent_m / 4) if extent_m >= 4000 else 1000
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = x0 + (x1 - x0) * 0.05, y0 + (y1 - y0) * 0.05
    ax.plot([x, x + length], [y, y], color="black", linewidth=4, solid_capstyle="butt", zorder=10)
    ax.text(x + length / 2, y + (y1 - y0) * 0.015, f"{length / 1000:g} 公里", ha="center", va="bottom",
            fontproperties=font, zorder=10)


def _north_arrow(ax, font) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = x1 - (x1 - x0) * 0.06, y1 - (y1 - y0) * 0.16
    h = (y1 - y0) * 0.08
    ax.add_patch(FancyArrow(x, y, 0, h, width=h * 0.12, head_width=h * 0.45, head_length=h * 0.4,
                            length_includes_head=True, color="black", zorder=10))
    ax.text(x, y + h * 1.15, "北", ha="center", va="bottom", fontproperties=font, zorder=10)


def _fit_texts(fig, ax, texts) -> None:
    """Widen the map's x range so labels placed beside the region stay inside the picture."""
    ax.set_aspect("equal")
    ax.margins(0.02)
    ax.autoscale_view()
    for _ in range(3):
        fig.canvas.draw()
        inv = ax.transData.inverted()
        x0, x1 = ax.get_xlim()
        left = min([x0, *(inv.transform(t.get_window_extent().get_points())[0][0] for t in texts)])
        right = max([x1, *(inv.transform(t.get_window_extent().get_points())[1][0] for t in texts)])
        if left >= x0 and right <= x1:
            break
        pad = 0.02 * (right - left)
        ax.set_xlim(left - pad, right + pad)


def _imagery(ax, imagery, crs) -> None:
    """Warp the stitched tiles (EPSG:3857) to the map's CRS and draw them beneath, keeping the view."""
    import numpy as np
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    rgba, transform = imagery
    h, w = rgba.shape[:2]
    west, north = transform.c, transform.f
    east, south = west + w * transform.a, north + h * transform.e
    dst_t, dw, dh = calculate_default_transform("EPSG:3857", crs, w, h, west, south, east, north)
    dst = np.zeros((4, dh, dw), dtype="uint8")
    reproject(rgba.transpose(2, 0, 1), dst, src_transform=transform, src_crs="EPSG:3857", dst_transform=dst_t,
              dst_crs=crs, resampling=Resampling.bilinear, num_threads=1)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    ax.imshow(dst.transpose(1, 2, 0), extent=(dst_t.c, dst_t.c + dw * dst_t.a, dst_t.f + dh * dst_t.e, dst_t.f),
              zorder=0, interpolation="bilinear")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)


def _label_points(c: gpd.GeoDataFrame, view) -> list[tuple[object, float, float]]:
    """(row, x, y) of each county label that falls inside the shown area: at the county's
    representative point, or (when the map is cropped) at that of its part inside the area;
    counties outside the area get no label."""
    out = []
    for _, r in c.iterrows():
        g = r.geometry if view is None else r.geometry.intersection(view)
        if g.is_empty or (view is not None and g.area < 0.01 * view.area):
            continue
        p = g.representative_point()
        out.append((r, p.x, p.y))
    return out


def render_map(counties: gpd.GeoDataFrame, *, sites: gpd.GeoDataFrame | None = None,
               site_state: dict[str, str] | None = None, kind_markers: dict[str, str] | None = None,
               county_values: dict[str, float | None] | None = None, value_label: str = "",
               zones: list[dict] | None = None, classes: Classification | None = None,
               extent_lonlat: tuple[float, float, float, float] | None = None, data_date: date,
               illustrative: bool = False, size_in: tuple[float, float] = (10.0, 6.0), dpi: int = 180,
               legend_pt: float = 16, credit: str = "", imagery=None) -> bytes:
    """PNG bytes of a map for a slide. With `county_values` (place code → value, zones
    included) the counties are filled by `classes` (layers.classify, the web map's classifier)
    and zones drawn as circles at their illustrative anchors; the legend shows exactly those
    colours with their value ranges. credit: the basemap's source and 审图号, printed in the
    map's foot (Chinese map publication rules). imagery: (RGBA array, EPSG:3857 transform) from
    geo.tiles.mosaic — the bureau's own imagery, warped to the map's CRS and drawn beneath."""
    crs = metric_crs_for(float(counties.total_bounds[[0, 2]].mean()))
    c = counties.to_crs(crs)
    fig, ax = plt.subplots(figsize=size_in, dpi=dpi)
    handles = []
    zones = [z for z in (zones or []) if z.get("anchor")]
    if county_values is not None:
        classes = classes or classify(county_values.values())
        c.plot(ax=ax, color=[classes.color(county_values.get(a)) for a in c["adcode"]], edgecolor="#333333",
               linewidth=1.6)
        handles += [Patch(facecolor=k.color, edgecolor="#333333", label=k.label) for k in classes.classes]
    elif imagery is not None:  # outlines only: the imagery shows through
        c.plot(ax=ax, facecolor="none", edgecolor="#FFFFFF", linewidth=2.2)
    else:
        c.plot(ax=ax, color="#F4F1EA", edgecolor="#4A5A6A", linewidth=1.6)
    view = None
    if extent_lonlat:
        box = gpd.GeoSeries.from_xy([extent_lonlat[0], extent_lonlat[2]], [extent_lonlat[1], extent_lonlat[3]],
                                    crs=4326).to_crs(crs)
        ax.set_xlim(box.x.min(), box.x.max())
        ax.set_ylim(box.y.min(), box.y.max())
        view = shapely_box(box.x.min(), box.y.min(), box.x.max(), box.y.max())
    label_font = _font(13)
    bbox = tuple(counties.total_bounds)
    for r, x, y in _label_points(c, view):
        text = r["name"]
        if county_values is not None:
            v = county_values.get(r["adcode"])
            text += "\n" + ("—" if v is None else f"{v:g}")
        ll = counties.loc[counties["adcode"] == r["adcode"]].geometry.iloc[0].representative_point()
        shift = county_label_shift((ll.x, ll.y), zones, bbox) if county_values is not None else 0
        ax.annotate(text, (x, y), xytext=(shift, 0), textcoords="offset points", ha="center", va="center",
                    fontproperties=label_font, color="#111111", zorder=6, annotation_clip=True,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    if county_values is not None and zones:
        label_at = zone_label_points(zones, bbox)
        pts = gpd.GeoSeries.from_xy([z["anchor"][0] for z in zones], [z["anchor"][1] for z in zones],
                                    crs=4326).to_crs(crs)
        lab = gpd.GeoSeries.from_xy([label_at[z["code"]][0] for z in zones], [label_at[z["code"]][1] for z in zones],
                                    crs=4326).to_crs(crs)
        texts = []
        for z, p, q in zip(zones, pts, lab, strict=True):
            v = county_values.get(z["code"])
            ax.plot([p.x, q.x], [p.y, q.y], color="#4A5A6A", linewidth=1.2, zorder=7)
            ax.scatter([p.x], [p.y], s=260, c=[classes.color(v)], edgecolors="#111111", linewidths=1.8, zorder=8)
            texts.append(ax.annotate(f"{z['name']}（示意）{'—' if v is None else f'{v:g}'}", (q.x, q.y), ha="right", va="center",
                        fontproperties=_font(12), zorder=9,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": classes.color(v), "lw": 1.5}))
        if not extent_lonlat:
            _fit_texts(fig, ax, texts)
        handles.append(Line2D([], [], marker="o", color="white", markeredgecolor="#111111", markersize=12,
                              linestyle="", label="管理区（位置示意）"))
    if sites is not None and len(sites):
        s = sites.to_crs(crs)
        pts = s.geometry.representative_point()
        for kind, marker in (kind_markers or {}).items():
            sel = s["kind"] == kind
            if not sel.any():
                continue
            cols = [COLORS[(site_state or {}).get(i, BUCKETS[-1])] for i in s.loc[sel, "id"]]
            ax.scatter(pts[sel].x, pts[sel].y, s=120, c=cols, marker=MARKERS.get(marker, "o"), edgecolors="#111111",
                       linewidths=1.2, zorder=8)
            handles.append(Line2D([], [], marker=MARKERS.get(marker, "o"), color="white", markeredgecolor="#111111",
                                  markersize=12, linestyle="", label=kind))
        used = {(site_state or {}).get(i, BUCKETS[-1]) for i in s["id"]}
        handles += [Patch(facecolor=COLORS[b], edgecolor="#111111", label=LEGEND_TEXT[b].format(days=30))
                    for b in BUCKETS if b in used]
    if not extent_lonlat:
        ax.margins(0.02)
    if imagery is not None:
        _imagery(ax, imagery, crs)
    ax.set_aspect("equal")
    ax.set_axis_off()
    small = _font(12)
    x0, x1 = ax.get_xlim()
    _scale_bar(ax, x1 - x0, small)
    _north_arrow(ax, small)
    right = 0.99
    if handles:  # beside the map, never on it
        title = value_label if county_values is not None else None
        leg = fig.legend(handles=handles, prop=_font(legend_pt), loc="center right", framealpha=0.95,
                         borderaxespad=0.3, title=title, title_fontproperties=_font(legend_pt))
        fig.canvas.draw()
        width = leg.get_window_extent().width / fig.bbox.width
        right = max(0.35, 0.98 - width)
    note = f"数据截至 {cn_date(data_date)}" + ("　点位为示意位置" if illustrative else "")
    if credit:  # a line of its own under the map: it is long
        note += "\n" + credit
    fig.text(0.01, 0.01, note, fontproperties=small, color="#333333", linespacing=1.3)
    fig.subplots_adjust(left=0.01, right=right, top=0.99, bottom=0.11 if credit else 0.07)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()
