"""Presentation mode and saved views (AppTest)."""

from __future__ import annotations

import re
from datetime import date

from tests.conftest import app_test, page_test
from tests.test_journey_meeting import store_figures
from ui.present import load_views


def _app(**query):
    return app_test(**query).run()


def test_default_sequence_reorder_and_delete(demo_dir):
    at = _app()
    assert not at.exception
    at.button(key="view_default").click().run()
    views = load_views()
    assert [v["title"] for v in views] == ["全市总览", "各区县情况", "逾期问题清单", "重点区域"]
    assert views[2]["params"] == {"flag": "逾期"} and views[3]["page"] == "map" and views[3]["zoom"] == 11
    at.button(key="view_down_0").click().run()
    assert [v["title"] for v in load_views()][:2] == ["各区县情况", "全市总览"]
    at.button(key="view_del_1").click().run()  # asked once more, nothing deleted yet
    assert [w.value for w in at.sidebar.warning] == ["删除视图“全市总览”？"]
    assert len(load_views()) == 4
    at.button(key="view_del_no_1").click().run()  # 取消: still four
    assert not at.sidebar.warning and len(load_views()) == 4
    at.button(key="view_del_1").click().run()
    at.button(key="view_del_ok_1").click().run()
    assert [s.value for s in at.success] == ["已删除视图“全市总览”。"]
    assert [v["title"] for v in load_views()] == ["各区县情况", "逾期问题清单", "重点区域"]


def test_save_the_current_view_with_its_filters(demo_dir):
    at = _app(flag="逾期", place="360281")
    at.text_input(key="view_title").input("乐平市逾期问题")
    at.button(key="view_save").click().run()
    (v,) = load_views()
    assert v["title"] == "乐平市逾期问题" and v["page"] == "map"
    assert v["params"] == {"flag": "逾期", "place": "360281"}


def test_presentation_mode_plays_the_sequence(demo_dir):
    at = _app()
    at.button(key="view_default").click().run()
    at.button(key="present_start").click().run()
    assert not at.exception
    assert at.session_state["present"] is True
    assert any("1 / 4" in m.value for m in at.markdown)
    assert any("display: none" in m.value for m in at.markdown)  # the projector theme hides the sidebar
    at.button(key="present_next").click().run()
    assert not at.exception
    assert at.session_state["present_idx"] == 1
    assert any("2 / 4　各区县情况" in m.value for m in at.markdown)
    at.button(key="present_next").click().run()
    assert at.multiselect(key="f_flag").value == ["逾期"]  # the view's filters are applied
    at.button(key="present_exit").click().run()
    assert at.session_state["present"] is False


def test_present_url_parameter(demo_dir):
    at = _app(present="1")
    assert not at.exception
    assert at.button(key="present_exit")
    assert not [b for b in at.button if b.key == "view_save"]  # no editing widgets while presenting


def _html(at) -> str:
    return "".join(h.value for h in at.html)


def test_a_page_opened_in_presentation_mode_is_not_a_view_of_the_sequence(demo_dir):
    at = _app()
    at.button(key="view_default").click().run()
    at = _app(present="1")  # a fresh session, as from a link to /…?present=1
    assert not at.exception
    assert not any(re.search(r"\d+ / \d+", m.value) for m in at.markdown)  # no "1 / 4 全市总览" above it
    play = at.button(key="present_play")
    assert play.label == "播放会议顺序（4 页）"
    play.click().run()
    assert any("1 / 4　全市总览" in m.value for m in at.markdown)
    keys = {b.key for b in at.button}
    assert "present_next" in keys and "present_prev" not in keys  # nothing shown that cannot act
    at.button(key="present_exit").click().run()
    assert at.session_state["present"] is False and "present_idx" not in at.session_state


def _presenting(view: str):
    at = page_test(view)
    at.session_state["present"] = True
    return at.run()


def test_presented_overview_has_figures_and_a_large_table_but_no_inert_buttons(demo_dir):
    from sqlalchemy import text

    from store.db import reader

    at = _presenting("overview_view")
    assert not at.exception
    assert [b.label for b in at.button] == []  # no 生成会议材料, no 查看
    assert len(at.dataframe) == 0  # the canvas grid cannot be enlarged; an HTML table is drawn instead
    page = _html(at)
    with reader() as s:
        total = s.execute(text("SELECT COUNT(*) FROM tasks WHERE parent_id IS NULL AND archived = :f"),
                          {"f": False}).scalar()
    assert f'data-figure="全部">{total}</b>' in page
    assert '<table>' in page and "<th>地区</th>" in page.replace(' class=""', "")
    for name in ("乐平市", "高新区", "昌南新区"):
        assert f">{name}</td>" in page


