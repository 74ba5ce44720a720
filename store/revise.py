"""Revised versions of a document already imported.

Items are matched to the stored tasks by their number path (`（十六）/3`), then —
for those left over — by text similarity within the same parent (a renumbered item).
Applying a revision updates matched tasks in place (their ids, so their status
history, stay), adds new items, and archives removed ones; events are never touched.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.tasktree import Item, ParsedDoc
from store import models as m
from store.repo import StoreError, _attach_units, now, write_targets

FIELDS = {"number": "编号", "title": "标题", "body": "内容", "target": "整改目标", "deadline_text": "整改时限",
          "deadline": "时限日期", "ongoing": "长期坚持", "category": "类别", "units": "责任单位",
          "acceptance_units": "验收单位", "acceptance_text": "验收单位（原文）"}
SIMILAR = 0.75  # a renumbered item: its text is at least this similar
PATH_SIMILAR = 0.3  # at the same number, this little similarity suffices
SAME_NUMBER_BONUS = 0.15


@dataclass
class Change:
    task_id: int
    ref: str
    fields: dict[str, tuple[object, object]]  # label → (old, new)


@dataclass
class RevisionPlan:
    document_id: int
    matched: dict[str, int] = field(default_factory=dict)  # new path → task id
    added: list[str] = field(default_factory=list)  # new paths
    changed: list[Change] = field(default_factory=list)
    removed: list[tuple[int, str]] = field(default_factory=list)  # (task id, ref)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def item_paths(items: list[Item], prefix: str = "", part: str | None = None) -> dict[str, tuple[Item, str | None]]:
    """path → (item, parent path); paths as in task uids: `（十六）/3`, unnumbered `#2`."""
    out: dict[str, tuple[Item, str | None]] = {}
    for pos, it in enumerate(items):
        key = f"{prefix}{it.number or f'#{pos + 1}'}"
        path = f"{part or it.part}|{key}"
        out[path] = (it, (f"{part or it.part}|{prefix.rstrip('/')}" if prefix else None))
        out.update(item_paths(it.children, f"{key}/", part or it.part))
    return out


def _task_path(t: m.Task, short: str) -> str:
    return t.uid.removeprefix(f"{short}|")


def _units(s: Session, task_id: int, role: str) -> list[str]:
    return list(s.scalars(select(m.Unit.name).join(m.TaskUnit, m.TaskUnit.unit_id == m.Unit.id)
                          .where(m.TaskUnit.task_id == task_id, m.TaskUnit.role == role)
                          .order_by(m.TaskUnit.position)))


def _values(it: Item) -> dict[str, object]:
    return {"number": it.number, "title": it.title, "body": it.body, "target": it.target,
            "deadline_text": it.deadline.text, "deadline": it.deadline.date, "ongoing": it.deadline.ongoing,
            "category": it.category, "units": [u.name for u in it.units],
            "acceptance_units": [u.name for u in it.acceptance_units], "acceptance_text": it.acceptance_text}


def _stored(s: Session, t: m.Task) -> dict[str, object]:
    return {"number": t.number, "title": t.title, "body": t.body, "target": t.target,
            "deadline_text": t.deadline_text, "deadline": t.deadline, "ongoing": t.ongoing, "category": t.category,
            "units": _units(s, t.id, "responsible"), "acceptance_units": _units(s, t.id, "acceptance"),
            "acceptance_text": t.acceptance_text}


TEXT_FIELDS = ("title", "body", "target", "deadline_text", "acceptance_text")


def _same(key: str, old: object, new: object) -> bool:
    """Equal values; texts equal up to whitespace — a PDF drops the space at a line wrap
    (`“甲” “乙”` comes back `“甲”“乙”`), which is no edit of the document."""
    if key in TEXT_FIELDS and isinstance(old, str) and isinstance(new, str):
        return re.sub(r"\s+", "", old) == re.sub(r"\s+", "", new)
    return old == new


def plan_revision(s: Session, doc: ParsedDoc) -> RevisionPlan:
    d = s.scalar(select(m.Document).where(m.Document.short_name == doc.short_name))
    if d is None:
        raise StoreError(f"尚未导入“{doc.short_name}”，无法按修订处理")
    tasks = {_task_path(t, d.short_name): t for t in s.scalars(select(m.Task).where(m.Task.document_id == d.id))
             if not t.archived}
    new = item_paths(doc.items)
    plan = RevisionPlan(d.id)

    def sim(t: m.Task, it: Item) -> float:
        return difflib.SequenceMatcher(None, t.body or t.title, it.body or it.title).ratio()

    left_old = set(tasks)
    left_new: list[str] = []
    # parents before children: a child can only match under its parent's match
    for depth in sorted({p.count("/") for p in new}):
        level = [p for p in new if p.count("/") == depth]
        pairs = []
        for p in level:
            it, parent = new[p]
            parent_id = plan.matched.get(parent) if parent else None
            if parent is not None and parent_id is None:
                continue  # under a new parent: new as well
            for q in left_old:
                t = tasks[q]
                if t.parent_id == parent_id and t.level == it.level:
                    r = sim(t, it)
                    if r >= SIMILAR or (p == q and r >= PATH_SIMILAR):
                        pairs.append((r + (SAME_NUMBER_BONUS if p == q else 0), p, q))
        for _score, p, q in sorted(pairs, reverse=True):  # best pairs first
            if p not in plan.matched and q in left_old:
                plan.matched[p] = tasks[q].id
                left_old.discard(q)
        for p in level:  # same number, text rewritten: the same item edited
            if p not in plan.matched and p in left_old:
                plan.matched[p] = tasks[p].id
                left_old.discard(p)
        left_new += [p for p in level if p not in plan.matched]
    plan.added = left_new
    by_id = {t.id: t for t in tasks.values()}
    for p, tid in plan.matched.items():
        old, new_vals = _stored(s, by_id[tid]), _values(new[p][0])
        diff = {FIELDS[k]: (old[k], v) for k, v in new_vals.items()
                if not _same(k, old[k], v) and not (k == "category" and not v)}
        if diff:
            plan.changed.append(Change(tid, by_id[tid].ref, diff))
        else:
            plan.unchanged += 1
    plan.removed = sorted(((tasks[q].id, tasks[q].ref) for q in left_old), key=lambda x: x[0])
    return plan


def apply_revision(s: Session, doc: ParsedDoc, plan: RevisionPlan) -> dict[str, int]:
    """Apply in the caller's transaction. Returns counts."""
    from store.repo import _add_item

    d = s.get(m.Document, plan.document_id)
    new = item_paths(doc.items)
    # uids move out of the way first: a renumbered item may take the number of another,
    # and an archived item keeps its record under a uid no new item will have
    for tid, _ref in plan.removed:
        t = s.get(m.Task, tid)
        t.archived = True
        t.uid = f"{t.uid}~archived~{tid}"
    for tid in plan.matched.values():
        s.get(m.Task, tid).uid = f"~rev~{tid}"
    s.flush()
    for p, tid in plan.matched.items():
        it, _parent = new[p]
        t = s.get(m.Task, tid)
        t.uid = f"{d.short_name}|{p}"
        t.number, t.ref, t.title, t.body, t.target = it.number, it.ref, it.title, it.body, it.target
        t.deadline_text, t.deadline, t.ongoing = it.deadline.text, it.deadline.date, it.deadline.ongoing
        t.deadline_inherited, t.group_name, t.part = it.deadline_inherited, it.group, it.part
        t.acceptance_text, t.acceptance_note = it.acceptance_text, it.acceptance_note
        if it.category:
            t.category = it.category
        t.position = _position(doc, it)
        s.query(m.TaskUnit).filter(m.TaskUnit.task_id == tid).delete()
        s.flush()
        _attach_units(s, t, it.units, "responsible")
        _attach_units(s, t, it.acceptance_units, "acceptance")
    created = now()
    added = 0
    for p in plan.added:
        it, parent = new[p]
        if parent is not None and parent in plan.added:
            continue  # created with its parent
        parent_task = s.get(m.Task, plan.matched[parent]) if parent else None
        _add_item(s, d, it, parent_task, _position(doc, it), created)
        added += sum(1 for _ in it.walk())
    write_targets(s, d, doc.targets)  # the revised document's targets replace the old ones
    s.flush()
    return {"updated": len(plan.changed), "added": added, "archived": len(plan.removed)}


def _position(doc: ParsedDoc, target: Item) -> int:
    def find(items: list[Item]) -> int | None:
        for pos, it in enumerate(items):
            if it is target:
                return pos
            got = find(it.children)
            if got is not None:
                return got
        return None

    return find(doc.items) or 0
