"""The meeting's use cases: its saved views (the sequence played on the projector), the
deck handed out, and the hot spot the default sequence zooms to. Split from onemap.services
(which keeps the shared rules: ensure, ServiceError, the audited export); the same door for
writes — the acting account first, checked, one audit row in the write's transaction."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from domain import permissions as perm
from domain.actors import Actor
from onemap import audit, settings
from onemap.services import ServiceError, _audit_export, active_region, basemap_caption, ensure
from store import queries, repo
from store.db import reader, transaction


def _deck_data(as_of: date):
    from domain.rollup import site_summary
    from exports.deck import DeckData

    region = active_region()
    with reader() as s:
        tasks = queries.tasks_frame(s, as_of, settings.due_soon_days(), places=region.places)
        sites = queries.sites_frame(s)
    tasks = tasks[~tasks["archived"].astype(bool)]
    return DeckData(region, tasks, sites, site_summary(tasks, list(sites["id"])), as_of,
                    bool(sites["illustrative"].any()), bool(tasks["sample_events"].any()),
                    basemap_credit=basemap_caption()[0], imagery=_own_imagery(), water=_water(as_of, sites, tasks))


def _water(as_of: date, sites, tasks):
    """断面水质 of the latest month with values at or before the day (None without any)."""
    from onemap import water

    months = water.months(as_of)
    if not months:
        return None
    mo = months[-1]
    return water.summarise(mo, water.period_verdicts(month=mo), water.period_verdicts(year=int(mo[:4]), through=mo),
                           sites, tasks[tasks["parent_id"].isna()])


def _own_imagery() -> dict:
    """The bureau's own tiles for the deck's map slides: id → (folder, format, zooms, credit)."""
    from onemap import basemaps

    out = {}
    for b in basemaps.local_sources():
        m = basemaps.local_meta(b.id)
        out[b.id] = (basemaps.local_root() / b.id / "tiles", m["format"], m["min_zoom"], m["max_zoom"], b.credit)
    return out


def saved_views() -> list[dict]:
    import json

    with reader() as s:
        raw = repo.get_meta(s, "views")
    return json.loads(raw) if raw else []


def save_views(actor: Actor, views: list[dict]) -> None:
    """The meeting's saved views, in their order (replaces the list; one transaction)."""
    import json

    ensure(actor, perm.SAVE_VIEWS)
    titles = [str(v.get("title") or "").strip() for v in views]
    repeated = sorted({t for t in titles if titles.count(t) > 1})
    if repeated:  # a meeting's pages are called by name (the deck, the sequence): one name, one view
        raise ServiceError("已有同名视图“" + "”“".join(repeated) + "”：请换一个名称，或先删除原来的视图")
    with transaction() as s:
        raw = repo.get_meta(s, "views")
        before = [v.get("title") for v in json.loads(raw)] if raw else []
        repo.set_meta(s, "views", json.dumps(views, ensure_ascii=False))
        audit.record(s, actor, audit.VIEWS_SAVED, object_type="会议视图", object_id=f"{len(views)} 个",
                     summary="保存会议视图：" + ("、".join(str(v.get("title")) for v in views) or "（清空）"),
                     before={"views": before}, after={"views": [v.get("title") for v in views]})


def meeting_deck(actor: Actor, path: Path, *, as_of: date | None = None, title: str | None = None, sequence=None) -> Path:
    """The monthly-meeting deck from the store, as of a date (default today): the given
    sequence (slide names or saved views), else the saved views, else the default meeting."""
    from exports.deck import DEFAULT_SEQUENCE, build_deck

    ensure(actor, perm.EXPORT)
    data = _deck_data(as_of or date.today())
    out = build_deck(data, Path(path), title=title or f"{data.region.name}生态环境工作调度会",
                     sequence=sequence or saved_views() or DEFAULT_SEQUENCE)
    _audit_export(actor, out, "会议材料", as_of=data.as_of)
    return out


def hottest_area(as_of: date | None = None):
    """((west, south, east, north), peak) around the density maximum of open tasks, or None."""
    from exports.deck import hottest_extent

    return hottest_extent(_deck_data(as_of or date.today()))
