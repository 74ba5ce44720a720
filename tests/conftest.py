"""Test fixtures: every test gets its own data directory (ONEMAP_DATA_DIR); the
demo store is built once per session and copied for tests that need it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from onemap import settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture()
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("ONEMAP_DATA_DIR", str(d))
    monkeypatch.delenv("ONEMAP_DATABASE_URL", raising=False)
    return d


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("ONEMAP_DATA_DIR", str(d))
    from onemap.demo import build_demo
    from store.db import get_engine

    build_demo()
    get_engine(settings.database_url()).dispose()  # checkpoint the WAL into the file we copy
    mp.undo()
    return d / "onemap.sqlite"


@pytest.fixture()
def demo_dir(data_dir, demo_store) -> Path:
    """A data directory holding a private copy of the demo store."""
    shutil.copyfile(demo_store, data_dir / "onemap.sqlite")
    return data_dir


def db_counts() -> dict[str, int]:
    from sqlalchemy import func, select

    from store import models as m
    from store.db import reader

    with reader(settings.database_url()) as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t))
                for t in (m.Site, m.Task, m.Document, m.StatusEvent, m.TaskSite, m.Unit)}
