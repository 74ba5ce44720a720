"""Field inspections (现场检查): a planned trip saved, a finding recorded at a stop with its
optional status change in one transaction (the closing procedure's rules, checked on the
history the inspector saw), a trip's findings read back. Split from onemap.services; the
same door for writes — the acting account first, checked, one audit row in the write's
transaction. The field page calls and renders; the rules live here and in domain/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from domain import permissions as perm
from domain.actors import Actor
from onemap import audit
from onemap.services import ServiceError, ensure, task_scope, write_transaction
from store import models as m
from store import queries, repo
from store.db import reader, transaction


# The field page's writes go through here: the page calls and renders, the rules live once.
@dataclass
class FindingSaved:
    finding_id: int
    site_id: str
    site_name: str
    stop_no: int  # 1-based position of the site in the trip
    task_ref: str  # "" for the site as a whole
    from_status: str | None
    to_status: str | None

    def message(self) -> str:
        what = f"任务“{self.task_ref}”" if self.task_ref else "点位整体"
        msg = f"已登记第 {self.stop_no} 站“{self.site_name}”（{what}）的检查发现"
        if self.to_status:
            msg += f"，状态 {self.from_status} → {self.to_status}"
        return msg


def save_inspection(actor: Actor, *, day: date, title: str, inspectors: str, base_name: str,
                    stops: list[str]) -> int:
    """Save a planned trip; a title already used by another trip is refused (findings are
    shown per trip, and two trips of one name could not be told apart)."""
    from domain.dates import cn_date

    ensure(actor, perm.PLAN_TRIP)
    title = (title or "").strip()
    if not title:
        raise ServiceError("请填写检查任务名称")
    with transaction() as s:
        same = s.scalar(select(m.Inspection).where(m.Inspection.title == title))
        if same is not None:
            raise ServiceError(f"已有同名检查任务“{title}”（{cn_date(same.day)}），请改用其他名称，"
                               "如加上区县、点位类型或批次")
        try:
            ins = repo.add_inspection(s, day=day, title=title, inspectors=inspectors, base_name=base_name,
                                      stops=list(stops), created_by=actor.display_name)
        except repo.StoreError as exc:
            raise ServiceError(str(exc)) from exc
        audit.record(s, actor, audit.TRIP, object_type="检查任务", object_id=title,
                     summary=f"制定检查计划“{title}”（{cn_date(day)}，{len(stops)} 站）",
                     after={"inspection_id": ins.id, "stops": list(stops), "inspectors": inspectors})
        return ins.id


def finding_status_options(task_id: int) -> tuple[str, list[str], int]:
    """(current status, legal next statuses) of a task, read from the store: the same
    closing procedure as the status form."""
    from domain import status as st_status

    with reader() as s:
        task = s.get(m.Task, task_id)
        if task is None:
            raise ServiceError(f"任务 {task_id} 不存在")
        cur = repo.current_status(s, task_id)
        return (cur, st_status.allowed_next(cur, ongoing=bool(task.ongoing)),
                repo.task_version(s, task_id))


def record_finding(actor: Actor, inspection_id: int, site_id: str, *, task_id: int | None, text: str,
                   photos: list[Path] | None = None,
                   to_status: str | None = None, expected_version: int | None = None) -> FindingSaved:
    """A finding at a stop, stored with its optional status change in one transaction, or
    refused with a Chinese reason (ServiceError); never silently dropped. `expected_version`
    is the task history the user saw when choosing the change (see repo.record_status)."""
    from domain import status as st_status

    text = (text or "").strip()
    ensure(actor, perm.VIEW)
    if not to_status:
        ensure(actor, perm.PROGRESS)
    if not text and not to_status:
        raise ServiceError("请填写检查发现")
    with write_transaction() as s:
        ins = s.get(m.Inspection, inspection_id)
        if ins is None:
            raise ServiceError("检查任务不存在")
        stops = list(ins.stops or [])
        if site_id not in stops:
            raise ServiceError("该点位不在本次检查任务中")
        site = s.get(m.Site, site_id)
        task = s.get(m.Task, task_id) if task_id is not None else None
        if task_id is not None and task is None:
            raise ServiceError(f"任务 {task_id} 不存在")
        cur = None
        if to_status:
            if task is None:
                raise ServiceError("变更状态需要选择任务")
            cur = repo.current_status(s, task.id)
            if expected_version is not None and expected_version != repo.task_version(s, task.id):
                raise ServiceError(str(repo.conflict(s, task.id)))
            ensure(actor, perm.status_action(cur, to_status), task_scope(s, task), within=True)
            try:  # the finding is the note: a change that needs a reason needs the text
                st_status.check_transition(cur, to_status, ongoing=bool(task.ongoing), note=text)
            except st_status.TransitionError as exc:
                raise ServiceError(f"{exc}（现场检查发现将作为说明）") from exc
        if task is not None and not to_status:
            ensure(actor, perm.PROGRESS, task_scope(s, task), within=True)
        try:
            f = repo.record_finding(s, inspection_id, site_id, task_id=task_id, text=text,
                                    actor=actor.display_name, actor_unit=actor.unit, photos=photos,
                                    to_status=to_status or None, actor_user=actor.username)
        except repo.StoreError as exc:
            raise ServiceError(str(exc)) from exc
        audit.record(s, actor, audit.FINDING, object_type="检查发现", object_id=str(f.id),
                     summary=f"{ins.title} 第 {stops.index(site_id) + 1} 站 {site.name if site else site_id}"
                             + (f"（{task.ref}）" if task is not None else "")
                             + (f"：状态 {cur} → {to_status}" if to_status else ""),
                     before={"status": cur} if to_status else None,
                     after={"text": text, "photos": len(photos or []), "status": to_status or None,
                            "event_id": f.event_id})
        return FindingSaved(f.id, site_id, site.name if site else site_id, stops.index(site_id) + 1,
                            task.ref if task is not None else "", cur, to_status or None)


def inspection_findings(inspection_id: int):
    """The findings of one trip (newest first), matched by the trip's id."""
    with reader() as s:
        f = queries.findings_frame(s)
    return f[f["inspection_id"] == inspection_id] if len(f) else f
