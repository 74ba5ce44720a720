"""The import page as a clerk who had never seen it used it (fixtures/clerk12, their files):
a blank short name that happens to equal another document's must not turn the upload into a
revision of that document; a file with no items says so and offers no commit."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from store import models as m
from store.db import reader
from tests.conftest import page_test

FIX = Path(__file__).parent / "fixtures" / "clerk12"


def _tasks(short: str) -> list[tuple[str, bool]]:
    with reader() as s:
        d = s.scalar(select(m.Document).where(m.Document.short_name == short))
        if d is None:
            return []
        return sorted((t.uid, t.archived) for t in s.scalars(select(m.Task).where(m.Task.document_id == d.id)))


def test_blank_short_name_colliding_with_another_document_is_a_new_document(demo_dir):
    before = _tasks("2026年工作要点")
    with reader() as s:
        assert s.scalar(select(m.Document.title).where(m.Document.short_name == "2026年工作要点")) \
            == "2026年全市生态环境系统工作要点"
    assert before and not any(a for _u, a in before)
    at = page_test("data_view").run()
    at.file_uploader(key="doc_upload").set_value(("doc.txt", (FIX / "doc.txt").read_bytes(), "text/plain"))
    at.run()
    at.button(key="doc_parse").click().run()
    assert not at.exception and not at.error
    head = "**《九江市生态环境局2026年生态环境保护工作要点》** · 工作要点 · 简称“九江市2026年工作要点”"
    assert any(head in mk.value for mk in at.markdown)
    assert not any("库中已有" in i.value for i in at.info)
    assert not any("修订内容" in mk.value for mk in at.markdown)
    assert at.button(key="doc_commit").label == "确认写入"
    at.button(key="doc_commit").click().run()
    assert not at.exception
    assert any("已写入《九江市生态环境局2026年生态环境保护工作要点》" in s.value for s in at.success)
    assert _tasks("2026年工作要点") == before  # the other document: nothing archived, nothing changed
    assert _tasks("九江市2026年工作要点") == [(f"九江市2026年工作要点|main|{n}", False) for n in "123456"]


def test_a_file_without_items_says_so_and_offers_no_commit(demo_dir):
    before = _tasks("2026年工作要点")
    at = page_test("data_view").run()
    at.file_uploader(key="doc_upload").set_value(("random.txt", (FIX / "random.txt").read_bytes(), "text/plain"))
    at.run()
    at.button(key="doc_parse").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["没有识别出任何条目：文件中没有带编号的任务或问题。请确认上传的是整改清单或工作要点"
                                           "（扫描件请先做文字识别），然后重新上传。"]
    assert [b.key for b in at.button if b.key in ("doc_commit", "doc_discard")] == ["doc_discard"]
    assert not any("核对条目" in mk.value for mk in at.markdown)
    at.button(key="doc_discard").click().run()
    assert not at.exception and not at.error
    assert _tasks("2026年工作要点") == before


def test_blank_short_name_with_the_same_title_is_still_a_revision(demo_dir):
    from onemap import settings

    seed = settings.DEMO_DIR / "docs" / "000_work_points_2026.txt"
    at = page_test("data_view").run()
    at.file_uploader(key="doc_upload").set_value((seed.name, seed.read_bytes(), "text/plain"))
    at.run()
    at.button(key="doc_parse").click().run()
    assert not at.exception and not at.error
    assert any("简称“2026年工作要点”" in mk.value for mk in at.markdown)
    assert [i.value for i in at.info if "库中已有" in i.value] == [
        "库中已有“2026年工作要点”：本次按**修订**处理——逐条比对，已有任务的状态记录保留，删除的条目归档。"]
    assert at.button(key="doc_commit").label == "应用修订"


def test_work_points_review_table_speaks_the_genres_words(demo_dir):
    import json

    at = page_test("data_view").run()
    at.file_uploader(key="doc_upload").set_value(("doc.txt", (FIX / "doc.txt").read_bytes(), "text/plain"))
    at.run()
    at.button(key="doc_parse").click().run()
    assert not at.exception and not at.error
    table = next(d for d in at.dataframe if "上级" in d.value.columns)
    config = json.loads(table.proto.columns)
    assert (config["整改目标"]["label"], config["整改时限"]["label"]) == ("工作目标", "完成时限")
    assert list(table.value["部分"]) == ["正文"] * 6
    assert list(table.value["整改时限"]) == ["2026年6月底前", "2026年9月底前", "2026年度（年度工作要点，年底前完成）",
                                          "2026年11月底前", "2026年度（年度工作要点，年底前完成）", "2026年12月底前"]
    assert "直接修改单元格；完成时限保留原文，时限日期可改。“上级”是所属问题/任务的行号。" in [c.value for c in at.caption]
    at.button(key="doc_commit").click().run()
    with reader() as s:
        d = s.scalar(select(m.Document).where(m.Document.short_name == "九江市2026年工作要点"))
        parts = sorted({t.part for t in s.scalars(select(m.Task).where(m.Task.document_id == d.id))})
    assert parts == ["main"]  # 正文 is what the table shows; the store keeps its own value


def test_a_broken_pdf_is_refused_once_in_chinese(demo_dir):
    at = page_test("data_view").run()
    at.file_uploader(key="doc_upload").set_value(("x.pdf", b"not a pdf at all", "application/pdf"))
    at.run()
    at.button(key="doc_parse").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["“x.pdf”无法读取 PDF：文件不是有效的 PDF，或已损坏"]
    assert [c.value for c in at.caption if c.value.startswith("已上传")] == ["已上传：“x.pdf”（16 字节）"]
    # the refusal stays (a rerun does not hide it) until the next 解析, which reads the new file
    at.run()
    assert [e.value for e in at.error] == ["“x.pdf”无法读取 PDF：文件不是有效的 PDF，或已损坏"]
    at.file_uploader(key="doc_upload").set_value(("doc.txt", (FIX / "doc.txt").read_bytes(), "text/plain"))
    at.run()
    at.button(key="doc_parse").click().run()
    assert not at.exception and [e.value for e in at.error] == []
    assert at.session_state["review"].filename.endswith("doc.txt") and len(at.session_state["review"].rows) == 6


def test_the_command_line_names_a_colliding_document_apart_too(demo_dir, capsys):
    """`onemap import-doc` without --name: the same rule as the page (it refused the clerk's file
    as an existing document before)."""
    from onemap import cli

    before = _tasks("2026年工作要点")
    assert cli.main(["import-doc", str(FIX / "doc.txt")]) == 0
    out = capsys.readouterr().out
    assert "简称“九江市2026年工作要点”" in out and "已写入" in out
    assert _tasks("2026年工作要点") == before
    assert [u for u, _a in _tasks("九江市2026年工作要点")] == sorted(
        f"九江市2026年工作要点|main|{k}" for k in range(1, 7))


def test_a_task_the_text_links_to_no_site_is_linked_by_hand_in_the_review(demo_dir):
    """Issue 19: a document whose place names match no site came in with no links, and the
    review could not link a task by hand. 手动关联 adds the link (kept when the table is edited
    and the proposals recomputed), and the commit stores it."""
    from sqlalchemy import text

    at = page_test("data_view").run()
    at.file_uploader(key="doc_upload").set_value(("doc.txt", (FIX / "doc.txt").read_bytes(), "text/plain"))
    at.run()
    at.button(key="doc_parse").click().run()
    review = at.session_state["review"]
    first = int(review.rows.loc[review.rows["编号"] == "1", "行"].iloc[0])
    with reader() as s:
        name = s.execute(text("SELECT name FROM sites WHERE id = 'MIN-01'")).scalar()
    at.button(key="ml_go").click().run()
    assert [e.value for e in at.error] == ["未关联：请选择条目和至少一个点位。"]
    at.selectbox(key="ml_row").set_value(first)
    at.multiselect(key="ml_sites").set_value(["MIN-01"])
    at.button(key="ml_go").click().run()
    assert not at.exception
    (msg,) = [x.value for x in at.success if x.value.startswith("已将第")]
    assert msg.startswith(f"已将第 {first} 行") and msg.endswith(f"关联到：{name}（确认写入时保存）。")
    links = at.session_state["review"].links
    assert links[links["匹配文字"] == "手动关联"][["行", "点位编号", "采纳"]].values.tolist() == [[first, "MIN-01", True]]
    from onemap import services

    services.refresh_review(at.session_state["review"])  # an edit of the table recomputes the proposals
    links = at.session_state["review"].links
    assert links[links["匹配文字"] == "手动关联"][["行", "点位编号"]].values.tolist() == [[first, "MIN-01"]]
    at.button(key="doc_commit").click().run()
    assert not at.exception
    with reader() as s:
        got = s.execute(text("SELECT ts.site_id FROM task_sites ts JOIN tasks t ON t.id = ts.task_id "
                             "WHERE t.uid = '九江市2026年工作要点|main|1'")).all()
    assert [g[0] for g in got] == ["MIN-01"]


def test_after_writing_a_document_the_map_button_opens_the_map(demo_dir):
    """Fresh-eyes trial: 在一张图上查看 after 已写入 did nothing (it was drawn only on the run that
    showed the message, so its press found no button) and wiped the confirmation."""
    from streamlit.util import calc_hash

    from tests.conftest import app_test

    at = app_test().run()
    at._page_hash = calc_hash("data")
    at.run()
    at.file_uploader(key="doc_upload").set_value(("doc.txt", (FIX / "doc.txt").read_bytes(), "text/plain"))
    at.run()
    at.button(key="doc_parse").click().run()
    at.button(key="doc_commit").click().run()
    assert any(s.value.startswith("已写入《九江市生态环境局2026年生态环境保护工作要点》") for s in at.success)
    at.button(key="doc_to_map").click().run()
    assert not at.exception
    assert any(m.value == "### 景德镇市生态环境一张图" for m in at.markdown)
