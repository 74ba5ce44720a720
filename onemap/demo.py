"""The 景德镇市 demo, rebuilt reproducibly from files kept in `data/demo/`:
sites (illustrative positions) through the site importer, the two official
documents through the document parser, links by the gazetteer, then the SAMPLE
progress history."""

from __future__ import annotations

from datetime import date, datetime

from ingest.report import ImportFailed
from onemap import sample_history, services, settings
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


def build_demo() -> dict[str, int]:
    with transaction() as s:
        repo.clear_all(s)
        repo.set_meta(s, "region", REGION)
        repo.set_meta(s, "demo", "1")
        repo.set_meta(s, "data_date", DATA_DATE.isoformat())
    counts: dict[str, int] = {}
    for name in SITE_FILES:
        try:
            out = services.import_file(settings.DEMO_DIR / name)
        except ImportFailed as exc:
            raise RuntimeError(f"示例点位数据有误（{name}）：\n{exc}") from exc
        counts["sites"] = counts.get("sites", 0) + len(out.preview)
    links = 0
    for rel, short, created in DOCUMENTS:
        path = settings.DEMO_DIR / rel
        doc = services.parse_doc(path, short_name=short)
        if doc.warnings:
            raise RuntimeError(f"示例文件解析有警告（{rel}）：{doc.warnings[:3]}")
        _doc_id, n = services.commit_doc(doc, filename=path.name, created_at=created)
        links += n
        counts[short] = sum(1 for i in doc.items for _ in i.walk())
    counts["links"] = links
    with transaction() as s:
        counts["sample_events"] = sample_history.generate(s, DATA_DATE)
    return counts
