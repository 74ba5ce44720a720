"""Engine, sessions and migrations. Every write goes through `transaction()`:
one database transaction, rolled back entirely on any error."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from onemap import settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


MIGRATION_LOCK = 16_0008  # pg_advisory_xact_lock key: one migrating process at a time


def migrate(engine: Engine) -> None:
    """Bring the schema to head. Several app processes start at once on one PostgreSQL
    (deploy/): the first takes a transaction-scoped advisory lock and migrates, the others wait
    for it and then find the schema at head (PostgreSQL's DDL is transactional)."""
    with engine.execution_options(onemap_write=True).begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        cfg = _alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


_FILE_IDS: dict[str, tuple[int, int] | None] = {}


def _file_id(url: str) -> tuple[int, int] | None:
    try:
        st = os.stat(make_url(url).database or "")
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def get_engine(url: str | None = None) -> Engine:
    """The engine of a store, one per URL. A SQLite file replaced by another process (a
    restore run from the command line while the app serves) is noticed by its inode and the
    new file opened: the app never keeps writing into a deleted database."""
    url = url or settings.database_url()
    if not url.startswith("sqlite"):
        return _engine(url)
    known = _FILE_IDS.get(url)
    if known is not None and _file_id(url) != known:
        _engine(url).dispose()
        _engine.cache_clear()
    engine = _engine(url)
    _FILE_IDS[url] = _file_id(url)
    return engine


get_engine.cache_clear = lambda: (_engine.cache_clear(), _FILE_IDS.clear())  # type: ignore[attr-defined]


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, future=True, **({"connect_args": {"timeout": 30}} if sqlite else {}))
    if sqlite:
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - driver hook
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - driver hook
            # A write transaction takes the write lock before it reads (BEGIN IMMEDIATE), so
            # a check made inside it (the task's current status) still holds when it writes;
            # a second writer waits for the first instead of failing on a stale snapshot.
            mode = "IMMEDIATE" if conn.get_execution_options().get("onemap_write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")
    migrate(engine)
    return engine


def session_factory(url: str | None = None, *, write: bool = False) -> sessionmaker[Session]:
    engine = get_engine(url or settings.database_url())
    return sessionmaker(engine.execution_options(onemap_write=True) if write else engine, expire_on_commit=False)


@contextmanager
def transaction(url: str | None = None) -> Iterator[Session]:
    """All-or-nothing unit of work (on SQLite it holds the write lock from its first read)."""
    session = session_factory(url, write=True)()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


@contextmanager
def reader(url: str | None = None) -> Iterator[Session]:
    session = session_factory(url)()
    try:
        yield session
    finally:
        session.close()
