"""审计 (the auditor's page: who did what, when, from where; filter and export) and 账户
(the system administrator's page: accounts). Both read and write through onemap.audit and
onemap.accounts, which check the role again."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import streamlit as st

from domain.actors import ROLES
from onemap import accounts, audit, sso
from ui import auth
from ui.common import example_place, table


def render() -> None:
    actor = auth.current()
    st.markdown("### 审计记录")
    try:
        users, actions = audit.choices(actor)
    except PermissionError as exc:
        st.error(f"不能查阅：{exc}")
        return
    c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 2, 3])
    user = c1.selectbox("账户", ["", *users], key="au_user", format_func=lambda u: u or "全部")
    action = c2.selectbox("操作", ["", *actions], key="au_action", format_func=lambda a: a or "全部")
    start = c3.date_input("起始日期", value=date.today() - timedelta(days=30), key="au_start", format="YYYY-MM-DD")
    end = c4.date_input("截止日期", value=date.today(), key="au_end", format="YYYY-MM-DD")
    obj = c5.text_input("对象（编号、名称或摘要中的文字）", key="au_obj")
    flt = audit.AuditFilter(user, action, start, end, obj)
    frame = audit.entries(actor, flt)
    st.caption(f"共 {len(frame)} 条（{start:%Y年%m月%d日} 至 {end:%Y年%m月%d日}）。记录只能追加，任何人都不能修改或删除。")
    shown = frame.copy()
    shown["时间"] = shown["时间"].map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S"))
    st.dataframe(table(shown), hide_index=True, width="stretch", height=520)
    if st.button("导出 XLSX", key="au_export", disabled=frame.empty):
        with tempfile.TemporaryDirectory() as tmp:
            path = audit.export_xlsx(actor, flt, Path(tmp) / "audit.xlsx")
            st.session_state["au_xlsx"] = (flt, len(frame), path.read_bytes())
    made = st.session_state.get("au_xlsx")
    if made and made[0] == flt:  # a file made for other filters is not offered for these
        st.download_button(f"下载审计记录（{made[1]} 条）", made[2], file_name=f"审计记录_{date.today()}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def accounts_page() -> None:
    actor = auth.current()
    st.markdown("### 账户管理")
    try:
        users = accounts.list_users(actor)
    except PermissionError as exc:
        st.error(f"不能管理账户：{exc}")
        return
    rows = [{**u, "启用": "是" if u["启用"] else "否", "须改密码": "是" if u["须改密码"] else "",
             "锁定至": f"{u['锁定至']:%H:%M}" if u["锁定至"] else ""} for u in users]
    import pandas as pd

    st.dataframe(table(pd.DataFrame(rows)), hide_index=True, width="stretch")
    msg = st.session_state.pop("acc_msg", None)
    if msg:
        (st.success if msg[0] == "ok" else st.error)(msg[1])
    st.markdown("**新建账户**（初始密码须在首次登录时修改）")
    with st.form("acc_add"):
        c1, c2, c3 = st.columns(3)
        c1.text_input("账户名", key="acc_username")
        c2.text_input("姓名", key="acc_name")
        c3.selectbox("角色", ROLES, key="acc_role")
        c4, c5, c6 = st.columns(3)
        c4.text_input("单位", key="acc_unit", placeholder=f"如 {example_place()[0]}生态环境局")
        c5.text_input("所辖区县代码（填报）", key="acc_county", placeholder=f"如 {example_place()[1]}")
        c6.text_input("初始密码", type="password", key="acc_password")
        st.form_submit_button("新建", type="primary", on_click=_add_account)
    st.markdown("**停用、重置密码、变更角色、绑定统一身份账号**")
    names = [u["账户"] for u in users]
    roles = {u["账户"]: u["角色"] for u in users}
    c1, c2 = st.columns(2)
    c1.selectbox("账户", names, key="acc_pick", on_change=_follow_pick, args=[roles])
    if st.session_state.get("acc_new_role") is None and names:  # first draw: the account's own role
        _follow_pick(roles)
    c2.selectbox("新角色", ROLES, key="acc_new_role")
    c3, c4 = st.columns(2)
    c3.text_input("新初始密码（重置密码时填写）", type="password", key="acc_reset")
    c4.text_input("统一身份账号标识（sub，留空为解除绑定）", key="acc_sso",
                  help="单位统一身份认证（OpenID Connect）中该同事的账号标识；未绑定的身份登录时会显示它。")
    if not sso.configured():
        st.caption("统一身份认证尚未配置（服务器 .streamlit/secrets.toml 的 [auth] 节，见 README）："
                   "绑定会保存，配置后生效；在此之前登录页不提供统一身份认证登录。")
    b1, b2, b3, b4 = st.columns(4)
    b1.button("停用", key="acc_disable", on_click=_account_action, args=["disable"])
    b2.button("重置密码", key="acc_do_reset", on_click=_account_action, args=["reset"])
    b3.button("变更角色", key="acc_set_role", on_click=_account_action, args=["role"])
    b4.button("绑定统一身份账号", key="acc_bind_sso", on_click=_account_action, args=["sso"])


def _follow_pick(roles: dict[str, str]) -> None:
    """新角色 starts at the chosen account's current role (not at 系统管理员, one stray click away
    from making anyone an administrator)."""
    ss = st.session_state
    who = ss.get("acc_pick") or next(iter(roles), None)
    if who in roles:
        ss["acc_new_role"] = roles[who]


def _account_action(what: str) -> None:
    """The account changes run in their buttons' callbacks (a press is never lost to another
    rerun); the outcome names the account, a refusal keeps what was typed."""
    ss = st.session_state
    actor, who = auth.current(), ss.get("acc_pick")
    try:
        if what == "disable":
            accounts.disable_user(actor, who)
            done = f"已停用账户 {who}"
        elif what == "reset":
            accounts.reset_password(actor, who, ss.get("acc_reset") or "")
            ss["acc_reset"] = ""
            done = f"已重置账户 {who} 的密码，下次登录须修改"
        elif what == "role":
            role = ss.get("acc_new_role")
            accounts.set_role(actor, who, role)
            done = f"账户 {who} 的角色已改为 {role}"
        else:
            subject = (ss.get("acc_sso") or "").strip()
            sso.set_subject(actor, who, subject)
            done = f"账户 {who} 已绑定统一身份账号 {subject}" if subject else f"账户 {who} 已解除统一身份账号绑定"
    except (accounts.AccountError, PermissionError) as exc:
        ss["acc_msg"] = ("error", f"未完成：{exc}")
        return
    ss["acc_msg"] = ("ok", done)


def _add_account() -> None:
    """新建, in the form's callback: on success the form is emptied (the initial password is not
    left in the page, and a second press does not try the same account again); a refusal keeps
    what was typed."""
    ss = st.session_state
    role = ss.get("acc_role") or ROLES[0]
    username = (ss.get("acc_username") or "").strip()
    try:
        accounts.add_user(auth.current(), username, ss.get("acc_name") or "", role, ss.get("acc_password") or "",
                          unit=ss.get("acc_unit") or "", county_code=ss.get("acc_county") or "")
    except (accounts.AccountError, PermissionError) as exc:
        ss["acc_msg"] = ("error", f"未新建：{exc}")
        return
    ss["acc_msg"] = ("ok", f"已新建账户 {username}（{role}）")
    for k in ("acc_username", "acc_name", "acc_unit", "acc_county", "acc_password"):
        ss[k] = ""

