"""Use cases shared by the command line and the app: each reads, validates fully,
then writes in one transaction (or, with dry_run, writes nothing)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.units import UnitParser
from geo.region import Region, build_region, load_region
from ingest import docparse
from ingest.gazetteer import Gazetteer
from ingest.ledger import read_ledger, split_number
from ingest.report import ImportFailed, Report
from ingest.restore import is_full_export, restore
from ingest.sites import TABLE_SUFFIXES, VECTOR_SUFFIXES, read_sites
from onemap import settings
from store import models as m
from store import queries, repo
from store.db import reader, transaction
from store.dump import DUMPED, dump_table

DEFAULT_REGION = "360200"
LEDGER_HINTS = ("编号", "整改时限", "责任单位", "问题/任务")


class ServiceError(ValueError):
    """A refusal with a Chinese message for the user."""


# ----------------------------------------------------------------------------- region
def active_region_code(s: Session) -> str:
    return repo.get_meta(s, "region") or DEFAULT_REGION


def active_region() -> Region:
    with reader() as s:
        return load_region(active_region_code(s))


def setup_region(adcode: str, *, activate: bool = True) -> Region:
    """Build the region files (into the data directory) and make it the active region."""
    build_region(adcode, settings.data_dir() / "regions")
    region = load_region(adcode)
    if activate:
        with transaction() as s:
            repo.set_meta(s, "region", region.adcode)
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


def import_file(path: Path, *, kind: str | None = None, crs: str | None = None, dry_run: bool = False,
                allow_outside: bool = False, x_col: str | None = None, y_col: str | None = None,
                document: str | None = None, replace: bool = False, layer: str | None = None) -> ImportOutcome:
    """Import a site layer, a task ledger or a full export; all-or-nothing."""
    path = Path(path)
    if not path.exists():
        r = Report()
        r.error("", "", str(path), "文件不存在", "请检查路径")
        raise ImportFailed(r)
    if is_full_export(path):
        if dry_run:
            return ImportOutcome("restore", Report())
        with transaction() as s:
            counts = restore(s, path, replace=replace)
        return ImportOutcome("restore", Report(), counts=counts, written=True)
    if _looks_like_ledger(path) and kind is None:
        return import_ledger(path, dry_run=dry_run, document=document)
    if path.suffix.lower() not in TABLE_SUFFIXES + VECTOR_SUFFIXES:
        r = Report()
        r.error("", "", path.name, f"不支持的文件类型“{path.suffix}”",
                "点位支持 GeoJSON、zip 打包的 Shapefile、GeoPackage、KML、CSV、XLSX；台账支持 XLSX、CSV；文件用 import-doc")
        raise ImportFailed(r)
    region = active_region()
    result = read_sites(path, region, kind=kind, crs=crs, allow_outside=allow_outside, x_col=x_col, y_col=y_col,
                        layer=layer)
    if not result.report.ok:
        raise ImportFailed(result.report)
    with transaction() as s:
        preview = repo.preview_sites(s, result.records)
        counts = {a: sum(p.action == a for p in preview) for a in (repo.NEW, repo.CHANGED, repo.UNCHANGED)}
        if not dry_run:
            repo.write_sites(s, preview)
        else:
            s.rollback()
    return ImportOutcome("sites", result.report, preview, counts, written=not dry_run)


def _site_lookup(s: Session) -> dict[str, str]:
    out: dict[str, str] = {}
    for site in s.scalars(select(m.Site)):
        for n in (site.id, site.name, *(site.aliases or [])):
            out.setdefault(n, site.id)
    return out


def import_ledger(path: Path, *, dry_run: bool = False, document: str | None = None) -> ImportOutcome:
    region = active_region()
    with transaction() as s:
        led = read_ledger(path, UnitParser(region.places), _site_lookup(s),
                          default_document=document or Path(path).stem)
        if not led.report.ok:
            raise ImportFailed(led.report)
        counts = {"文件": len(led.docs), "任务": sum(len(list(_walk(d.items))) for d in led.docs)}
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
                part, _ = split_number(number)
                path_no = number[2:].lstrip("/") if part == "annex" else number
                tid = by_uid.get(f"{doc_name}|{part}|{path_no}")
                for sid in site_ids:
                    repo.link_task_site(s, tid, sid, "台账关联点位", 1.0)
    return ImportOutcome("ledger", led.report, counts=counts, written=True)


def _walk(items):
    for i in items:
        yield from i.walk()


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ----------------------------------------------------------------------------- documents
def parse_doc(path: Path, *, short_name: str | None = None) -> docparse.ParsedDoc:
    region = active_region()
    return docparse.parse_document(Path(path), UnitParser(region.places), short_name=short_name)


def commit_doc(doc: docparse.ParsedDoc, *, filename: str = "", sha256: str = "", created_at=None,
               link_sites: bool = True) -> tuple[int, int]:
    """Write a parsed document; link tasks to the sites their text names.
    Returns (document id, number of links)."""
    with transaction() as s:
        try:
            d = repo.add_document(s, doc, filename=filename, sha256=sha256, created_at=created_at)
        except repo.StoreError as exc:
            raise ServiceError(str(exc)) from exc
        links = link_document_sites(s, d.id) if link_sites else 0
        return d.id, links


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


# ----------------------------------------------------------------------------- export
def export(path: Path, *, as_of: date | None = None) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    region = active_region()
    with reader() as s:
        if suffix == ".gpkg":
            from exports.gpkg import write_gpkg

            tables = {name: dump_table(s, model) for name, model in DUMPED.items()}
            return write_gpkg(path, region=region, sites=queries.sites_frame(s), tables=tables)
        if suffix == ".xlsx":
            from exports.ledger_xlsx import write_ledger_xlsx

            as_of = as_of or date.today()
            tasks = queries.tasks_frame(s, as_of, settings.due_soon_days(), places=region.places)
            names = {x.id: x.name for x in s.scalars(select(m.Site))}
            return write_ledger_xlsx(tasks, names, path, as_of=as_of)
    raise ServiceError(f"不支持导出为“{suffix}”：请使用 .gpkg（全部数据）或 .xlsx（台账）")
