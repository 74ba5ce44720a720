"""Filtering tasks and sites by the shared filters: pure functions on the frames, used by
the pages and by the deck. Column-wise (no per-row Python over the task table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import pandas as pd

FILTER_PARAMS = ("place", "kind", "status", "flag", "unit", "doc", "cat")


@dataclass
class Filters:
    places: list[str] = field(default_factory=list)  # place codes (county or zone)
    kinds: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    keyword: str = ""
    as_of: date = field(default_factory=date.today)

    @property
    def task_filter_active(self) -> bool:
        return bool(self.statuses or self.flags or self.units or self.documents or self.categories
                    or self.keyword or self.places or self.kinds)


def filters_from_params(params: dict, as_of: date | None = None) -> Filters:
    """Filters from URL-style parameters (comma-separated lists), as saved in a view."""
    def lst(k: str) -> list[str]:
        return [v for v in str(params.get(k) or "").split(",") if v]

    try:
        day = date.fromisoformat(params["asof"]) if params.get("asof") else (as_of or date.today())
    except ValueError:
        day = as_of or date.today()
    return Filters(places=lst("place"), kinds=lst("kind"), statuses=lst("status"), flags=lst("flag"),
                   units=lst("unit"), documents=lst("doc"), categories=lst("cat"), keyword=str(params.get("q") or ""),
                   as_of=day)


def _any_in(lists: pd.Series, wanted: set) -> pd.Series:
    return lists.map(lambda xs: not wanted.isdisjoint(xs)) if wanted else pd.Series(True, index=lists.index)


def filter_tasks(tasks: pd.DataFrame, f: Filters, sites: gpd.GeoDataFrame, place_of_site: dict[str, str]) -> pd.DataFrame:
    """Top-level tasks matching the filters. A place matches through the responsible
    units' places or through the linked sites' county; a kind through the linked sites."""
    t = tasks[tasks["parent_id"].isna() & ~tasks["archived"].astype(bool)]
    if f.statuses:
        t = t[t["status"].isin(f.statuses)]
    if f.flags:
        t = t[t["flag"].isin(f.flags)]
    if f.documents:
        t = t[t["document"].isin(f.documents)]
    if f.categories:
        t = t[t["category"].isin(f.categories)]
    if f.units:
        t = t[_any_in(t["units"], set(f.units))]
    if f.places:
        sites_there = {s for s, c in place_of_site.items() if c in set(f.places)}
        t = t[_any_in(t["unit_place_codes"], set(f.places)) | _any_in(t["site_ids"], sites_there)]
    if f.kinds:
        of_kind = set(sites.loc[sites["kind"].isin(f.kinds), "id"])
        t = t[_any_in(t["site_ids"], of_kind)]
    if f.keyword:
        kw = f.keyword
        named = set(sites.loc[sites["name"].str.contains(kw, regex=False) |
                              sites["aliases"].map(lambda a: any(kw in x for x in a)), "id"])
        text = (t["title"] + "\n" + t["body"] + "\n" + t["ref"] + "\n" + t["target"] + "\n" +
                t["units"].map("、".join))
        t = t[text.str.contains(kw, regex=False) | _any_in(t["site_ids"], named)]
    return t


def filter_sites(sites: gpd.GeoDataFrame, f: Filters, tasks_shown: pd.DataFrame,
                 place_of_site: dict[str, str]) -> gpd.GeoDataFrame:
    """Sites to draw: by kind and place; when a task filter is set, only the sites
    linked to the tasks shown (plus, for a keyword, sites whose name matches)."""
    s = sites
    if f.kinds:
        s = s[s["kind"].isin(f.kinds)]
    if f.places:
        want = set(f.places)
        s = s[[place_of_site.get(i) in want for i in s["id"]]]
    task_filter = f.statuses or f.flags or f.documents or f.categories or f.units or f.keyword
    if task_filter:
        linked = {x for ids in tasks_shown["site_ids"] for x in ids}
        keep = pd.Series([i in linked for i in s["id"]], index=s.index)
        if f.keyword:
            keep |= s["name"].str.contains(f.keyword, regex=False)
        s = s[keep]
    return s
