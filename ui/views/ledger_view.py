"""任务台账: the filtered task list, the selected task's detail, XLSX export of the view."""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from domain.dates import cn_date
from exports.ledger_xlsx import write_ledger_xlsx
from ui import data
from ui.common import data_notice, deadline_words
from ui.filters import filter_tasks, sidebar_filters
from ui.views.task_detail import render_task


def render() -> None:
    region = data.region()
    as_of = st.session_state.get("f_asof") or date.today()
    f = sidebar_filters(region, data.tasks(as_of))
    tasks_all = data.tasks(f.as_of)
    sites = data.sites()
    place_of_site = dict(zip(sites["id"], sites["county_code"], strict=True))
    tasks = filter_tasks(tasks_all, f, sites, place_of_site)
    names = dict(zip(sites["id"], sites["name"], strict=True))

    st.markdown("### 任务台账")
    data_notice(data.meta(), False, bool(tasks["sample_events"].any()))
    st.caption(f"{len(tasks)} 项（截至 {cn_date(f.as_of)}）；点击一行查看措施与状态记录")
    view = pd.DataFrame({
        "编号": tasks["ref"],
        "问题/任务": tasks["title"],
        "整改时限": tasks.apply(deadline_words, axis=1),
        "时限日期": tasks["deadline"],
        "责任单位": tasks["units"].map("、".join),
        "状态": tasks["status"],
        "逾期/临期": tasks["flag"],
        "类别": tasks["category"],
        "关联点位": tasks["site_ids"].map(lambda ids: "、".join(names.get(i, i) for i in ids)),
    })
    event = st.dataframe(view, hide_index=True, width="stretch", height=420, on_select="rerun",
                         selection_mode="single-row", key="ledger_table",
                         column_config={"时限日期": st.column_config.DateColumn(format="YYYY-MM-DD")})
    rows = event.selection.rows if event and event.selection else []
    col1, _ = st.columns([1, 3])
    with col1:
        ids = set(tasks["id"])
        subtree = tasks_all[tasks_all["id"].isin(ids) | tasks_all["parent_id"].isin(ids)]
        st.download_button("导出当前视图（XLSX 台账）", data=_xlsx_bytes(subtree, names, f.as_of),
                           file_name=f"任务台账_{f.as_of.isoformat()}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if rows:
        task = tasks.iloc[rows[0]]
        st.divider()
        render_task(task, tasks_all, names)


def _xlsx_bytes(tasks: pd.DataFrame, names: dict[str, str], as_of: date) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.xlsx"
        write_ledger_xlsx(tasks, names, path, as_of=as_of)
        return io.BytesIO(path.read_bytes()).getvalue()
