"""安全审计: every public writer of onemap/services.py leaves exactly one audit row (the writers
are found in the source, so a new one without a row fails here), the table refuses UPDATE
and DELETE in the database itself, and the auditor's page filters and exports it."""

from __future__ import annotations

import ast
import inspect
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from domain.actors import Actor
from onemap import audit, datums, inspections, links, meetings, services, settings, tokens, water
from store.db import reader, transaction
from tests.conftest import page_test, sign_in

MANAGER = Actor("a-manager", "管理员乙", "业务管理员", "市生态环境局")
FILLER = Actor("a-filler", "填报员丁", "填报", "乐平市生态环境局", "360281")
CLI = Actor.command_line()
AUDITOR = Actor("a-auditor", "审计员己", "审计员")
CLI_ADMIN = Actor(CLI.username, CLI.display_name, "系统管理员")


def _leader() -> str:
    from tests.conftest import account

    return account("领导（审计测试）", role="领导")


def _writers() -> set[str]:
    """Public functions of the service modules (onemap/services.py and the use cases split
    from it) that open a write transaction (directly or through the export audit helper)."""
    out = set()
    for node in (n for mod in (services, meetings, inspections, links, water, datums, tokens)
                 for n in ast.parse(inspect.getsource(mod)).body):
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            calls = {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            if calls & {"transaction", "write_transaction", "_audit_export"}:
                out.add(node.name)
    out.discard("ensure")  # the permission check: it writes only the refusal (tested below)
    out.discard("write_transaction")  # the transaction the writers run in, not a writer
    # a token's last use (at most once a minute): the request itself is the audit row, written by
    # onemap.ogc_api for every request (tests/test_ogc_api.py)
    out.discard("authenticate")
    return out


def _rows() -> list[tuple]:
    with reader() as s:
        return [tuple(r) for r in s.execute(text("SELECT id, username, action, object_type, object_id "
                                                 "FROM audit_log ORDER BY id"))]


def _one(tid_sql: str) -> int:
    with reader() as s:
        return s.execute(text(tid_sql)).scalar()


PENDING_LEPING = ("SELECT t.id FROM tasks t WHERE t.ongoing = false AND (SELECT to_status FROM status_events e "
                  "WHERE e.task_id = t.id ORDER BY seq DESC LIMIT 1) = '整改中' AND EXISTS (SELECT 1 FROM task_units tu "
                  "JOIN units u ON u.id = tu.unit_id WHERE tu.task_id = t.id AND tu.role = 'responsible' "
                  "AND u.place_code = '360281') ORDER BY t.id LIMIT 1")


def _calls(tmp_path):
    """How to call each writer, as an allowed actor: name → (call, expected action)."""
    ins = {}

    def trip():
        ins["id"] = inspections.save_inspection(FILLER, day=date(2026, 11, 24), title="审计测试", inspectors="丁",
                                             base_name="局", stops=["MIN-02"])

    def review():
        r = services.start_review(settings.DEMO_DIR / "docs/000_work_points_2026.txt", short_name="审计测试要点")
        return services.commit_review(MANAGER, r)

    def ledger():
        import pandas as pd

        f = tmp_path / "台账.xlsx"
        pd.DataFrame([{"编号": "（一）", "问题/任务": "审计测试问题", "整改时限": "2026年12月底前",
                       "责任单位": "市住建局", "验收单位": "市生态环境局"}]).to_excel(f, index=False)
        return services.import_ledger(MANAGER, f, document="审计测试台账")

    leader = _leader()  # its account made now: a call's row must be its own only

    return {
        "setup_region": (lambda: services.setup_region(CLI, "360200"), audit.SETTINGS),
        "import_file": (lambda: services.import_file(MANAGER, settings.DEMO_DIR / "sites.csv"), audit.IMPORTED),
        "import_ledger": (ledger, audit.IMPORTED),
        "commit_doc": (lambda: services.commit_doc(MANAGER, services.parse_doc(
            settings.DEMO_DIR / "docs/000_work_points_2026.txt", short_name="审计测试文件"), link_sites=False),
            audit.DOCUMENT),
        "commit_review": (review, audit.DOCUMENT),
        "change_status": (lambda: services.change_status(FILLER, _one(PENDING_LEPING), "申请销号", note="完成"),
                          audit.STATUS_CHANGED),
        "export": (lambda: services.export(MANAGER, tmp_path / "台账.xlsx"), audit.EXPORTED),
        "standalone_html": (lambda: services.standalone_html(MANAGER, tmp_path / "map.html"), audit.EXPORTED),
        "meeting_deck": (lambda: meetings.meeting_deck(MANAGER, tmp_path / "deck.pptx"), audit.EXPORTED),
        "save_views": (lambda: meetings.save_views(MANAGER, [{"title": "甲", "page": "map", "params": {}}]),
                       audit.VIEWS_SAVED),
        "save_inspection": (trip, audit.TRIP),
        "import_water": (lambda: water.import_water(MANAGER, settings.REPO_ROOT / "tests" / "fixtures" / "water"
                                                    / "station_2026.csv"), audit.IMPORTED),
        "set_task_sites": (lambda: links.set_task_sites(MANAGER, _one("SELECT min(id) FROM tasks WHERE parent_id IS NULL"),
                                                        ["MIN-02"]), audit.REVISION),
        "record_finding": (lambda: inspections.record_finding(FILLER, ins["id"], "MIN-02", task_id=None,
                                                           text="现场无异常"), audit.FINDING),
        "record_download": (lambda: services.record_download(MANAGER, "任务台账（CSV，当前视图）", "台账.csv", b"x"),
                            audit.EXPORTED),
        "set_params": (lambda: datums.set_params(MANAGER, "西安80", "1,2,3,0.1,0.2,0.3,1"), audit.SETTINGS),
        "backup": (lambda: services.backup(MANAGER, tmp_path / "备份.zip"), audit.EXPORTED),
        "backup_bytes": (lambda: services.backup_bytes(MANAGER), audit.EXPORTED),
        # after the two backups: the trail written since the first is kept, then the restore
        "restore_backup": (lambda: services.restore_backup(MANAGER, tmp_path / "备份.zip"), audit.RESTORED),
        # desktop GIS access tokens (issue 17), after the restore (which replaces the accounts too)
        "create": (lambda: tokens.create(CLI_ADMIN, "审计测试", username=leader), audit.TOKEN_CREATED),
        "revoke": (lambda: tokens.revoke(CLI_ADMIN, tokens.listing(CLI_ADMIN, username=leader)[0]["编号"],
                                         username=leader), audit.TOKEN_REVOKED),
    }


def test_every_public_writer_leaves_exactly_one_audit_row(demo_dir, tmp_path):
    calls = _calls(tmp_path)
    assert _writers() == set(calls), "a public service function writes without being listed here"
    for name, (call, action) in calls.items():  # dict order: the trip is saved before its finding
        before = _rows()
        call()
        new = _rows()[len(before):]
        assert len(new) == 1, (name, new)
        assert new[0][2] == action, name


def test_a_refused_write_changes_nothing_and_is_recorded_as_refused(demo_dir):
    """Nothing of the refused write is stored; the attempt itself is a security event."""
    before = _rows()
    tables = {t: _one(f"SELECT count(*) FROM {t}") for t in ("sites", "tasks", "status_events")}
    with pytest.raises(services.ServiceError, match="“领导”角色不能导入数据"):
        services.import_file(Actor("l", "领导", "领导"), settings.DEMO_DIR / "sites.csv")
    assert {t: _one(f"SELECT count(*) FROM {t}") for t in tables} == tables
    new = _rows()[len(before):]
    assert [(r[1], r[2]) for r in new] == [("l", audit.DENIED)]
    with reader() as s:
        summary = s.execute(text("SELECT summary FROM audit_log ORDER BY id DESC LIMIT 1")).scalar()
    assert "“领导”角色不能导入数据" in summary


def test_the_database_refuses_to_edit_or_delete_audit_rows(demo_dir):
    meetings.save_views(MANAGER, [])
    n = len(_rows())
    for sql in ("UPDATE audit_log SET username = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="审计记录只能追加"), transaction() as s:
            s.execute(text(sql))
    assert len(_rows()) == n and n > 0


def test_status_change_row_holds_who_what_before_and_after(demo_dir):
    tid = _one(PENDING_LEPING)
    audit.client_address.set("10.1.2.3")
    try:
        services.change_status(FILLER, tid, "申请销号", note="整改完成")
    finally:
        audit.client_address.set("")
    with reader() as s:
        ref = s.execute(text("SELECT ref FROM tasks WHERE id = :t"), {"t": tid}).scalar()
    frame = audit.entries(AUDITOR, audit.AuditFilter(username="a-filler"))
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["姓名"], row["角色"], row["单位"], row["操作"], row["对象"], row["来源地址"]) == (
        "填报员丁", "填报", "乐平市生态环境局", "状态变更", ref, "10.1.2.3")
    # the auditor reads the record in Chinese (the stored JSON keeps its stable keys)
    with reader() as s:
        seq = s.execute(text("SELECT max(seq) FROM status_events WHERE task_id = :t"), {"t": tid}).scalar()
    assert row["变更前"] == f"状态：整改中；版本：{seq - 1}"
    assert row["变更后"].startswith(f"状态：申请销号；版本：{seq}；状态记录编号：")
    assert "；说明：整改完成；" in row["变更后"] and "status" not in row["变更后"]
    with pytest.raises(PermissionError, match="“填报”角色不能查阅审计记录"):
        audit.entries(FILLER)


def test_audit_page_filters_and_exports_text_only_xlsx(demo_dir, tmp_path):
    meetings.save_views(MANAGER, [{"title": "=HYPERLINK(\"http://x\")", "page": "map", "params": {}}])
    services.export(MANAGER, tmp_path / "a.xlsx")
    with reader() as s:
        n_manager = s.execute(text("SELECT count(*) FROM audit_log WHERE username = 'a-manager'")).scalar()
    assert n_manager == 2
    at = sign_in(page_test("audit_view", signed_in=False), "审计员己", "市生态环境局", "审计员").run()
    assert not at.exception
    at.selectbox(key="au_user").set_value("a-manager").run()
    assert [c.value for c in at.caption][0].startswith(f"共 {n_manager} 条")
    at.selectbox(key="au_action").set_value("保存视图").run()
    assert [c.value for c in at.caption][0].startswith("共 1 条")
    at.button(key="au_export").click().run()
    assert [b.label for b in at.get("download_button")] == ["下载审计记录（1 条）"]
    # another filter: the file made for the last one is not offered for this one
    at.selectbox(key="au_action").set_value("导出").run()
    assert at.get("download_button") == []
    path = audit.export_xlsx(AUDITOR, audit.AuditFilter(username="a-manager", action="保存视图"), tmp_path / "x.xlsx")
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:6] == ("时间", "账户", "姓名", "角色", "单位", "操作") and len(rows) == 2
    assert rows[1][1:6] == ("a-manager", "管理员乙", "业务管理员", "市生态环境局", "保存视图")
    assert all(c.data_type == "s" for c in ws[2] if c.value)  # text cells, never a formula
    assert "=HYPERLINK" in rows[1][8]
    # the export itself is recorded
    assert audit.entries(AUDITOR, audit.AuditFilter(username="a-auditor", action="导出")).shape[0] == 1


def test_the_audit_page_is_refused_to_other_roles(demo_dir):
    at = page_test("audit_view").run()  # a 业务管理员
    assert not at.exception
    assert [e.value for e in at.error] == ["不能查阅：“业务管理员”角色不能查阅审计记录"]
    assert not at.dataframe
