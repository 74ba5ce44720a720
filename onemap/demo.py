"""The 景德镇市 demo, rebuilt reproducibly from files kept in `data/demo/`:
sites (illustrative positions) through the site importer, the two official
documents through the document parser, links by the gazetteer, then the SAMPLE
progress history and the SAMPLE monthly water quality of the sections and sources, and one account per role with the demo passwords below (shown on the
sign-in page only while the store holds the demo data; no other password exists anywhere)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select

from domain import actors
from ingest.report import ImportFailed
from onemap import sample_history, sample_water, services, settings, water
from store import models as m
from store import repo
from store.db import transaction

REGION = "360200"
DATA_DATE = date(2026, 11, 20)  # sample history runs up to this date
SITE_FILES = ("sites.csv", "parks.geojson")
DOCUMENTS = (
    # file, short name, when it entered the ledger (document date; 004 undated: plan month)
    ("docs/004_rectification_list_provincial_inspection.txt", "省督察整改清单", datetime(2023, 10, 1)),
    ("docs/000_work_points_2026.txt", "2026年工作要点", datetime(2026, 3, 12)),
)

# one account per role; the units and counties make the demo journeys work: 乐平市's 填报
# reports on the tasks of 乐平市's units, 市整改办 (the 验收单位 of the 省督察 problems) accepts them
DEMO_PASSWORD = "Demo@2026jdz"
DEMO_ACCOUNTS = (
    {"username": "admin", "display_name": "系统管理员", "role": actors.SYSADMIN, "unit": "市生态环境局",
     "county_code": ""},
    {"username": "manager", "display_name": "业务管理员", "role": actors.MANAGER, "unit": "市生态环境局",
     "county_code": ""},
    {"username": "reviewer", "display_name": "审核员", "role": actors.REVIEWER, "unit": "市整改办",
     "county_code": ""},
    {"username": "leping", "display_name": "填报员", "role": actors.FILLER, "unit": "乐平市生态环境局",
     "county_code": "360281"},
    {"username": "leader", "display_name": "局领导", "role": actors.LEADER, "unit": "市生态环境局",
     "county_code": ""},
    {"username": "auditor", "display_name": "审计员", "role": actors.AUDITOR, "unit": "市生态环境局",
     "county_code": ""},
)
DEMO_ACTOR = actors.Actor("demo", "示例数据", actors.CLI)


def demo_accounts() -> int:
    """Create (or re-enable with the demo password) the demo accounts; real accounts are left alone."""
    from onemap import accounts

    boot = actors.Actor("demo", "示例数据", actors.SYSADMIN)
    n = 0
    for a in DEMO_ACCOUNTS:
        with transaction() as s:
            u = s.scalar(select(m.User).where(m.User.username == a["username"]))
            if u is not None and not u.demo:
                continue  # a real account of that name: never touched by the demo
            if u is not None:
                u.password_hash = accounts._hash(DEMO_PASSWORD)
                u.role, u.unit, u.county_code, u.display_name = a["role"], a["unit"], a["county_code"], a["display_name"]
                u.active, u.must_change, u.failed, u.locked_until = True, False, 0, None
                n += 1
                continue
        accounts.add_user(boot, a["username"], a["display_name"], a["role"], DEMO_PASSWORD, unit=a["unit"],
                          county_code=a["county_code"], must_change=False, demo=True)
        n += 1
    return n


def build_demo() -> dict[str, int]:
    with transaction() as s:
        repo.clear_all(s)
        repo.set_meta(s, "region", REGION)
        repo.set_meta(s, "demo", "1")
        s.execute(delete(m.Meta).where(m.Meta.key == "demo_removed"))
        repo.set_meta(s, "data_date", DATA_DATE.isoformat())
    counts: dict[str, int] = {}
    for name in SITE_FILES:
        try:
            out = services.import_file(DEMO_ACTOR, settings.DEMO_DIR / name)
        except ImportFailed as exc:
            raise RuntimeError(f"示例点位数据有误（{name}）：\n{exc}") from exc
        counts["sites"] = counts.get("sites", 0) + len(out.preview)
    links = 0
    for rel, short, created in DOCUMENTS:
        path = settings.DEMO_DIR / rel
        doc = services.parse_doc(path, short_name=short)
        if doc.warnings:
            raise RuntimeError(f"示例文件解析有警告（{rel}）：{doc.warnings[:3]}")
        _doc_id, n = services.commit_doc(DEMO_ACTOR, doc, filename=path.name, created_at=created)
        links += n
        counts[short] = sum(1 for i in doc.items for _ in i.walk())
    counts["links"] = links
    with transaction() as s:
        counts["sample_events"] = sample_history.generate(s, DATA_DATE)
    with transaction() as s:
        counts["sample_water"] = sample_water.generate(s, water.standard())
    counts["accounts"] = demo_accounts()
    return counts


def remove_demo(actor: actors.Actor) -> dict[str, int]:
    """清空示例数据 (issue 19: a store never mixes demo and real data): every task, site, unit,
    document, status record and finding of the demo goes, with its saved views and its sample
    markers; the demo accounts (known passwords) are disabled and signed out — real accounts
    are left alone. Refused, changing nothing, when the store does not hold the demo. One
    transaction, audited."""
    from sqlalchemy import func, update

    from domain import permissions as perm
    from onemap import audit

    services.ensure(actor, perm.RESTORE)
    with transaction() as s:
        if repo.get_meta(s, "demo") != "1":
            raise services.ServiceError("当前数据库不是示例数据，未清空任何数据")
        counts = {"点位": s.scalar(select(func.count()).select_from(m.Site)),
                  "任务": s.scalar(select(func.count()).select_from(m.Task)),
                  "任务文件": s.scalar(select(func.count()).select_from(m.Document))}
        repo.clear_all(s)
        s.execute(delete(m.Meta).where(m.Meta.key.in_(("demo", "data_date", "views"))))
        repo.set_meta(s, "demo_removed", "1")  # `onemap demo --if-empty` (the start script) leaves it cleared
        demo_users = list(s.scalars(select(m.User.id).where(m.User.demo.is_(True), m.User.active.is_(True))))
        if demo_users:
            s.execute(update(m.User).where(m.User.id.in_(demo_users)).values(active=False))
            s.execute(delete(m.UserSession).where(m.UserSession.user_id.in_(demo_users)))
        counts["示例账户（已停用）"] = len(demo_users)
        audit.record(s, actor, audit.REMOVED, object_type="示例数据", object_id=REGION,
                     summary="清空示例数据：" + "，".join(f"{k} {v}" for k, v in counts.items()),
                     before=counts, after={"点位": 0, "任务": 0, "任务文件": 0})
    return counts
