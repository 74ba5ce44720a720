"""任务台账: the filtered task list (optionally the whole tree with measures), the
selected task's detail and status form, a jump to its sites on the map, and the XLSX and
CSV exports of the current view (each download audited)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from domain.dates import cn_date
from exports.ledger_csv import ledger_csv_bytes
from exports.ledger_xlsx import write_ledger_xlsx
from onemap import services
from ui import auth, data, nav, present
from ui.common import data_notice, deadline_words, table
from ui.filters import current_view, no_match_notice
from ui.views.task_detail import render_task
from ui.workflow import flash

PRESENT_HEAD = present.head(96, 4.8)  # presentation mode: player bar, title and notice above the table


def tree_rows(tasks: pd.DataFrame, all_tasks: pd.DataFrame, with_measures: bool) -> pd.DataFrame:
    """Top-level tasks in order; with measures, each followed by its children."""
    if not with_measures:
        return tasks
    kids = all_tasks[all_tasks["parent_id"].isin(set(tasks["id"]))].sort_values(["parent_id", "position"])
    by_parent = {pid: g for pid, g in kids.groupby("parent_id", sort=False)}
    parts = []
    for _, t in tasks.iterrows():
        parts.append(t.to_frame().T)
        if t["id"] in by_parent:
            parts.append(by_parent[t["id"]])
    return pd.concat(parts, ignore_index=True) if parts else tasks


def render() -> None:
    v = current_view()
    f, tasks_all, tasks, names = v.filters, v.tasks_all, v.tasks, v.site_names
    drilled = st.session_state.get("drill")
    if drilled:
        tasks = tasks_all[tasks_all["id"].isin(set(drilled["ids"]))]

    st.markdown("### 任务台账")
    flash()
    if drilled:
        c1, c2 = st.columns([4, 1])
        c1.info(f"来自总览：{drilled['title']}（{len(tasks)} 项）。左侧筛选暂不作用于此列表。")
        if c2.button("返回完整台账", key="drill_clear"):
            st.session_state.pop("drill", None)
            st.rerun()
    if present.is_on():
        present_table(tasks, names, f.as_of)
        return
    data_notice(data.meta(), False, bool(tasks["sample_events"].any()))
    c1, c2 = st.columns([3, 1])
    c1.caption(f"{len(tasks)} 项（截至 {cn_date(f.as_of)}）；点击一行查看措施、状态记录并登记变更；点击表头排序")
    with_measures = c2.toggle("显示整改措施", key="ledger_tree")
    if no_match_notice(tasks):
        return
    rows = tree_rows(tasks, tasks_all, with_measures)
    is_child = rows["parent_id"].notna()
    view = pd.DataFrame({
        "编号": [("　└ " if c else "") + r for r, c in zip(rows["ref"], is_child, strict=True)],
        "问题/任务": rows["title"],
        "整改时限": rows.apply(deadline_words, axis=1),
        "时限日期": pd.to_datetime(rows["deadline"]),
        "责任单位": rows["units"].map("、".join),
        "状态": rows["status"],
        "逾期/临期": rows["flag"],
        "类别": rows["category"],
        "关联点位": rows["site_ids"].map(lambda ids: "、".join(names.get(i, i) for i in ids)),
    })
    if st.session_state.pop("ledger_reset", False):
        st.session_state.pop("ledger_table", None)  # the selection was a row number of another list
    for msg in st.session_state.pop("ledger_moved", []):
        st.success(f"{msg}。该任务已不在当前筛选结果中，列表已更新。", icon=":material/check_circle:")
    event = st.dataframe(table(view), hide_index=True, width="stretch", height=420, on_select="rerun",
                         selection_mode="single-row", key="ledger_table")
    selected = event.selection.rows if event and event.selection else []
    _keep_confirmations(rows, selected)
    ids = set(tasks["id"])
    subtree = tasks_all[tasks_all["id"].isin(ids) | tasks_all["parent_id"].isin(ids)]
    d1, d2 = st.columns(2)
    xlsx, csv = _xlsx_bytes(subtree, names, f.as_of), ledger_csv_bytes(subtree, names)
    for col, label, blob, suffix, mime in (
            (d1, "导出当前视图（XLSX 台账）", xlsx, ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (d2, "导出当前视图（CSV 台账）", csv, ".csv", "text/csv")):
        name = f"任务台账_{f.as_of.isoformat()}{suffix}"
        col.download_button(label, data=blob, file_name=name, mime=mime, key=f"ledger_dl{suffix}",
                            on_click=_audit_download, args=(f"任务台账（{suffix[1:].upper()}，当前视图）", name, blob,
                                                            len(subtree)))
    if not selected:
        return
    row = rows.iloc[selected[0]]
    task = tasks_all[tasks_all["id"] == (row["parent_id"] if pd.notna(row["parent_id"]) else row["id"])].iloc[0]
    st.divider()
    if task["site_ids"] and nav.has("map") and st.button(f"在地图上定位（{len(task['site_ids'])} 个点位）",
                                                         type="primary"):
        st.session_state["focus_task"] = int(task["id"])
        nav.go("map")
    render_task(task, tasks_all, names, key=f"ledger_{task['id']}")


def _keep_confirmations(rows: pd.DataFrame, selected: list[int]) -> None:
    """A change recorded on a task that then left the list (e.g. 申请销号 → 已销号 under a
    status filter): the table's selection is a row number, so it would open the next task and
    its confirmation would never be seen. Say what was recorded, above the list, and clear the
    selection instead."""
    ss = st.session_state
    shown = None
    if selected:
        r = rows.iloc[selected[0]]
        shown = f"ledger_{int(r['parent_id'] if pd.notna(r['parent_id']) else r['id'])}_done"
    moved = [k for k in list(ss) if isinstance(k, str) and k.startswith("ledger_") and k.endswith("_done")
             and k != shown]
    if moved:
        ss["ledger_moved"] = [ss.pop(k) for k in moved]
        ss["ledger_reset"] = True
        st.rerun()


def present_table(tasks: pd.DataFrame, names: dict[str, str], as_of: date) -> None:
    """Presentation mode: the list as a large-type table that wraps instead of cutting text;
    no selection, status form or export in front of the room."""
    present.notice(data.meta(), False, bool(tasks["sample_events"].any()), as_of, lead=f"共 {len(tasks)} 项")
    if tasks.empty:
        st.markdown("没有符合条件的任务。")
        return
    frame = pd.DataFrame({
        "编号": tasks["ref"],
        "问题/任务": tasks["title"],
        "整改时限": [cn_date(r["deadline"]) if isinstance(r["deadline"], date) else deadline_words(r)
                     for _, r in tasks.iterrows()],  # the date alone reads faster from the back
        "责任单位": tasks["units"].map("、".join),
        "状态": [f"{s}·{g}" if g else s for s, g in zip(tasks["status"], tasks["flag"], strict=True)],
        "关联点位": tasks["site_ids"].map(lambda ids: "、".join(names.get(i, i) for i in ids)),
    })
    widths = {"编号": 14, "问题/任务": 34, "整改时限": 14, "责任单位": 24, "状态": 10}
    if not frame["关联点位"].str.len().any():  # a column of blanks costs the room a fifth of the width
        frame = frame.drop(columns="关联点位")
    else:
        widths = {"编号": 12, "问题/任务": 28, "整改时限": 11, "责任单位": 28, "状态": 9, "关联点位": 12}
    present.table(frame, widths=widths, above=PRESENT_HEAD)


def _xlsx_bytes(tasks: pd.DataFrame, names: dict[str, str], as_of: date) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.xlsx"
        targets = data.targets()  # the indicators of the documents in this view, on their own sheet
        write_ledger_xlsx(tasks, names, path, as_of=as_of,
                          targets=targets[targets["document"].isin(set(tasks["document"]))])
        return path.read_bytes()


def _audit_download(what: str, name: str, blob: bytes, rows: int) -> None:
    """The ledger's current view left the app: recorded like every export (who, what, SHA-256)."""
    services.record_download(auth.current(), what, name, blob, rows=rows)
