"""One-file backup of everything the store holds: a zip with a manifest.

Contents (`eco-onemap-backup/1`):
- `manifest.json` — format tag, schema revision (alembic), time, and for every table its
  row count and the sha256 of its rows file, for every other file its size and sha256;
- `tables/NAME.jsonl` — one JSON object per row, ordered by primary key. Tables are
  *reflected* from the database (not taken from `store.models`), so a table a migration
  adds (accounts, audit trail …) is backed up and restored without a code change;
- `files/attachments/…` — the evidence files the `attachments` rows and the findings'
  photos point at (content-addressed under the data directory);
- `files/regions/ADCODE/…` — the user-built regions (`onemap region`).
Settings, saved meeting views and the active region live in the `meta` table.

It is a logical backup (rows, not a database file), so a SQLite backup restores into
PostgreSQL and back. `store.restore` reads it back, all-or-nothing.
The format is our own (a zip of JSON lines): pg_dump/sqlite3 .dump are tied to one
engine and know nothing about the files beside the database.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import JSON, MetaData, Table, select, text
from sqlalchemy.engine import Connection

from onemap import settings
from store import geometry

FORMAT_TAG = "eco-onemap-backup/1"
MANIFEST = "manifest.json"
VERSION_TABLE = "alembic_version"
ATTACH_PREFIX = "files/attachments/"
REGION_PREFIX = "files/regions/"
# names a backup may hold: anything else is refused (no entry can leave its folder)
SAFE_ENTRY = re.compile(r"^(manifest\.json|tables/[a-z_][a-z0-9_]{0,62}\.jsonl"
                        r"|files/attachments/[0-9a-f]{2}/[0-9a-f]{64}(\.[^./\\\x00]{1,32})?"  # the stored file's own suffix
                        r"|files/regions/\d{6}/(region\.json|counties\.geojson))$")


class BackupError(ValueError):
    """A refused backup or restore; the message is Chinese and meant for the user."""


# ----------------------------------------------------------------------------- values
def encode_value(v):
    """A database value as JSON (dates as ISO text; JSON columns stay structured)."""
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"$base64": base64.b64encode(bytes(v)).decode("ascii")}
    return v


def reflect(conn: Connection) -> MetaData:
    return geometry.reflect(conn)


def data_tables(md: MetaData) -> list[Table]:
    """Every table but alembic's own, parents before children."""
    return [t for t in md.sorted_tables if t.name != VERSION_TABLE]


def schema_revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    except Exception:  # noqa: BLE001 - no version table: an empty, unmigrated database
        return None


def table_rows(conn: Connection, table: Table) -> list[dict]:
    order = list(table.primary_key.columns) or list(table.columns)
    return [{k: encode_value(v) for k, v in r._mapping.items()}
            for r in conn.execute(select(table).order_by(*order))]


