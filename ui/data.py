"""Cached reads for the pages. Every cache key includes the store revision
(a fingerprint of the latest writes), so a change made by anyone shows up on the
next rerun, while a filter change reuses everything already loaded."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.region import Region, load_region
from layers.sites import PreparedSites, prepare_geometry
from onemap import settings
from store import queries, repo
from store.db import reader


def store_revision() -> str:
    with reader() as s:
        return queries.revision(s)


@st.cache_data(show_spinner=False)
def _meta(url: str, rev: str) -> dict:
    with reader() as s:
        return {k: repo.get_meta(s, k) for k in ("region", "demo", "data_date")}


def meta() -> dict:
    return _meta(settings.database_url(), _rev())


def _rev() -> str:
    """One revision per script run (the first call of a run reads it)."""
    run = st.session_state.get("_run_id")
    cached = st.session_state.get("_rev")
    if cached is None or cached[0] != run:
        cached = (run, store_revision())
        st.session_state["_rev"] = cached
    return cached[1]


def new_run() -> None:
    """Called at the top of each script run: the next read refreshes the revision."""
    st.session_state["_run_id"] = st.session_state.get("_run_id", 0) + 1


@st.cache_resource(show_spinner=False)
def _region(adcode: str) -> Region:
    return load_region(adcode)


def region() -> Region:
    return _region(meta().get("region") or "360200")


@st.cache_data(show_spinner=False, max_entries=8)
def _tasks(url: str, rev: str, as_of: date, adcode: str, due_soon: int) -> pd.DataFrame:
    with reader() as s:
        return queries.tasks_frame(s, as_of, due_soon, places=_region(adcode).places)


def tasks(as_of: date) -> pd.DataFrame:
    return _tasks(settings.database_url(), _rev(), as_of, region().adcode, settings.due_soon_days())


@st.cache_data(show_spinner=False, max_entries=2)
def _sites(url: str, rev: str) -> gpd.GeoDataFrame:
    with reader() as s:
        return queries.sites_frame(s)


def sites() -> gpd.GeoDataFrame:
    return _sites(settings.database_url(), _rev())


@st.cache_resource(show_spinner=False, max_entries=2)
def _prepared(url: str, rev: str, adcode: str) -> PreparedSites:
    names = {c.code: c.name for c in _region(adcode).places.counties}
    return prepare_geometry(_sites(url, rev), names)


def prepared_sites() -> PreparedSites:
    return _prepared(settings.database_url(), _rev(), region().adcode)


@st.cache_data(show_spinner=False)
def _events(url: str, rev: str, task_ids: tuple[int, ...]) -> pd.DataFrame:
    with reader() as s:
        return queries.events_frame(s, list(task_ids))


def events(task_ids: list[int]) -> pd.DataFrame:
    return _events(settings.database_url(), _rev(), tuple(sorted(task_ids)))


def after_write() -> None:
    """A write just happened in this session: read the new revision now."""
    st.session_state.pop("_rev", None)
