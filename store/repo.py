"""Writes to the store. Callers pass the session of one `transaction()`, so a failure
anywhere leaves the previous state intact."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import shapely
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import status as st
from domain.sites import SiteRecord
from domain.tasktree import Item, ParsedDoc, duplicate_paths
from domain.units import Unit as ParsedUnit
from onemap import settings
from onemap.kinds import kind_by_any
from store import models as m

NEW, CHANGED, UNCHANGED = "新增", "变更", "不变"


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


# ----------------------------------------------------------------------------- meta
def get_meta(s: Session, key: str, default: str | None = None) -> str | None:
    row = s.get(m.Meta, key)
    return row.value if row else default


def set_meta(s: Session, key: str, value: str) -> None:
    row = s.get(m.Meta, key)
    if row:
        row.value = value
    else:
        s.add(m.Meta(key=key, value=value))


# ----------------------------------------------------------------------------- sites
@dataclass
class SitePreview:
    record: SiteRecord
    action: str
    site_id: str


def _site_values(r: SiteRecord) -> dict:
    return {"kind": r.kind, "name": r.name, "aliases": list(r.aliases), "county_code": r.county_code,
            "attrs": dict(r.attrs), "geom_wkt": shapely.to_wkt(r.geometry, rounding_precision=7, trim=True),
            "source_crs": r.source_crs, "source": r.source, "illustrative": bool(r.illustrative)}


def preview_sites(s: Session, records: list[SiteRecord]) -> list[SitePreview]:
    """Match by id, else by kind + name: new / changed / unchanged."""
    existing = {x.id: x for x in s.scalars(select(m.Site))}
    by_name = {(x.kind, x.name): x for x in existing.values()}
    ids = _SiteIds(set(existing))
    out = []
    for r in records:
        cur = existing.get(r.id) if r.id else by_name.get((r.kind, r.name))
        if cur is None:
            sid = r.id or ids.new(r.kind)
            ids.taken.add(sid)
            out.append(SitePreview(r, NEW, sid))
            continue
        vals = _site_values(r)
        # a source that is only the file's name does not make a site changed (the same sites
        # from an XLSX instead of the CSV are unchanged)
        skip = {"geom_wkt", "source"} if r.source_from_file else {"geom_wkt"}
        same = all(getattr(cur, k) == v for k, v in vals.items() if k not in skip) and \
            shapely.from_wkt(cur.geom_wkt).equals_exact(r.geometry, 1e-7)
        out.append(SitePreview(r, UNCHANGED if same else CHANGED, cur.id))
    return out


class _SiteIds:
    """New ids `PREFIX-0001`… per kind, continuing after the highest one taken."""

    def __init__(self, taken: set[str]):
        self.taken = taken
        self.next: dict[str, int] = {}

    def new(self, kind: str) -> str:
        k = kind_by_any(kind)
        prefix = (k.code if k else "site").upper()
        n = self.next.get(prefix, 1)
        while f"{prefix}-{n:04d}" in self.taken:
            n += 1
        sid = f"{prefix}-{n:04d}"
        self.taken.add(sid)
        self.next[prefix] = n + 1
        return sid


def write_sites(s: Session, previews: list[SitePreview]) -> dict[str, int]:
    counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
    existing = {x.id: x for x in s.scalars(select(m.Site).where(
        m.Site.id.in_([p.site_id for p in previews if p.action == CHANGED])))} if previews else {}
    for p in previews:
        counts[p.action] += 1
        if p.action == UNCHANGED:
            continue
        vals = _site_values(p.record)
        site = existing.get(p.site_id)
        if site is None:
            s.add(m.Site(id=p.site_id, updated_at=now(), **vals))
        else:
            for k, v in vals.items():
                setattr(site, k, v)
            site.updated_at = now()
    s.flush()
    return counts


# ----------------------------------------------------------------------------- units
def ensure_unit(s: Session, u: ParsedUnit) -> m.Unit:
    row = s.scalar(select(m.Unit).where(m.Unit.name == u.name))
    if row is None:  # a name recorded as another unit's alias (两个写法合并为同一单位) is that unit
        row = next((x for x in s.scalars(select(m.Unit)) if u.name in (x.aliases or [])), None)
    if row is None:
        row = m.Unit(name=u.name, place_code=u.place_code, aliases=[u.alias_of] if u.alias_of else [])
        s.add(row)
        s.flush()
    elif u.alias_of and u.alias_of not in (row.aliases or []):
        row.aliases = [*(row.aliases or []), u.alias_of]
    return row


def _attach_units(s: Session, task: m.Task, units: list[ParsedUnit], role: str) -> None:
    for pos, u in enumerate(units):
        s.add(m.TaskUnit(task_id=task.id, unit_id=ensure_unit(s, u).id, role=role, position=pos))


# ----------------------------------------------------------------------------- documents / tasks
class StoreError(ValueError):
    """A write refused for a reason the user can act on (Chinese message)."""


def _check_numbering(doc: ParsedDoc) -> None:
    """The task uid is `short name|part|number path`: a `|` in a name or number would shift its
    parts — refused by name here, not as a database error after a dry run that passed."""
    name = (doc.short_name or "").strip()
    if not name or len(name) > 100:
        raise StoreError(f"文件简称“{name[:20]}”无效：不能为空，不超过 100 字")
    if "|" in name:
        raise StoreError(f"文件简称“{name[:40]}”不能含有“|”，请换一个简称")

    def walk(items) -> None:  # repeated numbers: duplicate_paths, in add_document
        for item in items:
            if "|" in (item.number or ""):
                raise StoreError(f"条目编号“{item.number[:40]}”不能含有“|”")
            walk(item.children)

    walk(doc.items)


def add_document(s: Session, doc: ParsedDoc, *, filename: str = "", sha256: str = "",
                 created_at: datetime | None = None) -> m.Document:
    _check_numbering(doc)
    if s.scalar(select(m.Document).where(m.Document.short_name == doc.short_name)):
        raise StoreError(f"已导入过“{doc.short_name}”。修订版请使用文件修订导入；如需另存为新文件，请指定不同的简称（--name）")
    dups = duplicate_paths(doc)
    if dups:
        shown = "、".join(f"“{p.split('|', 1)[1]}”" for p in dups[:5]) + ("等" if len(dups) > 5 else "")
        raise StoreError(f"条目编号重复：{shown}（编号在文件中重复出现），无法分别保存。请在核对表中改正编号后再导入")
    d = m.Document(title=doc.title, short_name=doc.short_name, genre=doc.genre, year=doc.year,
                   filename=filename, sha256=sha256, imported_at=created_at or now())
    s.add(d)
    s.flush()
    for pos, item in enumerate(doc.items):
        _add_item(s, d, item, None, pos, created_at or now())
    write_targets(s, d, doc.targets)
    s.flush()
    return d


def write_targets(s: Session, d: m.Document, targets: list[Item]) -> list[m.DocumentTarget]:
    """The document's 主要目标 indicators, replacing any stored before (a revision brings the
    document's current targets; they carry no status, so nothing is lost by replacing)."""
    s.execute(delete(m.DocumentTarget).where(m.DocumentTarget.document_id == d.id))
    s.flush()
    rows = [m.DocumentTarget(document_id=d.id, position=pos, number=t.number, title=t.title,
                             body=t.body or t.title, place_codes=[]) for pos, t in enumerate(targets)]
    s.add_all(rows)
    s.flush()
    return rows


