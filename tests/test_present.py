"""Presentation mode and saved views (AppTest)."""

from __future__ import annotations

from tests.conftest import app_test
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
    at.button(key="view_del_1").click().run()
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
