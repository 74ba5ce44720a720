"""Use cases of 断面水质: import a station's monitoring file, read a site's series judged by
GB 3838-2002 — for the command line (`onemap water`) and the pages alike. Through the same
door as every import (onemap.reflayers): the actor is checked first (导入数据), the file is
validated whole before anything is written, the write and its audit row share one
transaction. The classification itself is domain.water_quality (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from domain import permissions as perm
from domain import water_quality as wq
from domain.actors import Actor
from ingest.report import ImportFailed, Report
from ingest.water import KINDS, SiteRef, read_water
from onemap import audit, config, settings
from onemap.kinds import kind_by_any
from onemap.services import ServiceError, _sha, ensure
from store import models as m
from store import water as store
from store.db import reader, transaction


@lru_cache(maxsize=1)
def standard() -> wq.Standard:
    """GB 3838-2002 Table 1 and the 评价办法's rules, from data/config/gb3838_2002.json (a file
    that passes its schema but not the table's order is a ConfigError too, named)."""
    try:
        return wq.standard_from_dict(config.load("gb3838_2002.json"))
    except wq.StandardError as exc:
        raise config.ConfigError(f"配置文件 data/config/gb3838_2002.json：{exc}") from exc


@dataclass
class WaterOutcome:
    report: Report
    preview: list[store.ValuePreview] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # 新增/修改/不变 values
    rows: int = 0  # data rows (section × sampling time)
    sites: int = 0
    written: bool = False

    def summary(self) -> str:
        c = self.counts
        return (f"{self.rows} 行（{self.sites} 个断面/水源地），监测值：新增 {c.get(store.NEW, 0)} 个，"
                f"修改 {c.get(store.CHANGED, 0)} 个，不变 {c.get(store.UNCHANGED, 0)} 个")


def _site_refs(s) -> dict[str, SiteRef]:
    """Every site's code, name and aliases → the site (all kinds: a park named in a water file
    is refused by name, not reported unknown). Codes win over names and aliases."""
    out: dict[str, SiteRef] = {}
    rows = list(s.scalars(select(m.Site).order_by(m.Site.id)))
    for site in rows:
        k = kind_by_any(site.kind)
        ref = SiteRef(site.id, site.name, k.code if k else site.kind, str((site.attrs or {}).get("source_type", "")))
        out[site.id] = ref
    for site in rows:
        for n in (site.name, *(site.aliases or [])):
            out.setdefault(n, out[site.id])
            out.setdefault("".join(str(n).split()), out[site.id])
    return out


def import_water(actor: Actor, path: Path, *, dry_run: bool = False, file_name: str | None = None) -> WaterOutcome:
    """Import a monitoring file, all-or-nothing (ImportFailed with the Chinese report)."""
    ensure(actor, perm.IMPORT)
    path = Path(path)
    shown = file_name or path.name
    if not path.exists():
        r = Report()
        r.error("", "", shown, "文件不存在", "请检查路径")
        raise ImportFailed(r)
    size, limit = path.stat().st_size, settings.limits().upload_bytes
    if size > limit:
        r = Report()
        r.error("", "", shown, f"文件过大（{size / 2**20:.0f} MB，上限 {limit / 2**20:.0f} MB）",
                "请分批导入（上限可由 ONEMAP_LIMIT_UPLOAD_BYTES 调整）")
        raise ImportFailed(r)
    with reader() as s:
        refs = _site_refs(s)
    result = read_water(path, standard(), refs)
    if not result.report.ok:
        raise ImportFailed(result.report)
    out = WaterOutcome(result.report, rows=result.rows, sites=len({r.site_id for r in result.records}))
    with transaction() as s:
        out.preview = store.preview(s, result.records)
        out.counts = {a: sum(p.action == a for p in out.preview) for a in (store.NEW, store.CHANGED, store.UNCHANGED)}
        if dry_run:
            s.rollback()
            return out
        store.write(s, out.preview, source_file=shown, imported_by=f"{actor.display_name}（{actor.username}）")
        audit.record(s, actor, audit.IMPORTED, object_type="水质监测数据", object_id=shown[:200],
                     summary=f"导入水质监测数据（{shown}）：{out.summary()}",
                     after={"sha256": _sha(path), "rows": out.rows, **out.counts,
                            "sites": sorted({r.site_id for r in result.records})})
    out.written = True
    return out


# ----------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class SiteWater:
    site_id: str
    name: str
    kind: str  # section | water_source
    water: str  # domain.water_quality.RIVER | LAKE
    target: int | None


