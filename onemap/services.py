"""Use cases shared by the command line and the app: each reads, validates fully,
then writes in one transaction (or, with dry_run, writes nothing).

The one door for writes: every public function that writes takes the acting account
(domain.actors.Actor) first, checks it with domain.permissions.ensure, and appends one
audit row (onemap.audit) in the same transaction as the write."""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domain import permissions as perm
from domain import status as st_status
from domain.actors import Actor
from domain.units import UnitParser
from geo.region import Region, build_region, load_region
from ingest import docparse
from ingest.docparse.meta import distinct_short_name
from ingest.gazetteer import Gazetteer
from ingest.ledger import read_ledger, split_number
from ingest.report import ImportFailed, Report
from ingest.restore import is_full_export, restore
from ingest.sites import TABLE_SUFFIXES, VECTOR_SUFFIXES, read_sites
from onemap import audit, open_formats, settings
from store import models as m
from store import queries, repo
from store.db import reader, transaction
from store.dump import DUMPED, dump_table

DEFAULT_REGION = "360200"
LEDGER_HINTS = ("编号", "整改时限", "责任单位", "问题/任务")


log = logging.getLogger(__name__)

class ServiceError(ValueError):
    """A refusal with a Chinese message for the user."""


class Refusal(ServiceError):
    """A permission refusal met inside a write transaction (`ensure(..., within=True)`): it is
    recorded by `write_transaction` after that transaction has rolled back — a second transaction
    opened inside the first would wait for the first's lock on SQLite (30 s) and then fail, and
    the refusal would go unrecorded."""

    def __init__(self, actor: Actor | None, action: str, ref: str, message: str):
        super().__init__(message)
        self.actor, self.action, self.ref = actor, action, ref

    def record(self) -> None:
        try:
            with transaction() as s:
                audit.record(s, self.actor, audit.DENIED,
                             object_type=perm.ACTION_NAMES.get(self.action, self.action)[:32],
                             object_id=self.ref, summary=str(self))
        except Exception:  # noqa: BLE001 - the refusal stands even if it cannot be recorded
            log.exception("recording a refused action failed")


def ensure(actor: Actor | None, action: str, scope: perm.TaskScope | None = None, *, within: bool = False) -> None:
    """The permission check every writer makes first (a refusal is a ServiceError). A refusal
    is a security event: recorded in the audit trail (拒绝操作: who tried what, and why not).
    `within=True` inside a `write_transaction`: recorded once that transaction is over."""
    try:
        perm.ensure(actor, action, scope)
    except perm.Refused as exc:
        refusal = Refusal(actor, action, getattr(scope, "ref", "") or "", str(exc))
        if within:
            raise refusal from exc
        refusal.record()
        raise ServiceError(str(exc)) from exc


@contextmanager
def write_transaction() -> Iterator[Session]:
    """`transaction()` for writers that check permissions inside it (`ensure(..., within=True)`)."""
    try:
        with transaction() as s:
            yield s
    except Refusal as exc:
        exc.record()
        raise


def task_scope(s: Session, task: m.Task) -> perm.TaskScope:
    """Who may act on a task: its 责任单位 (with their places), its 验收单位 — a measure without
    units of its own takes its parent's — and the account behind a pending 销号 application."""
    node, rows = task, []
    while node is not None:
        rows = s.execute(select(m.Unit.name, m.Unit.place_code, m.TaskUnit.role)
                         .join(m.TaskUnit, m.TaskUnit.unit_id == m.Unit.id)
                         .where(m.TaskUnit.task_id == node.id).order_by(m.TaskUnit.position)).all()
        if rows or node.parent_id is None:
            break
        node = s.get(m.Task, node.parent_id)
    last = s.scalar(select(m.StatusEvent).where(m.StatusEvent.task_id == task.id)
                    .order_by(m.StatusEvent.seq.desc()).limit(1))
    applicant = last.actor_user if last is not None and last.to_status == st_status.APPLIED else None
    return perm.TaskScope(task.ref, tuple((n, p) for n, p, r in rows if r == "responsible"),
                          tuple(n for n, _p, r in rows if r == "acceptance"), applicant)


def may_report(actor: Actor | None, task_id: int) -> bool:
    """May the actor record progress (a finding) on this task?"""
    with reader() as s:
        task = s.get(m.Task, int(task_id))
        return task is not None and perm.allowed(actor, perm.PROGRESS, task_scope(s, task))


def allowed_changes(actor: Actor | None, task_id: int, options: list[str], current: str) -> dict[str, str | None]:
    """For each legal next status, None if the actor may make the change, else why not (for
    pages: they offer only what the service would accept)."""
    with reader() as s:
        task = s.get(m.Task, int(task_id))
        if task is None:
            return dict.fromkeys(options, f"任务 {task_id} 不存在")
        scope = task_scope(s, task)
    return {to: perm.why_not(actor, perm.status_action(current, to), scope) for to in options}


# ----------------------------------------------------------------------------- region
def active_region_code(s: Session) -> str:
    return repo.get_meta(s, "region") or DEFAULT_REGION


def active_region() -> Region:
    with reader() as s:
        return load_region(active_region_code(s))


