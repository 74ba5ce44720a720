"""Static maps for slides, drawn on the server with matplotlib: counties, sites by kind
and state (or counties by a value), legend, scale bar, north arrow, data date and the
illustrative-positions notice. Drawn in the region's CGCS2000 Gauss-Krüger zone, so the
scale bar is in true metres. Chinese text uses the embedded Noto Sans CJK."""

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

from domain.dates import cn_date  # noqa: E402
from exports.field import cjk_font_path  # noqa: E402
from geo.crs import metric_crs_for  # noqa: E402
from layers.analysis import SEQUENTIAL  # noqa: E402
from layers.style import BUCKETS, COLORS, LEGEND_TEXT  # noqa: E402

MARKERS = {"triangle": "^", "drop": "o", "square": "s", "diamond": "D", "circle": "o"}


def _font(size: float) -> FontProperties:
    return FontProperties(fname=str(cjk_font_path()), size=size)


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


def render_map(counties: gpd.GeoDataFrame, *, sites: gpd.GeoDataFrame | None = None,
               site_state: dict[str, str] | None = None, kind_markers: dict[str, str] | None = None,
               county_values: dict[str, float] | None = None, value_label: str = "",
               extent_lonlat: tuple[float, float, float, float] | None = None, data_date: date,
               illustrative: bool = False, size_in: tuple[float, float] = (10.0, 6.0), dpi: int = 180) -> bytes:
    """PNG bytes of a map for a slide."""
    crs = metric_crs_for(float(counties.total_bounds[[0, 2]].mean()))
    c = counties.to_crs(crs)
    fig, ax = plt.subplots(figsize=size_in, dpi=dpi)
    if county_values is not None:
        top = max([v for v in county_values.values() if v is not None] or [0]) or 1
        colors = [SEQUENTIAL[min(4, int((county_values.get(a) or 0) / top * 4.999))] if county_values.get(a)
                  else "#FFFFFF" for a in c["adcode"]]
        c.plot(ax=ax, color=colors, edgecolor="#333333", linewidth=1.6)
    else:
        c.plot(ax=ax, color="#F4F1EA", edgecolor="#4A5A6A", linewidth=1.6)
    label_font = _font(11)
    for _, r in c.iterrows():
        p = r.geometry.representative_point()
        text = r["name"] + (f"\n{county_values.get(r['adcode'], 0):g}" if county_values is not None else "")
        ax.text(p.x, p.y, text, ha="center", va="center", fontproperties=label_font, color="#222222", zorder=6,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.6})
    handles = []
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
                                  markersize=10, linestyle="", label=kind))
        used = {(site_state or {}).get(i, BUCKETS[-1]) for i in s["id"]}
        handles += [Patch(facecolor=COLORS[b], edgecolor="#111111", label=LEGEND_TEXT[b].format(days=30))
                    for b in BUCKETS if b in used]
    if county_values is not None:
        handles += [Patch(facecolor=SEQUENTIAL[k], edgecolor="#333333", label=f"{value_label}（{k + 1}级）")
                    for k in range(5)][:3]
    if extent_lonlat:
        box = gpd.GeoSeries.from_xy([extent_lonlat[0], extent_lonlat[2]], [extent_lonlat[1], extent_lonlat[3]],
                                    crs=4326).to_crs(crs)
        ax.set_xlim(box.x.min(), box.x.max())
        ax.set_ylim(box.y.min(), box.y.max())
    ax.set_aspect("equal")
    ax.set_axis_off()
    small = _font(10)
    x0, x1 = ax.get_xlim()
    _scale_bar(ax, x1 - x0, small)
    _north_arrow(ax, small)
    right = 0.99
    if handles:  # beside the map, never on it
        fig.legend(handles=handles, prop=_font(10), loc="center right", framealpha=0.95, borderaxespad=0.3)
        right = 0.60
    note = f"数据截至 {cn_date(data_date)}" + ("　点位为示意位置" if illustrative else "")
    fig.text(0.01, 0.01, note, fontproperties=small, color="#333333")
    fig.subplots_adjust(left=0.01, right=right, top=0.99, bottom=0.06)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()
