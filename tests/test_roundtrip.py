"""Export → import reproduces the same data."""

from datetime import date

import pandas as pd
import pytest

from ingest.report import ImportFailed
from onemap import services
from store import queries
from store.db import reader
from tests.conftest import MANAGER_ACTOR, db_counts

COMPARE = ["uid", "document", "level", "number", "ref", "title", "target", "deadline_text", "deadline", "ongoing",
           "category", "units", "acceptance_units", "status", "flag", "site_ids"]


AS_OF = date(2026, 11, 23)


def _snapshot(as_of=AS_OF):
    with reader() as s:
        # include_future: a store rebuilt today holds tasks created today, after AS_OF
        t = queries.tasks_frame(s, as_of, include_future=True).sort_values("uid").reset_index(drop=True)
        sites = queries.sites_frame(s).sort_values("id").reset_index(drop=True)
        ev = queries.events_frame(s)
    return t, sites, ev


def _water() -> pd.DataFrame:
    from store import water

    with reader() as s:
        return water.samples_frame(s)


def test_gpkg_roundtrip(demo_dir, stores, tmp_path):
    out = tmp_path / "all.gpkg"
    services.export(MANAGER_ACTOR, out)
    t0, s0, e0 = _snapshot()
    w0 = _water()
    assert len(w0) == 990 and w0["sample"].all()  # the demo's sample series: 11 sites × 10 months × 9 factors
    stores.new()
    services.import_file(MANAGER_ACTOR, out)
    t1, s1, e1 = _snapshot()
    pd.testing.assert_frame_equal(t0[COMPARE + ["body", "acceptance_text", "last_note", "created_at"]],
                                  t1[COMPARE + ["body", "acceptance_text", "last_note", "created_at"]])
    assert list(s0["id"]) == list(s1["id"]) and list(s0["attrs"]) == list(s1["attrs"])
    assert all(a.equals_exact(b, 1e-7) for a, b in zip(s0.geometry, s1.geometry, strict=True))
    assert list(s0["illustrative"]) == list(s1["illustrative"])
    pd.testing.assert_frame_equal(e0.drop(columns=["attachments"]), e1.drop(columns=["attachments"]))
    pd.testing.assert_frame_equal(w0, _water())  # 断面水质 values, below-detection flags and sample flags
    # a second restore into a store with data is refused unless --replace
    before = db_counts()
    with pytest.raises(ImportFailed, match="--replace"):
        services.import_file(MANAGER_ACTOR, out)
    assert db_counts() == before
    services.import_file(MANAGER_ACTOR, out, replace=True)
    assert db_counts() == before


def test_xlsx_ledger_roundtrip(demo_dir, stores, tmp_path):
    out = tmp_path / "ledger.xlsx"
    services.export(MANAGER_ACTOR, out)
    t0, s0, _ = _snapshot()
    stores.new()
    # the sites first, from the demo files; then the ledger links tasks to them
    from onemap import settings

    for name in ("sites.csv", "parks.geojson"):
        services.import_file(MANAGER_ACTOR, settings.DEMO_DIR / name)
    out2 = services.import_file(MANAGER_ACTOR, out)
    assert out2.kind == "ledger"
    t1, _, _ = _snapshot()
    cols = ["uid", "document", "level", "number", "ref", "title", "body", "target", "deadline", "ongoing",
            "category", "units", "acceptance_units", "site_ids"]
    for t in (t0, t1):
        t["site_ids"] = t["site_ids"].map(sorted)
    pd.testing.assert_frame_equal(t0[cols], t1[cols])
