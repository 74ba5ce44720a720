"""The classifier against GB 3838-2002 Table 1 as printed (typed in below, not read from the
config file the code uses) and the rules of 《地表水环境质量评价办法（试行）》."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import water_quality as wq
from onemap import config
from onemap import settings as app_settings

# GB 3838-2002 表1, Ⅰ..Ⅴ (mg/L; 粪大肠菌群 个/L), typed from the standard
UPPER = {
    "高锰酸盐指数": (2, 4, 6, 10, 15),
    "化学需氧量": (15, 15, 20, 30, 40),
    "五日生化需氧量": (3, 3, 4, 6, 10),
    "氨氮": (0.15, 0.5, 1.0, 1.5, 2.0),
    "总磷": (0.02, 0.1, 0.2, 0.3, 0.4),
    "铜": (0.01, 1.0, 1.0, 1.0, 1.0),
    "锌": (0.05, 1.0, 1.0, 2.0, 2.0),
    "氟化物": (1.0, 1.0, 1.0, 1.5, 1.5),
    "硒": (0.01, 0.01, 0.01, 0.02, 0.02),
    "砷": (0.05, 0.05, 0.05, 0.1, 0.1),
    "汞": (0.00005, 0.00005, 0.0001, 0.001, 0.001),
    "镉": (0.001, 0.005, 0.005, 0.005, 0.01),
    "六价铬": (0.01, 0.05, 0.05, 0.05, 0.1),
    "铅": (0.01, 0.01, 0.05, 0.05, 0.1),
    "氰化物": (0.005, 0.05, 0.2, 0.2, 0.2),
    "挥发酚": (0.002, 0.002, 0.005, 0.01, 0.1),
    "石油类": (0.05, 0.05, 0.05, 0.5, 1.0),
    "阴离子表面活性剂": (0.2, 0.2, 0.2, 0.3, 0.3),
    "硫化物": (0.05, 0.1, 0.2, 0.5, 1.0),
}
LAKE_TP = (0.01, 0.025, 0.05, 0.1, 0.2)
TN = (0.2, 0.5, 1.0, 1.5, 2.0)
FECAL = (200, 2000, 10000, 20000, 40000)
DO = (7.5, 6, 5, 3, 2)
RIVER_FACTORS = {"pH", "溶解氧", *UPPER}  # 21: Table 1 minus 水温、总氮、粪大肠菌群
# every boundary of the table, with the class a value exactly at it and just beyond it has
# (from the table: the best class whose limit the value keeps; beyond Ⅴ is 劣Ⅴ = 6)
BOUNDARY_CASES = []
for name, lim in UPPER.items():
    for k in range(5):
        at = min(j for j in range(5) if lim[j] >= lim[k]) + 1  # equal limits: the best class
        beyond = next((j + 1 for j in range(5) if lim[j] > lim[k]), 6)
        BOUNDARY_CASES.append((name, lim[k], at, lim[k] * 1.001, beyond))


@pytest.fixture(scope="module")
def std() -> wq.Standard:
    return wq.standard_from_dict(config.load("gb3838_2002.json"))


def test_config_holds_the_table_as_printed(std):
    for name, lim in UPPER.items():
        assert std.factors[name].limits == tuple(float(x) for x in lim), name
        assert std.factors[name].unit == "mg/L"
    assert std.factors["总磷"].lake_limits == LAKE_TP
    assert std.factors["总氮"].limits == TN and std.factors["总氮"].lakes_only
    assert std.factors["粪大肠菌群"].limits == FECAL and std.factors["粪大肠菌群"].unit == "个/L"
    assert std.factors["溶解氧"].limits == DO and std.factors["溶解氧"].direction == "min"
    assert std.factors["pH"].value_range == (6, 9) and std.factors["pH"].unit == "无量纲"
    assert len(std.factors) == 24  # Table 1: 水温 + 23 graded items (总磷 湖库 in the same row)
    assert set(std.evaluated(wq.RIVER)) == RIVER_FACTORS and len(RIVER_FACTORS) == 21
    assert set(std.evaluated(wq.LAKE)) == RIVER_FACTORS
    assert std.water_source_target == 3
    assert "GB 3838-2002" in std.source


def test_boundary_table_is_complete():
    assert len(BOUNDARY_CASES) == 19 * 5
    # spot checks typed by hand from the table, independent of the loop above
    assert ("化学需氧量", 15, 1, 15 * 1.001, 3) in BOUNDARY_CASES
    assert ("汞", 0.0001, 3, 0.0001 * 1.001, 4) in BOUNDARY_CASES
    assert ("石油类", 0.05, 1, 0.05 * 1.001, 4) in BOUNDARY_CASES
    assert ("硫化物", 1.0, 5, 1.0 * 1.001, 6) in BOUNDARY_CASES


@pytest.mark.parametrize("name,at,at_class,beyond,beyond_class", BOUNDARY_CASES)
def test_every_upper_limit_at_and_just_beyond(std, name, at, at_class, beyond, beyond_class):
    f = std.factors[name]
    assert wq.value_class(f, at) == at_class
    assert wq.value_class(f, beyond) == beyond_class


@pytest.mark.parametrize("value,expected", [
    (0.0, 1), (0.15, 1), (0.151, 2), (0.5, 2), (0.501, 3), (1.0, 3), (1.001, 4), (1.5, 4), (1.501, 5),
    (2.0, 5), (2.001, 6), (35.0, 6)])
def test_ammonia_by_hand(std, value, expected):
    assert wq.value_class(std.factors["氨氮"], value) == expected


@pytest.mark.parametrize("value,expected", [
    (9.0, 1), (7.5, 1), (7.49, 2), (6.0, 2), (5.99, 3), (5.0, 3), (4.99, 4), (3.0, 4), (2.99, 5), (2.0, 5),
    (1.99, 6), (0.0, 6)])
def test_dissolved_oxygen_is_a_minimum(std, value, expected):
    assert wq.value_class(std.factors["溶解氧"], value) == expected


@pytest.mark.parametrize("value,expected", [(6.0, 1), (5.99, 6), (9.0, 1), (9.01, 6), (7.2, 1), (3.0, 6)])
def test_ph_range_6_to_9(std, value, expected):
    assert wq.value_class(std.factors["pH"], value) == expected


@pytest.mark.parametrize("value,river,lake", [
    (0.01, 1, 1), (0.011, 1, 2), (0.02, 1, 2), (0.021, 2, 2), (0.025, 2, 2), (0.026, 2, 3), (0.05, 2, 3),
    (0.051, 2, 4), (0.1, 2, 4), (0.101, 3, 5), (0.2, 3, 5), (0.201, 4, 6), (0.3, 4, 6), (0.301, 5, 6),
    (0.4, 5, 6), (0.401, 6, 6)])
def test_total_phosphorus_rivers_versus_lakes(std, value, river, lake):
    f = std.factors["总磷"]
    assert wq.value_class(f, value, wq.RIVER) == river
    assert wq.value_class(f, value, wq.LAKE) == lake


@pytest.mark.parametrize("value,expected", [(0.2, 1), (0.21, 2), (0.5, 2), (0.51, 3), (1.0, 3), (1.01, 4),
                                            (1.5, 4), (1.51, 5), (2.0, 5), (2.01, 6)])
def test_total_nitrogen_classes(std, value, expected):
    assert wq.value_class(std.factors["总氮"], value, wq.LAKE) == expected


@pytest.mark.parametrize("value,expected", [(200, 1), (201, 2), (2000, 2), (2001, 3), (10000, 3), (10001, 4),
                                            (20000, 4), (20001, 5), (40000, 5), (40001, 6)])
def test_fecal_coliform_classes(std, value, expected):
    assert wq.value_class(std.factors["粪大肠菌群"], value) == expected


def test_water_temperature_is_not_graded(std):
    assert wq.value_class(std.factors["水温"], 35.0) is None


def M(v):
    return wq.Measurement(float(v))


def test_worst_factor_decides_and_names_exceedances(std):
    sample = {"pH": M(7.4), "溶解氧": M(6.8), "高锰酸盐指数": M(3.1), "化学需氧量": M(14), "氨氮": M(1.2),
              "总磷": M(0.35), "总氮": M(3.0), "粪大肠菌群": M(90000), "水温": M(31)}
    v = wq.evaluate(sample, std, water=wq.RIVER, target=3)
    # 溶解氧 6.8 Ⅱ, CODMn 3.1 Ⅱ, COD 14 Ⅰ, 氨氮 1.2 Ⅳ, 总磷 0.35 Ⅴ (river); 总氮/粪大肠/水温 not counted
    assert v.water_class == 5 and v.label == "Ⅴ类" and v.worst == ("总磷",)
    assert v.factor_classes == {"pH": 1, "溶解氧": 2, "高锰酸盐指数": 2, "化学需氧量": 1, "氨氮": 4, "总磷": 5}
    assert [(e.factor, e.factor_class, e.multiple) for e in v.exceeding] == [("总磷", 5, 0.75), ("氨氮", 4, 0.2)]
    assert v.compliant is False and v.good is False and v.separate == {}


def test_lake_uses_lake_phosphorus_and_reports_nitrogen_apart(std):
    sample = {"溶解氧": M(8.0), "高锰酸盐指数": M(2.0), "总磷": M(0.04), "总氮": M(1.8)}
    river = wq.evaluate(sample, std, water=wq.RIVER, target=2)
    lake = wq.evaluate(sample, std, water=wq.LAKE, target=2)
    assert river.water_class == 2 and river.compliant is True and river.separate == {}
    assert lake.water_class == 3 and lake.worst == ("总磷",) and lake.separate == {"总氮": 5}
    assert [(e.factor, e.multiple) for e in lake.exceeding] == [("总磷", 0.6)]  # (0.04−0.025)/0.025
    assert "总氮" not in lake.factor_classes


def test_no_multiple_for_ph_and_oxygen(std):
    v = wq.evaluate({"pH": M(9.5), "溶解氧": M(2.5), "氨氮": M(0.4)}, std, target=3)
    assert v.water_class == 6 and v.worst == ("pH",)
    assert [(e.factor, e.factor_class, e.multiple) for e in v.exceeding] == [("pH", 6, None), ("溶解氧", 5, None)]


def test_target_worse_than_v_never_exceeds(std):
    v = wq.evaluate({"氨氮": M(5.0)}, std, target=6)
    assert v.water_class == 6 and v.compliant is True and v.exceeding == ()


def test_no_evaluated_factor_gives_no_class(std):
    v = wq.evaluate({"水温": M(20), "粪大肠菌群": M(100)}, std, target=3)
    assert v.water_class is None and v.compliant is None and v.good is None


@pytest.mark.parametrize("text,expected", [
    ("0.52", wq.Measurement(0.52)), (" 7.1 ", wq.Measurement(7.1)), ("ND", wq.Measurement(nd=True)),
    ("nd", wq.Measurement(nd=True)), ("未检出", wq.Measurement(nd=True)),
    ("<0.01", wq.Measurement(nd=True, dl=0.01)), ("＜0.01", wq.Measurement(nd=True, dl=0.01)),
    ("0.01L", wq.Measurement(nd=True, dl=0.01)), ("0.00004L", wq.Measurement(nd=True, dl=0.00004)),
    ("-0.2", wq.Measurement(-0.2)), ("abc", None), ("", None), ("<", None), ("<-1", None), ("1..2", None),
    ("nan", None), ("inf", None)])
def test_parse_value(text, expected):
    assert wq.parse_value(text) == expected


@pytest.mark.parametrize("name,m,expected", [
    ("六价铬", wq.Measurement(nd=True, dl=0.004), 1),  # DL below the Ⅰ limit 0.01
    ("六价铬", wq.Measurement(nd=True, dl=0.01), 1),  # at it
    ("汞", wq.Measurement(nd=True, dl=0.00004), 1),
    ("汞", wq.Measurement(nd=True, dl=0.0001), 3),  # DL above Ⅰ/Ⅱ 0.00005: at most Ⅲ is all it proves
    ("氰化物", wq.Measurement(nd=True), 1),  # no stated limit: Ⅰ
])
def test_below_detection_single_value(std, name, m, expected):
    assert wq.measurement_class(std.factors[name], m) == expected


def test_below_detection_is_never_given_a_multiple(std):
    v = wq.evaluate({"汞": wq.Measurement(nd=True, dl=0.0001)}, std, target=2)
    assert v.water_class == 3 and [(e.factor, e.multiple) for e in v.exceeding] == [("汞", None)]


def test_means_use_half_the_detection_limit(std):
    assert wq.mean_measurement([M(0.3), wq.Measurement(nd=True, dl=0.1)]) == M(0.175)  # (0.3 + 0.05) / 2
    assert wq.mean_measurement([M(0.3), wq.Measurement(nd=True)]) == M(0.3)  # no limit: left out
    assert wq.mean_measurement([wq.Measurement(nd=True, dl=0.01), wq.Measurement(nd=True, dl=0.02)]) == \
        wq.Measurement(nd=True, dl=0.02)
    assert wq.mean_measurement([]) is None


def test_monthly_versus_annual_mean(std):
    # 氨氮 over four months: Ⅱ, Ⅴ, Ⅱ, Ⅱ monthly; annual mean (0.4+1.8+0.4+0.4)/4 = 0.75 → Ⅲ
    months = [("2026-01", {"氨氮": M(0.4)}), ("2026-02", {"氨氮": M(1.6)}), ("2026-02", {"氨氮": M(2.0)}),
              ("2026-03", {"氨氮": M(0.4)}), ("2026-04", {"氨氮": M(0.4)})]
    monthly = wq.monthly_values(months)
    assert list(monthly) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert monthly["2026-02"]["氨氮"] == M(1.8)  # two samples in February: their mean
    assert [wq.evaluate(v, std, target=3).water_class for v in monthly.values()] == [2, 5, 2, 2]
    annual = wq.annual_values(monthly)
    assert annual["氨氮"].value == pytest.approx(0.75)
    a = wq.evaluate(annual, std, target=3)
    assert a.water_class == 3 and a.compliant is True


def test_shares():
    s = wq.good_share([1, 2, 3, 4, 6, None, 3])
    assert (s.part, s.total, s.percent) == (4, 6, 66.7)
    c = wq.compliance_share([(3, 3), (4, 3), (2, None), (None, 3), (2, 2), (6, 6)])
    assert (c.part, c.total, c.percent) == (3, 4, 75.0)
    assert wq.good_share([]).percent is None


@pytest.mark.parametrize("label,n", [("Ⅰ类", 1), ("Ⅱ", 2), ("III类", 3), ("Ⅳ类", 4), ("V类", 5), ("劣Ⅴ类", 6),
                                     ("劣V类", 6), ("", None), ("七类", None), (3, 3), (None, None)])
def test_class_number(label, n):
    assert wq.class_number(label) == n


def test_a_disordered_limits_file_is_refused():
    cfg = json.loads((app_settings.CONFIG_DIR / "gb3838_2002.json").read_text(encoding="utf-8"))
    cfg["factors"][4]["limits"] = [15, 40, 20, 30, 15]
    with pytest.raises(wq.StandardError, match="化学需氧量"):
        wq.standard_from_dict(cfg)


# ----------------------------------------------------------------------------- properties
graded = st.sampled_from(sorted(RIVER_FACTORS))
values = st.floats(min_value=0, max_value=100, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(sample=st.dictionaries(graded, values, min_size=1, max_size=8), factor=graded,
       bump=st.floats(min_value=0, max_value=50, allow_nan=False), water=st.sampled_from([wq.RIVER, wq.LAKE]))
def test_worsening_one_factor_never_improves_the_class(std, sample, factor, bump, water):
    """Raising a pollutant (or lowering 溶解氧) never gives a better class."""
    base = {k: M(v) for k, v in sample.items()}
    before = wq.evaluate(base, std, water=water).water_class
    if factor == "pH":
        return
    cur = sample.get(factor, 0.0 if factor != "溶解氧" else 100.0)
    worse = cur - bump if factor == "溶解氧" else cur + bump
    after = wq.evaluate({**base, factor: M(max(worse, 0.0))}, std, water=water).water_class
    assert after >= (before or 0)


@settings(max_examples=300, deadline=None)
@given(sample=st.dictionaries(graded, values, min_size=1, max_size=8), target=st.integers(1, 6))
def test_class_is_the_worst_factor_and_exceedances_are_those_beyond_target(std, sample, target):
    ms = {k: M(v) for k, v in sample.items()}
    v = wq.evaluate(ms, std, target=target)
    per = {k: wq.value_class(std.factors[k], x) for k, x in sample.items()}
    assert v.water_class == max(per.values())
    assert {e.factor for e in v.exceeding} == {k for k, c in per.items() if c > target}
    assert v.compliant == (max(per.values()) <= target)


@settings(max_examples=200, deadline=None)
@given(sample=st.dictionaries(graded, values, min_size=1, max_size=8), months=st.integers(1, 12),
       target=st.integers(1, 6), water=st.sampled_from([wq.RIVER, wq.LAKE]))
def test_a_year_of_identical_months_has_the_months_verdict(std, sample, months, target, water):
    ms = {k: M(v) for k, v in sample.items()}
    monthly = wq.monthly_values([(f"2026-{i:02d}", ms) for i in range(1, months + 1)])
    annual = wq.evaluate(wq.annual_values(monthly), std, water=water, target=target)
    month = wq.evaluate(ms, std, water=water, target=target)
    assert (annual.water_class, annual.compliant, [e.factor for e in annual.exceeding]) == \
        (month.water_class, month.compliant, [e.factor for e in month.exceeding])


@settings(max_examples=200, deadline=None)
@given(vals=st.lists(st.floats(min_value=0, max_value=5, allow_nan=False), min_size=1, max_size=12))
def test_annual_class_lies_between_the_best_and_worst_month(std, vals):
    """The mean of the months is never classed worse than the worst month nor better than the best."""
    f = std.factors["氨氮"]
    classes = [wq.value_class(f, v) for v in vals]
    mean = wq.mean_measurement([M(v) for v in vals])
    assert min(classes) <= wq.value_class(f, mean.value) <= max(classes)


@pytest.mark.parametrize("name", sorted(UPPER) + ["溶解氧"])
def test_a_year_at_a_limit_stays_at_the_limit(std, name):
    """Twelve months exactly at each limit: the annual mean is the limit, in the same class (binary
    float sums would give 0.14999999999999997 for ten months of 0.15)."""
    f = std.factors[name]
    for k, lim in enumerate(f.limits, start=1):
        for n in range(1, 13):
            mean = wq.mean_measurement([M(lim)] * n)
            assert mean == M(lim), (name, lim, n)
            assert wq.value_class(f, mean.value) == wq.value_class(f, lim) <= k
