"""The closing procedure as a hand-written table: every from × to × ongoing × note,
and 逾期/临期 at the boundaries, in the domain rule and in the store's vectorised copy."""

from datetime import date, timedelta

import pandas as pd
import pytest

from domain import status as st
from store.queries import derived_flags

S = ["未启动", "整改中", "申请销号", "已销号", "退回", "长期坚持"]
# ASCII names for test ids (pytest escapes Chinese ids into \\u sequences)
ID = dict(zip(S, ["not_started", "in_progress", "applied", "closed", "returned", "ongoing"], strict=True))

# Allowed next statuses, written out by hand from the procedure (not from TRANSITIONS).
ALLOWED = {
    False: {  # an ordinary task
        "未启动": ["整改中"],
        "整改中": ["申请销号"],
        "申请销号": ["已销号", "退回"],
        "已销号": ["整改中"],  # relapse found by 回头看
        "退回": ["整改中", "申请销号"],
        "长期坚持": [],
    },
    True: {  # a 长期坚持 task is never applied for closing nor closed
        "未启动": ["整改中", "长期坚持"],
        "整改中": ["长期坚持"],
        "申请销号": ["退回"],
        "已销号": ["整改中"],
        "退回": ["整改中", "长期坚持"],
        "长期坚持": ["长期坚持"],  # periodic check-in
    },
}
NOTE_MESSAGE = {"申请销号": "申请销号需填写整改情况说明", "退回": "退回需填写退回理由",
                "长期坚持": "长期坚持的定期调度需填写进展说明"}


def _expected(frm: str, to: str, ongoing: bool, note: str) -> str | None:
    if to not in ALLOWED[ongoing][frm]:
        options = "、".join(ALLOWED[ongoing][frm]) or "无"
        return f"不能从“{frm}”变更为“{to}”（可变更为：{options}）"
    if to in NOTE_MESSAGE and not note.strip():
        return NOTE_MESSAGE[to]
    return None


@pytest.mark.parametrize("ongoing", [False, True], ids=["ordinary_task", "ongoing_task"])
@pytest.mark.parametrize("frm", S, ids=ID.get)
def test_allowed_next(frm, ongoing):
    assert st.allowed_next(frm, ongoing=ongoing) == ALLOWED[ongoing][frm]


CASES = [(f, t, o, n) for f in S for t in S for o in (False, True) for n in ("", "  ", "已完成整改")]


@pytest.mark.parametrize(("frm", "to", "ongoing", "note"), CASES,
                         ids=[f"{ID[f]}->{ID[t]}-{'ongoing_task' if o else 'ordinary_task'}-"
                              f"{'note' if n.strip() else 'blank_note' if n else 'no_note'}" for f, t, o, n in CASES])
def test_transition_matrix(frm, to, ongoing, note):
    want = _expected(frm, to, ongoing, note)
    if want is None:
        st.check_transition(frm, to, ongoing=ongoing, note=note)  # accepted
        return
    with pytest.raises(st.TransitionError) as exc:
        st.check_transition(frm, to, ongoing=ongoing, note=note)
    assert str(exc.value) == want


def test_note_none_counts_as_empty():
    with pytest.raises(st.TransitionError, match="^申请销号需填写整改情况说明$"):
        st.check_transition("整改中", "申请销号", ongoing=False, note=None)
    st.check_transition("未启动", "整改中", ongoing=False, note=None)  # 整改中 needs no note


def test_unknown_status_is_named():
    with pytest.raises(st.TransitionError) as exc:
        st.check_transition("整改中", "完成", ongoing=False, note="x")
    assert str(exc.value) == "未知状态“完成”，可用状态：未启动、整改中、申请销号、已销号、退回、长期坚持"
    assert st.allowed_next("完成", ongoing=False) == []


AS_OF = date(2024, 7, 1)
# days from as_of to the deadline → flag for an open task (30-day window)
BOUNDARIES = [(-400, "逾期"), (-1, "逾期"), (0, "临期"), (1, "临期"), (29, "临期"), (30, "临期"), (31, None),
              (400, None)]
OPEN = ["未启动", "整改中", "申请销号", "退回"]


@pytest.mark.parametrize(("days", "flag"), BOUNDARIES, ids=[f"deadline_in_{d}_days" for d, _ in BOUNDARIES])
@pytest.mark.parametrize("state", S, ids=ID.get)
def test_flag_boundaries(state, days, flag):
    deadline = AS_OF + timedelta(days=days)
    want = flag if state in OPEN else None
    assert st.derived_flag(state, deadline, AS_OF) == want
    assert st.derived_flag(state, None, AS_OF) is None


@pytest.mark.parametrize(("days", "window", "flag"), [
    (7, 7, "临期"), (8, 7, None), (0, 0, "临期"), (1, 0, None), (90, 90, "临期"), (91, 90, None), (-1, 0, "逾期"),
])
def test_flag_window_is_configurable(days, window, flag):
    assert st.derived_flag("整改中", AS_OF + timedelta(days=days), AS_OF, due_soon_days=window) == flag


def test_store_flags_match_the_table():
    """store.queries.derived_flags (vectorised, used by every page) at the same boundaries."""
    rows = [(state, AS_OF + timedelta(days=d), (f if state in OPEN else None) or "")
            for state in S for d, f in BOUNDARIES]
    rows.append(("整改中", None, ""))
    status = pd.Series([r[0] for r in rows])
    deadline = pd.Series([r[1] for r in rows], dtype=object)
    got = derived_flags(status, deadline, AS_OF, 30)
    assert got.tolist() == [r[2] for r in rows]
    got7 = derived_flags(pd.Series(["整改中"] * 3), pd.Series([AS_OF + timedelta(days=d) for d in (6, 7, 8)]),
                         AS_OF, 7)
    assert got7.tolist() == ["临期", "临期", ""]
