"""数据管理 › 导入点位图层, as the GIS officer uses it (AppTest): the file is checked and
previewed, then imported — the file that was previewed, and only it. A new file, or other
options, need their own check; the confirmation names the file and the counts equal a plain
count of the store's rows."""

from __future__ import annotations

from sqlalchemy import text

from store.db import reader
from tests.conftest import page_test

HEAD = "编号,类型,名称,区县,经度,纬度\n"
NEW = HEAD + "T-01,监测断面,测试断面甲,珠山区,117.21,29.31\nT-02,工业园区,测试园区乙,昌江区,117.10,29.25\n"
BAD = HEAD + "T-03,监测断面,测试断面丙,珠山区,216.0,29.31\n"


def _sites() -> dict[str, str]:
    with reader() as s:
        return dict(s.execute(text("SELECT id, name FROM sites")).all())


def test_preview_belongs_to_its_file_and_the_import_names_what_it_wrote(demo_dir):
    before = _sites()
    at = page_test("data_view").run()
    up = at.file_uploader(key="layer_upload")
    up.set_value(("新点位.csv", NEW.encode(), "text/csv"))
    at.run()
    assert [c.value for c in at.caption if c.value.startswith("已上传")] == [f"已上传：“新点位.csv”（{len(NEW.encode())} 字节）"]
    assert not [b for b in at.button if b.key == "layer_go"]  # nothing to confirm before the check
    at.button(key="layer_check").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["检查通过（“新点位.csv”）：新增 2，变更 0，不变 0"]
    assert _sites() == before  # the check writes nothing
    shown = at.dataframe[0].value
    assert shown[["编号", "名称", "区县"]].values.tolist() == [["T-01", "测试断面甲", "珠山区"], ["T-02", "测试园区乙", "昌江区"]]

    # another file: the first one's preview is not shown for it, and 确认导入 waits for its check
    at.file_uploader(key="layer_upload").set_value(("坏点位.csv", BAD.encode(), "text/csv"))
    at.run()
    assert not [s for s in at.success if s.value.startswith("检查通过")]
    assert not [b for b in at.button if b.key == "layer_go"]
    at.button(key="layer_check").click().run()
    assert not at.exception and not [s for s in at.success if s.value.startswith("检查通过")]
    assert [e.value for e in at.error] == ["发现 1 处错误，未写入任何数据。请修改后重试："]
    assert _sites() == before

    # back to the good file: checked again, then imported
    at.file_uploader(key="layer_upload").set_value(("新点位.csv", NEW.encode(), "text/csv"))
    at.run()
    at.button(key="layer_check").click().run()
    at.button(key="layer_go").click().run()
    assert not at.exception
    after = _sites()
    added = {k: v for k, v in after.items() if k not in before}
    assert added == {"T-01": "测试断面甲", "T-02": "测试园区乙"}
    assert [s.value for s in at.success] == [f"已导入“新点位.csv”：新增 {len(added)}，变更 0，不变 0"]