def site_water(site: m.Site, std: wq.Standard | None = None) -> SiteWater | None:
    """How a site is judged: river or lake (湖库型 water sources; a section whose attribute
    water_type says 湖库), and its target class (the section's 目标水质; water sources: the
    standard file's water_source_target, Ⅲ类). None for other kinds."""
    std = std or standard()
    k = kind_by_any(site.kind)
    if k is None or k.code not in KINDS:
        return None
    attrs = site.attrs or {}
    lake = attrs.get("source_type") == "湖库型" or str(attrs.get("water_type", "")).startswith("湖")
    target = wq.class_number(attrs.get("target_class")) if k.code == "section" else std.water_source_target
    return SiteWater(site.id, site.name, k.code, wq.LAKE if lake else wq.RIVER, target)


def _measurements(df: pd.DataFrame) -> list[tuple[str, dict[str, wq.Measurement]]]:
    out: dict[datetime, dict[str, wq.Measurement]] = {}
    for r in df.itertuples(index=False):
        m_ = wq.Measurement(nd=True, dl=_num(r.detection_limit)) if r.below_detection else wq.Measurement(float(r.value))
        out.setdefault(pd.Timestamp(r.sampled_at).to_pydatetime(), {})[r.factor] = m_
    return [(f"{t:%Y-%m}", v) for t, v in sorted(out.items())]


