"""Spatial selections (store.queries: sites in a county, in a drawn area, in the map's bounds):
exact answers on a hand-made fixture whose answer is known by construction, the demo's counties
against a plain shapely loop over the stored rows, and — with a PostgreSQL server at hand
(scripts/test-postgres.sh) — the same fixture written to SQLite and to PostGIS giving the same ids,
with the PostGIS query planned on the GiST index."""

from __future__ import annotations

import os
from datetime import datetime

import geopandas as gpd
import pytest
import shapely
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as hs
from sqlalchemy import text

from onemap import services, settings
from store import models as m
from store import queries as q
from store.db import get_engine, reader, transaction
from store.geometry import Geometry
from tests import truth
from tests.conftest import PG_URL, _pg_create, _pg_drop

T0 = datetime(2026, 11, 24, 9, 0)
# two square counties sharing the edge x = 117.2
COUNTIES = gpd.GeoDataFrame({"adcode": ["A", "B"], "name": ["甲县", "乙县"]},
                            geometry=[shapely.box(117.0, 29.0, 117.2, 29.2), shapely.box(117.2, 29.0, 117.4, 29.2)],
                            crs="EPSG:4326")
SITES = {
    "P1": "POINT (117.1 29.1)",  # inside A
    "P2": "POINT (117.3 29.1)",  # inside B
    "P3": "POINT (117.2 29.1)",  # on the shared border: in both
    "PARK": "POLYGON ((117.15 29.05, 117.25 29.05, 117.25 29.15, 117.15 29.15, 117.15 29.05))",  # across it
    "LINE": "LINESTRING (117.3 29.15, 117.35 29.18)",  # inside B
    "FAR": "POINT (118.0 30.0)",  # in neither
}


def _write_fixture(url: str) -> None:
    with transaction(url) as s:
        s.add_all(m.Site(id=i, kind="监测断面", name=i, geom_wkt=w, updated_at=T0) for i, w in SITES.items())


def _answers(url: str) -> dict:
    with reader(url) as s:
        return {
            "A": q.site_ids_in_county(s, COUNTIES, "A"),
            "B": q.site_ids_in_county(s, COUNTIES, "B"),
            "unknown": q.site_ids_in_county(s, COUNTIES, "Z"),
            "bounds": q.site_ids_in_bounds(s, 117.0, 29.0, 117.12, 29.2),
            "bounds_park_corner": q.site_ids_in_bounds(s, 117.24, 29.14, 117.26, 29.16),
            "bounds_empty": q.site_ids_in_bounds(s, 117.2, 29.0, 117.1, 29.2),
            "drawn": q.site_ids_in_area(s, shapely.Polygon([(117.22, 29.0), (117.45, 29.0), (117.35, 29.19)])),
        }


EXPECTED = {
    "A": ["P1", "P3", "PARK"],
    "B": ["LINE", "P2", "P3", "PARK"],
    "unknown": [],
    "bounds": ["P1"],
    "bounds_park_corner": ["PARK"],
    "bounds_empty": [],
    "drawn": ["LINE", "P2"],
}


def test_selections_on_the_current_engine_give_the_known_ids(data_dir):
    url = settings.database_url()
    _write_fixture(url)
    assert _answers(url) == EXPECTED


def test_demo_counties_match_a_plain_loop_over_the_stored_rows(demo_dir):
    region = services.active_region()
    counties = region.counties()
    rows = truth.sites()
    with reader() as s:
        for code, poly in zip(counties["adcode"].astype(str), counties.geometry, strict=True):
            want = sorted(i for i, r in rows.items() if poly.intersects(shapely.from_wkt(r["geom_wkt"])))
            assert q.site_ids_in_county(s, counties, code) == want, code
    assert rows  # the demo has sites: the loop above compared something


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(x=hs.floats(116.9, 117.5), y=hs.floats(28.9, 29.3), w=hs.floats(0.001, 0.3), h=hs.floats(0.001, 0.3))
def test_bounds_match_a_plain_loop(data_dir, x, y, w, h):
    url = settings.database_url()
    with reader(url) as s:
        if not q.site_ids_in_area(s, shapely.box(116, 28, 119, 31)):
            _write_fixture(url)
    box = shapely.box(x, y, x + w, y + h)
    want = sorted(i for i, wkt in SITES.items() if box.intersects(shapely.from_wkt(wkt)))
    with reader(url) as s:
        assert q.site_ids_in_bounds(s, x, y, x + w, y + h) == want
        assert q.site_ids_in_area(s, box) == want


