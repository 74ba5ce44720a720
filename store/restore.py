"""Restore a backup (`store.backup`), all-or-nothing.

1. The file is checked before anything is written: zip shape and limits, manifest,
   the sha256 of every entry, the schema revision (older: migrated; newer: refused).
2. The store is built aside from the current one, at the backup's schema revision, its rows
   decoded by the column types and every reference checked; then migrated to this system's
   revision and checked again with the import rules (`store.validate`).
3. Only a sound store replaces the current one:
   - SQLite: a new database file next to the current one, then one `os.replace` — a process
     killed at any moment leaves either the old file or the new one, never a mix;
   - PostgreSQL: everything (drop, create, load, migrate, check) in one transaction.
Attachment files are content-addressed, so writing them before the switch changes nothing
the current store points at.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    create_engine,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError

from onemap import settings
from store import backup as bk
from store import db, geometry
from store.db import _alembic_config, get_engine
from store.validate import check_store

log = logging.getLogger(__name__)
CHUNK = 500


def known_revisions() -> tuple[set[str], str]:
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    return {s.revision for s in script.walk_revisions()}, script.get_current_head()


def restore_backup(path: Path, url: str | None = None) -> dict:
    """Replace the store by the backup at `path`. Returns what was restored:
    {"tables": {name: rows}, "files": n, "region": adcode, "schema_revision": rev, "migrated": bool}.
    Raises BackupError (Chinese, naming file, table, row and field) and changes nothing."""
    path = Path(path)
    url = url or settings.database_url()
    zf, manifest = bk.open_backup(path)
    with zf:
        rev = manifest["schema_revision"]
        known, head = known_revisions()
        if rev not in known:
            raise bk.BackupError(f"备份文件“{path.name}”来自较新版本的系统（数据库版本 {rev}，本系统为 {head}），"
                                 "无法恢复：请先升级本系统再恢复")
        rows = {t: bk.read_rows(zf, manifest, t) for t in manifest["tables"]}
        files = sorted(manifest["files"])
        attach = {a[len(bk.ATTACH_PREFIX):] for a in files if a.startswith(bk.ATTACH_PREFIX)}
        regions = {a.split("/")[2] for a in files if a.startswith(bk.REGION_PREFIX)}
        trail = _current_audit(url)  # read before the store is replaced
        with _building(url) as conn:
            _upgrade(conn, url, rev)
            md = _reflect(conn)
            decoded = {t: _decode(md, t, r) for t, r in rows.items()}
            _check_references(md, decoded)
            for table in _tables(md):
                _insert(conn, table, decoded.get(table.name) or [], path.name)
            if rev != head:
                try:
                    _upgrade(conn, url, head)
                except DBAPIError as exc:
                    log.warning("migrating a restored backup from %s failed: %s", rev, exc)
                    raise bk.BackupError(f"备份文件“{path.name}”（数据库版本 {rev}）升级到 {head} 失败，"
                                         "未恢复任何数据") from None
            md = _reflect(conn)
            region = _region(conn, md, regions, zf)
            problems = check_store(conn, md, region=region, region_folders=regions | _local_regions(),
                                   attachment_files=attach)
            if problems:
                more = "（另有更多问题未列出）" if len(problems) >= 20 else ""
                raise bk.BackupError(f"备份文件“{path.name}”中的数据未通过检查，未恢复任何数据：\n"
                                     + "\n".join(problems) + more)
            _advance_sequences(conn, md)
            _keep_audit(conn, md, trail)
            counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in _tables(md)}
            _write_files(zf, files)
    return {"tables": counts, "files": len(files), "region": region.adcode if region else None,
            "region_name": region.name if region else None,
            "schema_revision": rev, "migrated": rev != head}


# ----------------------------------------------------------------------------- building aside
@contextmanager
def _building(url: str) -> Iterator[Connection]:
    """A connection to the store being built; on leaving without error it becomes the store."""
    if make_url(url).get_backend_name() == "postgresql":
        engine = get_engine(url)
        with engine.connect() as conn, conn.begin():
            md = _reflect(conn)
            md.drop_all(conn)
            conn.execute(text(f"DROP TABLE IF EXISTS {bk.VERSION_TABLE}"))
            yield conn  # commit on leaving: the one transaction of the whole restore
        return
    target = Path(make_url(url).database)
    target.parent.mkdir(parents=True, exist_ok=True)
    _sweep(target)
    tmp = target.with_name(f".{target.name}.restore-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{tmp}", future=True)
    try:
        with engine.connect() as conn, conn.begin():
            yield conn
        with engine.connect() as conn:
            bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if bad:
                raise bk.BackupError(f"备份中的数据引用不完整（表 {bad[0][0]} 第 {bad[0][1]} 行）")
        engine.dispose()
        _switch(url, tmp, target)
    finally:
        engine.dispose()
        tmp.unlink(missing_ok=True)


def _switch(url: str, tmp: Path, target: Path) -> None:
    """Put the built file in place of the store (one atomic rename)."""
    if target.exists():
        engine = get_engine(url)
        with engine.connect() as conn:  # the WAL's pages into the old file, the WAL emptied
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, target)
    for side in ("-wal", "-shm"):  # the old file's WAL must never be read against the new one
        Path(f"{target}{side}").unlink(missing_ok=True)
    get_engine.cache_clear()


def _sweep(target: Path) -> None:
    """Remove files left by a restore that was killed (its process is gone)."""
    import re

    for old in target.parent.glob(f".{target.name}.restore-*"):  # the file and its journal
        pid = re.search(r"\.restore-(\d+)", old.name)
        if pid and not _alive(int(pid.group(1))):
            old.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _upgrade(conn: Connection, url: str, revision: str) -> None:
    cfg = _alembic_config(conn.engine)
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def _reflect(conn: Connection) -> MetaData:
    return geometry.reflect(conn)


def _tables(md: MetaData):
    return [t for t in md.sorted_tables if t.name != bk.VERSION_TABLE]


# ----------------------------------------------------------------------------- the audit trail
AUDIT = "audit_log"
AUDIT_KEY = ("at", "username", "action", "object_type", "object_id", "summary")


def _current_audit(url: str) -> list[dict]:
    """The store's audit trail as it is now (empty when there is none yet)."""
    engine = get_engine(url)
    with engine.connect() as conn:
        md = MetaData()
        try:
            md.reflect(bind=conn, only=[AUDIT])
        except Exception:  # noqa: BLE001 - no audit table yet (an empty or older store)
            return []
        return [dict(r._mapping) for r in conn.execute(select(md.tables[AUDIT]).order_by(md.tables[AUDIT].c.id))]