def setup_region(actor: Actor, adcode: str, *, activate: bool = True) -> Region:
    """Build the region files (into the data directory) and make it the active region."""
    ensure(actor, perm.SETTINGS)
    build_region(adcode, settings.data_dir() / "regions")
    region = load_region(adcode)
    with transaction() as s:
        before = repo.get_meta(s, "region")
        if activate:
            repo.set_meta(s, "region", region.adcode)
        audit.record(s, actor, audit.SETTINGS, object_type="区域", object_id=region.adcode,
                     summary=f"建立区域 {region.name}" + ("并设为当前区域" if activate else ""),
                     before={"region": before}, after={"region": region.adcode if activate else before})
    return region


# ----------------------------------------------------------------------------- sites / ledgers
@dataclass
class ImportOutcome:
    kind: str  # sites | ledger | restore | document
    report: Report
    preview: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    written: bool = False


def _looks_like_ledger(path: Path) -> bool:
    if path.suffix.lower() not in TABLE_SUFFIXES:
        return False
    from ingest.sites import read_table

    df = read_table(path, Report())
    return df is not None and sum(h in df.columns for h in LEDGER_HINTS) >= 2 and "经度" not in df.columns


def import_file(actor: Actor, path: Path, *, kind: str | None = None, crs: str | None = None, dry_run: bool = False,
                allow_outside: bool = False, x_col: str | None = None, y_col: str | None = None,
                document: str | None = None, replace: bool = False, layer: str | None = None) -> ImportOutcome:
    """Import a site layer, a task ledger or a full export; all-or-nothing."""
    ensure(actor, perm.IMPORT)
    path = Path(path)
    if not path.exists():
        r = Report()
        r.error("", "", str(path), "文件不存在", "请检查路径")
        raise ImportFailed(r)
    size, limit = path.stat().st_size, settings.limits().upload_bytes
    if size > limit:
        r = Report()
        r.error("", "", path.name, f"文件过大（{size / 2**20:.0f} MB，上限 {limit / 2**20:.0f} MB）",
                "请分批导入（上限可由 ONEMAP_LIMIT_UPLOAD_BYTES 调整）")
        raise ImportFailed(r)
    if is_full_export(path):
        ensure(actor, perm.RESTORE)
        if dry_run:
            return ImportOutcome("restore", Report())
        from store.dump import CycleError

        try:
            with transaction() as s:
                counts = restore(s, path, replace=replace)
                audit.record(s, actor, audit.RESTORED, object_type="完整导出", object_id=path.name,
                             summary=("整体替换" if replace else "恢复") + "："
                             + "，".join(f"{k} {v}" for k, v in counts.items()),
                             after={"sha256": _sha(path), **counts})
        except CycleError as exc:
            r = Report()
            r.error("", "parent_id", path.name, str(exc), "请检查导出文件中的上级任务编号")
            raise ImportFailed(r) from exc
        return ImportOutcome("restore", Report(), counts=counts, written=True)
    if _looks_like_ledger(path) and kind is None:
        return import_ledger(actor, path, dry_run=dry_run, document=document)
    if path.suffix.lower() not in TABLE_SUFFIXES + VECTOR_SUFFIXES:
        r = Report()
        r.error("", "", path.name, f"不支持的文件类型“{path.suffix}”",
                "点位支持 GeoJSON、zip 打包的 Shapefile、GeoPackage、KML、CSV、XLSX；台账支持 XLSX、CSV；文件用 import-doc")
        raise ImportFailed(r)
    region = active_region()
    from onemap import datums

    result = read_sites(path, region, kind=kind, crs=crs, allow_outside=allow_outside, x_col=x_col, y_col=y_col,
                        layer=layer, datums=datums.configured())
    if not result.report.ok:
        raise ImportFailed(result.report)
    with transaction() as s:
        preview = repo.preview_sites(s, result.records)
        counts = {a: sum(p.action == a for p in preview) for a in (repo.NEW, repo.CHANGED, repo.UNCHANGED)}
        if not dry_run:
            repo.write_sites(s, preview)
            audit.record(s, actor, audit.IMPORTED, object_type="点位图层", object_id=path.name,
                         summary="导入点位：" + "，".join(f"{k} {v} 个" for k, v in counts.items()),
                         after={"sha256": _sha(path), "sites": [p.site_id for p in preview
                                                                if p.action != repo.UNCHANGED],
                                "source_crs": result.source_crs, **_datum_notes(r.attrs for r in result.records)})
        else:
            s.rollback()
    return ImportOutcome("sites", result.report, preview, counts, written=not dry_run)


def _datum_notes(attrs) -> dict:
    """The 七参数 applied to an import (geo.datums), for its audit row."""
    from geo.datums import DATUM_ATTR

    notes = sorted({a[DATUM_ATTR] for a in attrs if DATUM_ATTR in a})
    return {"坐标转换": notes} if notes else {}


def _site_lookup(s: Session) -> dict[str, str]:
    out: dict[str, str] = {}
    for site in s.scalars(select(m.Site)):
        for n in (site.id, site.name, *(site.aliases or [])):
            out.setdefault(n, site.id)
    return out


