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


def buckets(status: pd.Series, flag: pd.Series) -> pd.Series:
    """Vectorised `bucket`."""
    out = pd.Series(OPEN, index=status.index, dtype=object)
    out[status == st.ONGOING] = ONGOING
    out[status == st.CLOSED] = CLOSED
    out[flag == st.DUE_SOON] = DUE_SOON
    out[flag == st.OVERDUE] = OVERDUE
    return out


SUMMARY_COLUMNS = ["tasks", "open", "overdue", "due_soon", "closed", "worst"]


def site_summary(tasks: pd.DataFrame, site_ids: list[str]) -> pd.DataFrame:
    """Per site: number of linked top-level tasks, open, overdue, due soon, closed,
    and the worst bucket (the site's colour). Sites without tasks: 无任务."""
    top = tasks[tasks["parent_id"].isna() & ~tasks["archived"].astype(bool)]
    link = pd.DataFrame({"site": top["site_ids"], "b": buckets(top["status"], top["flag"]),
                         "status": top["status"]}).explode("site").dropna(subset=["site"])
    rank = {b: i for i, b in enumerate(BUCKETS)}
    link["open"] = link["status"].isin(st.OPEN_STATUSES)
    link["overdue"] = link["b"] == OVERDUE
    link["due_soon"] = link["b"] == DUE_SOON
    link["closed"] = link["status"] == st.CLOSED
    link["rank"] = link["b"].map(rank)
    g = link.groupby("site")
    df = pd.DataFrame({"tasks": g.size(), "open": g["open"].sum(), "overdue": g["overdue"].sum(),
                       "due_soon": g["due_soon"].sum(), "closed": g["closed"].sum(),
                       "worst": g["rank"].min().map(lambda r: BUCKETS[int(r)])})
    df = df.reindex(pd.Index(site_ids, name="id"))
    df[["tasks", "open", "overdue", "due_soon", "closed"]] = \
        df[["tasks", "open", "overdue", "due_soon", "closed"]].fillna(0).astype(int)
    df["worst"] = df["worst"].astype(object).fillna(NO_TASK)
    return df[SUMMARY_COLUMNS]
