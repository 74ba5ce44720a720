"""Cached reads for the pages. Every cache key includes the store revision
(a fingerprint of the latest writes), so a change made by anyone shows up on the
next rerun, while a filter change reuses everything already loaded."""

from __future__ import annotations

import hashlib
from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.region import Region, load_region
from layers.sites import PreparedSites, prepare_geometry
from onemap import settings
from store import queries, repo
from store.db import reader


def store_revision() -> dict[str, str]:
    with reader() as s:
        return queries.revision(s)


@st.cache_data(show_spinner=False)
def _meta(url: str, rev: str) -> dict:
    with reader() as s:
        return {k: repo.get_meta(s, k) for k in ("region", "demo", "data_date")}


def meta() -> dict:
    return _meta(settings.database_url(), _rev("meta") + _rev("sites") + _rev("tasks"))


def _rev(part: str) -> str:
    """The store revision of one part, read once per script run."""
    run = st.session_state.get("_run_id")
    cached = st.session_state.get("_rev")
    if cached is None or cached[0] != run:
        cached = (run, store_revision())
        st.session_state["_rev"] = cached
    return cached[1][part]


def revision(*parts: str) -> str:
    """The store revision of the given parts (a cache key for what is built from them)."""
    return "#".join(_rev(p) for p in parts)


