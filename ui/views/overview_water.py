"""领导总览's 断面水质: for a month (default the latest at or before the 截至日期) and the year
to date — 断面水质优良比例 (Ⅰ–Ⅲ类), 断面达标率 and 水源地达标率 — and the sections and sources
that missed their target, each with its 超标因子 and 倍数 and the unfinished tasks that concern
it, or the plain fact that none does. The sites are those the map would draw under the same
filters (onemap's filter_sites), so a county's leader reads that county's figures."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from domain import water_quality as wq
from domain.filtering import filter_sites
from onemap import water
from onemap.water import month_label
from ui import data
from ui.common import table
from ui.views.water_panel import open_tasks

SECTION, SOURCE = "监测断面", "饮用水水源地"
NO_TASK = "⚠ 无未销号的关联整改任务"


def _share(s: wq.Share) -> str:
    return "—" if s.percent is None else f"{s.percent:.1f}%（{s.part}/{s.total}）"


def figures(verdicts: dict, kinds: dict[str, str]) -> dict[str, wq.Share]:
    sec = [p.verdict for sid, p in verdicts.items() if kinds.get(sid) == SECTION]
    src = [p.verdict for sid, p in verdicts.items() if kinds.get(sid) == SOURCE]
    return {"断面水质优良比例（Ⅰ–Ⅲ类）": wq.good_share(v.water_class for v in sec),
            "断面达标率": wq.compliance_share((v.water_class, v.target) for v in sec),
            "水源地达标率": wq.compliance_share((v.water_class, v.target) for v in src)}


def render(v) -> None:
    st.markdown("#### 断面水质")
    f = v.filters
    months = data.water_months(f.as_of)
    if not months:
        st.caption("截至日期之前没有水质监测数据（数据管理 › 水质监测数据 可导入监测站的数据文件）。")
        return
    month = st.selectbox("监测月份", months, index=len(months) - 1, key="ov_wq_month", format_func=month_label)
    shown = filter_sites(v.sites_all, f, v.tasks, v.place_of_site)
    shown = shown[shown["kind"].isin((SECTION, SOURCE))]
    kinds = dict(zip(shown["id"], shown["kind"], strict=True))
    names = dict(zip(shown["id"], shown["name"], strict=True))
    now = {k: p for k, p in data.water_verdicts(month=month).items() if k in kinds}
    ytd = {k: p for k, p in data.water_verdicts(year=int(month[:4]), through=month).items() if k in kinds}
    n_sec = sum(k == SECTION for k in kinds.values())
    st.caption(f"范围：左侧筛选下的监测断面 {n_sec} 个、饮用水水源地 {len(kinds) - n_sec} 个；"
               f"按 GB 3838-2002 单因子评价，年度为 {month[:4]}年1月至{month_label(month)[5:]}各月均值的平均。")
    if any(p.sample for p in now.values()) or any(p.sample for p in ytd.values()):
        st.warning("注意：水质监测值为**示例数据**（按规则生成，用于演示，并非实测）。", icon="⚠️")
    month_fig, year_fig = figures(now, kinds), figures(ytd, kinds)
    cols = st.columns(3)
    for c, (label, share) in zip(cols, month_fig.items(), strict=True):
        c.metric(f"{label}·{month_label(month)}", _share(share))
        c.caption(f"{month[:4]}年累计：{_share(year_fig[label])}")
    bad = [(sid, p) for sid, p in now.items() if p.verdict.compliant is False]
    if not bad:
        st.success(f"{month_label(month)}：范围内有数据的断面和水源地全部达标。")
        return
    tasks_all = v.tasks_all
    top = tasks_all[tasks_all["parent_id"].isna()]
    rows, unanswered = [], []
    for sid, p in sorted(bad, key=lambda x: (kinds[x[0]] != SECTION, x[0])):
        linked = open_tasks(top[top["site_ids"].map(lambda ids, sid=sid: sid in ids)])
        refs = "；".join(f"{r}（{s}）" for r, s in zip(linked["ref"], linked["status"], strict=True))
        if not refs:
            unanswered.append(names[sid])
        rows.append({"点位": names[sid], "类型": kinds[sid], "水质类别": p.verdict.label,
                     "目标": wq.class_label(p.verdict.target), "超标因子（倍数）": water.exceed_text(p.verdict),
                     "未销号的关联任务": refs or NO_TASK})
    st.markdown(f"**{month_label(month)}不达标的断面和水源地（{len(rows)} 个）**")
    st.dataframe(table(pd.DataFrame(rows)), hide_index=True, width="stretch")
    if unanswered:
        st.error(html.escape(f"{'、'.join(unanswered)}：{month_label(month)}不达标，但没有未销号的关联整改任务。"))
