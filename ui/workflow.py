"""The closing procedure (销号) in the UI: who is acting, and the status form.

Only legal next states are offered (domain.status.allowed_next); the store checks
again and refuses anything else. The form keeps what was typed when a change is
refused, so nothing the user entered is lost."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from domain import status as st_status
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


def operator() -> tuple[str, str] | None:
    name = st.session_state.get("op_name", "")
    return (name, st.session_state.get("op_unit", "")) if name else None


def operator_sidebar() -> None:
    """Who records changes (until accounts exist): asked once per browser session."""
    sb = st.sidebar
    op = operator()
    if op:
        sb.caption(f"经办人：{op[0]}" + (f"（{op[1]}）" if op[1] else ""))
        if sb.button("更换经办人", key="op_change"):
            st.session_state.pop("op_name", None)
            st.rerun()
        return
    with sb.form("operator_form"):
        st.markdown("**经办人**（登记状态变更时记录）")
        name = st.text_input("姓名", key="op_name_input")
        unit = st.text_input("单位", key="op_unit_input", placeholder="如 市生态环境局")
        if st.form_submit_button("确定"):
            if name.strip():
                st.session_state["op_name"] = name.strip()
                st.session_state["op_unit"] = unit.strip()
                st.rerun()
            else:
                st.error("请填写姓名")


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
        st.info("登记状态变更前，请先在左侧填写经办人姓名和单位。")
        return
    targets = [task, *[m for _, m in measures.iterrows()]]
    # labels without the status: a keyed selectbox keeps showing the label it was given
    # when the option's text changes, so the current status goes in the caption below
    labels = [str(t["ref"]) for t in targets]
    idx = st.selectbox("变更对象", range(len(targets)), format_func=lambda i: labels[i], key=f"{key}_target")
    target = targets[idx]
    # the task's version this form showed on the previous run is what the user decided on: the
    # store refuses the change if the task has moved on since (someone else changed it)
    seen = st.session_state.get(f"{key}_seen", {}).get(int(target["id"]))
    st.session_state[f"{key}_seen"] = {int(target["id"]): int(target["version"])}
    st.caption(f"当前状态：{target['status']}" + (f"·{target['flag']}" if target.get("flag") else ""))
    options = st_status.allowed_next(target["status"], ongoing=bool(target["ongoing"]))
    if not options:
        st.caption("该项当前没有可登记的状态变更。")
        return
    chosen = st.session_state.get(f"{key}_to")
    if chosen not in options:
        # after a change (or a change by someone else) the choice left from before is not
        # offered any more: set it, so the page shows what the form would record
        st.session_state[f"{key}_to"] = options[0]
    to = st.radio("变更为", options, horizontal=True, key=f"{key}_to",
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


def _record(target: pd.Series, to: str, day: date, note: str, files, op: tuple[str, str], key: str,
            seen: int | None = None) -> None:
    """Through the service door; a refusal is shown here and the form keeps its text."""
    from onemap import services

    try:
        with uploaded_files(files) as paths:
            done = services.change_status(op[0], op[1], int(target["id"]), to, note=note, day=day, files=paths,
                                          expected_version=seen)
    except services.ServiceError as exc:
        st.error(f"未登记：{exc}", icon=":material/error:")
        return
    data.after_write()
    st.session_state[f"{key}_gen"] = st.session_state.get(f"{key}_gen", 0) + 1  # the next change starts empty
    extra = f"，附件 {done.files} 个" if done.files else ""
    st.session_state[f"{key}_done"] = (f"已登记：{target['ref']} {done.from_status} → {done.to_status}"
                                       f"（{cn_date(day)}，{op[0]}{extra}）")
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
