"""Task status: the closing (销号) procedure as a state machine, and derived flags.

The stored truth is an append-only list of events. The state on any date is
obtained by replaying the events up to that date (store.queries.task_status_frame); 逾期/临期 are derived from the
state and the deadline, never stored.
"""

from __future__ import annotations

from datetime import date

NOT_STARTED = "未启动"
IN_PROGRESS = "整改中"
APPLIED = "申请销号"
CLOSED = "已销号"
RETURNED = "退回"
ONGOING = "长期坚持"

STATUSES: tuple[str, ...] = (NOT_STARTED, IN_PROGRESS, APPLIED, CLOSED, RETURNED, ONGOING)
OPEN_STATUSES = frozenset({NOT_STARTED, IN_PROGRESS, APPLIED, RETURNED})

# Derived display states (worst first).
OVERDUE = "逾期"
DUE_SOON = "临期"
DEFAULT_DUE_SOON_DAYS = 30

# Allowed transitions. A 长期坚持 → 长期坚持 event is a periodic check-in (定期调度).
# 已销号 → 整改中 records a relapse found by 回头看 (反弹).
TRANSITIONS: dict[str, frozenset[str]] = {
    NOT_STARTED: frozenset({IN_PROGRESS, ONGOING}),
    IN_PROGRESS: frozenset({APPLIED, ONGOING}),
    APPLIED: frozenset({CLOSED, RETURNED}),
    RETURNED: frozenset({IN_PROGRESS, APPLIED}),
    CLOSED: frozenset({IN_PROGRESS}),
    ONGOING: frozenset({ONGOING}),
}
NOTE_REQUIRED = frozenset({APPLIED, RETURNED, ONGOING})


class TransitionError(ValueError):
    """An illegal status change; the message is Chinese and meant for the user."""


def allowed_next(current: str, *, ongoing: bool) -> list[str]:
    """Statuses reachable from `current`; ongoing (长期坚持) tasks are never closed."""
    nxt = TRANSITIONS.get(current, frozenset())
    if ongoing:
        nxt = nxt - {APPLIED, CLOSED}
        if current in (NOT_STARTED, IN_PROGRESS, RETURNED):
            nxt = nxt | {ONGOING}
    else:
        nxt = nxt - {ONGOING}
    return [s for s in STATUSES if s in nxt]


def check_transition(current: str, new: str, *, ongoing: bool, note: str | None) -> None:
    if new not in STATUSES:
        raise TransitionError(f"未知状态“{new}”，可用状态：{'、'.join(STATUSES)}")
    if new not in allowed_next(current, ongoing=ongoing):
        options = "、".join(allowed_next(current, ongoing=ongoing)) or "无"
        raise TransitionError(f"不能从“{current}”变更为“{new}”（可变更为：{options}）")
    if new in NOTE_REQUIRED and not (note or "").strip():
        what = {APPLIED: "申请销号需填写整改情况说明", RETURNED: "退回需填写退回理由",
                ONGOING: "长期坚持的定期调度需填写进展说明"}[new]
        raise TransitionError(what)


def derived_flag(state: str, deadline: date | None, as_of: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> str | None:
    """逾期 when the deadline has passed and the task is not closed (长期坚持 counts as
    closed for its dated stage); 临期 when due within `due_soon_days`."""
    if deadline is None or state in (CLOSED, ONGOING):
        return None
    if deadline < as_of:
        return OVERDUE
    if (deadline - as_of).days <= due_soon_days:
        return DUE_SOON
    return None