def _keep_audit(conn: Connection, md: MetaData, trail: list[dict]) -> None:
    """安全审计 is append-only, and a restore must not make it forget: rows of the current
    trail that the backup does not hold (written after the backup was taken) are appended to
    the restored trail, in their order, with new ids. The restore itself is recorded by the
    service that calls this, in the same way as every other write."""
    if not trail or AUDIT not in md.tables:
        return
    table = md.tables[AUDIT]
    have = {tuple(r._mapping[k] for k in AUDIT_KEY) for r in conn.execute(select(*[table.c[k] for k in AUDIT_KEY]))}
    missing = [{k: v for k, v in r.items() if k != "id" and k in table.c}
               for r in trail if tuple(r.get(k) for k in AUDIT_KEY) not in have]
    if missing:
        conn.execute(insert(table), missing)
        _advance_sequences(conn, md)


# ----------------------------------------------------------------------------- rows
def _insert(conn: Connection, table, rows: list[dict], name: str) -> None:
    for i in range(0, len(rows), CHUNK):
        try:
            conn.execute(insert(table), rows[i:i + CHUNK])
        except DBAPIError as exc:
            log.warning("restoring %s into %s failed: %s", name, table.name, exc)
            raise bk.BackupError(f"备份文件“{name}”中表 {table.name} 第 {i + 1}–{i + len(rows[i:i + CHUNK])} 行"
                                 "无法写入（缺少必填字段或违反唯一约束），未恢复任何数据") from None


def _decode(md: MetaData, table: str, rows: list[dict]) -> list[dict]:
    if table not in md.tables or table == bk.VERSION_TABLE:
        raise bk.BackupError(f"备份中的表 {table} 在该数据库版本中不存在")
    cols = md.tables[table].columns
    out = []
    for n, row in enumerate(rows, start=1):
        extra = set(row) - set(cols.keys())
        if extra:
            raise bk.BackupError(f"表 {table} 第 {n} 行：该表没有字段 {'、'.join(sorted(extra))}")
        rec = {}
        for name, v in row.items():
            try:
                rec[name] = _value(cols[name], v)
            except (TypeError, ValueError) as exc:
                raise bk.BackupError(f"表 {table} 第 {n} 行（编号 {row.get('id', row.get('key'))}）字段 {name}："
                                     f"{exc}") from None
        out.append(rec)
    return _parents_first(md, table, out)


def _value(col, v):
    if v is None:
        if not col.nullable and not col.primary_key:
            raise ValueError("不能为空")
        return None
    t = col.type
    if isinstance(t, JSON):
        return v
    if isinstance(v, dict) and "$base64" in v:
        import base64

        return base64.b64decode(v["$base64"])
    if isinstance(t, geometry.Geometry):
        problem = geometry.wkt_problem(_str(v, "几何（WKT）"))
        if problem:
            raise ValueError(problem)
        return v
    if isinstance(t, DateTime):
        return datetime.fromisoformat(_str(v, "日期时间"))
    if isinstance(t, Date):
        return date.fromisoformat(_str(v, "日期"))
    if isinstance(t, Boolean):
        if isinstance(v, bool) or v in (0, 1):
            return bool(v)
        raise ValueError(f"应为真/假，不是“{str(v)[:40]}”")
    if isinstance(t, Integer):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"应为整数，不是“{str(v)[:40]}”")
        return v
    if isinstance(t, (Float, Numeric)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"应为数字，不是“{str(v)[:40]}”")
        return float(v)
    if isinstance(t, String):
        s = _str(v, "文本")
        if t.length and len(s) > t.length:
            raise ValueError(f"内容过长（{len(s)} 字，上限 {t.length}）")
        if "\x00" in s:
            raise ValueError("含有空字符")
        return s
    return v


