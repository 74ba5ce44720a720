"""The closing procedure (销号) in the UI: the status form of the signed-in account.

Only legal next states the account may make are offered (domain.status.allowed_next,
domain.permissions via services.allowed_changes); the service checks again and refuses
anything else. The form keeps what was typed when a change is
refused, so nothing the user entered is lost."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from domain import status as st_status
from domain.actors import Actor
from domain.dates import cn_date
from ui import data
from ui.uploads import uploaded_files

NOTE_LABEL = {
    st_status.IN_PROGRESS: "说明（可选）",
    st_status.APPLIED: "整改完成情况说明（必填）",
    st_status.CLOSED: "验收意见（可选）",
    st_status.RETURNED: "退回理由（必填）",
    st_status.ONGOING: "本期进展（必填）",
}
FILES_FOR = {st_status.APPLIED, st_status.CLOSED, st_status.ONGOING, st_status.RETURNED}


def operator() -> Actor | None:
    """The signed-in account: the operator of every change (ui.auth)."""
    from ui import auth

    return auth.current()


def _changes(op: Actor | None, target: pd.Series) -> tuple[list[str], dict[str, str | None]]:
    """(changes the account may make, why each legal change is refused or None) of one item."""
    from onemap import services

    legal = st_status.allowed_next(target["status"], ongoing=bool(target["ongoing"]))
    if not legal or op is None:
        return [], {}
    why = services.allowed_changes(op, int(target["id"]), legal, target["status"])
    return [to for to in legal if why[to] is None], why


def changeable(task: pd.Series, measures: pd.DataFrame, key: str | None = None) -> list[pd.Series]:
    """The task and measures whose status the signed-in account may change now (the rest get
    no form: a page shows no control the service would refuse) — and the one the open form
    `key` was on, if someone else moved it out of reach meanwhile: its form stays, with the
    typed text, and the save is refused by name."""
    op = operator()
    ss = st.session_state
    pending = ss.get(f"{key}_picked") if key and ss.get(f"{key}_to") else None
    return [t for t in [task, *[m for _, m in measures.iterrows()]]
            if int(t["id"]) == pending or _changes(op, t)[0]]


def note_label(to: str) -> str:
    """The note's label says whether it is required (domain.status.NOTE_REQUIRED)."""
    base = NOTE_LABEL.get(to, "说明").split("（")[0]
    return f"{base}（{'必填' if to in st_status.NOTE_REQUIRED else '可选'}）"


def status_form(task: pd.Series, measures: pd.DataFrame, key: str) -> None:
    """Change the status of the task or one of its measures.

    The choice of the new status sits outside the form, so the note's label follows
    it at once (a form only reports its widgets on submit); the note, date and files
    are in the form and are kept when the change is refused."""
    op = operator()
    if op is None:
        st.info("请先登录。")
        return
    targets = changeable(task, measures, key)
    if not targets:
        st.caption("您的账户不能变更该任务及其措施的状态。")
        return
    # labels without the status: a keyed selectbox keeps showing the label it was given
    # when the option's text changes, so the current status goes in the caption below
    by_id = {int(t["id"]): t for t in targets}  # by id: the list can change between runs
    ids = list(by_id)
    # a new list (after a change the account may act on fewer items) is a new widget: a keyed
    # selectbox whose options change keeps showing the old label at the old position
    wkey = f"{key}_target" + ("" if ids == [int(task["id"])] + [int(i) for i in measures["id"]]
                              else "_" + "_".join(map(str, ids)))
    prev = st.session_state.get(f"{key}_picked")
    pick = st.selectbox("变更对象", ids, index=ids.index(prev) if prev in by_id else 0,
                        format_func=lambda i: str(by_id[i]["ref"]), key=wkey)
    st.session_state[f"{key}_picked"] = pick
    target = by_id[pick]
    # the task's version this form showed on the previous run is what the user decided on: the
    # store refuses the change if the task has moved on since (someone else changed it)
    seen = st.session_state.get(f"{key}_seen", {}).get(int(target["id"]))
    st.session_state[f"{key}_seen"] = {int(target["id"]): int(target["version"])}
    st.caption(f"当前状态：{target['status']}" + (f"·{target['flag']}" if target.get("flag") else ""))
    options, _why = _changes(op, target)
    chosen = st.session_state.get(f"{key}_to")
    if not options and chosen is None:
        st.caption("该项当前没有可登记的状态变更。")
        return
    if chosen not in options and options:
        # after a change (or a change by someone else) the choice left from before is not
        # offered any more: set it, so the page shows what the form would record
        st.session_state[f"{key}_to"] = options[0]
    # nothing left to offer (moved out of this account's reach while open): the stale choice
    # stays on screen with the typed text, and the save below is refused naming the new state
    to = st.radio("变更为", options or [chosen], horizontal=True, key=f"{key}_to",
                  format_func=lambda s: "定期调度（长期坚持）" if s == target["status"] == st_status.ONGOING else s)
    gen = st.session_state.get(f"{key}_gen", 0)  # a new set of inputs after each recorded change

    def k(name: str) -> str:
        return f"{key}_{name}" + (f"_{gen}" if gen else "")

    with st.form(f"{key}_form", clear_on_submit=False, enter_to_submit=False):
        last = target["last_event_at"]
        min_day = last.date() if isinstance(last, datetime) else None
        day = st.date_input("日期", value=date.today(), min_value=min_day, max_value=date.today(),
                            key=k("day"), format="YYYY-MM-DD")
        note = st.text_area(note_label(to), key=k("note"), height=80,
                            placeholder="退回时请写明退回理由" if to == st_status.RETURNED else None)
        files = st.file_uploader("佐证材料（照片、文件，可多选）", accept_multiple_files=True, key=k("files"))
        submitted = st.form_submit_button("登记", type="primary")
    if submitted:
        if chosen is not None and chosen not in options:  # the status changed under the open form
            st.error(f"未登记：{target['ref']} 刚被更新为“{target['status']}”，不能再变更为“{chosen}”。"
                     "请核对后重新选择“变更为”，已填写的内容已保留。", icon=":material/error:")
            return
        _record(target, to, day, note, files or [], op, key, seen)


def _record(target: pd.Series, to: str, day: date, note: str, files, op: Actor, key: str,
            seen: int | None = None) -> None:
    """Through the service door; a refusal is shown here and the form keeps its text."""
    from onemap import services

    try:
        with uploaded_files(files) as paths:
            done = services.change_status(op, int(target["id"]), to, note=note, day=day, files=paths,
                                          expected_version=seen)
    except services.ServiceError as exc:
        st.error(f"未登记：{exc}", icon=":material/error:")
        return
    data.after_write()
    st.session_state[f"{key}_gen"] = st.session_state.get(f"{key}_gen", 0) + 1  # the next change starts empty
    st.session_state.pop(f"{key}_to", None)  # the next change is chosen afresh
    extra = f"，附件 {done.files} 个" if done.files else ""
    st.session_state[f"{key}_done"] = (f"已登记：{target['ref']} {done.from_status} → {done.to_status}"
                                       f"（{cn_date(day)}，{op.display_name}{extra}）")
    st.rerun()


def confirmation(key: str) -> None:
    """The confirmation of the last change made with the form `key`, shown once. The
    container is always there, so the elements after it keep their place (and an open
    tab stays open) whether or not a message is shown."""
    slot = st.container()
    msg = st.session_state.pop(f"{key}_done", None)
    if msg:
        slot.success(msg, icon=":material/check_circle:")


def flash() -> None:
    msg = st.session_state.pop("flash", None)
    if msg:
        st.success(msg, icon=":material/check_circle:")
