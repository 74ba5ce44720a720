"""The OGC API's sections and water sources carry the water quality the map shows (a user
trial: QGIS read 最新水质 null for all 11 while the map coloured them for 2026年10月).

Every value against tests/water_truth.py (plain SQL over water_samples, limits typed in), for
the latest month with values at or before the date asked — the month the map opens on."""

from __future__ import annotations

from datetime import date

import pytest

from domain.filtering import Filters
from onemap import features, services
from tests import water_truth
from tests.truth import _rows


def _latest_month(as_of: date) -> str:
    days = [str(r["sampled_at"])[:10] for r in _rows("SELECT sampled_at FROM water_samples")]
    return max(d for d in days if d <= as_of.isoformat())[:7]


@pytest.mark.parametrize("as_of", [date(2026, 7, 31), None], ids=["2026-07", "today"])
def test_water_sites_carry_the_months_verdict(demo_dir, as_of):
    as_of = as_of or date.today()
    month = _latest_month(as_of)
    truth, sites = water_truth.month_verdicts(month), water_truth.water_sites()
    assert len(truth) >= 10  # the demo has values for most water sites in both months
    year, mo = month.split("-")
    seen = set()
    for kind in ("监测断面", "饮用水水源地"):
        served = features.site_features(services.active_region(), kind, Filters(as_of=as_of))
        for sid, p in zip(served["fid"], served["properties"], strict=True):
            seen.add(sid)
            t = truth.get(sid)
            if t is None:
                assert (p["水质月份"], p["水质达标"], p["超标因子"]) == ("", "", ""), sid
                continue
            assert p["最新水质"] == water_truth.LABELS[t["class"]], sid
            assert p["水质月份"] == f"{int(year)}年{int(mo)}月"
            assert p["水质达标"] == {True: "达标", False: "不达标"}[t["compliant"]], sid
            assert sorted(x.split("（")[0] for x in p["超标因子"].split("、") if x) == sorted(t["exceeding"]), sid
            assert p["水质数据性质"] == "示例数据（非实测）"  # the demo's values are samples, flagged as such
    assert seen == set(sites)


def test_other_kinds_carry_no_water_fields(demo_dir):
    served = features.site_features(services.active_region(), "矿山修复点", Filters(as_of=date.today()))
    assert len(served) and not any("水质月份" in p for p in served["properties"])
