"""Cached reads for the pages. The cache key includes the store's revision (file
modification time for SQLite), so a write shows up on the next rerun."""

from __future__ import annotations

import os
from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.region import Region, load_region
from onemap import settings
from store import queries, repo
from store.db import reader


def store_revision() -> float:
    url = settings.database_url()
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return max((os.path.getmtime(p) for p in (path, path + "-wal") if os.path.exists(p)), default=0.0)
    return 0.0


@st.cache_data(show_spinner=False)
def _meta(url: str, rev: float) -> dict:
    with reader() as s:
        return {k: repo.get_meta(s, k) for k in ("region", "demo", "data_date")}


def meta() -> dict:
    return _meta(settings.database_url(), store_revision())


@st.cache_resource(show_spinner=False)
def _region(adcode: str) -> Region:
    return load_region(adcode)


def region() -> Region:
    return _region(meta().get("region") or "360200")


@st.cache_data(show_spinner=False)
def _tasks(url: str, rev: float, as_of: date, adcode: str, due_soon: int) -> pd.DataFrame:
    with reader() as s:
        return queries.tasks_frame(s, as_of, due_soon, places=_region(adcode).places)


def tasks(as_of: date) -> pd.DataFrame:
    return _tasks(settings.database_url(), store_revision(), as_of, region().adcode, settings.due_soon_days())


@st.cache_data(show_spinner=False)
def _sites(url: str, rev: float) -> gpd.GeoDataFrame:
    with reader() as s:
        return queries.sites_frame(s)


def sites() -> gpd.GeoDataFrame:
    return _sites(settings.database_url(), store_revision())


@st.cache_data(show_spinner=False)
def _events(url: str, rev: float, task_ids: tuple[int, ...]) -> pd.DataFrame:
    with reader() as s:
        return queries.events_frame(s, list(task_ids))


def events(task_ids: list[int]) -> pd.DataFrame:
    return _events(settings.database_url(), store_revision(), tuple(sorted(task_ids)))
