"""Where things live: the data directory, the database URL, the bundled data.

`ONEMAP_DATA_DIR` selects the data directory (store, uploads, attachments).
Default: `var/` next to `app.py` in the repository.
`ONEMAP_IDLE_MINUTES` ends a signed-in session after that much inactivity (default 30).
`ONEMAP_DUE_SOON_DAYS` sets the 临期 window (default 30 days).
`ONEMAP_DATABASE_URL` overrides the database (default: SQLite file in the data dir),
so the same code and tests can run against PostgreSQL.
`ONEMAP_LIMIT_*` bound what an input may be (see `LIMITS`). A bad value of any setting is an
error naming the variable, never a silent default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
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


class SettingError(ValueError):
    """A setting with a value that cannot be used; the message is Chinese and names it."""


def _int_env(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise SettingError(f"设置 {name}=“{raw[:40]}”无效：应为整数") from None
    if value < minimum:
        raise SettingError(f"设置 {name}={value} 无效：不能小于 {minimum}")
    return value


def due_soon_days() -> int:
    """临期 window: a task due within this many days (ONEMAP_DUE_SOON_DAYS, default 30)."""
    return _int_env("ONEMAP_DUE_SOON_DAYS", 30)


def canvas_above() -> int:
    """Sites on the map above which they are drawn on a canvas, not as one element each
    (ONEMAP_CANVAS_ABOVE, default 600)."""
    return _int_env("ONEMAP_CANVAS_ABOVE", 600)


MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an input may be. Each is set by ONEMAP_LIMIT_<NAME> (e.g. ONEMAP_LIMIT_UPLOAD_BYTES)."""

    upload_bytes: int = 200 * MB  # any file brought in (uploads, CLI imports)
    backup_bytes: int = 4096 * MB  # a backup file
    unzipped_bytes: int = 8192 * MB  # a backup's content once inflated
    zip_entries: int = 100_000  # entries in a backup
    doc_unzipped_bytes: int = 50 * MB  # a .docx once inflated (text documents are small)
    doc_entries: int = 2000  # entries in a .docx
    sheet_unzipped_bytes: int = 200 * MB  # an .xlsx once inflated
    ledger_rows: int = 20_000  # rows of a table (ledger or site table)
    field_chars: int = 2000  # one cell of a ledger


LIMITS = tuple(f.name for f in fields(Limits))


def limits() -> Limits:
    return Limits(**{f.name: _int_env(f"ONEMAP_LIMIT_{f.name.upper()}", f.default) for f in fields(Limits)})


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