def import_ledger(actor: Actor, path: Path, *, dry_run: bool = False, document: str | None = None) -> ImportOutcome:
    ensure(actor, perm.IMPORT)
    region = active_region()
    with transaction() as s:
        led = read_ledger(path, UnitParser(region.places), _site_lookup(s),
                          default_document=document or Path(path).stem)
        if not led.report.ok:
            raise ImportFailed(led.report)
        counts = {"文件": len(led.docs), "任务": sum(len(list(_walk(d.items))) for d in led.docs)}
        if not counts["任务"]:  # an empty ledger is a mistake (wrong sheet, wrong file), not a success
            led.report.error("", "编号", Path(path).name, "台账中没有任何任务行", "请在表头下方逐行填写任务（每行一条）")
            raise ImportFailed(led.report)
        existing = {d.short_name: d for d in s.scalars(select(m.Document).where(
            m.Document.short_name.in_([d.short_name for d in led.docs])))}
        if existing:  # a ledger of a document already in the store revises its links (issue 19)
            return _relink_from_ledger(s, actor, path, led, existing, dry_run)
        if dry_run:
            s.rollback()
            return ImportOutcome("ledger", led.report, counts=counts)
        for doc in led.docs:
            try:
                d = repo.add_document(s, doc, filename=Path(path).name, sha256=_sha(path))
            except repo.StoreError as exc:
                led.report.error("", "来源文件", doc.short_name, str(exc), "")
                raise ImportFailed(led.report) from exc
            by_uid = {t.uid: t.id for t in s.scalars(select(m.Task).where(m.Task.document_id == d.id))}
            for (doc_name, number), site_ids in led.site_links.items():
                if doc_name != doc.short_name:
                    continue
                tid = by_uid.get(_ledger_uid(doc_name, number))
                for sid in site_ids:
                    repo.link_task_site(s, tid, sid, "台账关联点位", 1.0)
        audit.record(s, actor, audit.IMPORTED, object_type="任务台账", object_id=Path(path).name,
                     summary="导入台账：" + "，".join(f"{k} {v}" for k, v in counts.items()),
                     after={"sha256": _sha(path), "documents": [d.short_name for d in led.docs], **counts})
    return ImportOutcome("ledger", led.report, counts=counts, written=True)


def _ledger_uid(doc_name: str, number: str) -> str:
    part, _ = split_number(number)
    return f"{doc_name}|{part}|{number[2:].lstrip('/') if part == 'annex' else number}"


def _relink_from_ledger(s: Session, actor: Actor, path: Path, led, existing: dict, dry_run: bool) -> ImportOutcome:
    """A ledger whose documents are all in the store: its 关联点位 cells set the links of the
    tasks they name (matched by 编号); the tasks' text and status are the documents' own (a
    document revision changes them). All or nothing: a document of the ledger that is not in
    the store, or a number without a task, refuses the whole file."""
    missing = [d.short_name for d in led.docs if d.short_name not in existing]
    if missing:
        led.report.error("", "来源文件", "、".join(missing), "台账混有库中已有和尚未导入的文件",
                         "请把已导入文件的关联点位与新文件分开导入")
        raise ImportFailed(led.report)
    uids = {u: i for u, i in s.execute(select(m.Task.uid, m.Task.id).where(
        m.Task.document_id.in_([d.id for d in existing.values()]))).all()}
    plan: dict[int, list[str]] = {}
    for (doc_name, number), site_ids in led.site_links.items():
        tid = uids.get(_ledger_uid(doc_name, number))
        if tid is None:
            led.report.error("", "编号", number, f"库中“{doc_name}”没有这一编号的任务",
                             "请核对编号，或先用文件修订增加该任务")
            continue
        plan[tid] = list(dict.fromkeys(site_ids))
    if not led.report.ok:
        raise ImportFailed(led.report)
    current: dict[int, set[str]] = {}
    for tid, sid in s.execute(select(m.TaskSite.task_id, m.TaskSite.site_id).where(m.TaskSite.task_id.in_(plan))):
        current.setdefault(tid, set()).add(sid)
    changed = [tid for tid, sites in plan.items() if set(sites) != current.get(tid, set())]
    counts = {"文件": len(led.docs), "关联点位更新的任务": len(changed), "关联点位不变的任务": len(plan) - len(changed)}
    led.report.warn("", "来源文件", "、".join(existing), "库中已有该文件：本次只更新台账“关联点位”列所列任务的关联，"
                    "任务内容与状态不变", "任务内容的修改请用“导入文件”修订")
    if dry_run or not changed:
        s.rollback()
        return ImportOutcome("ledger", led.report, counts=counts, written=False)
    for tid in changed:
        s.execute(delete(m.TaskSite).where(m.TaskSite.task_id == tid))
        for sid in plan[tid]:
            repo.link_task_site(s, tid, sid, "台账关联点位", 1.0)
    audit.record(s, actor, audit.REVISION, object_type="任务台账", object_id=Path(path).name,
                 summary="按台账更新关联点位：" + "，".join(f"{k} {v}" for k, v in counts.items()),
                 after={"sha256": _sha(path), "documents": list(existing), **counts})
    return ImportOutcome("ledger", led.report, counts=counts, written=True)


def _walk(items):
    for i in items:
        yield from i.walk()


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ----------------------------------------------------------------------------- documents
def parse_doc(path: Path, *, short_name: str | None = None) -> docparse.ParsedDoc:
    size, limit = Path(path).stat().st_size, settings.limits().upload_bytes
    if size > limit:
        raise docparse.DocParseError(f"文件“{Path(path).name}”过大（{size / 2**20:.0f} MB，上限 {limit / 2**20:.0f} MB）")
    region = active_region()
    return _parse_named(Path(path), UnitParser(region.places), short_name)


