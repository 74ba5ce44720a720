"""A task with its measures, its status timeline and the status form."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from domain import permissions as perm
from domain.dates import cn_date
from onemap import links, services
from ui import auth, boundary, data
from ui.common import deadline_words, status_badge, table
from ui.workflow import changeable, confirmation, status_form


def _md(text: str) -> str:
    """User text for st.markdown: HTML-escaped and with Markdown markup neutralised."""
    s = html.escape(str(text))
    for ch in "\\`*_[]#|~>":
        s = s.replace(ch, "\\" + ch)
    return s


def render_task(task: pd.Series, all_tasks: pd.DataFrame, site_names: dict[str, str], key: str) -> None:
    st.markdown(f"**{_md(task['ref'])}** {status_badge(task['status'], task['flag'])}", unsafe_allow_html=True)
    st.markdown(_md(task["body"] or task["title"]))
    info = {
        "整改目标": task["target"],
        "整改时限": deadline_words(task),
        "责任单位": "、".join(task["units"]),
        "验收单位": task["acceptance_text"] or "、".join(task["acceptance_units"]),
        "类别": task["category"],
        "关联点位": "、".join(site_names.get(s, s) for s in task["site_ids"]),
        "最新进展": task["last_note"],
    }
    st.markdown("\n".join(f"- **{k}**：{_md(v)}" for k, v in info.items() if v))
    children = all_tasks[all_tasks["parent_id"] == task["id"]].sort_values("position")
    if len(children):
        st.markdown(f"**整改措施（{len(children)} 条）**")
        st.dataframe(table(pd.DataFrame({
            "序号": children["number"].fillna("—"),
            "措施": children["title"],
            "时限": children.apply(deadline_words, axis=1),
            "责任单位": children["units"].map("、".join),
            "验收单位": children["acceptance_units"].map("、".join),
            "状态": [f"{s}·{f}" if f else s for s, f in zip(children["status"], children["flag"], strict=True)],
        })), hide_index=True, width="stretch")
    confirmation(key)
    if pd.isna(task.get("parent_id")) and perm.allowed(auth.current(), perm.REVISE):
        links_editor(task, site_names, key)
    if not changeable(task, children, key):  # no control the service would refuse
        st.markdown("**状态记录**")
        timeline(task, children)
        return
    tabs = st.tabs(["状态记录", "登记状态变更"], key=f"{key}_tabs")
    with tabs[0]:
        timeline(task, children)
    with tabs[1]:
        status_form(task, children, key)


def links_editor(task: pd.Series, site_names: dict[str, str], key: str) -> None:
    """修改关联点位: any site of the store, searched by name; saved in the button's callback
    (a press is never lost), confirmed by what was added and removed, or refused in Chinese
    with the choice kept."""
    k = f"links_{key}"
    with st.expander(f"修改关联点位（{len(task['site_ids'])} 个）", expanded=k in st.session_state):
        st.multiselect("关联点位（可输入名称搜索）", list(site_names), default=list(task["site_ids"]), key=k,
                       format_func=lambda i: f"{site_names.get(i, i)}（{i}）", placeholder="选择点位")
        st.button("保存关联", key=f"{k}_save", on_click=_save_links, args=(int(task["id"]), k, key))


@boundary.guarded("保存关联点位（所选点位已保留）")
def _save_links(task_id: int, k: str, key: str) -> None:
    try:
        out = links.set_task_sites(auth.current(), task_id, st.session_state.get(k) or [])
    except services.ServiceError as exc:
        st.session_state[boundary.PENDING] = f"未保存关联点位：{exc}"
        return
    data.after_write()
    st.session_state[f"{key}_done"] = out.message()


def timeline(task: pd.Series, children: pd.DataFrame) -> None:
    ids = [int(task["id"]), *[int(i) for i in children["id"]]]
    ev = data.events(ids)
    if ev.empty:
        st.caption("尚无状态变更记录（未启动）")
        return
    refs = {int(task["id"]): "", **{int(r["id"]): f"第{r['number']}条 " if r["number"] else "措施 "
                                    for _, r in children.iterrows()}}
    lines = []
    for _, e in ev.iloc[::-1].iterrows():
        tag = "〔示例〕" if e["sample"] else ""
        who = e["actor"] + (f"（{e['actor_unit']}）" if e["actor_unit"] else "")
        files = f" 附件：{_md('、'.join(e['attachments']))}" if e["attachments"] else ""
        lines.append(f"- {cn_date(e['at'])} {_md(refs.get(int(e['task_id']), ''))}{_md(e['from_status'])} → "
                     f"**{_md(e['to_status'])}** · {_md(who)}{tag}：{_md(e['note'])}{files}")
    st.markdown("\n".join(lines))
