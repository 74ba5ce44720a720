"""Test fixtures. Every test gets its own empty store; the demo store is built once
per session and cloned for the tests that need it.

Backends: SQLite by default (a data directory per test). With
ONEMAP_TEST_DATABASE_URL set to a PostgreSQL server URL (e.g.
postgresql+psycopg://postgres@127.0.0.1:55432/postgres), each store is a fresh
database on that server and the demo is cloned from a template database — the same
tests run against PostgreSQL (scripts/test-postgres.sh)."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from onemap import settings

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get("ONEMAP_TEST_DATABASE_URL")
DEMO_TEMPLATE = "onemap_demo_template"


def _pg_admin():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _pg_create(name: str, template: str | None = None) -> str:
    with _pg_admin().connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _pg_drop(url: str) -> None:
    from store.db import get_engine

    get_engine(url).dispose()
    name = make_url(url).database
    with _pg_admin().connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Stores:
    """Makes empty stores (or demo clones) and points the environment at one."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        self.tmp, self.mp, self.created = tmp_path, monkeypatch, []

    def new(self, *, demo: Path | str | None = None) -> Path:
        d = self.tmp / f"data-{uuid.uuid4().hex[:8]}"
        d.mkdir()
        self.mp.setenv("ONEMAP_DATA_DIR", str(d))
        if PG_URL:
            url = _pg_create(f"t_{uuid.uuid4().hex[:12]}", DEMO_TEMPLATE if demo else None)
            self.created.append(url)
            self.mp.setenv("ONEMAP_DATABASE_URL", url)
        else:
            self.mp.delenv("ONEMAP_DATABASE_URL", raising=False)
            if demo:
                shutil.copyfile(demo, d / "onemap.sqlite")
        return d

    def close(self) -> None:
        for url in self.created:
            _pg_drop(url)


@pytest.fixture()
def stores(tmp_path, monkeypatch):
    s = Stores(tmp_path, monkeypatch)
    yield s
    s.close()


@pytest.fixture()
def data_dir(stores) -> Path:
    return stores.new()


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path | str:
    """The demo, built once: a SQLite file, or a PostgreSQL template database."""
    from store.db import get_engine

    d = tmp_path_factory.mktemp("demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("ONEMAP_DATA_DIR", str(d))
    if PG_URL:
        url = _pg_create(DEMO_TEMPLATE)
        mp.setenv("ONEMAP_DATABASE_URL", url)
    from onemap.demo import build_demo

    build_demo()
    get_engine(settings.database_url()).dispose()  # checkpoint the WAL / free the template
    mp.undo()
    return DEMO_TEMPLATE if PG_URL else d / "onemap.sqlite"


@pytest.fixture()
def demo_dir(stores, demo_store) -> Path:
    """A store holding a private copy of the demo."""
    return stores.new(demo=demo_store)


def db_counts() -> dict[str, int]:
    from sqlalchemy import func, select

    from store import models as m
    from store.db import reader

    with reader(settings.database_url()) as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t))
                for t in (m.Site, m.Task, m.Document, m.StatusEvent, m.TaskSite, m.Unit)}


from domain.actors import Actor  # noqa: E402 - the tests' actors

# the actor of the tests that call the services directly (imports, exports, views)
MANAGER_ACTOR = Actor("t-manager", "业务管理员（测试）", "业务管理员", "市生态环境局")
TEST_PASSWORD = "Test@2026pass"
MANAGER = {"name": "业务管理员（测试）", "unit": "市生态环境局", "role": "业务管理员"}


def account(name: str, unit: str = "市生态环境局", role: str = "审核", county: str = "") -> str:
    """An account in the current test store (created once, no forced password change):
    its user name. The password is TEST_PASSWORD."""
    import hashlib

    from sqlalchemy import select

    from domain.actors import SYSADMIN, Actor
    from onemap import accounts
    from store import models as m
    from store.db import reader

    username = "t-" + hashlib.sha1(f"{name}|{unit}|{role}|{county}".encode()).hexdigest()[:10]
    with reader(settings.database_url()) as s:
        if s.scalar(select(m.User.id).where(m.User.username == username)) is None:
            accounts.add_user(Actor("tests", "测试夹具", SYSADMIN), username, name, role, TEST_PASSWORD, unit=unit,
                              county_code=county, must_change=False)
    return username


def session_token(name: str = MANAGER["name"], unit: str = MANAGER["unit"], role: str = MANAGER["role"],
                  county: str = "") -> str:
    """A signed-in session of that account (through onemap.accounts.sign_in)."""
    from onemap import accounts

    return accounts.sign_in(account(name, unit, role, county), TEST_PASSWORD).token


def sign_in(at, name: str = MANAGER["name"], unit: str = MANAGER["unit"], role: str = MANAGER["role"],
            county: str = ""):
    """Sign an AppTest session in as that account (the app resumes the session from its token)."""
    at.session_state["auth_token"] = session_token(name, unit, role, county)
    return at


def _one_page(view: str) -> None:
    """The script of a page run on its own (AppTest.from_function copies this source)."""
    import importlib

    from onemap.assets import use_local_assets
    from ui import auth, data

    use_local_assets()
    auth.gate()
    data.new_run()
    from ui import boundary

    boundary.show_pending()  # a callback's refusal, shown as the app's boundary does
    module, _, func = view.partition(":")  # "audit_view:accounts_page": another page of the module
    getattr(importlib.import_module(f"ui.views.{module}"), func or "render")()


def page_test(view: str, timeout: float = 180, signed_in: bool = True):
    """An AppTest of one page module of ui/views (not yet run), signed in as a 业务管理员."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_one_page, args=(view,), default_timeout=timeout)
    return sign_in(at) if signed_in else at


def app_test(timeout: float = 180, signed_in: bool = True, **query):
    """An AppTest of the whole app with URL parameters (not yet run), signed in as a 业务管理员."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(settings.REPO_ROOT / "app.py"), default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    return sign_in(at) if signed_in else at


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """The app on an empty store (the 开始 page), one per test module."""
    from tests.browser_kit import _browser_or_skip, serve_app

    _browser_or_skip()
    mp = pytest.MonkeyPatch()
    stores = Stores(tmp_path_factory.mktemp("empty"), mp)
    stores.new()
    yield from serve_app()
    stores.close()
    mp.undo()


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_store):
    """The app on a private copy of the demo (one per test module), plus one hostile site name."""
    from tests.browser_kit import server_fixture

    yield from server_fixture(tmp_path_factory, demo_store)


@pytest.fixture()
def page():
    """A Chromium page that blocks and records every request leaving the machine."""
    from tests.browser_kit import page_fixture

    yield from page_fixture()


@pytest.hookimpl(tryfirst=True)  # before `-m "not browser"` deselects
def pytest_collection_modifyitems(config, items):
    """A test that drives a browser is a browser test, marked or not (a file that forgot its
    `pytestmark` ran its browser journey on PostgreSQL too, where `-m "not browser"` was meant
    to leave it out)."""
    for item in items:
        if {"page", "server", "empty_server"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