def _parse_named(path: Path, up: UnitParser, short_name: str | None) -> docparse.ParsedDoc:
    """Parse; an automatic short name (`2026年工作要点`) that is another document's makes this a
    revision only when the titles are the same, otherwise a new document with its own name (the
    upload page and `onemap import-doc` alike). A short name the user gives means what it says."""
    doc = docparse.parse_document(path, up, short_name=short_name)
    if short_name is None:
        with reader() as s:
            same = s.scalar(select(m.Document).where(m.Document.short_name == doc.short_name))
            if same is not None and same.title != doc.title:
                taken = set(s.scalars(select(m.Document.short_name)))
                doc = docparse.parse_document(path, up,
                                              short_name=distinct_short_name(doc.title, doc.short_name, taken))
    return doc


def commit_doc(actor: Actor, doc: docparse.ParsedDoc, *, filename: str = "", sha256: str = "", created_at=None,
               link_sites: bool = True, dry_run: bool = False) -> tuple[int, int]:
    """Write a parsed document; link tasks to the sites their text names.
    Returns (document id, number of links). With dry_run the very same writes and checks
    run and are rolled back (nothing written, nothing audited), so a dry run fails exactly
    where the import would."""
    from sqlalchemy.exc import IntegrityError

    ensure(actor, perm.REVISE)
    with transaction() as s:
        try:
            d = repo.add_document(s, doc, filename=filename, sha256=sha256, created_at=created_at)
            links = link_document_sites(s, d.id) if link_sites else 0
            link_document_targets(s, d.id)
            s.flush()
        except repo.StoreError as exc:
            raise ServiceError(str(exc)) from exc
        except IntegrityError as exc:
            raise ServiceError("无法写入：条目编号与已有记录冲突（编号重复）。请检查文件编号或更换简称（--name）") from exc
        doc_id = d.id
        if dry_run:
            s.rollback()
            return 0, links
        audit.record(s, actor, audit.DOCUMENT, object_type="文件", object_id=doc.short_name,
                     summary=f"导入《{doc.title}》：{sum(1 for i in doc.items for _ in i.walk())} 条，关联点位 {links} 处",
                     after={"document_id": doc_id, "filename": filename, "sha256": sha256})
        return doc_id, links


def region_prefixes(region: Region) -> tuple[str, ...]:
    """Names written before a place name that are not part of it: 江西(省), 景德镇(市), 乐平市…"""
    meta = region.meta
    out = [meta.get("province", ""), meta["name"], *(c["name"] for c in meta.get("counties", []))]
    out += [n[:-1] for n in (meta.get("province", ""), meta["name"]) if len(n) > 2 and n[-1] in "省市"]
    return tuple(p for p in out if p)


def gazetteer(s: Session, region: Region | None = None) -> Gazetteer:
    from onemap.kinds import kind_by_any

    region = region or load_region(active_region_code(s))
    sites = [(x.id, x.name, list(x.aliases or []), (kind_by_any(x.kind).code if kind_by_any(x.kind) else None))
             for x in s.scalars(select(m.Site))]
    return Gazetteer(sites, prefixes=region_prefixes(region))


def link_document_sites(s: Session, document_id: int, min_confidence: float = 0.8) -> int:
    """Gazetteer pass: a task is linked to each site its text names (confidence at
    least `min_confidence`); a problem or key task is also linked to the sites of its
    measures."""
    gaz = gazetteer(s)
    tasks = list(s.scalars(select(m.Task).where(m.Task.document_id == document_id)))
    by_id = {t.id: t for t in tasks}
    n = 0
    for t in tasks:
        for match in gaz.find(" ".join([t.title, t.body, t.target])):
            if match.confidence < min_confidence:
                continue
            repo.link_task_site(s, t.id, match.site_id, match.text, match.confidence)
            n += 1
            root = t
            while root.parent_id is not None and root.parent_id in by_id:
                root = by_id[root.parent_id]
                repo.link_task_site(s, root.id, match.site_id, match.text, match.confidence)
        s.flush()
    return n


def link_document_targets(s: Session, document_id: int, min_confidence: float = 0.8) -> int:
    """The document's targets linked to the places their text names: the counties/zones by
    the rule a unit's place is found by (`PlaceSet.places_named`), the sites by the
    gazetteer pass tasks are linked with (same confidence threshold). Returns the links made."""
    region = load_region(active_region_code(s))
    gaz = gazetteer(s, region)
    n = 0
    for t in s.scalars(select(m.DocumentTarget).where(m.DocumentTarget.document_id == document_id)):
        text = " ".join(x for x in (t.title, t.body) if x)
        t.place_codes = [p.code for p in region.places.places_named(text)]
        s.execute(delete(m.TargetSite).where(m.TargetSite.target_id == t.id))
        seen: set[str] = set()
        for match in gaz.find(text):
            if match.confidence < min_confidence or match.site_id in seen:
                continue
            seen.add(match.site_id)
            s.add(m.TargetSite(target_id=t.id, site_id=match.site_id, matched_text=match.text[:200],
                               confidence=match.confidence))
        n += len(t.place_codes) + len(seen)
    s.flush()
    return n


# ----------------------------------------------------------------------------- status (销号)
@dataclass(frozen=True)
class StatusChange:
    """A status event as stored: what changed, when, by whom."""

    task_id: int
    event_id: int
    from_status: str
    to_status: str
    at: datetime
    actor: str
    actor_unit: str
    note: str
    files: int


