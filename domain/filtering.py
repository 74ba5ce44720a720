"""Filtering tasks and sites by the shared filters: pure functions on the frames, used by
the pages and by the deck. Column-wise (no per-row Python over the task table).

Every filter narrows: a filter whose choices match no site or task (a zone, which has no
sites of its own; a kind no task is linked to; a word found nowhere) leaves no rows for
that filter — it never switches itself off. Filters combine with AND; the choices within
one filter with OR."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

FILTER_PARAMS = ("place", "kind", "status", "flag", "unit", "doc", "cat")
# The task text a keyword is searched in (with the responsible units and, for a
# problem, the same text of its measures).
TEXT_COLUMNS = ("title", "body", "ref", "target")


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

    @property
    def terms(self) -> list[str]:
        """The keyword's words (separated by spaces): a task must match every one."""
        return self.keyword.split()


def filters_from_params(params: dict, as_of: date | None = None) -> Filters:
    """Filters from URL-style parameters (comma-separated lists), as saved in a view."""
    def lst(k: str) -> list[str]:
        return [v for v in str(params.get(k) or "").split(",") if v]

    try:
        day = date.fromisoformat(params["asof"]) if params.get("asof") else (as_of or date.today())
    except ValueError:
        day = as_of or date.today()
    return Filters(places=lst("place"), kinds=lst("kind"), statuses=lst("status"), flags=lst("flag"),
                   units=lst("unit"), documents=lst("doc"), categories=lst("cat"),
                   keyword=str(params.get("q") or "").strip(), as_of=day)


def _lists(values: pd.Series) -> pd.Series:
    return values.map(lambda xs: xs if isinstance(xs, list | tuple | set | np.ndarray) else [])


def _any_in(lists: pd.Series, wanted: set) -> pd.Series:
    """Rows whose list shares an element with `wanted`. An empty `wanted` matches no row:
    a filter whose choices match nothing narrows to nothing."""
    if not wanted:
        return pd.Series(False, index=lists.index, dtype=bool)
    return ~lists.map(frozenset(wanted).isdisjoint).astype(bool)


def task_text(tasks: pd.DataFrame) -> pd.Series:
    """What a keyword is searched in: title, body, ref, target and the responsible units
    (concatenated with `+`: vectorised on pandas' string columns)."""
    text = pd.Series("", index=tasks.index, dtype="str")
    for col in TEXT_COLUMNS:
        if col in tasks:
            text = text + tasks[col].fillna("").astype("str") + "\n"
    if "units" in tasks:
        text = text + tasks["units"].map("、".join).astype("str")
    return text


def _has(text: pd.Series, term: str) -> pd.Series:
    """Contains `term`; in any case only when it has letters with case (a Chinese word
    needs no case folding, which would cost a pass over the text)."""
    return text.str.contains(term, case=term.lower() == term.upper(), regex=False)


def sites_named(sites: gpd.GeoDataFrame, term: str) -> set[str]:
    """Ids of the sites whose name or an alias contains `term` (in any case)."""
    if sites.empty:
        return set()
    low = term.lower()
    name = _has(sites["name"].fillna("").astype("str"), term)
    alias = _lists(sites["aliases"]).map(lambda a: any(low in str(x).lower() for x in a))
    return set(sites.loc[name | alias, "id"])


def _keyword_mask(t: pd.DataFrame, tasks: pd.DataFrame, sites: gpd.GeoDataFrame, terms: list[str]) -> pd.Series:
    """Top-level rows `t` matching every term, each in the task's own text, the text of one
    of its measures, or the name/alias of a linked site."""
    kids = tasks[tasks["parent_id"].isin(set(t["id"])) & ~tasks["archived"].astype(bool)]
    own, kid_text = task_text(t), task_text(kids)
    mask = pd.Series(True, index=t.index, dtype=bool)
    for term in terms:
        via_kids = {int(p) for p in kids.loc[_has(kid_text, term), "parent_id"]}
        mask &= (_has(own, term) | t["id"].isin(via_kids)
                 | _any_in(t["site_ids"], sites_named(sites, term)))
    return mask


def filter_tasks(tasks: pd.DataFrame, f: Filters, sites: gpd.GeoDataFrame, place_of_site: dict[str, str]) -> pd.DataFrame:
    """Top-level, not archived tasks matching the filters. A place matches through the
    responsible units' places or through the linked sites' county; a kind through the
    linked sites; a keyword through the task text (its measures' included) or the names
    and aliases of the linked sites."""
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
        want = set(f.places)
        sites_there = {s for s, c in place_of_site.items() if c in want}
        t = t[_any_in(t["unit_place_codes"], want) | _any_in(t["site_ids"], sites_there)]
    if f.kinds:
        of_kind = set(sites.loc[sites["kind"].isin(f.kinds), "id"])
        t = t[_any_in(t["site_ids"], of_kind)]
    if f.terms:
        t = t[_keyword_mask(t, tasks, sites, f.terms)]
    return t


def filter_sites(sites: gpd.GeoDataFrame, f: Filters, tasks_shown: pd.DataFrame,
                 place_of_site: dict[str, str]) -> gpd.GeoDataFrame:
    """Sites to draw: by kind and place (a site's county; a management zone, which has no
    sites of its own, by the sites linked to the tasks it is responsible for). When a task
    filter is set, only the sites linked to the tasks shown — and, when the keyword is the
    only task filter, also the sites whose name or alias matches it."""
    s = sites
    if f.kinds:
        s = s[s["kind"].isin(f.kinds)]
    if f.places:
        want = set(f.places)
        keep = s["id"].map(place_of_site).isin(want)
        siteless = want - set(place_of_site.values())
        if siteless:
            theirs = tasks_shown[_any_in(tasks_shown["unit_place_codes"], siteless)]
            keep |= s["id"].isin({x for ids in _lists(theirs["site_ids"]) for x in ids})
        s = s[keep]
    other = f.statuses or f.flags or f.documents or f.categories or f.units
    if other or f.terms:
        keep = s["id"].isin({x for ids in _lists(tasks_shown["site_ids"]) for x in ids})
        if f.terms and not other:
            named = set(s["id"])
            for term in f.terms:
                named &= sites_named(s, term)
            keep |= s["id"].isin(named)
        s = s[keep]
    return s
