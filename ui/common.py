"""Pieces shared by the pages: the data notice, the legend, task formatting."""

from __future__ import annotations

import html
from datetime import date

import pandas as pd
import streamlit as st

from domain.dates import cn_date, deadline_words  # noqa: F401 - re-exported for the pages
from domain.rollup import bucket
from layers.style import BUCKETS, COLORS, LEGEND_TEXT


def example_place(region=None) -> tuple[str, str]:
    """(name, code) of a county of the active region, for the examples in input boxes: a
    bureau of 赣州 reads 赣州's own places there, never 景德镇's."""
    if region is None:
        from ui import data

        region = data.region()
    counties = list(region.places.counties)
    if not counties:
        return region.name, region.adcode
    c = counties[-1]
    return c.name, c.code


def file_size(n: int) -> str:
    """A file's size as the uploader itself shows it (1,000 bytes to the KB, one decimal)."""
    if n < 1000:
        return f"{n} 字节"
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1000:.1f} KB"


def data_notice(meta: dict, illustrative_on_screen: bool, sample_on_screen: bool, water_sample: bool = False) -> None:
    """water_sample: the water-quality values on screen are the demo's generated series."""
    parts = []
    if illustrative_on_screen:
        parts.append("点位位置为**示意位置**（文件未给出坐标，按名称近似标注）")
    if sample_on_screen:
        parts.append("任务进展为**示例数据**（用于演示销号流程，并非真实进展）")
    if water_sample:
        parts.append("水质监测值为**示例数据**（按规则生成，并非实测）")
    if parts:
        extra = f"；示例数据截至 {cn_date(date.fromisoformat(meta['data_date']))}" if meta.get("data_date") else ""
        st.warning("注意：" + "；".join(parts) + extra + "。任务、时限与责任单位取自正式文件。", icon="⚠️")


def legend_html(counts: dict[str, int] | None = None, due_soon_days: int = 30) -> str:
    items = []
    for b in BUCKETS:
        n = f"（{counts.get(b, 0)}）" if counts is not None else ""
        items.append(f'<span style="display:inline-flex;align-items:center;margin-right:14px;white-space:nowrap">'
                     f'<span style="width:14px;height:14px;border-radius:50%;background:{COLORS[b]};'
                     f'border:1px solid #222;display:inline-block;margin-right:5px"></span>'
                     f'{html.escape(LEGEND_TEXT[b].format(days=due_soon_days))}{n}</span>')
    return '<div style="font-size:0.9rem;line-height:1.9">' + "".join(items) + "</div>"


def kind_legend_html() -> str:
    from layers.sites import symbol_svg
    from onemap.kinds import site_kinds

    items = [f'<span style="display:inline-flex;align-items:center;margin-right:14px;white-space:nowrap">'
             f'<span style="margin-right:5px">{symbol_svg(k.marker, "#FFFFFF", 14, 1.5)}</span>'
             f'{html.escape(k.name)}</span>' for k in site_kinds()]
    return '<div style="font-size:0.9rem;line-height:1.9">' + "".join(items) + "（园区、保护区另绘范围）</div>"


def status_badge(status: str, flag: str | None) -> str:
    b = bucket(status, flag)
    label = f"{status}·{flag}" if flag else status
    return (f'<span style="background:{COLORS[b]};color:#fff;padding:1px 8px;border-radius:10px;'
            f'font-size:0.85rem">{html.escape(label)}</span>')


def _blank(v) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and v != v)


def table(df: pd.DataFrame) -> pd.DataFrame:
    """A frame for st.dataframe with nothing drawn as "None"/"nan"/"NaT": Streamlit draws a
    missing value as the English word "None", so a missing value becomes an empty cell,
    date columns become YYYY-MM-DD text and other values in a column with gaps become text, as
    does a column mixing text and numbers (an import report's 行/位置: "" for the file, 3 for a
    row), which Arrow cannot send as one type."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_datetime64_any_dtype(col):  # dates (the app's deadlines carry no time)
            out[c] = col.dt.strftime("%Y-%m-%d").fillna("")
        elif col.map(_blank).any() or _mixes_text(col):
            out[c] = col.map(lambda v: "" if _blank(v) else v.isoformat() if isinstance(v, date) else str(v))
    return out


def _mixes_text(col: pd.Series) -> bool:
    if col.dtype != object:
        return False
    kinds = {type(v) for v in col}
    return str in kinds and len(kinds) > 1
