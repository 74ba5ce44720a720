"""In a real browser, the second clerk's journey (tests/clerk_shangrao.py): a 上饶 整改清单 as a
Word table uploaded where the region is 景德镇市. The page names the other city before anything
is written; the commit writes the 12 items with every measure, and the new units keep 上饶's
places. Checked against the store."""

from __future__ import annotations

from sqlalchemy import select

from store import models as m
from store.db import reader
from tests import clerk_shangrao as sr
from tests.browser_kit import _settled, _shot


def test_clerk_uploads_another_citys_rectification_table(server, page, tmp_path):
    path = sr.write_table(tmp_path / "上饶整改清单.docx", measures="run_together")
    page.goto(server + "/data")
    page.get_by_text("上传文件（PDF、Word 或文本）").wait_for(timeout=60_000)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_text("上饶整改清单.docx").wait_for(timeout=60_000)
    page.get_by_role("button", name="解析").click()
    banner = page.get_by_text("这份文件看来是上饶市的：标题和正文提到上饶市及其所辖信州区、广丰区、德兴市、余干县等 5 个县（市、区）")
    banner.wait_for(timeout=60_000)
    page.get_by_role("button", name="确认写入").wait_for(timeout=30_000)
    _settled(page)
    assert page.get_by_text("12 条（含措施/子项）").count() == 1
    assert page.get_by_text("没有预先勾选").count() == 0
    _shot(page, "import_clerk_city_1600.png")
    page.get_by_text("3. 新单位").scroll_into_view_if_needed()
    _shot(page, "import_clerk_city_units_1600.png")
    page.set_viewport_size({"width": 1280, "height": 720})
    _shot(page, "import_clerk_city_units_1280.png")
    page.set_viewport_size({"width": 1600, "height": 1000})
    with reader() as s:
        assert s.scalar(select(m.Document).where(m.Document.title == sr.TITLE)) is None  # nothing written yet
    page.get_by_role("button", name="确认写入").click()
    page.get_by_text(f"已写入《{sr.TITLE}》").wait_for(timeout=90_000)
    with reader() as s:
        d = s.scalar(select(m.Document).where(m.Document.title == sr.TITLE))
        tasks = list(s.scalars(select(m.Task).where(m.Task.document_id == d.id)))
        places = {u.name: u.place_code for u in s.scalars(select(m.Unit))}
    assert sorted((t.level, t.number) for t in tasks) == sorted(
        [("problem", f"（{i}）") for i in range(1, 5)] + [("measure", n) for _ in range(4) for n in ("1", "2")])
    assert {n: places[n] for n in ("信州区委、区政府", "广丰区委、区政府", "鄱阳县委、县政府", "余干县委、县政府",
                                   "德兴市委、市政府", "市自然资源局")} == {
        "信州区委、区政府": "361102", "广丰区委、区政府": "361103", "鄱阳县委、县政府": "361128",
        "余干县委、县政府": "361127", "德兴市委、市政府": "361181", "市自然资源局": "361100"}
