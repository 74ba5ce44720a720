"""The 一张图's site layers are kept per process (ui.map_component.layers), keyed by what they are
built from. What a person sees must not change because of it: a rerun with nothing changed
reuses them; a county chosen and then cleared shows exactly that county's sites and then all of
them again; a 销号 recorded by someone else shows on the next run with the site's open count
from a plain replay of the store (tests/truth.py), not from the app's queries."""

from __future__ import annotations

import json

from sqlalchemy import text

from domain.actors import Actor
from layers.sites import page_layers
from onemap import services
from store.db import reader
from tests import truth
from tests.conftest import account, app_test
from tests.map_frames import is_map_component

OWN = "省督察整改清单|main|（四十）"  # the demo's sample history leaves it 申请销号; 验收单位 市整改办


def _rows(at) -> dict[str, list]:
    """Site id → its row as the browser decodes it, over every kind's layer on the page."""
    args = [e.proto.json_args for e in at.get("component_instance") if is_map_component(e.proto.component_name)]
    assert len(args) == 1, f"{len(args)} map components"
    out = {}
    for _, rows in page_layers(json.loads(args[0])["feature_group"]):
        out.update({r[0]: r for r in rows})
    return out


def _sites_by_county() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for sid, s in truth.sites().items():
        out.setdefault(s["county_code"], set()).add(sid)
    return out


def _open_count(site_id: str) -> int:
    """Open top-level tasks linked to the site, by a plain replay of the store."""
    return sum(1 for t in truth.top_tasks().values()
               if site_id in t["site_ids"] and t["status"] in ("未启动", "整改中", "申请销号", "退回"))


def test_layers_are_reused_only_while_what_they_show_is_unchanged(demo_dir, monkeypatch):
    from ui import map_component
    from ui.views import map_view

    built = []
    real = map_view._layer_scripts
    monkeypatch.setattr(map_view, "_layer_scripts", lambda *a, **k: built.append(1) or real(*a, **k))
    map_component._LAYERS.clear()

    at = app_test()
    at.run()
    assert not at.exception, at.exception
    everything = set(truth.sites())
    assert set(_rows(at)) == everything and len(built) == 1
    at.run()  # nothing changed: the same layers, not rebuilt
    assert set(_rows(at)) == everything and len(built) == 1

    counties = _sites_by_county()
    code = max(counties, key=lambda c: (len(counties[c]), c))
    at.multiselect(key="f_place").set_value([code]).run()
    assert set(_rows(at)) == counties[code] and len(built) == 2
    at.multiselect(key="f_place").set_value([]).run()  # back to all: the first layers again
    assert set(_rows(at)) == everything and len(built) == 2

    with reader() as s:
        tid = s.execute(text("SELECT id FROM tasks WHERE uid = :u"), {"u": OWN}).scalar()
    task = truth.top_tasks()[tid]
    assert task["status"] == "申请销号" and task["site_ids"]
    before = {sid: _open_count(sid) for sid in task["site_ids"]}
    user = account("审核员（缓存）", unit="市整改办", role="审核")
    services.change_status(Actor(user, "审核员（缓存）", "审核", "市整改办"), tid, "已销号", note="验收通过（缓存测试）")
    at.run()
    assert not at.exception, at.exception
    rows = _rows(at)
    for sid in task["site_ids"]:
        assert _open_count(sid) == before[sid] - 1
        assert rows[sid][8] == _open_count(sid), sid  # the tooltip's 未销号 count, as the browser reads it
    assert len(built) == 3  # the roll-up changed: rebuilt

    # the county of one of its sites chosen again after the change: that filter's roll-up is
    # built from the store as it is now (every task of a site in the county matches the filter)
    sid = sorted(task["site_ids"])[0]
    at.multiselect(key="f_place").set_value([truth.sites()[sid]["county_code"]]).run()
    assert _rows(at)[sid][8] == _open_count(sid)


OPEN = ("未启动", "整改中", "申请销号", "退回")


def test_status_filters_flipped_show_each_filters_own_counts(demo_dir):
    """Several status filters in turn (one of them twice: its roll-up reused), each checked against a
    plain count over the store: the sites shown are those linked to the tasks of those statuses, and
    each site's task and 未销号 counts are over those tasks only."""
    top = truth.top_tasks()
    # the status of the lowest task id, alone and with another: two filters whose tasks begin alike
    first = top[min(top)]["status"]
    other = next(s for s in ("整改中", "申请销号", "已销号", "未启动", "长期坚持", "退回")
                 if s != first and any(t["status"] == s for t in top.values()))
    at = app_test()
    at.run()
    for chosen in ([first], [first, other], ["申请销号", "已销号"], [first], ["未启动", "长期坚持"], ["整改中", "退回"]):
        at.multiselect(key="f_status").set_value(chosen).run()
        assert not at.exception, at.exception
        tasks = [t for t in top.values() if t["status"] in chosen]
        linked = {sid for t in tasks for sid in t["site_ids"]}
        rows = _rows(at)
        assert set(rows) == linked, chosen
        for sid, r in rows.items():
            assert r[6] == sum(1 for t in tasks if sid in t["site_ids"]), (chosen, sid)
            assert r[8] == sum(1 for t in tasks if sid in t["site_ids"] and t["status"] in OPEN), (chosen, sid)
