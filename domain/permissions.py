"""The one check "may this actor do this (to this task)": roles → actions as data, and
the task's scope (its 责任单位 and their counties, its 验收单位, who applied for 销号).

Services call `ensure` before they write; pages call `allowed` only to hide what the
service would refuse. A refusal (`Refused`) says why in Chinese."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain import status as st
from domain.actors import AUDITOR, CLI, FILLER, LEADER, MANAGER, REVIEWER, SYSADMIN, Actor

VIEW = "view"  # maps, ledger, overview, field plans
PROGRESS = "record_progress"  # 整改中 / 长期坚持 check-ins, findings
APPLY = "apply"  # → 申请销号
APPROVE = "approve"  # → 已销号
RETURN = "return"  # → 退回
REOPEN = "reopen"  # 已销号 → 整改中 (a relapse found by 回头看: by the 填报 or the 审核 side)
PLAN_TRIP = "plan_trip"
IMPORT = "import"  # site layers, ledgers
REVISE = "revise"  # documents and their revisions
RESTORE = "restore"
SAVE_VIEWS = "save_views"
EXPORT = "export"  # ledgers, decks, maps, full exports
SETTINGS = "settings"  # region
DATUM = "datum"  # the region's 七参数 for 北京54/西安80 (geo.datums): a data matter, the 业务管理员's
MANAGE_USERS = "manage_users"
READ_AUDIT = "read_audit"

ACTION_NAMES = {
    VIEW: "查看任务数据", PROGRESS: "登记进展", APPLY: "申请销号", APPROVE: "验收销号", RETURN: "退回",
    REOPEN: "重新整改（回头看发现反弹）", PLAN_TRIP: "制定检查计划", IMPORT: "导入数据", REVISE: "导入或修订文件",
    RESTORE: "恢复完整导出", SAVE_VIEWS: "保存会议视图", EXPORT: "导出台账、地图或会议材料",
    SETTINGS: "修改系统设置", MANAGE_USERS: "管理账户", READ_AUDIT: "查阅审计记录",
    DATUM: "设置坐标转换七参数",
}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    SYSADMIN: frozenset({MANAGE_USERS, SETTINGS}),
    MANAGER: frozenset({VIEW, IMPORT, REVISE, RESTORE, SAVE_VIEWS, EXPORT, PLAN_TRIP, DATUM}),
    REVIEWER: frozenset({VIEW, APPROVE, RETURN, REOPEN}),
    FILLER: frozenset({VIEW, PROGRESS, APPLY, REOPEN, PLAN_TRIP}),
    LEADER: frozenset({VIEW, EXPORT, SAVE_VIEWS}),
    AUDITOR: frozenset({READ_AUDIT}),
    CLI: frozenset({VIEW, IMPORT, REVISE, RESTORE, SAVE_VIEWS, EXPORT, SETTINGS, DATUM}),
}
TASK_SCOPED = frozenset({PROGRESS, APPLY, APPROVE, RETURN, REOPEN})


class Refused(PermissionError):
    """A refusal with its Chinese reason."""


@dataclass(frozen=True)
class TaskScope:
    """What decides who may act on a task (read from the store by the service)."""

    ref: str
    responsible: tuple[tuple[str, str], ...] = ()  # (unit name, place code)
    acceptance: tuple[str, ...] = ()
    applicant: str | None = None  # account that made the pending 销号 application
    extra: dict = field(default_factory=dict)


def status_action(from_status: str, to_status: str) -> str:
    """The action a status change is."""
    if to_status == st.APPLIED:
        return APPLY
    if to_status == st.CLOSED:
        return APPROVE
    if to_status == st.RETURNED:
        return RETURN
    if from_status == st.CLOSED and to_status == st.IN_PROGRESS:
        return REOPEN
    return PROGRESS


def why_not(actor: Actor | None, action: str, task: TaskScope | None = None) -> str | None:
    """None when allowed, else the Chinese reason."""
    if actor is None:
        return "请先登录"
    what = ACTION_NAMES.get(action, action)
    if action not in ROLE_ACTIONS.get(actor.role, frozenset()):
        return f"“{actor.role}”角色不能{what}"
    if action not in TASK_SCOPED or task is None:
        return None
    if actor.role == FILLER:  # the tasks of its unit, or of its county's units
        units = {u for u, _ in task.responsible}
        places = {p for _, p in task.responsible}
        if actor.unit in units or (actor.county_code and actor.county_code in places):
            return None
        return (f"{task.ref} 的责任单位（{'、'.join(sorted(units)) or '未填写'}）不属于"
                f"{actor.unit or '本账户'}{'或其所辖区县' if actor.county_code else ''}，不能{what}")
    if actor.unit not in task.acceptance:  # 审核: the tasks its unit accepts
        return f"{task.ref} 的验收单位（{'、'.join(task.acceptance) or '未填写'}）不是{actor.unit or '本账户单位'}，不能{what}"
    if action in (APPROVE, RETURN) and task.applicant and task.applicant == actor.username:
        return f"{task.ref} 的销号申请由本人提出，按职责分离须由他人验收"
    return None


def allowed(actor: Actor | None, action: str, task: TaskScope | None = None) -> bool:
    return why_not(actor, action, task) is None


def ensure(actor: Actor | None, action: str, task: TaskScope | None = None) -> None:
    reason = why_not(actor, action, task)
    if reason is not None:
        raise Refused(reason)
