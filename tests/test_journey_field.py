"""The field inspector's journey in headless Chromium, against the running app and checked
against the store: plan a trip of 13 stops (乐平市 + 矿山修复点), take every file to the field
(all six downloads clicked in quick succession, each opened and checked), save the trip,
record a finding at every stop (one with a status change), see one refusal keep the text."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time

import gpxpy
import pyogrio
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from store.db import reader, transaction
from tests.browser_kit import _settled, _shot, _sign_operator
from tests.map_frames import MAP_IFRAME

pytestmark = pytest.mark.browser
TITLE = "乐平市矿山修复点现场核查"
KIND = "%E7%9F%BF%E5%B1%B1%E4%BF%AE%E5%A4%8D%E7%82%B9"  # 矿山修复点


def _sql(q: str, **params):
    with reader() as s:
        return s.execute(text(q), params).all()


def _status(task_id: int) -> str:
    rows = _sql("SELECT to_status FROM status_events WHERE task_id = :t ORDER BY at DESC, id DESC", t=task_id)
    return rows[0][0] if rows else "未启动"


def _site_tasks(site_id: str) -> list[tuple[int, str, bool]]:
    return [(r[0], r[1], bool(r[2])) for r in _sql(
        "SELECT t.id, t.ref, t.ongoing FROM tasks t JOIN task_sites l ON l.task_id = t.id "
        "WHERE l.site_id = :s AND t.parent_id IS NULL AND t.archived = :f ORDER BY t.id", s=site_id, f=False)]


def _measures(task_id: int) -> list[tuple[str, str]]:
    """(title, status) of a task's measures."""
    return [(r[1], _status(r[0])) for r in _sql("SELECT id, title FROM tasks WHERE parent_id = :t ORDER BY position",
                                                t=task_id)]


def _wait(pg, cond, timeout: float = 120, what: str = "") -> None:
    """Poll a condition; waiting through the page lets Playwright deliver its events meanwhile."""
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        pg.wait_for_timeout(200)
    raise AssertionError(f"timed out waiting for {what}")


def _findings() -> int:
    return _sql("SELECT count(*) FROM inspection_findings")[0][0]


