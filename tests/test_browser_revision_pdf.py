"""In a real browser, the user trial's journey: the seed rectification list, printed to PDF,
uploaded again as a REVISION of the list already imported. The review proposes no new unit and
no change (it proposed the notes "主要负责人由市领导兼任的" and "下同" as new units, ticked);
then a revision naming one genuinely new unit: it is proposed unticked, and applying refuses in
Chinese and writes nothing until the clerk confirms it."""

from __future__ import annotations

from sqlalchemy import func, select

from onemap import settings
from store import models as m
from store.db import reader
from tests.browser_kit import _settled, _shot
from tests.doc_builders import pdf_from_lines
from tests.test_journey_leader import METRICS_JS

WAIT = 120_000
SEED = settings.DEMO_DIR / "docs" / "004_rectification_list_provincial_inspection.txt"
SHORT = "省督察整改清单"


def _metrics(page, labels):
    js = f"() => {{ const m = ({METRICS_JS})(); return {list(labels)!r}.every(k => k in m) ? m : null; }}"
    return page.wait_for_function(js, timeout=WAIT).json_value()


def _upload_as_revision(page, server, path):
    page.goto(server + "/data")
    page.get_by_text("上传文件（PDF、Word 或文本）").wait_for(timeout=WAIT)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_text(path.name).wait_for(timeout=WAIT)
    box = page.get_by_label("文件简称", exact=False).first
    box.fill(SHORT)
    box.press("Enter")
    _settled(page)
    page.get_by_role("button", name="解析").click()
    page.get_by_text(f"库中已有“{SHORT}”").wait_for(timeout=WAIT)


def _stored():
    with reader() as s:
        d = s.scalar(select(m.Document).where(m.Document.short_name == SHORT))
        live = s.scalar(select(func.count()).select_from(m.Task).where(m.Task.document_id == d.id,
                                                                      m.Task.archived.is_(False)))
        units = set(s.scalars(select(m.Unit.name)))
    return live, units


def test_seed_pdf_as_revision_proposes_nothing_new(server, page, tmp_path):
    live, units_before = _stored()
    pdf = pdf_from_lines(SEED.read_text(encoding="utf-8").splitlines(), tmp_path / "整改清单.pdf")
    _upload_as_revision(page, server, pdf)
    page.get_by_text("所有单位都已在库中。").wait_for(timeout=WAIT)
    got = _metrics(page, ("新增", "修改", "删除（归档）", "不变"))
    assert (got["新增"], got["修改"], got["删除（归档）"], got["不变"]) == ("0", "0", "0", str(live))
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "主要负责人由市领导兼任的" not in body and "下同" not in body
    page.get_by_text("4. 修订内容").scroll_into_view_if_needed()
    _shot(page, "revision-pdf-nothing-new-1600.png")
    assert _stored() == (live, units_before)


def test_a_new_unit_in_a_revision_waits_for_the_clerk(server, page, tmp_path):
    live, units_before = _stored()
    text = SEED.read_text(encoding="utf-8").replace("〔责任单位：市委宣传部、市委组织部、市委党校，",
                                                    "〔责任单位：市委宣传部、市委组织部、市委党校、市数据局，")
    src = tmp_path / "整改清单修订.txt"
    src.write_text(text, encoding="utf-8")
    _upload_as_revision(page, server, src)
    page.get_by_text("修订中出现的新单位默认不勾选").wait_for(timeout=WAIT)
    assert _metrics(page, ("修改",))["修改"] == "2"
    page.get_by_role("button", name="应用修订").click()
    page.get_by_text("发现 1 处错误，未写入任何数据").wait_for(timeout=WAIT)
    # the reason is a row of the error table (a grid: its accessible cell, present, not drawn as text)
    page.locator("[data-testid='stDataFrame'] [role=gridcell]", has_text="有新单位未确认").first.wait_for(
        state="attached", timeout=WAIT)
    _shot(page, "revision-new-unit-refused-1600.png")
    assert _stored() == (live, units_before)  # nothing written
    assert "市数据局" not in units_before
