"""In a real browser: the leader's overview shows, under 按来源文件, each document's 主要目标
indicators apart from its tasks — the count in the label and every row as stored."""

from __future__ import annotations

from sqlalchemy import select

from store import models as m
from store.db import reader
from tests.browser_kit import _settled, _shot

WAIT = 90_000


def _stored_targets() -> dict[str, list[tuple[str, str]]]:
    """document title → [(number, text)] in document order, read straight from the store."""
    out: dict[str, list[tuple[str, str]]] = {}
    with reader() as s:
        for d in s.scalars(select(m.Document).order_by(m.Document.id)):
            rows = s.execute(select(m.DocumentTarget.number, m.DocumentTarget.body)
                             .where(m.DocumentTarget.document_id == d.id).order_by(m.DocumentTarget.position)).all()
            if rows:
                out[d.title] = [(n or "", b) for n, b in rows]
    return out


def _static_rows(page, has_text: str) -> list[list[str]]:
    """The cells of the st.table whose header has `has_text`, header first (read at one instant)."""
    _settled(page)
    js = """(needle) => {
        for (const t of document.querySelectorAll("[data-testid='stTable'] table")) {
            const rows = [...t.querySelectorAll("tr")].map(r => [...r.querySelectorAll("th,td")].map(c => c.innerText.trim()));
            if (rows.length && rows[0].includes(needle)) return rows;
        }
        return null;
    }"""
    return page.wait_for_function(js, arg=has_text, timeout=WAIT).json_value()


def test_overview_shows_each_documents_targets_as_stored(server, page):
    stored = _stored_targets()
    assert list(stored) == ["2026年全市生态环境系统工作要点"] and len(stored["2026年全市生态环境系统工作要点"]) == 11
    page.goto(server + "/overview")
    page.get_by_text("按来源文件").first.wait_for(timeout=WAIT)
    for title, rows in stored.items():
        label = page.get_by_text(f"《{title}》主要目标（{len(rows)} 项指标，不计入任务）")
        label.wait_for(timeout=WAIT)
        label.scroll_into_view_if_needed()
        label.click()
        shown = _static_rows(page, "目标指标")
        head = shown[0]
        if any(n for n, _ in rows):
            assert head[:2] == ["编号", "目标指标"]
            assert [(r[0], r[1]) for r in shown[1:]] == rows
        else:  # —— indicators have no number: no empty 编号 column
            assert head[0] == "目标指标" and "编号" not in head
            assert [r[0] for r in shown[1:]] == [b for _, b in rows]
    _settled(page)
    page.get_by_text("主要目标（11 项指标").scroll_into_view_if_needed()
    _shot(page, "overview-targets-1600.png")
    page.set_viewport_size({"width": 1280, "height": 720})
    _settled(page)
    page.get_by_text("主要目标（11 项指标").scroll_into_view_if_needed()
    _shot(page, "overview-targets-1280.png")
