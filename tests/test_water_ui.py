"""数据管理 › 水质监测数据 (AppTest): upload, preview with exact counts, import; a bad file's
report on the page and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from onemap import services, settings
from store import models as m
from store import repo
from store.db import reader, transaction
from tests.conftest import MANAGER_ACTOR, page_test
from tests.test_water_import import BAD, FIXTURE, write_csv


@pytest.fixture()
def city(data_dir):
    with transaction() as s:
        repo.set_meta(s, "region", "360200")
    for name in ("sites.csv", "parks.geojson"):
        services.import_file(MANAGER_ACTOR, settings.DEMO_DIR / name)
    return data_dir


def stored() -> int:
    with reader() as s:
        return s.scalar(select(func.count()).select_from(m.WaterSample))


def _upload(path):
    at = page_test("water_view:tab_page").run()
    at.file_uploader(key="water_upload").set_value((path.name, path.read_bytes(), "text/csv"))
    at.run()
    at.button(key="water_check").click().run()
    assert not at.exception
    return at


def test_preview_then_import(city):
    at = _upload(FIXTURE)
    assert [i.value for i in at.info] == [
        "检查通过（尚未写入）：6 行（5 个断面/水源地），监测值：新增 60 个，修改 0 个，不变 0 个"]
    preview = at.dataframe[0].value
    assert len(preview) == 60 and set(preview["处理"]) == {"新增"}
    assert sorted(set(preview["采样时间"])) == ["2026年1月12日", "2026年1月15日 10:30", "2026年1月20日", "2026年2月10日",
                                            "2026年2月3日", "2026年3月5日"]
    assert stored() == 0  # previewed, nothing written
    at.button(key="water_go").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "已导入水质监测数据“station_2026.csv”：6 行（5 个断面/水源地），监测值：新增 60 个，修改 0 个，不变 0 个。"]
    assert stored() == 60


def test_bad_file_shows_every_row_and_writes_nothing(city, tmp_path):
    at = _upload(write_csv(tmp_path / "bad.csv", BAD))
    assert [e.value for e in at.error] == ["发现 11 处错误，未写入任何数据。请修改后重试："]
    report = at.dataframe[0].value
    assert list(report["问题"])[:3] == ["未知的断面或水源地", "该点位不是监测断面或饮用水水源地", "无法识别的日期"]
    assert len(report) == 11 and list(report["行/位置"]) == [3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 12]
    assert [b.key for b in at.button] == ["water_check"]  # no 确认导入 for a refused file
    assert stored() == 0