def fingerprint(*parts) -> str:
    """A fingerprint of frames, sequences of ids and plain values, for cache keys: frames by
    pandas' row hashes (index and values), sequences by their text."""
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        if isinstance(p, (pd.DataFrame, pd.Series)):
            h.update(pd.util.hash_pandas_object(p, index=True).to_numpy().tobytes())
            h.update(repr(list(p.columns) if isinstance(p, pd.DataFrame) else p.name).encode())
        elif isinstance(p, (list, tuple)):
            h.update("\x1f".join(map(str, p)).encode("utf-8"))
        else:
            h.update(repr(p).encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()


def new_run() -> None:
    """Called at the top of each script run: the next read refreshes the revision."""
    st.session_state["_run_id"] = st.session_state.get("_run_id", 0) + 1


@st.cache_data(show_spinner=False, max_entries=4)
def _views(url: str, rev: str) -> list[dict]:
    from onemap.meetings import saved_views

    return saved_views()


def views() -> list[dict]:
    """The saved views (presentation sequence), read once per change of the store."""
    return _views(settings.database_url(), _rev("meta"))


@st.cache_resource(show_spinner=False)
def _region(adcode: str) -> Region:
    return load_region(adcode)


def region() -> Region:
    return _region(meta().get("region") or "360200")


# Shared, not copied: the frames are large and the pages only read them (filters make
# new frames). st.cache_data would unpickle a fresh copy on every call.
@st.cache_resource(show_spinner=False, max_entries=2)
def _static(url: str, rev_tasks: str, adcode: str) -> pd.DataFrame:
    with reader() as s:
        return queries.task_static_frame(s, _region(adcode).places)


@st.cache_resource(show_spinner=False, max_entries=8)
def _status(url: str, rev_events: str, as_of: date) -> pd.DataFrame:
    with reader() as s:
        return queries.task_status_frame(s, as_of)


@st.cache_resource(show_spinner=False, max_entries=8)
def _tasks(url: str, rev_tasks: str, rev_events: str, as_of: date, adcode: str, due_soon: int) -> pd.DataFrame:
    return queries.combine(_static(url, rev_tasks, adcode), _status(url, rev_events, as_of), as_of, due_soon)


def _task_key(as_of: date) -> tuple:
    return (settings.database_url(), _rev("tasks"), _rev("events"), as_of, region().adcode, settings.due_soon_days())


def tasks(as_of: date) -> pd.DataFrame:
    return _tasks(*_task_key(as_of))


@st.cache_resource(show_spinner=False, max_entries=2)
def _targets(url: str, rev_tasks: str, adcode: str) -> pd.DataFrame:
    with reader() as s:
        return queries.targets_frame(s, _region(adcode).places)


def targets() -> pd.DataFrame:
    """Every document's 主要目标 indicators (not tasks), with the places they name."""
    return _targets(settings.database_url(), _rev("tasks"), region().adcode)


@st.cache_resource(show_spinner=False, max_entries=2)
def _sites(url: str, rev: str) -> gpd.GeoDataFrame:
    with reader() as s:
        return queries.sites_frame(s)


def sites() -> gpd.GeoDataFrame:
    return _sites(settings.database_url(), _rev("sites"))


@st.cache_resource(show_spinner=False, max_entries=4)
def _prepared(url: str, rev: str, adcode: str, datum: str = "WGS84") -> PreparedSites:
    from geo.gcj import Datum

    names = {c.code: c.name for c in _region(adcode).places.counties}
    return prepare_geometry(_sites(url, rev), names, datum=Datum(datum))


def prepared_sites(datum=None) -> PreparedSites:
    """The sites' display geometry; with a GCJ-02 datum (a 高德/腾讯 basemap), shifted to it."""
    return _prepared(settings.database_url(), _rev("sites"), region().adcode, datum.name if datum else "WGS84")


@st.cache_resource(show_spinner=False, max_entries=16)
def _rollup(task_key: tuple, site_rev: str, shown: str, _tasks_shown: pd.DataFrame) -> pd.DataFrame:
    """shown: "all", or the fingerprint of the filtered tasks' ids (their fields are the
    task_key's); the frame itself is not hashed (the leading underscore)."""
    from domain.rollup import site_summary

    return site_summary(_tasks_shown, list(_sites(task_key[0], site_rev)["id"]))


def site_rollup(f, tasks_shown: pd.DataFrame) -> pd.DataFrame:
    """The sites' roll-up of the tasks the filters show (f: domain.filtering.Filters; tasks_shown:
    filter_tasks' rows of tasks(f.as_of)), cached per store revision and set of tasks shown — a
    filter flipped back and forth, or the same filter in everyone's session, is rolled up once.
    Without a task filter: of all tasks."""
    key = _task_key(f.as_of)
    if not f.task_filter_active:
        return _rollup(key, _rev("sites"), "all", _tasks(*key))
    return _rollup(key, _rev("sites"), fingerprint(list(tasks_shown["id"])), tasks_shown)


@st.cache_data(show_spinner=False)
def _events(url: str, rev: str, task_ids: tuple[int, ...]) -> pd.DataFrame:
    with reader() as s:
        return queries.events_frame(s, list(task_ids))


def events(task_ids: list[int]) -> pd.DataFrame:
    return _events(settings.database_url(), _rev("events"), tuple(sorted(task_ids)))


def after_write() -> None:
    """A write just happened in this session: read the new revision now."""
    st.session_state.pop("_rev", None)


@st.cache_resource(show_spinner=False, max_entries=2)
def _references(url: str, rev: str) -> list:
    from layers.reference import prepare_layer
    from onemap import reflayers

    frame = reflayers.layers()
    return [prepare_layer(r["id"], r["name"], r["kind"], reflayers_style(r), r["geometry_type"],
                          reflayers.layer_features(int(r["id"]))) for _, r in frame.iterrows()]


def reflayers_style(row) -> dict:
    from domain.reflayers import style_of

    return style_of(row["kind"], row["style"])


def reference_layers() -> list:
    """The reference layers ready to draw (layers.reference.RefLayerData), per store revision."""
    return _references(settings.database_url(), _rev("refs"))


@st.cache_data(show_spinner=False, max_entries=8)
def _water_months(url: str, rev: str, as_of: date) -> list[str]:
    from onemap import water

    return water.months(as_of)


def water_months(as_of: date) -> list[str]:
    """The months with water-quality values at or before the 截至日期."""
    return _water_months(settings.database_url(), _rev("water"), as_of)


@st.cache_resource(show_spinner=False, max_entries=8)
def _water_verdicts(url: str, rev: str, month: str | None, year: int | None, through: str | None) -> dict:
    from onemap import water

    return water.period_verdicts(month=month, year=year, through=through)


def water_verdicts(*, month: str | None = None, year: int | None = None, through: str | None = None) -> dict:
    """onemap.water.period_verdicts, read once per change of the water data (shared, read-only)."""
    return _water_verdicts(settings.database_url(), _rev("water"), month, year, through)