def _num(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


@dataclass(frozen=True)
class SiteSeries:
    site: SiteWater
    monthly: dict[str, wq.Verdict]  # 'YYYY-MM' → verdict of the month's means
    values: dict[str, dict[str, wq.Measurement]]  # 'YYYY-MM' → factor → month value
    sample: bool  # any value is generated demo data (示例数据)


def series(site_id: str, *, year: int | None = None) -> SiteSeries:
    """A section's or water source's monthly verdicts (ServiceError for an unknown site or
    another kind)."""
    std = standard()
    with reader() as s:
        site = s.get(m.Site, site_id)
        if site is None:
            raise ServiceError(f"没有编号为“{site_id}”的点位")
        sw = site_water(site, std)
        if sw is None:
            raise ServiceError(f"“{site.name}”不是监测断面或饮用水水源地")
        since = datetime(year, 1, 1) if year else None
        until = datetime(year + 1, 1, 1) if year else None
        df = store.samples_frame(s, [site_id], since=since, until=until)
    monthly = wq.monthly_values(_measurements(df))
    verdicts = {mo: wq.evaluate(v, std, water=sw.water, target=sw.target) for mo, v in monthly.items()}
    return SiteSeries(sw, verdicts, monthly, bool(df["sample"].any()) if len(df) else False)


@dataclass(frozen=True)
class PeriodVerdict:
    site: SiteWater
    verdict: wq.Verdict
    months: int  # months with values in the period
    sample: bool  # any value is generated demo data


def _next_month(month: str) -> datetime:
    since = datetime.strptime(month + "-01", "%Y-%m-%d")
    return datetime(since.year + since.month // 12, since.month % 12 + 1, 1)


def period_verdicts(*, month: str | None = None, year: int | None = None,
                    through: str | None = None) -> dict[str, PeriodVerdict]:
    """Every section's and water source's verdict for one month ('YYYY-MM': the mean of that
    month's samples) or one year (the mean of its monthly values), read in one query — for
    the map, the overview and the deck. Sites without values in the period are absent.
    through ('YYYY-MM', with year): the year to date — its months up to and including this one."""
    if (month is None) == (year is None):
        raise ValueError("give a month or a year")
    std = standard()
    if month is not None:
        since, until = datetime.strptime(month + "-01", "%Y-%m-%d"), _next_month(month)
    else:
        since, until = datetime(year, 1, 1), datetime(year + 1, 1, 1)
        if through is not None:
            until = min(until, _next_month(through))
    with reader() as s:
        df = store.samples_frame(s, since=since, until=until)
        ids = sorted(set(df["site_id"]))
        how = {site.id: site_water(site, std) for site in s.scalars(select(m.Site).where(m.Site.id.in_(ids)))}
    out: dict[str, PeriodVerdict] = {}
    for sid, part in df.groupby("site_id", sort=True):
        sw = how.get(sid)
        if sw is None:
            continue
        monthly = wq.monthly_values(_measurements(part))
        values = wq.annual_values(monthly) if year is not None else monthly[month]
        out[sid] = PeriodVerdict(sw, wq.evaluate(values, std, water=sw.water, target=sw.target), len(monthly),
                                 bool(part["sample"].any()))
    return out


def annual(ser: SiteSeries) -> wq.Verdict | None:
    """The annual verdict: the mean of the monthly values per factor, then classified."""
    if not ser.values:
        return None
    return wq.evaluate(wq.annual_values(ser.values), standard(), water=ser.site.water, target=ser.site.target)


def find_site(text: str) -> str:
    """A site id from its code, name or alias (ServiceError naming the text if none)."""
    with reader() as s:
        ref = _site_refs(s).get((text or "").strip())
    if ref is None:
        raise ServiceError(f"没有名为或编号为“{text}”的断面或水源地")
    return ref.id


def verdict_text(v: wq.Verdict) -> str:
    """'Ⅴ类（目标Ⅲ类，不达标；超标因子：总磷 0.75 倍、氨氮 0.20 倍）' — for the CLI and tables."""
    parts = [v.label]
    if v.target is not None and v.water_class is not None:
        parts.append(f"（目标{wq.class_label(v.target)}，{'达标' if v.compliant else '不达标'}")
        if v.exceeding:
            parts.append("；超标因子：" + "、".join(
                e.factor + (f" {e.multiple:.2f} 倍" if e.multiple is not None else "") for e in v.exceeding))
        parts.append("）")
    if v.separate:
        parts.append("；" + "、".join(f"{k}{wq.class_label(c)}（单独评价）" for k, c in v.separate.items()))
    return "".join(parts)


def months(until: date | None = None) -> list[str]:
    """The months ('YYYY-MM', ascending) with stored values, at or before `until` (a day)."""
    with reader() as s:
        q = select(m.WaterSample.sampled_at).distinct()
        if until is not None:
            q = q.where(m.WaterSample.sampled_at < datetime(until.year, until.month, until.day) + timedelta(days=1))
        return sorted({f"{t:%Y-%m}" for t in s.scalars(q)})


def month_label(month: str) -> str:
    """'2026-10' → '2026年10月'."""
    y, mo = month.split("-")
    return f"{int(y)}年{int(mo)}月"


def year_to_date(ser: SiteSeries, month: str) -> tuple[wq.Verdict | None, int]:
    """The annual-mean verdict of the month's year up to and including the month, and the
    number of months it averages."""
    part = {mo: v for mo, v in ser.values.items() if mo[:4] == month[:4] and mo <= month}
    if not part:
        return None, 0
    return wq.evaluate(wq.annual_values(part), standard(), water=ser.site.water, target=ser.site.target), len(part)


def value_text(mv: wq.Measurement, decimals: int = 3) -> str:
    """A month's value as shown: '0.244'; below detection '未检出（<0.5）' or '未检出'."""
    if mv.nd:
        return f"未检出（<{mv.dl:g}）" if mv.dl is not None else "未检出"
    return f"{mv.value:.{decimals}g}" if abs(mv.value) < 1 else f"{mv.value:.4g}"


def exceed_text(v: wq.Verdict) -> str:
    """'总磷（Ⅳ类，超标 0.22 倍）、氨氮（Ⅳ类）' — the 超标因子 of a verdict, or ''."""
    return "、".join(f"{e.factor}（{wq.class_label(e.factor_class)}"
                    + (f"，超标 {e.multiple:.2f} 倍" if e.multiple is not None else "") + "）"
                    for e in v.exceeding)


def compliance_word(v: wq.Verdict, missing: str = "—") -> str:
    """达标 / 不达标 against the site's target; `missing` when it cannot be judged."""
    return {True: "达标", False: "不达标"}.get(v.compliant, missing)


def nature_word(sample: bool) -> str:
    """Whether a month's values are the demo's samples (flagged) or monitoring data."""
    return "示例数据（非实测）" if sample else "监测数据"


WATER_SHEET = ["点位编号", "点位", "类型", "月份", "水质类别", "目标", "达标", "超标因子（倍数）", "数据性质"]


def evaluated_frame(until: date | None = None) -> pd.DataFrame:
    """The evaluated monthly series of every section and water source (months at or before
    `until`), one row per site and month — the XLSX ledger's 水质 sheet."""
    rows = []
    for mo in months(until):
        for sid, p in sorted(period_verdicts(month=mo).items()):
            v = p.verdict
            rows.append({"点位编号": sid, "点位": p.site.name,
                         "类型": "监测断面" if p.site.kind == "section" else "饮用水水源地", "月份": month_label(mo),
                         "水质类别": v.label, "目标": wq.class_label(v.target),
                         "达标": compliance_word(v), "超标因子（倍数）": exceed_text(v),
                         "数据性质": nature_word(p.sample)})
    return pd.DataFrame(rows, columns=WATER_SHEET)


SECTION_NAME, SOURCE_NAME = "监测断面", "饮用水水源地"
SHARES = ("断面水质优良比例（Ⅰ–Ⅲ类）", "断面达标率", "水源地达标率")


@dataclass(frozen=True)
class MonthSummary:
    """What the overview and the deck say about a month: the shares for the month and the year
    to date, and the non-compliant sites with their unfinished tasks."""

    month: str
    shares: dict[str, tuple[wq.Share, wq.Share]]  # label → (month, year to date)
    rows: list[dict]  # 点位, 类型, 水质类别, 目标, 超标因子（倍数）, tasks (list of 'ref（status）')
    sample: bool

    @property
    def unanswered(self) -> list[str]:
        return [r["点位"] for r in self.rows if not r["tasks"]]


def _shares(verdicts: dict, kinds: dict[str, str]) -> list[wq.Share]:
    sec = [p.verdict for sid, p in verdicts.items() if kinds.get(sid) == SECTION_NAME]
    src = [p.verdict for sid, p in verdicts.items() if kinds.get(sid) == SOURCE_NAME]
    return [wq.good_share(v.water_class for v in sec), wq.compliance_share((v.water_class, v.target) for v in sec),
            wq.compliance_share((v.water_class, v.target) for v in src)]


def summarise(month: str, now: dict, ytd: dict, sites: pd.DataFrame, top_tasks: pd.DataFrame) -> MonthSummary:
    """sites: the sites in scope (id, name, kind); top_tasks: top-level tasks (ref, status,
    site_ids) — an unfinished one is any not 已销号."""
    kinds = {i: k for i, k in zip(sites["id"], sites["kind"], strict=True) if k in (SECTION_NAME, SOURCE_NAME)}
    names = dict(zip(sites["id"], sites["name"], strict=True))
    now = {k: p for k, p in now.items() if k in kinds}
    ytd = {k: p for k, p in ytd.items() if k in kinds}
    shares = dict(zip(SHARES, zip(_shares(now, kinds), _shares(ytd, kinds), strict=True), strict=True))
    open_ = top_tasks[top_tasks["status"] != "已销号"]
    rows = []
    bad = sorted((sid for sid, p in now.items() if p.verdict.compliant is False),
                 key=lambda sid: (kinds[sid] != SECTION_NAME, sid))
    for sid in bad:
        v = now[sid].verdict
        linked = open_[open_["site_ids"].map(lambda ids, sid=sid: sid in ids)]
        rows.append({"点位": names[sid], "类型": kinds[sid], "水质类别": v.label, "目标": wq.class_label(v.target),
                     "超标因子（倍数）": exceed_text(v),
                     "tasks": [f"{r}（{s}）" for r, s in zip(linked["ref"], linked["status"], strict=True)]})
    return MonthSummary(month, shares, rows, any(p.sample for p in (*now.values(), *ytd.values())))


# ----------------------------------------------------------------------------- the plan's targets
@dataclass(frozen=True)
class PlanTarget:
    """The clause of a document's 主要目标 that sets a share shown on the overview."""

    text: str  # the clause, as written
    percent: float | None  # the figure in it (None: "完成省下达考核目标" names no number)
    document: str  # the document's title

    def verdict(self, share: wq.Share) -> str:
        """目标 and whether the share meets it (only when both have a figure)."""
        if self.percent is None or share.percent is None:
            return f"目标：{self.text}（《{self.document}》）"
        met = "已达到" if share.percent >= self.percent else "未达到"
        return f"目标 ≥{self.percent:g}%：{met}（《{self.document}》：{self.text}）"


_TARGET_WORDS = {"断面水质优良比例（Ⅰ–Ⅲ类）": ("优良",), "断面达标率": ("断面", "达标"), "水源地达标率": ("水源地", "达标率")}


def plan_targets(targets: pd.DataFrame) -> dict[str, PlanTarget]:
    """For each overview share, the latest document's 主要目标 clause that sets it (issue 15: the
    shares are judged against the plan's and the work points' targets). Read from the stored
    targets' text; a share no target names is left out."""
    import re

    out: dict[str, PlanTarget] = {}
    for r in targets.itertuples():  # document order: a later document's clause replaces an earlier one
        for clause in re.split(r"[。；;]", str(r.body or "")):
            clause = clause.strip()
            if "水质" not in clause and "水源" not in clause:
                continue
            for label, words in _TARGET_WORDS.items():
                if all(w in clause for w in words) and not (label == "断面达标率" and "优良" in clause):
                    m = re.search(r"(\d+(?:\.\d+)?)\s*%", clause)
                    out[label] = PlanTarget(clause, float(m.group(1)) if m else None, r.document_title)
    return out
