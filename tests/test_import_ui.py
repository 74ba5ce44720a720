"""数据管理 through the UI (AppTest): upload, review, edit, link, commit — then the map."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from ingest.report import ImportFailed
from onemap import services, settings
from store import models as m
from store import queries
from store.db import reader
from tests.conftest import MANAGER_ACTOR, page_test, sign_in
from tests.test_revision import revised

DOCS = settings.DEMO_DIR / "docs"


@pytest.fixture()
def city(stores):
    """A city with its sites but no documents yet."""
    d = stores.new()
    for name in ("sites.csv", "parks.geojson"):
        services.import_file(MANAGER_ACTOR, settings.DEMO_DIR / name)
    return d


def _upload(at: AppTest, path, short: str = "") -> AppTest:
    at.file_uploader(key="doc_upload").set_value((path.name, path.read_bytes(), "text/plain"))
    at.run()
    if short:
        at.text_input(key="doc_short").input(short)
    at.button(key="doc_parse").click().run()
    assert not at.exception
    return at


def test_work_points_from_upload_to_map(city):
    at = _upload(page_test("data_view").run(), DOCS / "000_work_points_2026.txt")
    assert any("《2026年全市生态环境系统工作要点》" in mk.value for mk in at.markdown)
    # edit a field
    at.selectbox(key="edit_row").set_value(1)
    at.selectbox(key="edit_field").set_value("标题").run()
    at.text_area(key="edit_value_1_标题").input("编制实施“十五五”生态环境保护规划（已核对）")
    at.button(key="edit_go").click().run()
    assert not at.exception
    links = at.dataframe  # the links table is shown; default acceptance by confidence
    assert links
    at.button(key="doc_commit").click().run()
    assert not at.exception
    assert any("已写入《2026年全市生态环境系统工作要点》" in s.value for s in at.success)
    with reader() as s:
        t = queries.tasks_frame(s, include_future=True).set_index("ref")
    assert len(t) == 51
    assert t.loc["2026年工作要点第1项", "title"] == "编制实施“十五五”生态环境保护规划（已核对）"
    assert set(t.loc["2026年工作要点第5项", "site_ids"]) >= {"SEC-01", "SEC-03", "SEC-04"}
    assert "PARK-01" in t.loc["2026年工作要点附件第23项", "site_ids"]
    # the map shows them
    app = sign_in(AppTest.from_file(str(settings.REPO_ROOT / "app.py"), default_timeout=120))
    app.session_state["site_id"] = "SEC-01"
    app.run()
    assert not app.exception
    assert any(e.label.startswith("2026年工作要点第5项") for e in app.expander)


def test_rectification_list_with_a_new_site(city):
    at = _upload(page_test("data_view").run(),
                 DOCS / "004_rectification_list_provincial_inspection.txt", short="省督察整改清单")
    assert "王家坞水库" in list(at.selectbox(key="cand_form_pick").options)
    at.selectbox(key="cand_form_pick").set_value("王家坞水库")
    at.selectbox(key="cand_form_kind").set_value("饮用水水源地")
    at.selectbox(key="cand_form_crs").set_value("EPSG:4490")
    at.number_input(key="cand_form_x").set_value(117.35)
    at.number_input(key="cand_form_y").set_value(29.62)
    at.button(key="FormSubmitter:cand_form-设为新建").click().run()
    assert not at.exception
    at.button(key="doc_commit").click().run()
    assert not at.exception, at.exception
    assert any("新建点位 1" in s.value for s in at.success)
    with reader() as s:
        site = s.scalar(select(m.Site).where(m.Site.name == "王家坞水库"))
        assert site is not None and site.kind == "饮用水水源地" and site.county_code == "360222"
        assert site.source_crs == "EPSG:4490"
        t = queries.tasks_frame(s, include_future=True).set_index("ref")
    assert (t["level"] == "problem").sum() == 40 and (t["level"] == "measure").sum() == 124
    linked = [ref for ref, ids in zip(t.index, t["site_ids"], strict=True) if site.id in ids]
    assert "省督察整改清单（三十二）" in linked  # the problem that names it
    assert t.loc["省督察整改清单（十五）", "site_ids"] == ["PARK-01"]


def test_revision_through_the_page(demo_dir, tmp_path):
    with reader() as s:
        events_before = queries.events_frame(s)[["id", "task_id", "to_status"]]
    at = _upload(page_test("data_view").run(), revised(tmp_path), short="省督察整改清单")
    assert any("按**修订**处理" in i.value for i in at.info)
    metrics = {mt.label: mt.value for mt in at.metric}
    assert (metrics["新增"], metrics["修改"], metrics["删除（归档）"]) == ("1", "1", "1")
    at.button(key="doc_commit").click().run()
    assert not at.exception
    assert any("修改 1，新增 1，归档 1" in s.value for s in at.success)
    with reader() as s:
        events_after = queries.events_frame(s)[["id", "task_id", "to_status"]]
    assert events_after.equals(events_before)


def test_unconfirmed_unit_blocks_the_commit(city):
    review = services.start_review(DOCS / "000_work_points_2026.txt")
    assert len(review.units) > 0
    review.units.loc[0, "确认"] = False
    with reader() as s:
        n = s.scalar(select(m.Task.id).limit(1))
    with pytest.raises(ImportFailed, match="有新单位未确认"):
        services.commit_review(MANAGER_ACTOR, review)
    with reader() as s:
        assert s.scalar(select(m.Task.id).limit(1)) == n  # nothing written


def test_site_outside_region_is_refused(city):
    review = services.start_review(DOCS / "004_rectification_list_provincial_inspection.txt",
                                   short_name="省督察整改清单")
    i = review.candidates.index[review.candidates["地名"] == "王家坞水库"][0]
    review.candidates.loc[i, ["新建", "名称", "经度", "纬度"]] = [True, "王家坞水库", 115.0, 27.0]
    with pytest.raises(ImportFailed, match="范围内"):
        services.commit_review(MANAGER_ACTOR, review)
    with reader() as s:
        assert s.scalar(select(m.Document)) is None


def test_another_city_has_its_own_places(data_dir):
    from onemap.cli import main

    assert main(["region", "360700"]) == 0
    review = services.start_review(settings.REPO_ROOT / "tests" / "fixtures" / "variant_rectification.txt")
    places = dict(zip(review.units["单位"], review.units["所属"], strict=True))
    assert places["章贡区委、区政府"] == "360702" and places["南康区委、区政府"] == "360703"
    assert places["市住建局"] == "360700"
    counts = services.commit_review(MANAGER_ACTOR, review)
    assert counts["任务"] == 3 + 5
    with reader() as s:
        t = queries.tasks_frame(s, include_future=True)
    assert "章贡区" in t[t["ref"] == "中央督察整改清单第3项第1条"].iloc[0]["unit_places"] or \
        "360702" in t[t["ref"] == "中央督察整改清单第3项第1条"].iloc[0]["unit_place_codes"]