def _add_item(s: Session, d: m.Document, item: Item, parent: m.Task | None, pos: int, created: datetime) -> m.Task:
    uid = f"{d.short_name}|{item.part}|{parent.uid.split('|', 2)[2] + '/' if parent else ''}{item.number or f'#{pos + 1}'}"
    t = m.Task(uid=uid, document_id=d.id, parent_id=parent.id if parent else None, position=pos, level=item.level,
               number=item.number, ref=item.ref, title=item.title, body=item.body, target=item.target,
               deadline_text=item.deadline.text, deadline=item.deadline.date, ongoing=item.deadline.ongoing,
               deadline_inherited=item.deadline_inherited, category=item.category or "综合",
               group_name=item.group, part=item.part, acceptance_text=item.acceptance_text,
               acceptance_note=item.acceptance_note, created_at=created)
    s.add(t)
    s.flush()
    _attach_units(s, t, item.units, "responsible")
    _attach_units(s, t, item.acceptance_units, "acceptance")
    for cpos, child in enumerate(item.children):
        _add_item(s, d, child, t, cpos, created)
    return t


def link_task_site(s: Session, task_id: int, site_id: str, matched_text: str = "", confidence: float = 1.0) -> None:
    exists = s.scalar(select(m.TaskSite).where(m.TaskSite.task_id == task_id, m.TaskSite.site_id == site_id))
    if exists is None:
        s.add(m.TaskSite(task_id=task_id, site_id=site_id, matched_text=matched_text, confidence=confidence))


