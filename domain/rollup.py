"""From task rows (already replayed to an 'as of' date) to what the map shows per site."""

from __future__ import annotations

import pandas as pd

from domain import status as st

# Display buckets of a site or task, worst first.
OVERDUE, DUE_SOON, OPEN, ONGOING, CLOSED, NO_TASK = "逾期", "临期", "整改中", "长期坚持", "已销号", "无任务"
BUCKETS = (OVERDUE, DUE_SOON, OPEN, ONGOING, CLOSED, NO_TASK)


def bucket(status: str, flag: str | None) -> str:
    if flag == st.OVERDUE:
        return OVERDUE
    if flag == st.DUE_SOON:
        return DUE_SOON
    if status == st.CLOSED:
        return CLOSED
    if status == st.ONGOING:
        return ONGOING
    return OPEN


def site_summary(tasks: pd.DataFrame, site_ids: list[str]) -> pd.DataFrame:
    """Per site: number of linked top-level tasks, open, overdue, due soon, and the
    worst bucket (the site's colour)."""
    top = tasks[tasks["parent_id"].isna() & ~tasks["archived"]]
    rows = {sid: {"tasks": 0, "open": 0, "overdue": 0, "due_soon": 0, "closed": 0, "worst": NO_TASK} for sid in site_ids}
    rank = {b: i for i, b in enumerate(BUCKETS)}
    for _, t in top.iterrows():
        b = bucket(t["status"], t["flag"])
        for sid in t["site_ids"]:
            r = rows.get(sid)
            if r is None:
                continue
            r["tasks"] += 1
            r["open"] += t["status"] in st.OPEN_STATUSES
            r["overdue"] += b == OVERDUE
            r["due_soon"] += b == DUE_SOON
            r["closed"] += t["status"] == st.CLOSED
            if rank[b] < rank[r["worst"]]:
                r["worst"] = b
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "id"
    return df