def change_status(actor: Actor, task_id: int, to_status: str, *, note: str = "",
                  day: date | None = None, files: list[Path] | None = None,
                  expected_version: int | None = None) -> StatusChange:
    """Record a status change of a task or measure (the closing procedure), checked
    against the state machine and written in one transaction with its evidence files.
    `day` is the date the change happened: today gets the current time, an earlier
    day noon. `expected_version` is the task's version (last event's number) the user saw: if
    the task moved on meanwhile, the change is refused naming who changed it to what. Refusals raise ServiceError with the
    Chinese reason; nothing is written. The actor must be allowed the change on this task
    (domain.permissions: role, unit/county, separation of duties)."""
    from datetime import time

    ensure(actor, perm.VIEW)
    today = date.today()
    day = day or today
    if day > today:
        raise ServiceError("日期不能晚于今天")
    at = datetime.now().replace(microsecond=0) if day == today else datetime.combine(day, time(12, 0))
    try:
        with write_transaction() as s:
            task = s.get(m.Task, int(task_id))
            if task is None:
                raise ServiceError(f"任务 {task_id} 不存在")
            cur = repo.current_status(s, task.id)
            if expected_version is None or expected_version == repo.task_version(s, task.id):
                try:  # an illegal change is refused as such, whoever asks
                    st_status.check_transition(cur, to_status, ongoing=bool(task.ongoing), note=note)
                except st_status.TransitionError as exc:
                    raise ServiceError(str(exc)) from exc
                ensure(actor, perm.status_action(cur, to_status), task_scope(s, task), within=True)
            ev = repo.record_status(s, int(task_id), to_status, actor=actor.display_name, actor_unit=actor.unit,
                                    note=note, at=at, files=list(files or []), expected_version=expected_version,
                                    actor_user=actor.username)
            audit.record(s, actor, audit.STATUS_CHANGED, object_type="任务", object_id=task.ref,
                         summary=f"{task.ref}：{ev.from_status} → {ev.to_status}",
                         before={"status": ev.from_status, "version": ev.seq - 1},
                         after={"status": ev.to_status, "version": ev.seq, "event_id": ev.id, "note": ev.note,
                                "at": ev.at, "files": len(files or [])})
            return StatusChange(int(task_id), ev.id, ev.from_status, ev.to_status, ev.at, ev.actor,
                                ev.actor_unit, ev.note, len(files or []))
    except repo.StoreError as exc:
        raise ServiceError(str(exc)) from exc


# ----------------------------------------------------------------------------- export
def _audit_export(actor: Actor, path: Path, what: str, **after) -> None:
    with transaction() as s:
        audit.record(s, actor, audit.EXPORTED, object_type=what, object_id=Path(path).name,
                     summary=f"导出{what}", after={"sha256": _sha(path), **after})


def record_download(actor: Actor, what: str, file_name: str, data: bytes, **after) -> None:
    """A page's download of what it shows (e.g. the ledger's current view as XLSX/CSV): audited
    like a file export — who, what, and the bytes' SHA-256."""
    with transaction() as s:
        audit.record(s, actor, audit.EXPORTED, object_type=what, object_id=file_name, summary=f"导出{what}",
                     after={"sha256": hashlib.sha256(data).hexdigest(), **after})


EXPORT_KINDS = {".gpkg": "完整数据", ".xlsx": "任务台账", ".html": "单文件地图", ".htm": "单文件地图",
                **open_formats.KINDS}


def export(actor: Actor, path: Path, *, as_of: date | None = None, layer: str | None = None) -> Path:
    """Export by suffix: .gpkg, .xlsx, .html, and the open formats (onemap.open_formats): .csv
    (ledger), .tif (density COG), .parquet (one GeoParquet layer, `layer`), .zip (every layer)."""
    ensure(actor, perm.EXPORT)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_KINDS:
        raise ServiceError(f"不支持导出为“{suffix}”：请使用 .gpkg（全部数据）、.xlsx 或 .csv（台账）、.html（单文件地图）、"
                           ".parquet 或 .zip（GeoParquet 图层）、.tif（任务密度面 COG）")
    region = active_region()
    with reader() as s:
        if suffix in open_formats.KINDS:
            try:
                out = open_formats.write(s, region, path, as_of=as_of or date.today(), layer=layer)
            except open_formats.FormatError as exc:
                raise ServiceError(str(exc)) from exc
            _audit_export(actor, out, EXPORT_KINDS[suffix], as_of=as_of, **({"layer": layer} if layer else {}))
            return out
        if suffix == ".gpkg":
            from exports.gpkg import write_gpkg
            from onemap.water import evaluated_frame

            tables = {name: dump_table(s, model) for name, model in DUMPED.items()}
            # the evaluated monthly series beside the raw values, for a GIS user (a restore reads
            # only the store's own tables and leaves this one)
            tables["water_evaluated"] = evaluated_frame(as_of or date.today())
            out = write_gpkg(path, region=region, sites=queries.sites_frame(s), tables=tables)
        elif suffix == ".xlsx":
            from exports.ledger_xlsx import write_ledger_xlsx

            as_of = as_of or date.today()
            tasks = queries.tasks_frame(s, as_of, settings.due_soon_days(), places=region.places)
            tasks = tasks[~tasks["archived"].astype(bool)]  # archived items stay in the GeoPackage, not the ledger
            names = {x.id: x.name for x in s.scalars(select(m.Site))}
            from onemap.water import evaluated_frame

            out = write_ledger_xlsx(tasks, names, path, as_of=as_of,
                                    targets=queries.targets_frame(s, region.places), water=evaluated_frame(as_of))
        else:
            out = _standalone_html(path, as_of=as_of, session=s, region=region)
    _audit_export(actor, out, EXPORT_KINDS[suffix], as_of=as_of)
    return out


