"""Roles × actions at the service layer: every role tries every action on the demo, and the
allowed set is this file's table (written by hand from issue 11), never the code's own.
Tasks are picked with plain SQL by their units and current status."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from domain.actors import Actor
from onemap import accounts, audit, services, settings
from store.db import reader

ROLES = {
    "系统管理员": Actor("r-admin", "管理员甲", "系统管理员", "市生态环境局"),
    "业务管理员": Actor("r-manager", "管理员乙", "业务管理员", "市生态环境局"),
    "审核": Actor("r-reviewer", "审核员丙", "审核", "市整改办"),
    "填报": Actor("r-filler", "填报员丁", "填报", "乐平市生态环境局", "360281"),
    "领导": Actor("r-leader", "领导戊", "领导", "市生态环境局"),
    "审计员": Actor("r-auditor", "审计员己", "审计员", "市生态环境局"),
}
ACTIONS = ("view", "progress", "apply", "approve", "return", "import", "revise", "restore", "users", "audit", "api")
ALLOWED = {  # the roles, by hand; api = a desktop GIS token made and the live layers read (issue 17)
    "系统管理员": {"users"},
    "业务管理员": {"view", "import", "revise", "restore", "api"},
    "审核": {"view", "approve", "return", "api"},
    "填报": {"view", "progress", "apply", "api"},
    "领导": {"view", "api"},
    "审计员": {"audit"},
}

STATUS_SQL = """
WITH last AS (SELECT e.task_id, e.to_status FROM status_events e
              WHERE e.seq = (SELECT MAX(seq) FROM status_events x WHERE x.task_id = e.task_id))
SELECT t.id FROM tasks t LEFT JOIN last l ON l.task_id = t.id
WHERE t.archived = :f AND t.ongoing = :ongoing AND COALESCE(l.to_status, '未启动') IN ({states})
  AND EXISTS (SELECT 1 FROM task_units tu JOIN units u ON u.id = tu.unit_id
              WHERE tu.task_id = t.id AND tu.role = 'responsible' AND u.place_code = :place)
  AND {exclusive} EXISTS (SELECT 1 FROM task_units tu JOIN units u ON u.id = tu.unit_id
              WHERE tu.task_id = t.id AND tu.role = 'responsible' AND u.place_code = '360281')
  AND EXISTS (SELECT 1 FROM task_units tu JOIN units u ON u.id = tu.unit_id
              WHERE tu.task_id = t.id AND tu.role = 'acceptance' AND u.name = :acc)
