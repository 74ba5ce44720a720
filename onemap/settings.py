"""Where things live: the data directory, the database URL, the bundled data.

`ONEMAP_DATA_DIR` selects the data directory (store, uploads, attachments).
Default: `var/` next to `app.py` in the repository.
`ONEMAP_IDLE_MINUTES` ends a signed-in session after that much inactivity (default 30).
`ONEMAP_DUE_SOON_DAYS` sets the 临期 window (default 30 days).
`ONEMAP_DATABASE_URL` overrides the database (default: SQLite file in the data dir),
so the same code and tests can run against PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA = REPO_ROOT / "data"
CONFIG_DIR = BUNDLED_DATA / "config"
REGIONS_DIR = BUNDLED_DATA / "regions"
DEMO_DIR = BUNDLED_DATA / "demo"


def data_dir() -> Path:
    path = Path(os.environ.get("ONEMAP_DATA_DIR") or REPO_ROOT / "var").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    url = os.environ.get("ONEMAP_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'onemap.sqlite'}"


def due_soon_days() -> int:
    """临期 window: a task due within this many days (ONEMAP_DUE_SOON_DAYS, default 30)."""
    try:
        return max(1, int(os.environ.get("ONEMAP_DUE_SOON_DAYS", "30")))
    except ValueError:
        return 30


def attachments_dir() -> Path:
    path = data_dir() / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def idle_minutes() -> int:
    """Idle session timeout in minutes (ONEMAP_IDLE_MINUTES, default 30)."""
    try:
        return max(1, int(os.environ.get("ONEMAP_IDLE_MINUTES", "30")))
    except ValueError:
        return 30