def standalone_html(actor: Actor, path: Path, *, as_of: date | None = None, basemap: str | None = None) -> Path:
    """The map as one self-contained HTML file (opens with no network, no server). basemap: the
    registry id chosen on the map; the file names it (and its 审图号) in its caption."""
    ensure(actor, perm.EXPORT)
    out = _standalone_html(path, as_of=as_of, basemap=basemap)
    _audit_export(actor, out, "单文件地图", as_of=as_of)
    return out


def basemap_caption(basemap: str | None = None) -> tuple[str, str]:
    """(credit, note) for a map that leaves the app drawn on the bundled counties: the source
    and 审图号 of what is drawn, and why a chosen tile basemap is not in it."""
    from onemap import basemaps

    county = basemaps.get(basemaps.default_id())
    chosen = basemaps.get(basemap)
    if chosen.type == "vector":
        return chosen.credit, ""
    why = "本单位影像体积较大" if chosen.type == "local" else "在线瓦片需联网"
    return county.credit, f"所选底图“{chosen.name}”未嵌入（{why}），此处为随文件的区县底图"


def _standalone_html(path: Path, *, as_of: date | None = None, session: Session | None = None,
                     region: Region | None = None, basemap: str | None = None) -> Path:
    from domain.rollup import site_summary
    from exports.standalone import standalone_map
    from layers.sites import prepare_geometry

    as_of = as_of or date.today()
    region = region or active_region()

    def build(s: Session) -> Path:
        tasks = queries.tasks_frame(s, as_of, settings.due_soon_days(), places=region.places)
        tasks = tasks[~tasks["archived"].astype(bool)]
        sites = queries.sites_frame(s)
        prepared = prepare_geometry(sites, {c.code: c.name for c in region.places.counties})
        page = standalone_map(region, prepared, site_summary(tasks, list(sites["id"])), data_date=as_of,
                              title=f"{region.name}生态环境一张图", illustrative=bool(sites["illustrative"].any()),
                              sample=bool(tasks["sample_events"].any()), tasks=tasks,
                              basemap=basemap_caption(basemap))
        Path(path).write_text(page, encoding="utf-8")
        return Path(path)

    if session is not None:
        return build(session)
    with reader() as s:
        return build(s)


# ----------------------------------------------------------------------------- document review
def start_review(path: Path, *, short_name: str | None = None):
    """Parse a document for review in the app: table, proposed links, unmatched place
    names, unknown units, and whether it revises a document already imported."""
    from ingest import review as rv

    region = active_region()
    up = UnitParser(region.places)
    doc = _parse_named(Path(path), up, short_name)
    rows = rv.to_table(doc)
    with reader() as s:
        gaz = gazetteer(s, region)
        names = {x.id: x.name for x in s.scalars(select(m.Site))}
        known = {u.name for u in s.scalars(select(m.Unit))} | {a for u in s.scalars(select(m.Unit))
                                                                 for a in (u.aliases or [])}
        exists = s.scalar(select(m.Document).where(m.Document.short_name == doc.short_name)) is not None
    links, candidates = rv.propose(rows, gaz, names)
    return rv.Review(doc, Path(path).name, _sha(path), rows, links, candidates,
                     rv.new_units(rows, up, known, revision=exists, other_city_code=doc.other_city_code),
                     exists)


def refresh_review(review, *, short_name: str | None = None):
    """Recompute proposals after the table was edited (or the short name changed)."""
    from ingest import review as rv

    if short_name and short_name != review.doc.short_name:
        review.doc.short_name = short_name
        with reader() as s:
            review.exists = s.scalar(select(m.Document).where(m.Document.short_name == short_name)) is not None
    region = active_region()
    up = UnitParser(region.places)
    with reader() as s:
        gaz = gazetteer(s, region)
        names = {x.id: x.name for x in s.scalars(select(m.Site))}
        known = {u.name for u in s.scalars(select(m.Unit))} | {a for u in s.scalars(select(m.Unit))
                                                                 for a in (u.aliases or [])}
    old = {(r["行"], r["点位编号"]): r["采纳"] for r in review.links.to_dict("records")}
    manual = [r for r in review.links.to_dict("records") if r["匹配文字"] == rv.MANUAL]
    review.links, cands = rv.propose(review.rows, gaz, names)
    review.links["采纳"] = [old.get((r, sid), a) for r, sid, a in
                          zip(review.links["行"], review.links["点位编号"], review.links["采纳"], strict=True)]
    for r in manual:  # the clerk's own links stay while their row does
        if r["行"] in set(review.rows["行"]) and r["点位编号"] in names:
            review.links = rv.add_manual_link(review.links, review.rows, r["行"], r["点位编号"], names[r["点位编号"]])
            review.links.loc[(review.links["行"] == r["行"]) & (review.links["点位编号"] == r["点位编号"]), "采纳"] = \
                bool(r["采纳"])
    keep = review.candidates.set_index("地名") if len(review.candidates) else None
    if keep is not None and len(cands):
        for col in ("新建", "名称", "经度", "纬度", "坐标系"):
            cands[col] = [keep.at[n, col] if n in keep.index else v for n, v in zip(cands["地名"], cands[col],
                                                                                   strict=True)]
    review.candidates = cands
    before = {r["单位"]: r for r in review.units.to_dict("records")}  # the clerk's ticks and places stay
    review.units = rv.new_units(review.rows, up, known, revision=review.exists,
                                other_city_code=review.doc.other_city_code)
    for col in ("所属", "确认"):
        review.units[col] = [before[n][col] if n in before else v
                             for n, v in zip(review.units["单位"], review.units[col], strict=True)]
    return review


