"""Backup and restore (`onemap backup` / `onemap restore`): one file that brings back every
table, the evidence files, settings, saved views and regions; a restore that checks every
row by the import rules and is all-or-nothing. Runs on PostgreSQL too
(ONEMAP_TEST_DATABASE_URL): there the restore is one transaction."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from onemap import meetings, settings
from onemap.cli import main
from store import models as m
from store.backup import MANIFEST
from store.db import get_engine, reader, transaction
from store.geometry import Geometry

PG = bool(os.environ.get("ONEMAP_TEST_DATABASE_URL"))
VIEWS = [{"title": "汛期重点", "page": "全市总览", "filters": {"category": ["水"]}}]
PHOTO = b"\xff\xd8\xff\xe0 field photo of the outfall \x00\x01"
EVIDENCE = b"%PDF-1.4 closing evidence"


def content() -> dict[str, str]:
    """Every table's rows, hashed by a plain SELECT (independent of store.backup)."""
    engine = get_engine(settings.database_url())
    out = {}
    with engine.connect() as c:
        names = [r[0] for r in c.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table'" if engine.dialect.name == "sqlite" else
            "SELECT tablename FROM pg_tables WHERE schemaname='public'"))]
        for name in sorted(n for n in names if n not in ("alembic_version", "spatial_ref_sys")):
            rows = sorted(repr(tuple(str(v) for v in r)) for r in c.execute(text(f'SELECT * FROM "{name}"')))
            out[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def _audit_rows() -> list[tuple]:
    """(account, object, action, summary) of the audit trail in order, by a plain SELECT."""
    with get_engine(settings.database_url()).connect() as c:
        return [tuple(r) for r in c.execute(text(
            "SELECT username, object_id, action, summary FROM audit_log ORDER BY id"))]


def _but_audit(c: dict) -> dict:
    return {k: v for k, v in c.items() if k != "audit_log"}


def _no_audit(manifest: dict) -> dict:
    return {**manifest, "tables": {k: v for k, v in manifest["tables"].items() if k != "audit_log"}}


def files_under(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def enrich(tmp: Path) -> dict:
    """The demo plus what a restore used to lose: an evidence file on a status change, a
    finding with a photo, saved views, a setting, a user-built region."""
    from geo.region import build_region
    from store import repo

    photo, pdf = tmp / "现场.jpg", tmp / "销号材料.pdf"
    photo.write_bytes(PHOTO)
    pdf.write_bytes(EVIDENCE)
    with transaction() as s:
        from domain.status import allowed_next

        task = s.scalars(select(m.Task).order_by(m.Task.id)).first()
        to = allowed_next(repo.current_status(s, task.id), ongoing=task.ongoing)[0]
        repo.record_status(s, task.id, to, actor="李四", actor_unit="市生态环境局", note="整改进展说明",
                           files=[pdf])
        site = s.scalars(select(m.Site).order_by(m.Site.id)).first()
        ins = repo.add_inspection(s, day=repo.now().date(), title="回头看", inspectors="王五", base_name="",
                                  stops=[site.id], created_by="王五")
        repo.record_finding(s, ins.id, site.id, task_id=None, text="排口有异味", actor="王五", photos=[photo])
        repo.set_meta(s, "views", json.dumps(VIEWS, ensure_ascii=False))
        repo.set_meta(s, "data_date", "2026-11-20")
    build_region("360700", settings.data_dir() / "regions")
    # two reference layers (a polygon layer in EPSG:4548 and a GBK shapefile of lines)
    from onemap import reflayers
    from tests.conftest import MANAGER_ACTOR
    from tests.reflayer_fixtures import REDLINE, gbk_rivers_zip

    reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线")
    reflayers.add_layer(MANAGER_ACTOR, gbk_rivers_zip(tmp / "rivers"), name="河流", style="weight=3")
    return {"task": task.id}


def _ref_rows() -> list[tuple]:
    """Every reference layer and feature as stored, by a plain SELECT (JSON as text)."""
    with get_engine(settings.database_url()).connect() as c:
        layers = [tuple(str(v) for v in r) for r in c.execute(text(
            "SELECT id, name, kind, style, geometry_type, feature_count, source_file, source_crs, sha256, "
            "created_at, created_by FROM ref_layers ORDER BY id"))]
        feats = [tuple(str(v) for v in r) for r in c.execute(text(
            "SELECT id, layer_id, position, name, attrs, geom_wkt FROM ref_features ORDER BY id").columns(geom_wkt=Geometry()))]
    return layers + feats


def backup(path: Path) -> dict:
    assert main(["backup", str(path)]) == 0
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(MANIFEST))
    manifest.pop("created_at")
    manifest.pop("database")
    return manifest


def restore(path: Path, capsys) -> tuple[int, str]:
    code = main(["restore", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_round_trip_keeps_everything(stores, demo_store, tmp_path, capsys):
    stores.new(demo=demo_store)
    enrich(tmp_path)
    before, refs = content(), _ref_rows()
    assert len(refs) == 2 + 3 + 2  # two layers, three red-line patches, two rivers
    first = backup(tmp_path / "a.zip")
    assert {"files/attachments/" + p for p in files_under(settings.attachments_dir())} <= set(first["files"])
    assert "files/regions/360700/counties.geojson" in first["files"]

    trail = _audit_rows()
    target = stores.new()  # a new machine: empty store, empty data directory
    code, out = restore(tmp_path / "a.zip", capsys)
    assert code == 0, out
    after = content()
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}
    # the audit trail comes back whole, and the restore is recorded in it (append-only: a
    # restore never rewrites history); the backup's own row was written after the backup
    restored = _audit_rows()
    assert trail[-1][2] == "导出" and restored[:-1] == trail[:-1]
    assert restored[-1][2] == "恢复" and restored[-1][0].startswith("os:")
    second = backup(tmp_path / "b.zip")
    assert _no_audit(second) == _no_audit(first)
    assert second["tables"]["audit_log"]["rows"] == first["tables"]["audit_log"]["rows"] + 1
    # what the user sees: the views, the setting, the region, the files by their bytes

    assert meetings.saved_views() == VIEWS
    with reader() as s:
        meta = {r.key: r.value for r in s.scalars(select(m.Meta))}
        att = s.scalars(select(m.Attachment)).one()
        finding = s.scalars(select(m.Finding)).one()
        counts = {"tasks": s.scalar(select(func.count()).select_from(m.Task)),
                  "sites": s.scalar(select(func.count()).select_from(m.Site)),
                  "status_events": s.scalar(select(func.count()).select_from(m.StatusEvent))}
    assert meta["region"] == "360200" and meta["data_date"] == "2026-11-20"
    assert (target / "attachments" / att.stored_path).read_bytes() == EVIDENCE
    assert (target / "attachments" / finding.photos[0]["stored_path"]).read_bytes() == PHOTO
    assert (target / "regions" / "360700" / "region.json").exists()
    assert f"任务 {counts['tasks']} 条" in out and f"点位 {counts['sites']} 条" in out
    assert f"状态记录 {counts['status_events']} 条" in out
    # the reference layers come back exactly: every column of every row, and named in the confirmation
    assert _ref_rows() == refs
    assert "参考图层 2 条" in out and "参考图层要素 5 条" in out


def test_restore_replaces_a_store_with_data(demo_dir, tmp_path, capsys):
    backup(tmp_path / "a.zip")
    before = content()
    with transaction() as s:  # work done after the backup: the restore takes it back
        s.execute(text("DELETE FROM task_sites"))
    assert content() != before
    trail = _audit_rows()
    code, out = restore(tmp_path / "a.zip", capsys)
    assert code == 0, out
    assert _but_audit(content()) == _but_audit(before)
    # the trail is kept whole (the backup's row included), with the restore appended
    assert _audit_rows()[:-1] == trail and _audit_rows()[-1][2] == "恢复"
    # new ids go on after the restored ones (PostgreSQL: the sequences were moved past them)
    with transaction() as s:
        top = s.scalar(select(func.max(m.Unit.id)))
        u = m.Unit(name="新单位", place_code="360200", aliases=[])
        s.add(u)
        s.flush()
        assert u.id == top + 1


def _rewrite(src: Path, dst: Path, *, tables=None, manifest=None, rehash=True, extra=None, drop=()):
    """A copy of a backup with rows changed (and, unless told not to, the manifest's hashes
    brought in line, so the row rules are what refuses it)."""
    with zipfile.ZipFile(src) as zf:
        man = json.loads(zf.read(MANIFEST))
        data = {n: zf.read(n) for n in zf.namelist() if n != MANIFEST}
    for table, fn in (tables or {}).items():
        arc = f"tables/{table}.jsonl"
        rows = [json.loads(x) for x in data[arc].decode().splitlines()]
        rows = fn(rows)
        data[arc] = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows).encode()
        if rehash:
            man["tables"][table].update(rows=len(rows), sha256=hashlib.sha256(data[arc]).hexdigest())
    for n in drop:
        data.pop(n)
    if manifest:
        manifest(man)
    with zipfile.ZipFile(dst, "w") as zf:
        zf.writestr(MANIFEST, json.dumps(man, ensure_ascii=False))
        for n, b in data.items():
            zf.writestr(n, b)
        for n, b in (extra or {}).items():
            zf.writestr(n, b)
    return dst


def _edit(key, match, /, **changes):
    def fn(rows):
        for r in rows:
            if r[key] == match:
                r.update(changes)
        return rows
    return fn


@pytest.fixture(scope="module")
def demo_backup(tmp_path_factory, demo_store):
    """One backup of the demo, the source every refused variant is made from."""
    mp = pytest.MonkeyPatch()
    d = tmp_path_factory.mktemp("bk")
    mp.setenv("ONEMAP_DATA_DIR", str(d))
    if PG:
        from tests.conftest import _pg_create

        url = _pg_create("t_backup_src", demo_store)
        mp.setenv("ONEMAP_DATABASE_URL", url)
    else:
        mp.delenv("ONEMAP_DATABASE_URL", raising=False)
        shutil.copyfile(demo_store, d / "onemap.sqlite")
    path = d / "demo.zip"
    assert main(["backup", str(path)]) == 0
    get_engine(settings.database_url()).dispose()
    mp.undo()
    return path


def _first_event_task(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        rows = [json.loads(x) for x in zf.read("tables/status_events.jsonl").decode().splitlines()]
    return next(r for r in rows if r["seq"] == 1 and r["to_status"] == "整改中")["task_id"]


@pytest.mark.parametrize("case, expected", [
    ("infinite", "表 sites 第 1 行（编号 MIN-01）字段 geom_wkt：坐标不是有效数值"),
    ("empty", "字段 geom_wkt：没有几何"),
    ("outside", "范围之外"),
    ("line_water", "饮用水水源地不能是 LineString"),
    ("unknown_kind", "未知的点位类型“化工厂”"),
    ("garbled_status", "未知状态“乱码状态”"),
    ("jump", "不能从“未启动”变更为“已销号”"),
    ("self_parent", "字段 parent_id：上下级关系成环"),
    ("dangling", "字段 site_id：引用的 sites.id=NOPE 不存在"),
    ("wrong_type", "字段 position：应为整数"),
    ("bad_level", "未知的层级“boss”"),
    ("tampered", "与清单的校验值（sha256）不符"),
    ("newer", "来自较新版本的系统（数据库版本 9999"),
    ("zip_slip", "不应有的条目“../../etc/evil”"),
    ("not_zip", "不是有效的备份文件"),
    ("no_manifest_format", "不是本系统的备份文件"),
    ("missing_file", "缺少清单中的文件"),
    ("too_many_rows", "行数"),
])
def test_restore_refuses_bad_rows_by_name(case, expected, demo_backup, demo_dir, tmp_path, capsys):
    src, bad = demo_backup, tmp_path / f"{case}.zip"
    task = _first_event_task(src)
    with zipfile.ZipFile(src) as zf:
        water = next(json.loads(x)["id"] for x in zf.read("tables/sites.jsonl").decode().splitlines()
                     if json.loads(x)["kind"] == "饮用水水源地")
    variants = {
        "infinite": lambda: _rewrite(src, bad, tables={"sites": _edit("id", "MIN-01", geom_wkt="POINT (Infinity 29)")}),
        "empty": lambda: _rewrite(src, bad, tables={"sites": _edit("id", "MIN-01", geom_wkt="POINT EMPTY")}),
        "outside": lambda: _rewrite(src, bad, tables={"sites": _edit("id", "MIN-01", geom_wkt="POINT (114.9 25.8)")}),
        "line_water": lambda: _rewrite(src, bad, tables={"sites": _edit(
            "id", water, geom_wkt="LINESTRING (117.2 29.3, 117.21 29.31)")}),
        "unknown_kind": lambda: _rewrite(src, bad, tables={"sites": _edit("id", "MIN-01", kind="化工厂")}),
        "garbled_status": lambda: _rewrite(src, bad, tables={"status_events": lambda rows: [
            {**r, "to_status": "乱码状态"} if r["task_id"] == task and r["seq"] == 1 else r for r in rows]}),
        "jump": lambda: _rewrite(src, bad, tables={"status_events": lambda rows: [
            {**r, "to_status": "已销号"} if r["task_id"] == task and r["seq"] == 1 else r for r in rows]}),
        "self_parent": lambda: _rewrite(src, bad, tables={"tasks": _edit("id", task, parent_id=task)}),
        "dangling": lambda: _rewrite(src, bad, tables={"task_sites": lambda rows: [
            {**rows[0], "site_id": "NOPE"}, *rows[1:]]}),
        "wrong_type": lambda: _rewrite(src, bad, tables={"tasks": _edit("id", task, position="第一")}),
        "bad_level": lambda: _rewrite(src, bad, tables={"tasks": _edit("id", task, level="boss")}),
        "tampered": lambda: _rewrite(src, bad, tables={"sites": _edit("id", "MIN-01", name="改过的名字")}, rehash=False),
        "newer": lambda: _rewrite(src, bad, manifest=lambda man: man.update(schema_revision="9999")),
        "zip_slip": lambda: _rewrite(src, bad, extra={"../../etc/evil": b"x"}),
        "not_zip": lambda: bad.write_bytes(b"PK\x03\x04 not really a zip"),
        "no_manifest_format": lambda: _rewrite(src, bad, manifest=lambda man: man.update(format="other/1")),
        "missing_file": lambda: _rewrite(src, bad, drop=("tables/units.jsonl",)),
        "too_many_rows": lambda: _rewrite(src, bad, manifest=lambda man: man["tables"]["units"].update(rows=999)),
    }
    variants[case]()
    before = content()
    code, out = restore(bad, capsys)
    assert code == 1
    assert expected in out, out
    assert "Traceback" not in out
    assert content() == before


@pytest.mark.parametrize("case, expected", [
    ("count", "表 ref_layers 第 1 行（编号 1）字段 feature_count：记录为 9 个要素，实有 3 个"),
    ("mixed", "表 ref_features 第 2 行（编号 2）字段 geom_wkt：同一参考图层中混有 LineString"),
    ("lonlat", "表 ref_features 第 1 行（编号 1）字段 geom_wkt：坐标超出经纬度范围"),
    ("kind", "未知的参考图层类别“火星”"),
])
def test_restore_refuses_bad_reference_layers(case, expected, demo_dir, tmp_path, capsys):
    from onemap import reflayers
    from tests.conftest import MANAGER_ACTOR
    from tests.reflayer_fixtures import REDLINE

    reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线")
    src, bad = tmp_path / "src.zip", tmp_path / f"{case}.zip"
    backup(src)
    variants = {
        "count": {"ref_layers": _edit("id", 1, feature_count=9)},
        "mixed": {"ref_features": _edit("id", 2, geom_wkt="LINESTRING (117.2 29.3, 117.21 29.31)")},
        "lonlat": {"ref_features": _edit("id", 1, geom_wkt="POLYGON ((540718 3266979, 546535 3267002, "
                                                           "546507 3273653, 540718 3266979))")},
        "kind": {"ref_layers": _edit("id", 1, kind="火星")},
    }
    _rewrite(src, bad, tables=variants[case])
    before = content()
    code, out = restore(bad, capsys)
    assert code == 1
    assert expected in out, out
    assert "Traceback" not in out
    assert content() == before


@pytest.mark.parametrize("case, expected", [
    ("text", "表 water_samples 第 1 行（编号 1）字段 value_text：监测值“=1+2”无法识别或与未检出标记不一致"),
    ("negative", "表 water_samples 第 2 行（编号 2）字段 value：数值 -3.0 与原始值“-3”不一致或为负"),
    ("nd_number", "表 water_samples 第 3 行（编号 3）字段 value：未检出的记录不应有数值"),
    ("kind", "表 water_samples 第 1 行（编号 1）字段 site_id：点位 MIN-01 不是监测断面或饮用水水源地（矿山修复点）"),
])
def test_restore_refuses_bad_water_samples(case, expected, demo_backup, demo_dir, tmp_path, capsys):
    """The demo's sample series is in the backup; a row the importer would refuse is refused by name."""
    bad = tmp_path / f"water-{case}.zip"
    variants = {
        "text": {"water_samples": _edit("id", 1, value_text="=1+2")},
        "negative": {"water_samples": _edit("id", 2, value_text="-3", value=-3.0)},
        "nd_number": {"water_samples": _edit("id", 3, value_text="ND", below_detection=True, value=0.5)},
        "kind": {"water_samples": _edit("id", 1, site_id="MIN-01")},
    }
    _rewrite(demo_backup, bad, tables=variants[case])
    before = content()
    code, out = restore(bad, capsys)
    assert code == 1
    assert expected in out, out
    assert "Traceback" not in out
    assert content() == before


def test_previous_schema_revision_restores_and_migrates(demo_backup, stores, tmp_path, capsys):
    """A backup written at revision 0002 (status events without their sequence number): the
    restore builds 0002, loads it, and migrates — the numbers come out as they were."""
    later = ("users", "user_sessions", "audit_log",  # migration 0004 (accounts and audit)
             "document_targets", "target_sites",  # migration 0005 (the documents' targets)
             "ref_layers", "ref_features",  # migration 0006 (reference layers)
             "water_samples",  # migration 0007 (断面水质)
             "api_tokens")  # migration 0009 (desktop GIS tokens)

    def at_0002(man):
        man.update(schema_revision="0002")
        for t in later:
            man["tables"].pop(t)

    old = _rewrite(demo_backup, tmp_path / "old.zip",
                   tables={"status_events": lambda rows: [{k: v for k, v in r.items() if k not in ("seq", "actor_user")}
                                                          for r in rows]},
                   manifest=at_0002, drop=[f"tables/{t}.jsonl" for t in later])
    stores.new()
    code, out = restore(old, capsys)
    assert code == 0, out
    assert "已从数据库版本 0002 升级" in out
    again = backup(tmp_path / "again.zip")
    with zipfile.ZipFile(demo_backup) as zf:
        original = json.loads(zf.read(MANIFEST))
    from store.restore import known_revisions

    assert again["schema_revision"] == known_revisions()[1]
    assert {k: v for k, v in again["tables"].items() if k not in later} == \
        {k: v for k, v in original["tables"].items() if k not in later}


def test_a_table_a_migration_adds_is_backed_up_without_code_changes(stores, tmp_path, monkeypatch, capsys):
    """A migration this module knows nothing of (like the accounts work's `users`): its table
    goes into the backup and comes back; a system without that migration refuses the file."""
    from store import db
    from store.restore import known_revisions

    head = known_revisions()[1]  # today's head: the extra migration follows it
    mig = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS, mig, ignore=shutil.ignore_patterns("__pycache__"))
    (mig / "versions" / "0099_extra.py").write_text(
        f'import sqlalchemy as sa\nfrom alembic import op\nrevision = "0099"\ndown_revision = "{head}"\n'
        "branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n"
        '    op.create_table("audit_extra", sa.Column("id", sa.Integer, primary_key=True),\n'
        '                    sa.Column("who", sa.String(50), nullable=False), sa.Column("at", sa.DateTime),\n'
        '                    sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id")))\n', encoding="utf-8")
    monkeypatch.setattr(db, "MIGRATIONS", mig)
    stores.new()
    engine = get_engine(settings.database_url())
    from sqlalchemy import MetaData

    md = MetaData()
    md.reflect(engine)
    with engine.begin() as c:
        c.execute(insert(md.tables["audit_extra"]), [{"id": 1, "who": "管理员", "at": None, "task_id": None},
                                                     {"id": 2, "who": "=1+1", "at": None, "task_id": None}])
    first = backup(tmp_path / "x.zip")
    assert first["tables"]["audit_extra"]["rows"] == 2 and first["schema_revision"] == "0099"
    before = content()
    stores.new()
    code, out = restore(tmp_path / "x.zip", capsys)
    assert code == 0, out
    assert "数据表“audit_extra” 2 行" in out
    assert _but_audit(content()) == _but_audit(before)
    assert _no_audit(backup(tmp_path / "y.zip")) == _no_audit(first)
    monkeypatch.setattr(db, "MIGRATIONS", settings.REPO_ROOT / "store" / "migrations")
    stores.new()
    empty = content()
    code, out = restore(tmp_path / "x.zip", capsys)
    assert code == 1 and f"来自较新版本的系统（数据库版本 0099，本系统为 {head}）" in out
    assert content() == empty


def _building(db_file: Path) -> bool:
    """The restore is under way: its new file exists (SQLite), or another session of this
    database holds a table's exclusive lock, i.e. has dropped the tables in its transaction (PostgreSQL)."""
    if not PG:
        return bool(list(db_file.parent.glob(".onemap.sqlite.restore-*")))
    from sqlalchemy.pool import NullPool

    eng = create_engine(settings.database_url(), poolclass=NullPool)
    with eng.connect() as c:
        return bool(c.execute(text(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.mode = 'AccessExclusiveLock' AND a.datname = current_database() "
            "AND a.pid <> pg_backend_pid()")).scalar())


KILLER = """
import sys
from onemap.cli import main
sys.exit(main(["restore", sys.argv[1]]))
"""


def test_kill_during_restore_leaves_the_store_as_it_was(demo_dir, tmp_path, monkeypatch):
    """kill -9 while the restore builds: the store's content is unchanged (SQLite: the new
    file is never put in place; PostgreSQL: the transaction never commits)."""
    src = tmp_path / "a.zip"
    assert main(["backup", str(src)]) == 0
    # make the backup differ from the store, and big enough to take a while
    big = _rewrite(src, tmp_path / "big.zip", tables={"status_events": lambda rows: rows, "units": lambda rows: [
        *rows, *({"id": 10_000 + i, "name": f"单位{i}", "place_code": "360200", "aliases": []}
                 for i in range(40_000))]})
    with transaction() as s:
        s.execute(text("DELETE FROM task_sites"))
    before = content()
    env = {**os.environ, "PYTHONPATH": str(settings.REPO_ROOT)}
    db_file = settings.data_dir() / "onemap.sqlite"
    get_engine(settings.database_url()).dispose()
    killed_mid = 0
    for trial in range(4):
        p = subprocess.Popen([sys.executable, "-c", KILLER, str(big)], env=env, cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and p.poll() is None and not _building(db_file):
            time.sleep(0.02)
        if p.poll() is None:
            time.sleep(0.05 * trial)
            os.kill(p.pid, signal.SIGKILL)
            killed_mid += 1
        p.wait()
        assert content() == before, f"trial {trial}"
    assert killed_mid == 4
    # and the next restore runs cleanly over what the killed ones left behind
    assert main(["restore", str(src)]) == 0
    assert not list(db_file.parent.glob(".onemap.sqlite.restore-*"))


def test_self_parent_gpkg_restore_is_refused_not_a_hang():
    from store.dump import CycleError, _depth

    rows = {1: {"id": 1, "parent_id": 1}, 2: {"id": 2, "parent_id": 1}}
    with pytest.raises(CycleError, match="成环"):
        _depth(rows[2], rows)
    assert _depth({"id": 3, "parent_id": None}, rows) == 0


def test_backup_refuses_when_an_evidence_file_is_missing(demo_dir, tmp_path, capsys):
    enrich(tmp_path)
    for f in settings.attachments_dir().rglob("*.pdf"):
        f.unlink()
    code = main(["backup", str(tmp_path / "z.zip")])
    out = capsys.readouterr().err
    assert code == 1 and "附件文件缺失" in out and ".pdf" in out
    assert not (tmp_path / "z.zip").exists()



def test_the_restoring_user_stays_signed_in(demo_dir, tmp_path):
    """A manager signs in after the nightly backup and restores it from the page: the backup
    holds the account but not today's session; the page must still show the outcome to the
    same user, not the sign-in page."""
    from domain.actors import Actor
    from onemap import accounts, services
    from tests.conftest import MANAGER, account, session_token

    name = account(MANAGER["name"], MANAGER["unit"], MANAGER["role"])
    actor = Actor(name, MANAGER["name"], MANAGER["role"], MANAGER["unit"])
    services.backup(actor, tmp_path / "nightly.zip")
    token = session_token()  # signed in after the backup
    assert accounts.resume(token) is not None
    services.restore_backup(actor, tmp_path / "nightly.zip")
    resumed = accounts.resume(token)
    assert resumed is not None and resumed.actor.username == name


def test_a_store_replaced_by_another_process_is_read_afresh(stores, demo_store, tmp_path):
    """`onemap restore` from the shell while the app serves: the app's open connections would
    keep reading (and writing) the deleted file. The next unit of work opens the new file."""
    if PG:
        pytest.skip("a file-level replacement is SQLite's")
    target = stores.new(demo=demo_store)
    with reader() as s:
        before = s.scalar(select(func.count()).select_from(m.Site))
    assert before > 0
    db_file = Path(str(get_engine(settings.database_url()).url.database))
    empty = tmp_path / "other.sqlite"
    create_engine(f"sqlite:///{empty}").dispose()
    from store.db import migrate

    eng = create_engine(f"sqlite:///{empty}")
    migrate(eng)
    eng.dispose()
    os.replace(empty, db_file)  # what another process's restore does
    with reader() as s:
        assert s.scalar(select(func.count()).select_from(m.Site)) == 0
    assert target