ORDER BY t.id"""


def _tasks(states: tuple[str, ...], place: str = "360281", acc: str = "市整改办", ongoing: bool = False) -> list[int]:
    sql = STATUS_SQL.format(states=", ".join(f"'{s}'" for s in states),
                            exclusive="" if place == "360281" else "NOT")
    with reader() as s:
        return [r[0] for r in s.execute(text(sql), {"f": False, "ongoing": ongoing, "place": place, "acc": acc})]


def _status(tid: int) -> str:
    with reader() as s:
        row = s.execute(text("SELECT to_status FROM status_events WHERE task_id = :t ORDER BY seq DESC"),
                        {"t": tid}).first()
    return row[0] if row else "未启动"


def _try(action: str, actor: Actor, tmp_path) -> bool:
    """Attempt the action through its service; True if it was carried out, False if refused."""
    try:
        if action == "view":
            services.ensure(actor, "view")
        elif action == "progress":
            # a periodic check-in (定期调度) of a 长期坚持 task
            services.change_status(actor, _tasks(("长期坚持",), ongoing=True)[0], "长期坚持", note="本期推进中")
        elif action == "apply":
            services.change_status(actor, _tasks(("整改中",))[0], "申请销号", note="已完成整改")
        elif action == "approve":
            services.change_status(actor, _tasks(("申请销号",))[0], "已销号", note="验收通过")
        elif action == "return":
            services.change_status(actor, _tasks(("申请销号",))[-1], "退回", note="材料不全")
        elif action == "import":
            services.import_file(actor, settings.DEMO_DIR / "sites.csv")
        elif action == "revise":
            doc = services.parse_doc(settings.DEMO_DIR / "docs/000_work_points_2026.txt", short_name="角色测试要点")
            services.commit_doc(actor, doc, link_sites=False)
        elif action == "restore":
            services.import_file(actor, tmp_path / "full.gpkg", dry_run=True)
        elif action == "users":
            accounts.add_user(actor, f"new-{actor.username}", "新人", "领导", "Abcdef-1234")
        elif action == "audit":
            audit.entries(actor)
        elif action == "api":
            return _api(actor)
    except (services.ServiceError, PermissionError):
        return False
    return True


def _api(actor: Actor) -> bool:
    """The account makes itself a token and reads the county figures through the OGC API
    (in process: the whole request path but the socket). Refused at either step → False."""
    import base64

    from onemap import ogc_api, tokens

    boot = Actor("tests", "测试夹具", "系统管理员")
    with reader() as s:
        exists = s.execute(text("SELECT 1 FROM users WHERE username = :u"), {"u": actor.username}).first()
    if exists is None:
        accounts.add_user(boot, actor.username, actor.display_name, actor.role, "Abcdef-1234", unit=actor.unit,
                          county_code=actor.county_code, must_change=False)
    token = tokens.create(actor, "角色测试")
    header = "Basic " + base64.b64encode(f"{actor.username}:{token}".encode()).decode()
    out = ogc_api.handle("GET", "/collections/counties/items", {}, header, "127.0.0.1", "http://t/ogc")
    return out.status == 200 and out.body["numberReturned"] > 0


@pytest.mark.parametrize("role", list(ROLES))
def test_role_matrix_at_the_service_layer(role, demo_dir, tmp_path):
    assert _tasks(("长期坚持",), ongoing=True) and _tasks(("整改中",)) and len(_tasks(("申请销号",))) >= 2
    services.export(Actor.command_line(), tmp_path / "full.gpkg")  # a full export to restore from
    got = {a for a in ACTIONS if _try(a, ROLES[role], tmp_path)}
    assert got == ALLOWED[role]


def test_a_filler_acts_only_on_his_county_and_a_reviewer_only_on_his_acceptance(demo_dir):
    filler = ROLES["填报"]
    fuliang = _tasks(("整改中",), place="360222")  # 浮梁县's, none of 乐平市's units among the 责任单位
    assert fuliang
    with pytest.raises(services.ServiceError, match="责任单位.*不属于乐平市生态环境局或其所辖区县，不能申请销号"):
        services.change_status(filler, fuliang[0], "申请销号", note="x")
    assert _status(fuliang[0]) == "整改中"
    with reader() as s:  # the refusal met inside the write is recorded once that write rolled back
        ref = s.execute(text("SELECT ref FROM tasks WHERE id = :t"), {"t": fuliang[0]}).scalar()
        denied = s.execute(text("SELECT username, object_id, summary FROM audit_log WHERE action = '拒绝操作'")).all()
    assert [(u, o) for u, o, _ in denied] == [("r-filler", ref)] and "不能申请销号" in denied[0][2]
    housing = Actor("r-housing", "审核员庚", "审核", "市住建局")
    with reader() as s:  # an application 市住建局 does not accept (not among its 验收单位)
        other = s.execute(text(
            "SELECT t.id FROM tasks t WHERE (SELECT to_status FROM status_events e WHERE e.task_id = t.id "
            "ORDER BY seq DESC LIMIT 1) = '申请销号' AND EXISTS (SELECT 1 FROM task_units tu WHERE "
            "tu.task_id = t.id AND tu.role = 'acceptance') AND NOT EXISTS (SELECT 1 FROM task_units tu "
            "JOIN units u ON u.id = tu.unit_id WHERE tu.task_id = t.id AND tu.role = 'acceptance' "
            "AND u.name = '市住建局') ORDER BY t.id")).scalars().all()
    assert other
    with pytest.raises(services.ServiceError, match="验收单位.*不是市住建局，不能验收销号"):
        services.change_status(housing, other[0], "已销号")
    assert _status(other[0]) == "申请销号"


def test_whoever_applied_may_not_approve_the_application(demo_dir):
    """Separation of duties by account: an account that applied and later became the
    acceptance unit's 审核 is refused on its own application; a colleague is not."""
    admin = Actor("r-admin", "管理员甲", "系统管理员")
    accounts.add_user(admin, "zhou", "周某", "填报", "Abcdef-1234", unit="乐平市生态环境局", county_code="360281")
    zhou = accounts.sign_in("zhou", "Abcdef-1234").actor
    tid = _tasks(("整改中",))[0]
    services.change_status(zhou, tid, "申请销号", note="整改完成")
    accounts.set_role(admin, "zhou", "审核", unit="市整改办", county_code="")
    zhou = accounts.sign_in("zhou", "Abcdef-1234").actor
    with pytest.raises(services.ServiceError, match="销号申请由本人提出，按职责分离须由他人验收"):
        services.change_status(zhou, tid, "已销号")
    assert _status(tid) == "申请销号"
    done = services.change_status(ROLES["审核"], tid, "已销号", note="验收通过")
    assert (done.actor, done.actor_unit, done.to_status) == ("审核员丙", "市整改办", "已销号")
    with reader() as s:
        rows = s.execute(text("SELECT to_status, actor, actor_user FROM status_events WHERE task_id = :t "
                              "ORDER BY seq DESC LIMIT 2"), {"t": tid}).all()
    assert [tuple(r) for r in rows] == [("已销号", "审核员丙", "r-reviewer"), ("申请销号", "周某", "zhou")]