# ----------------------------------------------------------------------------- status
def _last_event(s: Session, task_id: int) -> m.StatusEvent | None:
    return s.scalar(select(m.StatusEvent).where(m.StatusEvent.task_id == task_id)
                    .order_by(m.StatusEvent.seq.desc()).limit(1))


def current_status(s: Session, task_id: int) -> str:
    last = _last_event(s, task_id)
    return last.to_status if last else st.NOT_STARTED


class ConflictError(StoreError):
    """Someone else changed the task between what the user saw and the write."""


def task_version(s: Session, task_id: int) -> int:
    """The sequence number of the task's last status event (0: none) — what a user saw."""
    last = _last_event(s, task_id)
    return last.seq if last else 0


def conflict(s: Session, task_id: int) -> ConflictError:
    """Read the winner in a fresh session: the current transaction may be unusable."""
    from sqlalchemy.orm import Session as _Session

    # a reader (not a write transaction: on SQLite this one already holds the write lock)
    with _Session(s.get_bind().execution_options(onemap_write=False)) as fresh:
        last = _last_event(fresh, task_id)
    if last is None:
        return ConflictError("该任务刚被他人更新，请刷新后重试")
    who = last.actor or "他人"
    return ConflictError(f"该任务刚被 {who} 更新为“{last.to_status}”，请刷新后重试")


def record_status(s: Session, task_id: int, to_status: str, *, actor: str, actor_unit: str = "", note: str = "",
                  at: datetime | None = None, sample: bool = False, files: list[Path] | None = None,
                  inspection_id: int | None = None, expected_version: int | None = None,
                  actor_user: str | None = None) -> m.StatusEvent:
    """Append a status event after checking the closing procedure. Evidence files
    are copied into the data directory; the copy is removed if the transaction fails.

    Checked and written atomically: the current state is read inside this transaction and
    the event takes the task's next sequence number, unique per task, so of two concurrent
    writers only one commits; the other gets a ConflictError naming who changed it to what.
    `expected_version` is the sequence number of the last event the user saw (0: none): if the
    task has moved on since — even back to the same status —, the change is refused the same
    way instead of being applied to a history the user never saw."""
    task = s.get(m.Task, task_id)
    if task is None:
        raise StoreError(f"任务 {task_id} 不存在")
    if not actor.strip():
        raise StoreError("请填写经办人姓名")
    at = at or now()
    last = _last_event(s, task_id)
    cur = last.to_status if last else st.NOT_STARTED
    if expected_version is not None and expected_version != (last.seq if last else 0):
        raise conflict(s, task_id)
    later = s.scalar(select(func.count()).select_from(m.StatusEvent)
                     .where(m.StatusEvent.task_id == task_id, m.StatusEvent.at > at))
    if later:
        raise StoreError("该任务已有更晚日期的状态记录，不能补记更早的变更")
    try:
        st.check_transition(cur, to_status, ongoing=task.ongoing, note=note)
    except st.TransitionError as exc:
        raise StoreError(str(exc)) from exc
    ev = m.StatusEvent(task_id=task_id, seq=(last.seq if last else 0) + 1, at=at, from_status=cur,
                       to_status=to_status, actor=actor.strip(), actor_unit=actor_unit.strip(), note=note.strip(),
                       sample=sample, recorded_at=now(), inspection_id=inspection_id, actor_user=actor_user)
    s.add(ev)
    try:
        s.flush()
    except IntegrityError as exc:
        raise conflict(s, task_id) from exc
    for f in files or []:
        _store_attachment(s, ev, Path(f))
    return ev


