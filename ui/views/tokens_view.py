"""The account page's access tokens for desktop GIS (QGIS/ArcGIS reading the OGC API –
Features service): made here, shown once, listed by name and first characters, revoked here.
The rules live in onemap.tokens; this page only calls them."""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from domain import permissions as perm
from onemap import accounts, tokens
from onemap.ogc_api import PREFIX


def service_url() -> str:
    """The service's address as this browser reaches the app (…/ogc)."""
    try:
        u = urlsplit(str(st.context.url))
        if u.scheme and u.netloc:
            return f"{u.scheme}://{u.netloc}{PREFIX}"
    except Exception:  # noqa: BLE001 - no request context (AppTest): a relative address
        pass
    return PREFIX


def render() -> None:
    """The token section of 我的账户, for the signed-in account."""
    from ui import auth

    actor = auth.current()
    if not perm.allowed(actor, perm.VIEW):
        return  # 系统管理员 and 审计员 read no task data: a token would give them nothing
    ss = st.session_state
    st.markdown("#### 桌面 GIS 访问令牌（QGIS / ArcGIS）")
    st.caption(f"在 QGIS（数据源管理器 → WFS / OGC API – Features）或 ArcGIS Pro（添加 OGC API 服务器）中填写地址 "
               f"`{service_url()}`，用户名填账户名 `{actor.username}`，密码填访问令牌。令牌与本账户权限相同"
               f"{'（只含本账户所辖区县的数据）' if actor.county_code else ''}，只在创建时显示一次；不再使用时请撤销。")
    done = ss.pop("tok_done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    new = ss.pop("tok_new", None)
    if new:
        st.success(f"已创建访问令牌“{new[0]}”。请立即复制保存，离开本页后不再显示：", icon=":material/key:")
        st.code(new[1], language=None)
    if ss.pop("tok_clear", False):  # after a creation: an empty name field (set before the widget exists)
        ss["tok_name"] = ""
    with st.form("token_create"):
        name = st.text_input("令牌名称", key="tok_name", placeholder="如 我的 QGIS、科室 ArcGIS")
        create = st.form_submit_button("创建访问令牌")
    if create:
        try:
            token = tokens.create(actor, name)
        except (accounts.AccountError, perm.Refused) as exc:
            st.error(f"未创建：{exc}")
        else:
            ss["tok_new"] = (name.strip(), token)
            ss["tok_clear"] = True
            st.rerun()
    rows = tokens.listing(actor)
    if not rows:
        st.caption("本账户还没有访问令牌。")
        return
    table = pd.DataFrame([{"名称": r["名称"], "开头": r["开头"], "创建时间": f"{r['创建时间']:%Y-%m-%d %H:%M}",
                           "最近使用": f"{r['最近使用']:%Y-%m-%d %H:%M}" if r["最近使用"] else "未使用",
                           "状态": "有效" if r["有效"] else f"已撤销（{r['撤销时间']:%Y-%m-%d %H:%M}）"} for r in rows])
    st.dataframe(table, hide_index=True, width="stretch")
    for r in (r for r in rows if r["有效"]):
        label = f"“{r['名称']}”（{r['开头']}）"
        if ss.get("tok_confirm") != r["编号"]:  # asked once more: a revoked token cannot be restored
            if st.button(f"撤销{label}", key=f"tok_revoke_{r['编号']}"):
                ss["tok_confirm"] = r["编号"]
                st.rerun()
            continue
        st.warning(f"撤销访问令牌{label}？撤销后使用它的 QGIS/ArcGIS 连接立即被拒绝，且无法恢复。",
                   icon=":material/key_off:")
        ok, no = st.columns(2)
        if no.button("取消", key=f"tok_revoke_no_{r['编号']}"):
            ss.pop("tok_confirm", None)
            st.rerun()
        if ok.button("确认撤销", key=f"tok_revoke_ok_{r['编号']}", type="primary"):
            ss.pop("tok_confirm", None)
            try:
                tokens.revoke(actor, r["编号"])
            except accounts.AccountError as exc:
                st.error(f"未撤销：{exc}")
            else:
                ss["tok_done"] = f"已撤销访问令牌“{r['名称']}”，使用它的 QGIS/ArcGIS 连接将被拒绝"
                st.rerun()
