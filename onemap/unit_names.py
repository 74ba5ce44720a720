"""One unit, two names (issue 19: 市发改委 and 市发展改革委 became two units, each with half the
tasks). Pairs whose names differ only by the usual short forms (domain.units.unit_key) are
suggested; the user merges one into the other: its tasks move to the unit kept, its name becomes
an alias (a later document or ledger that writes it lands on the unit kept), and the change is
audited. Nothing is merged without the user."""

from __future__ import annotations

from itertools import combinations

from sqlalchemy import delete, func, select

from domain import permissions as perm
from domain.actors import Actor
from domain.units import unit_key
from onemap import audit
from onemap.services import ServiceError, ensure
from store import models as m
from store.db import reader, transaction


def suggestions() -> list[tuple[str, str, int, int]]:
    """(unit A, unit B, tasks of A, tasks of B) for names that are probably one unit; the unit
    with more tasks first (the one to keep, by default)."""
    with reader() as s:
        units = [(u.name, u.place_code) for u in s.scalars(select(m.Unit).order_by(m.Unit.name))]
        counts = dict(s.execute(select(m.Unit.name, func.count(m.TaskUnit.id)).join(
            m.TaskUnit, m.TaskUnit.unit_id == m.Unit.id, isouter=True).group_by(m.Unit.name)).all())
    out = []
    for (a, pa), (b, pb) in combinations(units, 2):
        if pa == pb and unit_key(a) == unit_key(b):
            keep, other = (a, b) if (counts.get(a, 0), -len(a)) >= (counts.get(b, 0), -len(b)) else (b, a)
            out.append((keep, other, counts.get(keep, 0), counts.get(other, 0)))
    return out


def merge(actor: Actor, keep: str, other: str) -> str:
    """`other` becomes an alias of `keep`; its task links move to `keep` (one transaction)."""
    ensure(actor, perm.REVISE)
    if keep == other:
        raise ServiceError("请选择两个不同的单位")
    with transaction() as s:
        k = s.scalar(select(m.Unit).where(m.Unit.name == keep))
        o = s.scalar(select(m.Unit).where(m.Unit.name == other))
        missing = [n for n, u in ((keep, k), (other, o)) if u is None]
        if missing:
            raise ServiceError(f"单位不存在：{'、'.join(missing)}（可能已被合并）")
        links = list(s.scalars(select(m.TaskUnit).where(m.TaskUnit.unit_id == o.id)))
        have = {(t.task_id, t.role) for t in s.scalars(select(m.TaskUnit).where(m.TaskUnit.unit_id == k.id))}
        for t in links:
            if (t.task_id, t.role) in have:  # the task names both: one link is enough
                s.delete(t)
            else:
                t.unit_id = k.id
        s.flush()
        k.aliases = list(dict.fromkeys([*(k.aliases or []), o.name, *(o.aliases or [])]))
        s.execute(delete(m.Unit).where(m.Unit.id == o.id))
        text = f"已将“{other}”并入“{keep}”：{len(links)} 项任务的单位改为“{keep}”，“{other}”记为其别称。"
        audit.record(s, actor, audit.REVISION, object_type="单位", object_id=keep, summary=text,
                     before={"units": [keep, other]}, after={"unit": keep, "aliases": k.aliases, "tasks": len(links)})
    return text