def store_file(src: Path) -> dict:
    """Copy a file into the data directory, content-addressed (a copy left by a rolled-back
    transaction is harmless). Returns its record."""
    data = src.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    rel = Path(digest[:2]) / f"{digest}{src.suffix.lower()}"
    target = settings.attachments_dir() / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        shutil.copyfile(src, target)
    return {"filename": src.name, "stored_path": str(rel), "sha256": digest, "size": len(data)}


def _store_attachment(s: Session, ev: m.StatusEvent, src: Path) -> None:
    s.add(m.Attachment(event_id=ev.id, **store_file(src)))


# ----------------------------------------------------------------------------- wipe
def clear_all(s: Session) -> None:
    """Remove all project data (used by `onemap demo` and full restores)."""
    for model in (m.WaterSample, m.Finding, m.Attachment, m.StatusEvent, m.Inspection, m.TaskSite, m.TaskUnit):
        s.execute(delete(model))
    # children before parents
    while s.scalar(select(func.count()).select_from(m.Task)):
        parents = select(m.Task.parent_id).where(m.Task.parent_id.is_not(None))
        s.execute(delete(m.Task).where(m.Task.id.not_in(parents)))
    for model in (m.Document, m.Unit, m.Site):
        s.execute(delete(model))


# ----------------------------------------------------------------------------- inspections
def add_inspection(s: Session, *, day, title: str, inspectors: str, base_name: str, stops: list[str],
                   created_by: str) -> m.Inspection:
    if not stops:
        raise StoreError("检查任务至少要有一个点位")
    known = set(s.scalars(select(m.Site.id).where(m.Site.id.in_(stops))))
    missing = [x for x in stops if x not in known]
    if missing:
        raise StoreError(f"点位不存在：{'、'.join(missing)}")
    ins = m.Inspection(day=day, title=title.strip() or "现场检查", inspectors=inspectors.strip(), base_name=base_name,
                       stops=list(stops), created_at=now(), created_by=created_by)
    s.add(ins)
    s.flush()
    return ins


def record_finding(s: Session, inspection_id: int, site_id: str, *, task_id: int | None, text: str, actor: str,
                   actor_unit: str = "", photos: list[Path] | None = None, to_status: str | None = None,
                   note: str = "", actor_user: str | None = None) -> m.Finding:
    """A finding at a stop, optionally with a status change through the closing procedure
    (recorded as an event of this inspection)."""
    ins = s.get(m.Inspection, inspection_id)
    if ins is None:
        raise StoreError("检查任务不存在")
    if site_id not in (ins.stops or []):
        raise StoreError("该点位不在本次检查任务中")
    if not (text or "").strip() and not to_status:
        raise StoreError("请填写检查发现")
    if task_id is not None and not s.scalar(select(m.TaskSite.id).where(m.TaskSite.task_id == task_id,
                                                                     m.TaskSite.site_id == site_id)):
        raise StoreError("该任务与点位没有关联")
    event_id = None
    if to_status:
        if task_id is None:
            raise StoreError("变更状态需要选择任务")
        # a trip planned for a later day is recorded now: an event dated in the future would
        # block every change made before that day
        at = datetime.combine(ins.day, now().time()) if ins.day < now().date() else now()
        ev = record_status(s, task_id, to_status, actor=actor, actor_unit=actor_unit,
                           note=note or f"现场检查：{text.strip()}", at=at, files=photos, inspection_id=ins.id,
                           actor_user=actor_user)
        event_id = ev.id
    f = m.Finding(inspection_id=ins.id, site_id=site_id, task_id=task_id, text=(text or "").strip(),
                  photos=[store_file(p) for p in photos or []], event_id=event_id, recorded_by=actor.strip(),
                  recorded_at=now())
    s.add(f)
    s.flush()
    return f
