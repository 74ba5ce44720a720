"""领导总览's 断面水质: for a month (default the latest at or before the 截至日期) and the year
to date — 断面水质优良比例 (Ⅰ–Ⅲ类), 断面达标率 and 水源地达标率 — and the sections and sources
that missed their target, each with its 超标因子 and 倍数 and the unfinished tasks that concern
it, or the plain fact that none does (onemap.water.summarise, shared with the deck). The sites
are those the map would draw under the same filters, so a county's leader reads that county's
figures."""

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

NO_TASK = "⚠ 无未销号的关联整改任务"


def share_text(s: wq.Share) -> str:
    return "—" if s.percent is None else f"{s.percent:.1f}%（{s.part}/{s.total}）"


def render(v) -> None:
    st.markdown("#### 断面水质")
    f = v.filters
    months = data.water_months(f.as_of)
    if not months:
        st.caption("截至日期之前没有水质监测数据（数据管理 › 水质监测数据 可导入监测站的数据文件）。")
        return
    month = st.columns([1, 2])[0].selectbox("监测月份", months, index=len(months) - 1, key="ov_wq_month",
                                            format_func=month_label)
    shown = filter_sites(v.sites_all, f, v.tasks, v.place_of_site)
    top = v.tasks_all[v.tasks_all["parent_id"].isna()]
    summary = water.summarise(month, data.water_verdicts(month=month),
                              data.water_verdicts(year=int(month[:4]), through=month), shown, top)
    n_sec = int((shown["kind"] == water.SECTION_NAME).sum())
    n_src = int((shown["kind"] == water.SOURCE_NAME).sum())
    st.caption(f"范围：左侧筛选下的监测断面 {n_sec} 个、饮用水水源地 {n_src} 个；按 GB 3838-2002 单因子评价，"
               f"年度为 {month[:4]}年1月至{month_label(month)[5:]}各月均值的平均。")
    if summary.sample:
        st.warning("注意：水质监测值为**示例数据**（按规则生成，用于演示，并非实测）。", icon="⚠️")
    goals = water.plan_targets(data.targets())  # the work points' own figures, where they give one
    for c, (label, (now, ytd)) in zip(st.columns(3), summary.shares.items(), strict=True):
        c.metric(f"{label}·{month_label(month)}", share_text(now))
        c.caption(f"{month[:4]}年累计：{share_text(ytd)}")
        if label in goals:
            c.caption(html.escape(goals[label].verdict(now)))
    if not summary.rows:
        st.success(f"{month_label(month)}：范围内有数据的断面和水源地全部达标。")
        return
    rows = [{k: r[k] for k in ("点位", "类型", "水质类别", "目标", "超标因子（倍数）")}
            | {"未销号的关联任务": "；".join(r["tasks"]) or NO_TASK} for r in summary.rows]
    st.markdown(f"**{month_label(month)}不达标的断面和水源地（{len(rows)} 个）**")
    st.dataframe(table(pd.DataFrame(rows)), hide_index=True, width="stretch")
    if summary.unanswered:
        st.error(html.escape(f"{'、'.join(summary.unanswered)}：{month_label(month)}不达标，但没有未销号的关联整改任务。"))