@pytest.mark.skipif(not PG_URL, reason="needs a PostgreSQL server (scripts/test-postgres.sh)")
def test_sqlite_and_postgis_agree_on_the_same_fixture(tmp_path):
    lite = f"sqlite:///{tmp_path / 'fixture.sqlite'}"
    pg = _pg_create(f"t_spatial_{os.getpid()}")
    try:
        _write_fixture(lite)
        _write_fixture(pg)
        assert _answers(lite) == _answers(pg) == EXPECTED
        with get_engine(pg).connect() as c:
            kinds = dict(c.execute(text("SELECT f_table_name, type FROM geometry_columns")).all())
            assert kinds == {"sites": "GEOMETRY", "ref_features": "GEOMETRY"}
            idx = c.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_sites_geom'")).scalar()
            assert "USING gist (geom_wkt)" in idx
            # the planner takes the index once it must (no table scan allowed)
            c.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(r[0] for r in c.execute(text(
                "EXPLAIN SELECT id FROM sites WHERE ST_Intersects(geom_wkt, ST_MakeEnvelope(117, 29, 117.12, 29.2, 4326))")))
            assert "ix_sites_geom" in plan
    finally:
        _pg_drop(pg)


@pytest.mark.skipif(not PG_URL, reason="needs a PostgreSQL server (scripts/test-postgres.sh)")
def test_the_migration_creates_postgis_where_the_database_lacks_it():
    """template0 has no extensions: the migration itself must create PostGIS."""
    from sqlalchemy.engine import make_url

    from tests.conftest import _pg_admin

    name = f"t_bare_{os.getpid()}"
    with _pg_admin().connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        _write_fixture(url)
        assert _answers(url) == EXPECTED
        with get_engine(url).connect() as c:
            assert c.execute(text("SELECT extname FROM pg_extension WHERE extname = 'postgis'")).scalar() == "postgis"
    finally:
        _pg_drop(url)


def _migrate_to(url: str, revision: str) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from store.db import _alembic_config

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            cfg = _alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def _insert_wkt_as_text(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for i, w in SITES.items():
                conn.execute(text("INSERT INTO sites (id, kind, name, aliases, county_code, attrs, geom_wkt, source_crs, "
                                  "source, illustrative, updated_at) VALUES (:i, '监测断面', :i, '[]', NULL, '{}', :w, "
                                  "'EPSG:4326', '', false, :t)"), {"i": i, "w": w, "t": T0})
    finally:
        engine.dispose()


def test_upgrading_a_store_of_text_wkt_keeps_every_geometry(tmp_path):
    """A store written before 0008 (WKT text) is migrated in place: on PostGIS the column becomes
    geometry and every value reads back as the same geometry; on SQLite nothing changes."""
    url = _pg_create(f"t_upgrade_{os.getpid()}") if PG_URL else f"sqlite:///{tmp_path / 'old.sqlite'}"
    try:
        _migrate_to(url, "0007")
        _insert_wkt_as_text(url)
        _migrate_to(url, "head")
        get_engine.cache_clear()
        with reader(url) as s:
            stored = dict(s.execute(text("SELECT id, geom_wkt FROM sites").columns(geom_wkt=Geometry())).all())
            assert {i: shapely.from_wkt(w) for i, w in stored.items()} == {i: shapely.from_wkt(w) for i, w in SITES.items()}
            assert _answers(url) == EXPECTED
            if not PG_URL:  # SQLite: the very text, in a TEXT column
                assert stored == SITES
                cols = {r[1]: r[2] for r in s.execute(text("PRAGMA table_info(sites)"))}
                assert cols["geom_wkt"] == "TEXT"
            else:
                kind = s.execute(text("SELECT type FROM geometry_columns WHERE f_table_name = 'sites'")).scalar()
                assert kind == "GEOMETRY"
    finally:
        if PG_URL:
            _pg_drop(url)