def rows_blob(rows: list[dict]) -> bytes:
    """JSON lines, fields in column order and JSON values as stored (never re-sorted: a
    restored store then holds the very same text)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot(conn: Connection) -> dict[str, dict]:
    """Row count and content hash of every table (the store's fingerprint)."""
    out = {}
    for t in data_tables(reflect(conn)):
        blob = rows_blob(table_rows(conn, t))
        out[t.name] = {"rows": blob.count(b"\n"), "sha256": sha256(blob)}
    return out


# ----------------------------------------------------------------------------- files
def referenced_files(md: MetaData, conn: Connection) -> list[str]:
    """Stored paths (relative to the attachments folder) the store points at."""
    paths: set[str] = set()
    if "attachments" in md.tables:
        paths.update(r[0] for r in conn.execute(select(md.tables["attachments"].c.stored_path)))
    if "inspection_findings" in md.tables:
        for (photos,) in conn.execute(select(md.tables["inspection_findings"].c.photos)):
            photos = json.loads(photos) if isinstance(photos, str) else photos
            paths.update(p["stored_path"] for p in photos or [] if isinstance(p, dict) and p.get("stored_path"))
    return sorted(p.replace("\\", "/") for p in paths)


def region_files() -> list[tuple[str, Path]]:
    root = settings.data_dir() / "regions"
    out = []
    for folder in sorted(root.glob("[0-9]" * 6)) if root.exists() else []:
        for name in ("region.json", "counties.geojson"):
            if (folder / name).is_file():
                out.append((f"{REGION_PREFIX}{folder.name}/{name}", folder / name))
    return out


# ----------------------------------------------------------------------------- write
def write_backup(path: Path, url: str | None = None) -> dict:
    """Write the whole store to `path` (atomically: a finished file or none). Returns the manifest."""
    from store.db import get_engine

    path = Path(path)
    engine = get_engine(url or settings.database_url())
    entries: dict[str, bytes | Path] = {}
    manifest: dict = {"format": FORMAT_TAG, "created_at": datetime.now().replace(microsecond=0).isoformat(sep=" "),
                      "database": engine.dialect.name, "tables": {}, "files": {}}
    opts = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**opts) as conn, conn.begin():  # one consistent snapshot
        manifest["schema_revision"] = schema_revision(conn)
        md = reflect(conn)
        for t in data_tables(md):
            blob = rows_blob(table_rows(conn, t))
            entries[f"tables/{t.name}.jsonl"] = blob
            manifest["tables"][t.name] = {"rows": blob.count(b"\n"), "sha256": sha256(blob),
                                          "columns": [c.name for c in t.columns]}
        stored = referenced_files(md, conn)
    root = settings.attachments_dir()
    missing = [p for p in stored if not (root / p).is_file()]
    if missing:
        raise BackupError(f"附件文件缺失，未生成备份：{'、'.join(missing[:5])}"
                          f"{f'等 {len(missing)} 个' if len(missing) > 5 else ''}（数据目录 attachments 下）")
    for rel in stored:
        entries[ATTACH_PREFIX + rel] = root / rel
    for arc, src in region_files():
        entries[arc] = src
    for arc, src in entries.items():
        if arc.startswith("files/"):
            data = src.read_bytes() if isinstance(src, Path) else src
            manifest["files"][arc] = {"size": len(data), "sha256": sha256(data)}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
            for arc, src in entries.items():
                if isinstance(src, Path):
                    zf.write(src, arc)
                else:
                    zf.writestr(arc, src)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return manifest