def _choose(pg, key: str, option: str) -> None:
    """Pick an option of the Streamlit selectbox with this key (again if a rerun closed the list)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = pg.locator(f".st-key-{key} input[role='combobox']")
    for _ in range(5):
        if box.input_value() == option:
            return
        box.click()
        opt = pg.get_by_role("option", name=option, exact=True)
        try:
            opt.wait_for(timeout=10_000)
            opt.click()
        except PlaywrightTimeout:
            box.press("Escape")
            continue
        _wait(pg, lambda: box.input_value() == option, timeout=60, what=f"{key} = {option}")
        return
    raise AssertionError(f"could not choose {option} in {key}")


def _stop(pg, ins_id: int, sid: str):
    """The expander of a stop."""
    return pg.locator("[data-testid='stExpander']").filter(has=pg.locator(f".st-key-f_{ins_id}_{sid}_task"))


def test_field_trip_journey(server, page, tmp_path):
    from store import repo

    # every 乐平 mine task is closed in the demo; one is reopened (a relapse found by 回头看) so the
    # trip has open and closed tasks, and the open one has closed measures
    (relapse,), = _sql("SELECT id FROM tasks WHERE ref = '省督察整改清单（二十三）' AND parent_id IS NULL")
    with transaction() as s:
        repo.record_status(s, relapse, "整改中", actor="测试", note="回头看发现反弹")
    pg = page
    pg.set_default_timeout(120_000)  # two cores shared by many: the first run of a page is slow
    pg.goto(server + f"/field?place=360281&kind={KIND}")
    # a 填报 of 乐平市: the trip's stops are 乐平市's mines, their tasks his to report on
    _sign_operator(pg, "测试员", "乐平市生态环境局", "填报", "360281")
    expected = sorted(r[0] for r in _sql("SELECT id FROM sites WHERE county_code = '360281' AND kind = '矿山修复点'"))
    assert len(expected) == 13
    pg.get_by_role("button", name=f"按左侧筛选选取（{len(expected)} 个点位）").click()
    pg.get_by_role("button", name="规划路线").and_(pg.locator(":enabled")).wait_for()
    pg.get_by_label("检查任务名称").fill(TITLE)
    pg.get_by_label("检查任务名称").press("Enter")
    pg.get_by_role("button", name="规划路线").click()
    pg.get_by_text("带到现场").wait_for(timeout=90_000)
    assert pg.locator("[data-testid='stMetricValue']").first.inner_text() == "13"

    # the route map is fitted to the stops: every numbered stop inside the frame, spread over it
    route = pg.frame_locator(MAP_IFRAME).last
    route.locator(".onemap-stop").first.wait_for()
    _wait(pg, lambda: route.locator(".onemap-stop").count() == 13, what="13 stop markers")
    pg.wait_for_timeout(800)  # the fit animation
    box = route.locator(".leaflet-container").bounding_box()
    pts = [route.locator(".onemap-stop").nth(i).bounding_box() for i in range(13)]
    xs, ys = [p["x"] + p["width"] / 2 for p in pts], [p["y"] + p["height"] / 2 for p in pts]
    assert all(box["x"] <= x <= box["x"] + box["width"] and box["y"] <= y <= box["y"] + box["height"]
               for x, y in zip(xs, ys, strict=True))
    # the city view put them within 62 px; fitted to the stops they span most of the frame
    assert max(max(xs) - min(xs), max(ys) - min(ys)) > 0.4 * min(box["width"], box["height"])
    route.locator(".leaflet-container").scroll_into_view_if_needed()
    _shot(pg, "field-plan.png")

    # every download, clicked in quick succession, arrives
    got = []
    pg.on("download", lambda d: got.append(d))
    labels = ["GPX（WGS84）", "GPX（GCJ-02 导航用）", "KML（WGS84，奥维/Google Earth）", "KML（GCJ-02）",
              "检查表 XLSX", "检查表 PDF（打印）"]
    for label in labels:
        pg.get_by_role("button", name=label, exact=True).click()
    _wait(pg, lambda: len(got) == 6, timeout=120, what="six downloads")
    files = {}
    for d in got:
        files[d.suggested_filename] = tmp_path / d.suggested_filename
        d.save_as(files[d.suggested_filename])

    # save the trip; its stop order is the order of the files
    pg.get_by_label("检查人员").fill("测试员、李四")
    pg.get_by_role("button", name="保存为检查任务（之后在“登记检查结果”中填报）").click()
    pg.get_by_text(f"已保存检查任务：{TITLE}（13 个点位）").wait_for()
    (ins_id, raw, day), = _sql("SELECT id, stops, day FROM inspections WHERE title = :t", t=TITLE)
    stem = f"{TITLE}_{str(day)[:10]}"  # named by trip and date
    assert sorted(files) == sorted([f"{stem}_WGS84.gpx", f"{stem}_GCJ02.gpx", f"{stem}_WGS84.kml",
                                    f"{stem}_GCJ02.kml", f"{stem}.xlsx", f"{stem}.pdf"])
    stops = json.loads(raw) if isinstance(raw, str) else list(raw)
    assert sorted(stops) == expected
    names = dict(_sql("SELECT id, name FROM sites"))
    order = [f"{k:02d} {names[s]}" for k, s in enumerate(stops, start=1)]
    assert [w.name for w in gpxpy.parse(files[f"{stem}_WGS84.gpx"].read_text("utf-8")).waypoints] == order
    assert [w.name for w in gpxpy.parse(files[f"{stem}_GCJ02.gpx"].read_text("utf-8")).waypoints] == order
    for kml in (f"{stem}_WGS84.kml", f"{stem}_GCJ02.kml"):
        assert list(pyogrio.read_dataframe(files[kml], layer="检查点位")["Name"]) == order

    # XLSX: the open-task column lists every open task of the stop and no closed one (from the store)
    ws = load_workbook(files[f"{stem}.xlsx"]).active
    head = [c.value for c in ws[4]]
    col = head.index("未销号任务与措施")
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] is not None]
    assert [r[2] for r in rows] == [names[s] for s in stops]
    closed_seen = open_seen = 0
    for r, sid in zip(rows, stops, strict=True):
        cell = r[col] or ""
        for tid, ref, _ongoing in _site_tasks(sid):
            st = _status(tid)
            if st == "已销号":
                closed_seen += 1
                assert f"{ref}（" not in cell, (sid, ref)
            else:
                open_seen += 1
                assert f"{ref}（{st}" in cell, (sid, ref)
                for title, mst in _measures(tid):
                    assert (title in cell) == (mst != "已销号"), (ref, title)
    assert closed_seen and open_seen  # the demo trip has both

    # PDF: every stop and the measures of its tasks
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed"
    pdf_text = subprocess.run([pdftotext, str(files[f"{stem}.pdf"]), "-"], capture_output=True, text=True,
                              check=True).stdout
    flat = re.sub(r"\s+", "", pdf_text)
    for sid in stops:
        assert re.sub(r"\s+", "", names[sid]) in flat
        for tid, _ref, _o in _site_tasks(sid):
            for title, _mst in _measures(tid):
                assert re.sub(r"\s+", "", title)[:20] in flat, title

    # record a finding at every stop: one with a status change (回头看 of a closed task)
    pg.get_by_role("tab", name="登记检查结果").click()
    pg.get_by_text("共 13 个点位，已登记 0 条检查发现").wait_for()
    change = next((sid, tid, ref) for sid in stops for tid, ref, ongoing in _site_tasks(sid)
                  if _status(tid) == "已销号" and not ongoing)
    for k, sid in enumerate(stops, start=1):
        exp = _stop(pg, ins_id, sid)
        if not exp.locator("textarea").is_visible():
            exp.locator("summary").click()
        what = "点位整体"
        if sid == change[0]:
            _choose(pg, f"f_{ins_id}_{sid}_task", change[2])
            exp.get_by_text("当前状态：已销号；可变更为：整改中（按销号程序）").wait_for()
            _choose(pg, f"f_{ins_id}_{sid}_to", "整改中")
            what = f"任务“{change[2]}”"
        exp.locator("textarea").fill(f"第{k}站：现场核查记录")
        exp.get_by_role("button", name="登记").click()
        msg = f"已登记第 {k} 站“{names[sid]}”（{what}）的检查发现"
        try:
            try:
                exp.get_by_text(msg).wait_for(timeout=30_000)
            except Exception:  # noqa: BLE001 - known residual (README): under load a press right after
                # the previous stop's save is now and then not taken; nothing was saved and the text
                # is kept, so the inspector presses again
                assert _findings() == k - 1
                exp.get_by_role("button", name="登记").click()
                exp.get_by_text(msg).wait_for()
        except Exception:
            _shot(pg, f"field-record-fail-{k}.png")
            raise AssertionError(f"stop {k}: no confirmation; findings stored: {_findings()}; "
                                 f"text box: {exp.locator('textarea').input_value()!r}") from None
        assert _findings() == k
        _wait(pg, lambda e=exp: e.locator("textarea").input_value() == "", what="the text box cleared after the save")
    assert _status(change[1]) == "整改中"
    assert _sql("SELECT count(*) FROM status_events WHERE inspection_id = :i", i=ins_id)[0][0] == 1
    # each finding is in the audit trail with the browser's address (saved in a callback, which
    # runs before the page sets the run's address)
    assert _sql("SELECT client, count(*) FROM audit_log WHERE action = '检查发现' GROUP BY client") == [("127.0.0.1", 13)]
    # every stored finding is shown under its stop
    for k, sid in enumerate(stops, start=1):
        exp = _stop(pg, ins_id, sid)
        assert "已登记 1 条" in exp.locator("summary").inner_text()
        exp.get_by_text(f"第{k}站：现场核查记录").first.wait_for(timeout=30_000)
    pg.get_by_text("共 13 个点位，已登记 13 条检查发现").wait_for(timeout=30_000)
    _shot(pg, "field-record.png")

    # a refusal keeps the typed text: the task is changed by someone else before the click
    sid, tid, ref = change
    exp = _stop(pg, ins_id, sid)
    _choose(pg, f"f_{ins_id}_{sid}_task", ref)
    exp.get_by_text("当前状态：整改中；可变更为：申请销号（按销号程序）").wait_for()
    _choose(pg, f"f_{ins_id}_{sid}_to", "申请销号")
    exp.locator("textarea").fill("整改已完成，申请销号")
    # the other user's change comes after the page has shown the choice (written while the run
    # that took the choice was still drawing, the page read the new status and pinned the choice
    # to it: refused too, but as an illegal 申请销号 → 申请销号, not by the other user's name)
    _settled(pg)
    with transaction() as s:
        repo.record_status(s, tid, "申请销号", actor="李四", note="另一人先申请")
    exp.get_by_role("button", name="登记").click()
    try:
        exp.get_by_text("未登记：该任务刚被 李四 更新为“申请销号”，请刷新后重试").wait_for()
    finally:
        _shot(pg, "field-refusal.png")
    assert exp.locator("textarea").input_value() == "整改已完成，申请销号"
    assert _findings() == 13

    # phone size: the same page, readable
    pg.set_viewport_size({"width": 390, "height": 844})
    exp.locator("textarea").scroll_into_view_if_needed()
    pg.wait_for_timeout(500)
    _shot(pg, "field-record-phone.png")
    pg.get_by_role("tab", name="规划检查").click()
    pg.get_by_text("带到现场").wait_for()
    pg.get_by_text("带到现场").scroll_into_view_if_needed()
    _shot(pg, "field-plan-phone.png")
