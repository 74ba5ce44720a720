"""The figures a leader reads: states and flags, by document, place, unit and
category, and what changed between two dates. Pure functions of task frames (already
replayed to their dates); every figure comes with the task ids behind it."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from domain import status as st

STATES = (st.NOT_STARTED, st.IN_PROGRESS, st.APPLIED, st.RETURNED, st.CLOSED, st.ONGOING)


def top_level(tasks: pd.DataFrame) -> pd.DataFrame:
    """Problems, key tasks and annex items (measures roll up into them), not archived."""
    return tasks[tasks["parent_id"].isna() & ~tasks["archived"].astype(bool)]


def indicators(tasks: pd.DataFrame) -> dict[str, list[int]]:
    """Headline figures → the ids of the tasks behind each."""
    t = top_level(tasks)
    out = {s: list(t.loc[t["status"] == s, "id"]) for s in STATES}
    out[st.OVERDUE] = list(t.loc[t["flag"] == st.OVERDUE, "id"])
    out[st.DUE_SOON] = list(t.loc[t["flag"] == st.DUE_SOON, "id"])
    out["全部"] = list(t["id"])
    return out


def closing_rate(tasks: pd.DataFrame) -> float | None:
    """Share of closable top-level tasks that are 已销号 (长期坚持 tasks are never closed)."""
    t = top_level(tasks)
    closable = t[~t["ongoing"].astype(bool)]
    return None if closable.empty else float((closable["status"] == st.CLOSED).mean())


def by_document(tasks: pd.DataFrame) -> pd.DataFrame:
    t = top_level(tasks)
    rows = []
    for doc, g in t.groupby("document", sort=False):
        rows.append({"来源文件": doc, "条数": len(g), "已销号": int((g["status"] == st.CLOSED).sum()),
                     "逾期": int((g["flag"] == st.OVERDUE).sum()), "临期": int((g["flag"] == st.DUE_SOON).sum()),
                     "长期坚持": int((g["status"] == st.ONGOING).sum()), "ids": list(g["id"])})
    return pd.DataFrame(rows, columns=["来源文件", "条数", "已销号", "逾期", "临期", "长期坚持", "ids"])


def _exploded(t: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    e = t[["id", "status", "flag", column]].explode(column).dropna(subset=[column])
    return e.rename(columns={column: name})


def by_place(tasks: pd.DataFrame, place_names: dict[str, str], sites_per_place: dict[str, int],
             include: Iterable[str] = ()) -> pd.DataFrame:
    """Open and overdue top-level tasks per county/zone (and the city's own departments),
    as their responsible units define them; also per site where the place has sites.
    A task with units in several places counts once in each of them, so the rows add up to
    more than the city's total (see `multi_place_note`). Places in `include` are listed
    even when they have no task (a ranking must show every county and zone)."""
    t = top_level(tasks)
    e = _exploded(t, "unit_place_codes", "code")
    groups = dict(tuple(e.groupby("code")))
    rows = []
    for code in [*groups, *[c for c in include if c not in groups]]:
        g = groups.get(code, e.iloc[0:0])
        open_ = g[g["status"].isin(st.OPEN_STATUSES)]
        over = g[g["flag"] == st.OVERDUE]
        n_sites = sites_per_place.get(code, 0)
        rows.append({"code": code, "地区": place_names.get(code, code), "未销号": len(open_), "逾期": len(over),
                     "点位数": n_sites, "每点位未销号": round(len(open_) / n_sites, 2) if n_sites else None,
                     "ids_open": list(open_["id"]), "ids_overdue": list(over["id"])})
    df = pd.DataFrame(rows, columns=["code", "地区", "未销号", "逾期", "点位数", "每点位未销号", "ids_open",
                                     "ids_overdue"])
    order = {c: i for i, c in enumerate(include)}
    df["_o"] = df["code"].map(lambda c: order.get(c, len(order)))
    df = df.sort_values(["逾期", "未销号", "_o"], ascending=[False, False, True], kind="stable")
    return df.drop(columns="_o").reset_index(drop=True)


def multi_place_note(tasks: pd.DataFrame, table: pd.DataFrame, column: str = "逾期") -> str:
    """Why the places' figures add up to more than the city's: say it with the numbers."""
    t = top_level(tasks)
    total = int((t["flag"] == st.OVERDUE).sum()) if column == "逾期" else int(t["status"].isin(st.OPEN_STATUSES).sum())
    summed = int(table[column].sum()) if len(table) else 0
    shared = int(t.loc[(t["flag"] == st.OVERDUE) if column == "逾期" else t["status"].isin(st.OPEN_STATUSES),
                       "unit_place_codes"].map(lambda cs: len(set(cs)) > 1).sum())
    if summed == total:
        return f"各地区{column}合计 {summed} 项，等于全市{column}总数 {total} 项。"
    return (f"按责任单位所属地区统计：一项任务有多个责任单位、分属不同地区时，在每个地区各计一次"
            f"（全市有 {shared} 项{column}任务由多个地区共同负责），所以各地区{column}合计 {summed} 项，"
            f"多于全市{column}总数 {total} 项。")


def by_unit(tasks: pd.DataFrame) -> pd.DataFrame:
    t = top_level(tasks)
    e = _exploded(t, "units", "单位")
    rows = []
    for unit, g in e.groupby("单位"):
        over = g[g["flag"] == st.OVERDUE]
        rows.append({"单位": unit, "逾期": len(over), "未销号": int(g["status"].isin(st.OPEN_STATUSES).sum()),
                     "ids_overdue": list(over["id"]), "ids_open": list(g.loc[g["status"].isin(st.OPEN_STATUSES), "id"])})
    df = pd.DataFrame(rows, columns=["单位", "逾期", "未销号", "ids_overdue", "ids_open"])
    return df.sort_values(["逾期", "未销号"], ascending=False).reset_index(drop=True)


def by_category(tasks: pd.DataFrame) -> pd.DataFrame:
    """Long form for a stacked chart: category × state → count (and ids)."""
    t = top_level(tasks)
    rows = [{"类别": cat, "状态": state, "数量": len(g), "ids": list(g["id"])}
            for (cat, state), g in t.groupby(["category", "status"])]
    return pd.DataFrame(rows, columns=["类别", "状态", "数量", "ids"])


def compare(now: pd.DataFrame, then: pd.DataFrame) -> dict[str, list[int]]:
    """What moved between two dates (then < now): newly closed and newly overdue among the tasks
    that existed then, and the tasks added since."""
    n, p = top_level(now).set_index("id"), top_level(then).set_index("id")
    common = n.index.intersection(p.index)
    newly_closed = [i for i in common if n.at[i, "status"] == st.CLOSED and p.at[i, "status"] != st.CLOSED]
    # a task added since then is 新增, not 新逾期, even when it is overdue already (a document
    # imported today whose deadlines passed long ago did not "become" overdue since the meeting)
    newly_overdue = [i for i in common if n.at[i, "flag"] == st.OVERDUE and p.at[i, "flag"] != st.OVERDUE]
    newly_added = [i for i in n.index if i not in p.index]
    return {"新销号": sorted(newly_closed), "新逾期": sorted(newly_overdue), "新增": sorted(newly_added)}


def compare_table(now: pd.DataFrame, changes: dict[str, list[int]], key: str,
                  names: dict[str, str] | None = None) -> pd.DataFrame:
    """The meeting table: per place (key='unit_place_codes') or unit (key='units'), the counts of
    each change, with the ids behind them."""
    t = top_level(now)
    e = t[["id", key]].explode(key).dropna(subset=[key])
    rows = []
    for k, g in e.groupby(key):
        ids = set(g["id"])
        row = {"名称": (names or {}).get(k, k)}
        for label, changed in changes.items():
            row[label] = len(ids & set(changed))
            row[f"ids_{label}"] = sorted(ids & set(changed))
        if any(row[label] for label in changes):
            rows.append(row)
    cols = ["名称", *changes, *[f"ids_{c}" for c in changes]]
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(list(changes), ascending=False).reset_index(drop=True) if len(df) else df


def site_weights(tasks: pd.DataFrame, overdue_double: bool = True) -> pd.Series:
    """Per site: its open top-level tasks, an overdue one counting twice (the hot-spot weight)."""
    t = top_level(tasks)
    open_ = t[t["status"].isin(st.OPEN_STATUSES)]
    e = open_[["site_ids", "flag"]].explode("site_ids").dropna(subset=["site_ids"])
    w = ((e["flag"] == st.OVERDUE) & overdue_double).map({True: 2.0, False: 1.0})
    return w.groupby(e["site_ids"]).sum()
