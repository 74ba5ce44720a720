"""Deterministic SAMPLE progress for the demo (示例数据): every event is flagged
`sample`, signed 示例数据 and its note starts with 【示例】. It exists so the workflow
and the time views have something to show; it is never real progress."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import status as st
from store import models as m
from store.repo import record_status

ACTOR = "示例数据"


def _at(d: date, rng: random.Random) -> datetime:
    return datetime.combine(d, time(9 + rng.randrange(8), rng.randrange(60)))


def _day(base: date, lo: int, hi: int, rng: random.Random) -> date:
    return base + timedelta(days=rng.randint(lo, hi))


class _Writer:
    def __init__(self, s: Session, until: date):
        self.s, self.until = s, until

    def __call__(self, task: m.Task, to: str, d: date, note: str, rng: random.Random, unit: str) -> bool:
        if d > self.until:
            return False
        record_status(self.s, task.id, to, actor=ACTOR, actor_unit=unit, note=f"【示例】{note}",
                      at=_at(d, rng), sample=True)
        return True


def _plan(task: m.Task, rng: random.Random, until: date) -> list[tuple[str, date, str]]:
    """A plausible trajectory for one top-level task."""
    start = task.created_at.date()
    begin = _day(start, 5, 40, rng)
    if task.ongoing and task.deadline is None:
        steps = [(st.ONGOING, begin, "已建立长效机制，转入长期坚持")]
        d = begin
        while True:
            d = _day(d, 80, 100, rng)
            if d > until:
                break
            steps.append((st.ONGOING, d, "季度调度：按要求持续推进"))
        return steps
    steps = [(st.IN_PROGRESS, begin, "已制定整改方案，正在推进")]
    if task.ongoing:
        steps.append((st.ONGOING, _day(task.deadline or begin, -40, 20, rng), "阶段目标完成，转入长期坚持"))
        return steps
    deadline = task.deadline or date(start.year, 12, 31)
    roll = rng.random()
    if roll < 0.55:
        applied = _day(deadline, -60, 25, rng)
        steps += [(st.APPLIED, applied, "整改完成，提交销号申请及佐证材料"),
                  (st.CLOSED, _day(applied, 15, 50, rng), "经核实整改到位，同意销号")]
    elif roll < 0.65:
        applied = _day(deadline, -50, 10, rng)
        returned = _day(applied, 10, 25, rng)
        again = _day(returned, 30, 90, rng)
        steps += [(st.APPLIED, applied, "整改完成，申请销号"),
                  (st.RETURNED, returned, "现场核实发现部分措施未落实到位，退回"),
                  (st.APPLIED, again, "补充整改后再次申请销号"),
                  (st.CLOSED, _day(again, 15, 40, rng), "复核通过，同意销号")]
    elif roll < 0.72:  # closed in the weeks before the data date (something for 自上次会议以来)
        applied = until - timedelta(days=rng.randint(40, 70))
        steps += [(st.APPLIED, applied, "整改完成，申请销号"),
                  (st.CLOSED, until - timedelta(days=rng.randint(2, 28)), "经核实整改到位，同意销号")]
    elif roll < 0.85:
        steps.append((st.APPLIED, until - timedelta(days=rng.randint(5, 45)), "已完成整改，等待验收单位核实"))
    return steps


def generate(s: Session, until: date) -> int:
    """Write the sample history up to `until`. Returns the number of events."""
    write = _Writer(s, until)
    tasks = list(s.scalars(select(m.Task).order_by(m.Task.id)))
    children: dict[int, list[m.Task]] = {}
    for t in tasks:
        if t.parent_id is not None:
            children.setdefault(t.parent_id, []).append(t)
    units = {tu.task_id: tu.unit_id for tu in s.scalars(select(m.TaskUnit).where(m.TaskUnit.role == "responsible"))}
    unit_names = {u.id: u.name for u in s.scalars(select(m.Unit))}
    n = 0
    for t in tasks:
        if t.parent_id is not None:
            continue
        rng = random.Random(t.uid)
        unit = unit_names.get(units.get(t.id), "")
        plan = [(to, d, note) for to, d, note in _plan(t, rng, until) if d <= until]
        plan = _monotonic(plan)
        for to, d, note in plan:
            n += write(t, to, d, note, rng, unit)
        for c in children.get(t.id, []):
            n += _follow(write, c, plan, rng, unit_names.get(units.get(c.id), unit))
    return n


def _monotonic(plan: list[tuple[str, date, str]]) -> list[tuple[str, date, str]]:
    out: list[tuple[str, date, str]] = []
    for to, d, note in plan:
        if out and d <= out[-1][1]:
            d = out[-1][1] + timedelta(days=1)
        out.append((to, d, note))
    return out


def _follow(write: _Writer, c: m.Task, parent_plan, rng: random.Random, unit: str) -> int:
    """Measures move with their problem: they start with it and are closed just
    before the problem's own application."""
    if not parent_plan:
        return 0
    n = 0
    first = parent_plan[0][1]
    if c.ongoing:
        return int(write(c, st.ONGOING, first, "措施已落实，转入长期坚持", rng, unit))
    n += write(c, st.IN_PROGRESS, first, "措施推进中", rng, unit)
    applied = next((d for to, d, _ in parent_plan if to == st.APPLIED), None)
    if applied is None:
        ongoing = next((d for to, d, _ in parent_plan if to == st.ONGOING), None)
        applied = ongoing - timedelta(days=10) if ongoing and ongoing - timedelta(days=10) > first else None
    if (applied is not None and applied - timedelta(days=8) > first
            and write(c, st.APPLIED, applied - timedelta(days=8), "措施完成，申请销号", rng, unit)):
        n += 1
        n += write(c, st.CLOSED, applied - timedelta(days=2), "措施核实完成", rng, unit)
    return n