def unit_place_labels(extra_codes=()) -> dict[str, str]:
    """The places a new unit may belong to, code → name: the active region's, and any other
    city or county a review proposed (`上饶市信州区（外市）`), so the page names them."""
    from geo.china_names import by_code

    labels = {p.code: p.name for p in active_region().places.all()}
    for code in extra_codes:
        code = str(code)
        if code and code not in labels:
            named = by_code(code)
            labels[code] = f"{named.label}（外市）" if named else code
    return labels


def plan_review_revision(review):
    """The revision plan when the document was imported before (nothing written)."""
    from ingest import review as rv
    from store.revise import plan_revision

    doc = rv.to_doc(review.rows, review.doc, UnitParser(active_region().places))
    with reader() as s:
        return plan_revision(s, doc)


def _candidate_sites(review, region: Region, report: Report):
    from pyproj import Transformer
    from shapely.geometry import Point

    from domain.sites import SiteRecord
    from geo.crs import parse_crs
    from onemap.kinds import kind_by_any

    out = []
    for r in review.candidates.to_dict("records"):
        if not r["新建"]:
            continue
        name = str(r["名称"] or "").strip()
        kind = kind_by_any(r["类型"])
        try:
            lon, lat = float(r["经度"]), float(r["纬度"])
            if not (math.isfinite(lon) and math.isfinite(lat)):
                raise ValueError
        except (TypeError, ValueError):
            report.error(name or r["地名"], "坐标", "", "新建点位缺少坐标", "请在地图上点击位置，或填写经度/纬度")
            continue
        try:
            crs = parse_crs(str(r["坐标系"] or "EPSG:4326"))
        except ValueError as exc:
            report.error(name, "坐标系", r["坐标系"], str(exc), "")
            continue
        x, y = Transformer.from_crs(crs, 4326, always_xy=True).transform(lon, lat)
        county = region.county_of(x, y)
        if not name or kind is None:
            report.error(r["地名"], "名称/类型", name, "新建点位需要名称和类型", "")
            continue
        if county is None:
            report.error(name, "坐标", f"{x:.5f}, {y:.5f}", f"位置不在{region.name}范围内",
                         "请核对坐标与坐标系（CGCS2000 投影坐标请选对应的高斯-克吕格带）")
            continue
        out.append((SiteRecord(id="", kind=kind.name, name=name, geometry=Point(round(x, 7), round(y, 7)),
                               county_code=county, aliases=[r["地名"]] if r["地名"] != name else [],
                               source_crs=crs.to_string() if not crs.to_epsg() else f"EPSG:{crs.to_epsg()}",
                               source=f"导入《{review.doc.title}》时新建"), r))
    return out


def commit_review(actor: Actor, review) -> dict[str, int]:
    """Write a reviewed document: new sites, confirmed units, the tasks (or the revision
    of the document already imported), accepted links — all in one transaction."""
    from ingest import review as rv
    from store.revise import apply_revision, item_paths, plan_revision

    ensure(actor, perm.REVISE)
    region = active_region()
    up = UnitParser(region.places)
    report = Report()
    unconfirmed = [u for u, ok in zip(review.units["单位"], review.units["确认"], strict=True) if not ok]
    if unconfirmed:
        report.error("", "单位", "、".join(unconfirmed), "有新单位未确认", "请确认其所属区县/管理区，或在表格中改成已有单位")
    doc = rv.to_doc(review.rows, review.doc, up)
    new_sites = _candidate_sites(review, region, report)
    if not doc.items:
        report.error("", "", "", "没有任何条目", "")
    if not report.ok:
        raise ImportFailed(report)
    counts: dict[str, int] = {}
    with transaction() as s:
        previews = repo.preview_sites(s, [rec for rec, _ in new_sites])
        repo.write_sites(s, previews)
        counts["新建点位"] = sum(p.action == repo.NEW for p in previews)
        for name, place in zip(review.units["单位"], review.units["所属"], strict=True):
            row = repo.ensure_unit(s, up.resolve(name))
            row.place_code = str(place)
        if review.exists:
            plan = plan_revision(s, doc)
            got = apply_revision(s, doc, plan)
            counts.update({"修改": got["updated"], "新增": got["added"], "归档": got["archived"]})
            d = s.scalar(select(m.Document).where(m.Document.short_name == doc.short_name))
        else:
            try:
                d = repo.add_document(s, doc, filename=review.filename, sha256=review.sha256)
            except repo.StoreError as exc:
                report.error("", "简称", doc.short_name, str(exc), "")
                raise ImportFailed(report) from exc
            counts["任务"] = sum(1 for i in doc.items for _ in i.walk())
        s.flush()
        uids = {t.uid: t for t in s.scalars(select(m.Task).where(m.Task.document_id == d.id))}
        by_line = {it.line: f"{doc.short_name}|{path}" for path, (it, _p) in item_paths(doc.items).items()}
        tasks = {t.id: t for t in uids.values()}
        pairs = [(int(r["行"]), r["点位编号"]) for r in review.links.to_dict("records") if r["采纳"]]
        for p, (_rec, cand) in zip(previews, new_sites, strict=True):
            pairs += [(int(x), p.site_id) for x in str(cand["涉及行"]).split("、") if x]
        n = 0
        for line, sid in pairs:
            t = uids.get(by_line.get(line, ""))
            if t is None:
                continue
            repo.link_task_site(s, t.id, sid, "导入时确认", 1.0)
            n += 1
            while t.parent_id is not None and t.parent_id in tasks:
                t = tasks[t.parent_id]
                repo.link_task_site(s, t.id, sid, "导入时确认", 1.0)
        counts["关联"] = n
        link_document_targets(s, d.id)
        if doc.targets:
            counts["目标指标"] = len(doc.targets)
        audit.record(s, actor, audit.REVISION if review.exists else audit.DOCUMENT, object_type="文件",
                     object_id=doc.short_name,
                     summary=("修订" if review.exists else "导入") + f"《{doc.title}》：" +
                     "，".join(f"{k} {v}" for k, v in counts.items()),
                     after={"filename": review.filename, "sha256": review.sha256, **counts})
    return counts


