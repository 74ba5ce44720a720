"""A task with its measures and its status history (read-only view)."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from domain.dates import cn_date
from ui import data
from ui.common import deadline_words, status_badge


def render_task(task: pd.Series, all_tasks: pd.DataFrame, site_names: dict[str, str]) -> None:
    st.markdown(f"**{html.escape(task['ref'])}** {status_badge(task['status'], task['flag'])}", unsafe_allow_html=True)
    st.markdown(html.escape(task["body"] or task["title"]))
    info = {
        "整改目标": task["target"],
        "整改时限": deadline_words(task),
        "责任单位": "、".join(task["units"]),
        "验收单位": task["acceptance_text"] or "、".join(task["acceptance_units"]),
        "类别": task["category"],
        "关联点位": "、".join(site_names.get(s, s) for s in task["site_ids"]),
        "最新进展": task["last_note"],
    }
    st.markdown("\n".join(f"- **{k}**：{html.escape(str(v))}" for k, v in info.items() if v))
    children = all_tasks[all_tasks["parent_id"] == task["id"]].sort_values("position")
    if len(children):
        st.markdown(f"**整改措施（{len(children)} 条）**")
        st.dataframe(pd.DataFrame({
            "序号": children["number"].fillna("—"),
            "措施": children["title"],
            "时限": children.apply(deadline_words, axis=1),
            "责任单位": children["units"].map("、".join),
            "验收单位": children["acceptance_units"].map("、".join),
            "状态": children.apply(lambda r: f"{r['status']}·{r['flag']}" if r["flag"] else r["status"], axis=1),
        }), hide_index=True, width="stretch")
    ev = data.events([int(task["id"])])
    if len(ev):
        st.markdown("**状态变更记录**")
        for _, e in ev.iloc[::-1].iterrows():
            tag = "〔示例〕" if e["sample"] else ""
            who = e["actor"] + (f"（{e['actor_unit']}）" if e["actor_unit"] else "")
            st.markdown(f"- {cn_date(e['at'])} {html.escape(e['from_status'])} → **{html.escape(e['to_status'])}**"
                        f" · {html.escape(who)}{tag}：{html.escape(e['note'])}")
    else:
        st.caption("尚无状态变更记录（未启动）")