def backup_bytes(url: str | None = None) -> tuple[bytes, dict]:
    """A backup as bytes (the admin page's download)."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "backup.zip"
        manifest = write_backup(p, url)
        return p.read_bytes(), manifest


# ----------------------------------------------------------------------------- read
def open_backup(path: Path) -> tuple[zipfile.ZipFile, dict]:
    """Open a backup and check its shape, sizes and every hash against the manifest, before
    anything is written. Raises BackupError naming the file and what is wrong."""
    path = Path(path)
    name = path.name
    lim = settings.limits()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BackupError(f"备份文件“{name}”不存在或无法读取") from exc
    if size > lim.backup_bytes:
        raise BackupError(f"备份文件“{name}”过大（{size / 2**20:.0f} MB，上限 {lim.backup_bytes / 2**20:.0f} MB）")
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise BackupError(f"“{name}”不是有效的备份文件（无法作为 zip 打开）") from exc
    try:
        _check_entries(zf, infos, name, lim)
        manifest = _read_manifest(zf, name)
        _check_hashes(zf, manifest, name)
    except BackupError:
        zf.close()
        raise
    return zf, manifest


def _check_entries(zf: zipfile.ZipFile, infos, name: str, lim) -> None:
    if len(infos) > lim.zip_entries:
        raise BackupError(f"备份文件“{name}”中文件过多（{len(infos)} 个，上限 {lim.zip_entries}）")
    total = sum(i.file_size for i in infos)
    if total > lim.unzipped_bytes:
        raise BackupError(f"备份文件“{name}”解压后过大（{total / 2**20:.0f} MB，上限 {lim.unzipped_bytes / 2**20:.0f} MB）")
    for i in infos:
        if i.flag_bits & 0x1:
            raise BackupError(f"备份文件“{name}”已加密（{i.filename}），无法恢复")
        if not SAFE_ENTRY.match(i.filename):
            raise BackupError(f"备份文件“{name}”含有不应有的条目“{i.filename[:80]}”，拒绝恢复")
    if MANIFEST not in {i.filename for i in infos}:
        raise BackupError(f"“{name}”不是本系统的备份文件（缺少 manifest.json）")


def _read_manifest(zf: zipfile.ZipFile, name: str) -> dict:
    try:
        manifest = json.loads(_read(zf, MANIFEST).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"备份文件“{name}”的清单 manifest.json 无法解析") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_TAG:
        raise BackupError(f"“{name}”不是本系统的备份文件（格式标记应为 {FORMAT_TAG}）")
    for key, kind in (("tables", dict), ("files", dict), ("schema_revision", str)):
        if not isinstance(manifest.get(key), kind):
            raise BackupError(f"备份文件“{name}”的清单缺少或写错了“{key}”")
    for tname, info in manifest["tables"].items():
        if not (isinstance(info, dict) and isinstance(info.get("rows"), int) and isinstance(info.get("sha256"), str)):
            raise BackupError(f"备份文件“{name}”的清单中表“{tname}”的记录不完整（rows、sha256）")
    for fname, info in manifest["files"].items():
        if not (isinstance(info, dict) and isinstance(info.get("sha256"), str)):
            raise BackupError(f"备份文件“{name}”的清单中文件“{fname}”的记录不完整（sha256）")
    return manifest


def _read(zf: zipfile.ZipFile, arc: str) -> bytes:
    try:
        return zf.read(arc)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        raise BackupError(f"备份文件中的“{arc}”已损坏，无法读取") from exc
    except Exception as exc:  # noqa: BLE001 - zlib.error and the like: a damaged entry
        raise BackupError(f"备份文件中的“{arc}”已损坏，无法读取") from exc


def _check_hashes(zf: zipfile.ZipFile, manifest: dict, name: str) -> None:
    present = {i.filename for i in zf.infolist()} - {MANIFEST}
    expected = {f"tables/{t}.jsonl" for t in manifest["tables"]} | set(manifest["files"])
    if present - expected:
        raise BackupError(f"备份文件“{name}”含有清单中没有的文件：{'、'.join(sorted(present - expected)[:3])}")
    if expected - present:
        raise BackupError(f"备份文件“{name}”缺少清单中的文件：{'、'.join(sorted(expected - present)[:3])}")
    for arc in sorted(expected):
        info = manifest["files"].get(arc) or manifest["tables"][arc[len("tables/"):-len(".jsonl")]]
        if sha256(_read(zf, arc)) != info["sha256"]:
            raise BackupError(f"备份文件“{name}”中的“{arc}”与清单的校验值（sha256）不符：文件已损坏或被改动")


def read_rows(zf: zipfile.ZipFile, manifest: dict, table: str) -> list[dict]:
    arc = f"tables/{table}.jsonl"
    rows = []
    for n, line in enumerate(io.TextIOWrapper(io.BytesIO(_read(zf, arc)), encoding="utf-8"), start=1):
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BackupError(f"表 {table} 第 {n} 行：不是有效的 JSON") from exc
        if not isinstance(row, dict):
            raise BackupError(f"表 {table} 第 {n} 行：应为一条记录（JSON 对象）")
        rows.append(row)
    if len(rows) != manifest["tables"][table]["rows"]:
        raise BackupError(f"表 {table} 的行数（{len(rows)}）与清单（{manifest['tables'][table]['rows']}）不符")
    return rows


def is_json_column(col) -> bool:
    return isinstance(col.type, JSON)