# ----------------------------------------------------------------------------- backup / restore
def backup(actor: Actor, path: Path) -> dict:
    """Write the whole store (tables, attachment files, settings, views, regions, accounts
    and the audit trail) to one file; the export is audited."""
    from store.backup import BackupError, write_backup

    ensure(actor, perm.RESTORE)
    try:
        manifest = write_backup(Path(path))
    except BackupError as exc:
        raise ServiceError(str(exc)) from exc
    _audit_export(actor, Path(path), "完整备份", schema_revision=manifest.get("schema_revision"),
                  rows={k: v.get("rows") for k, v in manifest.get("tables", {}).items()})
    return manifest


def restore_backup(actor: Actor, path: Path, *, display_name: str = "") -> dict:
    """Replace the whole store by a backup, all-or-nothing (ServiceError with the Chinese reason).
    The audit trail is kept (store/restore.py appends the rows written since the backup) and
    the restore is recorded in it, naming who restored which file."""
    from store.backup import BackupError
    from store.restore import restore_backup as _restore

    ensure(actor, perm.RESTORE)
    kept = _sessions_of(actor.username)
    try:
        out = _restore(Path(path))
    except BackupError as exc:
        raise ServiceError(str(exc)) from exc
    with transaction() as s:
        _resume_sessions(s, actor.username, kept)
        audit.record(s, actor, audit.RESTORED, object_type="完整备份", object_id=display_name or Path(path).name,
                     summary=restored_text(out), after={"sha256": _sha(Path(path)), **out["tables"]})
    return out


def _sessions_of(username: str) -> list[tuple[str, datetime, datetime]]:
    with reader() as s:
        return [(u.token_hash, u.created_at, u.last_seen) for u in s.scalars(
            select(m.UserSession).join(m.User, m.User.id == m.UserSession.user_id).where(m.User.username == username))]


def _resume_sessions(s: Session, username: str, kept: list[tuple[str, datetime, datetime]]) -> None:
    """The restoring user stays signed in (and sees the result) when the restored store holds
    the same active account; the backup's sessions do not include today's browser."""
    user = s.scalar(select(m.User).where(m.User.username == username, m.User.active.is_(True)))
    if user is None:
        return
    have = set(s.scalars(select(m.UserSession.token_hash)))
    for token_hash, created, seen in kept:
        if token_hash not in have:
            s.add(m.UserSession(token_hash=token_hash, user_id=user.id, created_at=created, last_seen=seen))
    s.flush()


def restored_text(out: dict) -> str:
    """What a restore brought back, in the user's words (the CLI and the page say the same)."""
    t = out["tables"]
    names = (("tasks", "任务"), ("sites", "点位"), ("status_events", "状态记录"), ("attachments", "附件"),
             ("inspections", "检查任务"), ("inspection_findings", "检查发现"), ("documents", "任务文件"), ("units", "单位"),
             ("document_targets", "目标指标"), ("ref_layers", "参考图层"), ("ref_features", "参考图层要素"),
             ("users", "账户"), ("user_sessions", "登录会话"), ("audit_log", "审计记录"),
             ("water_samples", "水质监测值"))
    parts = [f"{label} {t[k]} 条" for k, label in names if k in t]
    known = {k for k, _ in names} | {"meta", "task_units", "task_sites", "target_sites"}
    parts += [f"数据表“{k}” {v} 行" for k, v in sorted(t.items()) if k not in known]
    migrated = f"，已从数据库版本 {out['schema_revision']} 升级" if out.get("migrated") else ""
    region = f"{out.get('region_name') or ''}（{out['region']}）" if out.get("region") else "未设置"
    return f"已恢复：{'，'.join(parts)}；附件、照片与区域文件 {out['files']} 个；当前区域 {region}{migrated}。"


def backup_bytes(actor: Actor) -> tuple[bytes, dict]:
    """A backup as bytes, for the administrator's download (audited like `backup`)."""
    from store.backup import BackupError
    from store.backup import backup_bytes as _bytes

    ensure(actor, perm.RESTORE)
    try:
        blob, manifest = _bytes()
    except BackupError as exc:
        raise ServiceError(str(exc)) from exc
    with transaction() as s:
        audit.record(s, actor, audit.EXPORTED, object_type="完整备份", object_id="网页下载", summary="导出完整备份",
                     after={"sha256": hashlib.sha256(blob).hexdigest(), "schema_revision": manifest.get("schema_revision")})
    return blob, manifest
