"""Figures counted straight from the store with plain loops — the independent side of the
overview and deck tests (never domain.overview): tasks, their responsible units, the units'
place codes, and the status events replayed by hand."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from store import models as m
from store.db import reader

CLOSED, ONGOING, NOT_STARTED = "已销号", "长期坚持", "未启动"
OPEN = {"未启动", "整改中", "申请销号", "退回"}


@dataclass
class Counts:
    total: set[int] = field(default_factory=set)
    overdue: set[int] = field(default_factory=set)
    by_status: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    place_overdue: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    place_open: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    shared_overdue: int = 0  # overdue tasks whose units lie in more than one place
    place_any: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # by unit or linked site


def count(as_of: date) -> Counts:
    with reader() as s:
        tasks = list(s.scalars(select(m.Task)))
        unit_place = {u.id: u.place_code for u in s.scalars(select(m.Unit))}
        links = [(tu.task_id, tu.unit_id, tu.role) for tu in s.scalars(select(m.TaskUnit))]
        events = [(e.task_id, e.at, e.id, e.to_status) for e in s.scalars(select(m.StatusEvent))]
        tasks = [(t.id, t.parent_id, t.archived, t.created_at, t.deadline) for t in tasks]
        site_county = {x.id: x.county_code for x in s.scalars(select(m.Site))}
        site_links = [(ts.task_id, ts.site_id) for ts in s.scalars(select(m.TaskSite))]
    status: dict[int, str] = {}
    for task_id, at, _id, to in sorted(events, key=lambda e: (e[1], e[2])):
        if at.date() <= as_of:
            status[task_id] = to
    places: dict[int, set[str]] = defaultdict(set)
    for task_id, unit_id, role in links:
        if role == "responsible":
            places[task_id].add(unit_place[unit_id])
    site_places: dict[int, set[str]] = defaultdict(set)
    for task_id, site_id in site_links:
        if site_county.get(site_id):
            site_places[task_id].add(site_county[site_id])
    c = Counts()
    for tid, parent, archived, created, deadline in tasks:
        if parent is not None or archived or created.date() > as_of:
            continue
        state = status.get(tid, NOT_STARTED)
        c.total.add(tid)
        c.by_status[state].add(tid)
        late = state not in (CLOSED, ONGOING) and deadline is not None and deadline < as_of
        if late:
            c.overdue.add(tid)
            if len(places[tid]) > 1:
                c.shared_overdue += 1
        for p in places[tid] | site_places[tid]:
            c.place_any[p].add(tid)
        for p in places[tid]:
            if late:
                c.place_overdue[p].add(tid)
            if state in OPEN:
                c.place_open[p].add(tid)
    return c