def test_presented_ledger_escapes_and_lists_every_task(demo_dir):
    from sqlalchemy import text

    from store.db import transaction

    with transaction() as s:  # user text reaches the room's table escaped
        first = s.execute(text("SELECT MIN(id) FROM tasks WHERE parent_id IS NULL")).scalar()
        s.execute(text("UPDATE tasks SET title = :t WHERE id = :i"), {"t": "<b>粗体</b> & 其他", "i": first})
        total = s.execute(text("SELECT COUNT(*) FROM tasks WHERE parent_id IS NULL AND archived = :f"),
                          {"f": False}).scalar()
    at = _presenting("ledger_view")
    assert not at.exception
    assert len(at.dataframe) == 0 and [b.label for b in at.button] == []
    page = _html(at)
    assert "&lt;b&gt;粗体&lt;/b&gt; &amp; 其他" in page and "<b>粗体</b>" not in page
    assert f"共 {total} 项" in page
    assert page.count("<tr>") == 1 + total  # the header row and every top-level task


def test_a_stray_rerun_of_the_page_just_left_returns_to_the_view_being_played(demo_dir):
    """The presenter's 下一页 on 各区县情况 (overview) switches to 逾期问题清单 (ledger); the
    overview's map then sends its value, and the browser, not yet told of the switch, names
    the overview page in that rerun. The view being played must win: the page shows the
    ledger with the player, not the overview without it (seen in the browser as 下一页 "not
    taken" three presses running)."""
    from streamlit.util import calc_hash

    at = _app()
    at.button(key="view_default").click().run()
    at.button(key="present_start").click().run()
    at.button(key="present_next").click().run()
    assert any("2 / 4　各区县情况" in m.value for m in at.markdown)
    at.button(key="present_next").click().run()
    assert any("3 / 4　逾期问题清单" in m.value for m in at.markdown)
    at._page_hash = calc_hash("overview")  # the stray rerun: the old page's name, no button pressed
    at.run()
    assert not at.exception
    bar = [m.value for m in at.markdown if re.search(r"\d / 4", m.value)]
    assert bar == ["3 / 4　逾期问题清单"], bar
    assert "present_play" not in {b.key for b in at.button}
    # the view's filter holds (the stray rerun carried the old page's empty 逾期/临期 choice)
    assert at.multiselect(key="f_flag").value == ["逾期"]
    overdue = store_figures(date.today())["overdue_refs"]  # plain SQL and a loop over the events
    assert f"共 {len(overdue)} 项" in _html(at)


def test_saving_a_view_confirms_by_name_and_a_repeated_name_is_refused_with_the_text_kept(demo_dir):
    at = _app(flag="逾期")
    at.text_input(key="view_title").input("逾期问题")
    at.button(key="view_save").click().run()
    assert [s.value for s in at.success] == ["已保存视图“逾期问题”（第 1 页）。"]
    assert at.text_input(key="view_title").value == ""
    at.text_input(key="view_title").input("逾期问题")
    at.button(key="view_save").click().run()
    assert [e.value for e in at.error] == ["未保存：已有同名视图“逾期问题”：请换一个名称，或先删除原来的视图"]
    assert at.text_input(key="view_title").value == "逾期问题"  # the typed name is kept
    assert [v["title"] for v in load_views()] == ["逾期问题"]
    at.button(key="view_default").click().run()
    assert [s.value for s in at.success] == ["已使用默认会议顺序。"]
    at.button(key="view_del_0").click().run()
    at.button(key="view_del_ok_0").click().run()
    assert [s.value for s in at.success] == ["已删除视图“全市总览”。"]
    assert [v["title"] for v in load_views()] == ["各区县情况", "逾期问题清单", "重点区域"]


def test_a_view_keeps_the_water_colouring_and_its_month(demo_dir):
    """Issue 15 at the meeting: a view saved with the map in 水质达标 for 2026年7月 plays back so."""
    at = _app(color="wqok", wqm="2026-07")
    assert at.radio(key="map_color").value == "wqok" and at.selectbox(key="map_wq_month").value == "2026-07"
    at.text_input(key="view_title").input("七月水质")
    at.button(key="view_save").click().run()
    (v,) = load_views()
    assert v["params"] == {"color": "wqok", "wqm": "2026-07"}
    at = _app()  # another session, the map in task colours
    assert at.radio(key="map_color").value == ""
    at.button(key="present_start").click().run()
    assert not at.exception
    assert at.session_state["map_color"] == "wqok" and at.session_state["map_wq_month"] == "2026-07"
