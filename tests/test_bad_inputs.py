"""Malformed and hostile site layers through the real CLI entry point: each ends in exit 1
with a Chinese report naming the file, row and field — never a traceback — and the store is
unchanged. A property test throws random GeoJSON at the reader: it never raises, and what it
accepts is always finite, in range and within the store's limits."""

from __future__ import annotations

import json
import math
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import sites
from onemap import cli
from tests.conftest import db_counts


def _fc(features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, allow_nan=True)


def _point(x, y, name="甲断面", kind="监测断面"):
    return {"type": "Feature", "properties": {"名称": name, "类型": kind},
            "geometry": {"type": "Point", "coordinates": [x, y]}}


CASES = {
    "null.geojson": (_fc([{"type": "Feature", "properties": {"名称": "甲", "类型": "监测断面"}, "geometry": None}]),
                     "没有几何（坐标）"),
    "lon477.geojson": (_fc([_point(477.2, 29.3)]), "坐标超出经纬度范围"),
    "nan.geojson": (_fc([_point(math.nan, 29.3)]), "坐标不是有效数值"),
    "inf.geojson": (_fc([_point(math.inf, 29.3)]), "坐标不是有效数值"),
    "longname.geojson": (_fc([_point(117.2, 29.3, name="长" * 5000)]), "名称过长（5000 字，上限 200 字）"),
    "line-source.geojson": (_fc([{"type": "Feature", "properties": {"名称": "乙", "类型": "饮用水水源地"},
                                  "geometry": {"type": "LineString", "coordinates": [[117.2, 29.3], [117.3, 29.4]]}}]),
                            "饮用水水源地不能是线"),
    "broken.geojson": ('{"type": "FeatureCollection", "features": [', "无法读取文件"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_layer_is_refused_in_chinese_and_changes_nothing(data_dir, tmp_path, capsys, name):
    text, expected = CASES[name]
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    before = db_counts()
    assert cli.main(["import", str(f)]) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert "导入失败" in err
    assert db_counts() == before


def test_gbk_geojson_is_read_with_a_warning(data_dir, tmp_path, capsys):
    f = tmp_path / "gbk.geojson"
    f.write_bytes(_fc([_point(117.2, 29.3, name="湖田桥断面")]).encode("gbk"))
    assert cli.main(["import", str(f)]) == 0
    out = capsys.readouterr().out
    assert "湖田桥断面" in out and "已按 GBK 读取" in out
    assert db_counts()["sites"] == 1


@pytest.mark.parametrize("entries,expected", [
    ({"../evil.shp": b"x"}, "试图跳出所在文件夹"),
    ({f"f{i}.txt": b"" for i in range(sites.MAX_ZIP_ENTRIES + 1)}, "zip 包中文件过多"),
])
def test_hostile_zip_is_refused(data_dir, tmp_path, capsys, entries, expected):
    f = tmp_path / "layer.zip"
    with zipfile.ZipFile(f, "w") as z:
        for n, b in entries.items():
            z.writestr(n, b)
    assert cli.main(["import", str(f)]) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_zip_bomb_is_refused_before_inflating(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sites, "MAX_UNZIPPED_BYTES", 1_000_000)
    f = tmp_path / "bomb.zip"
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.shp", b"\0" * 2_000_000)
    assert cli.main(["import", str(f)]) == 1
    assert "解压后过大" in capsys.readouterr().err


def test_unexpected_error_is_logged_not_shown(data_dir, tmp_path, capsys, monkeypatch):
    from onemap import logs, services

    def boom(*a, **k):
        raise ZeroDivisionError("内部错误")

    monkeypatch.setattr(services, "import_file", boom)
    f = tmp_path / "a.csv"
    f.write_text("名称,类型,经度,纬度\n甲,监测断面,117.2,29.3\n", encoding="utf-8")
    assert cli.main(["import", str(f)]) == 1
    err = capsys.readouterr().err
    assert "系统错误" in err and "Traceback" not in err and str(logs.log_file()) in err
    assert "ZeroDivisionError" in logs.log_file().read_text(encoding="utf-8")  # the administrator sees it


coord = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-1000, 1000),
                  st.floats(116.9, 117.7), st.floats(28.8, 29.9))
geometry = st.one_of(
    st.none(),
    st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]}, coord, coord),
    st.builds(lambda a, b: {"type": "LineString", "coordinates": [a, b]}, st.tuples(coord, coord),
              st.tuples(coord, coord)),
)
feature = st.builds(lambda g, n, k: {"type": "Feature", "properties": {"名称": n, "类型": k}, "geometry": g},
                    geometry, st.text(max_size=250), st.sampled_from(["监测断面", "饮用水水源地", "矿山修复点", "未知"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(feature, min_size=1, max_size=5))
def test_random_geojson_never_raises_and_accepts_only_sound_sites(data_dir, tmp_path, features):
    from onemap.services import active_region

    f = tmp_path / "random.geojson"
    f.write_text(_fc(features), encoding="utf-8")
    result = sites.read_sites(f, active_region())  # must not raise
    assert bool(result.records) == result.report.ok
    for r in result.records:
        x, y = r.geometry.centroid.x, r.geometry.centroid.y
        assert math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90
        assert 0 < len(r.name) <= sites.MAX_NAME