def _str(v, what: str) -> str:
    if not isinstance(v, str):
        raise ValueError(f"应为{what}（文字），不是“{str(v)[:40]}”")
    return v


def _parents_first(md: MetaData, table: str, rows: list[dict]) -> list[dict]:
    """Rows of a table that refers to itself (tasks.parent_id), parents before children;
    a cycle (a task that is its own ancestor) is refused by name."""
    tab = md.tables[table]
    selfref = [fk for fk in tab.foreign_keys if fk.column.table is tab]
    if not selfref:
        return rows
    fk = selfref[0]
    key, ref = fk.column.name, fk.parent.name
    by_key = {r.get(key): r for r in rows}
    depth: dict = {}
    for n, r in enumerate(rows, start=1):
        chain, cur = [], r
        while cur is not None and cur.get(key) not in depth:
            if any(c is cur for c in chain):
                raise bk.BackupError(f"表 {table} 第 {n} 行（编号 {r.get(key)}）字段 {ref}："
                                     "上下级关系成环（是自己的上级或下级）")
            chain.append(cur)
            cur = by_key.get(cur.get(ref)) if cur.get(ref) is not None else None
        d = depth[cur.get(key)] + 1 if cur is not None else 0
        for c in reversed(chain):
            depth[c.get(key)] = d
            d += 1
    return sorted(rows, key=lambda r: depth[r.get(key)])


def _check_references(md: MetaData, decoded: dict[str, list[dict]]) -> None:
    """Every foreign key names a row of the backup (checked before inserting, so the refusal
    names the row on every engine)."""
    for table in _tables(md):
        for fk in table.foreign_keys:
            col, target = fk.parent.name, fk.column
            known = {r.get(target.name) for r in decoded.get(target.table.name, [])}
            for n, r in enumerate(decoded.get(table.name, []), start=1):
                v = r.get(col)
                if v is not None and v not in known:
                    raise bk.BackupError(f"表 {table.name} 第 {n} 行（编号 {r.get('id')}）字段 {col}："
                                         f"引用的 {target.table.name}.{target.name}={v} 不存在")


def _region(conn: Connection, md: MetaData, regions: set[str], zf: zipfile.ZipFile):
    """The active region of the restored store (its files from the backup, else this system's)."""
    from geo.region import Region, load_region

    if "meta" not in md.tables:
        return None
    meta = md.tables["meta"]
    code = conn.execute(select(meta.c.value).where(meta.c.key == "region")).scalar() or "360200"
    if code in regions:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="onemap-region-"))
        for name in ("region.json", "counties.geojson"):
            (folder / name).write_bytes(zf.read(f"{bk.REGION_PREFIX}{code}/{name}"))
        try:
            return Region(folder, json.loads((folder / "region.json").read_text(encoding="utf-8")))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise bk.BackupError(f"备份中区域 {code} 的 region.json 无法解析") from exc
    try:
        return load_region(code)
    except ValueError:
        return None  # reported by check_store (region folder missing)


def _local_regions() -> set[str]:
    from geo.region import region_folder

    roots = [settings.data_dir() / "regions", settings.REGIONS_DIR]
    return {p.name for r in roots if r.exists() for p in r.iterdir() if region_folder(p.name)}


def _advance_sequences(conn: Connection, md: MetaData) -> None:
    """PostgreSQL: move each id sequence past the restored ids (SQLite takes max(rowid) + 1)."""
    if conn.dialect.name != "postgresql":
        return
    for t in _tables(md):
        pk = list(t.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer):
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": t.name, "c": pk[0].name}).scalar()
            if seq:
                conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{pk[0].name}") FROM "{t.name}"), 0) + 1, '
                                  "false)"), {"s": seq})


# ----------------------------------------------------------------------------- files
def _write_files(zf: zipfile.ZipFile, files: list[str]) -> None:
    """Attachments (content-addressed: written once, never overwritten) and region files
    (each replaced atomically)."""
    root = settings.attachments_dir()
    regions = settings.data_dir() / "regions"
    for arc in files:
        if arc.startswith(bk.ATTACH_PREFIX):
            target = root / arc[len(bk.ATTACH_PREFIX):]
            if target.exists():
                continue
        else:
            target = regions / arc[len(bk.REGION_PREFIX):]
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(zf.read(arc))
        os.replace(tmp, target)
