"""Sign-in for the app: every page needs a signed-in account (onemap.accounts).

A browser keeps a random session token in a cookie (`onemap_session`, HttpOnly, set by the
server after sign-in — onemap.session_cookie — so a reload stays signed in); the store keeps only its hash and when it
was last used, and ends it after the idle timeout. The session state holds the token of
this browser tab; the account behind it is read from the store on every run, so a disabled
account or a changed role takes effect at the next click."""

from __future__ import annotations

import html
import json

import streamlit as st

from domain.actors import Actor
from onemap import accounts, audit, session_cookie, sso

COOKIE = session_cookie.COOKIE


def client() -> str:
    """The browser's address as the server saw it (behind a proxy: X-Forwarded-For)."""
    try:
        fwd = st.context.headers.get("X-Forwarded-For", "")
        host = st.context.headers.get("Host", "")
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context: unknown
        return ""
    fwd = fwd.split(",")[0].strip() if isinstance(fwd, str) else ""
    if fwd or isinstance(ip, str):
        return fwd or ip
    # Streamlit gives no address for a browser on the server itself; a real request has a Host
    # header (AppTest has no real request: mock values)
    return "127.0.0.1" if isinstance(host, str) and host else ""


audit.set_client_provider(client)  # callbacks record the browser's address too


def current() -> Actor | None:
    """The signed-in account of this run (set by `gate`)."""
    return st.session_state.get("auth_actor")


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no request context
        return None
    return token if isinstance(token, str) else None  # AppTest: mock values


def gate() -> Actor | None:
    """Resolve who is signed in; None → the caller shows only the sign-in page."""
    audit.client_address.set(client())
    ss = st.session_state
    token = ss.get("auth_token")
    if token is None and not ss.get("auth_signed_out"):
        token = _cookie_token()
    session, ended = accounts.check(token) if token else (None, "")
    if session is None:
        if token:
            ss["auth_notice"] = accounts.ended_notice(ended)
        for k in ("auth_token", "auth_actor", "auth_must_change"):
            ss.pop(k, None)
        opened = None if ss.get("auth_signed_out") else _sso_session()
        if opened is None:
            return None
        token = opened.token
        session = accounts.ActiveSession(opened.actor, opened.must_change)
    ss["auth_token"], ss["auth_actor"], ss["auth_must_change"] = token, session.actor, session.must_change
    return session.actor


def _sso_claims() -> dict | None:
    """The provider's claims when single sign-on is configured and Streamlit holds a sign-in."""
    if not sso.configured() or not st.user.is_logged_in:
        return None
    return st.user.to_dict()


def _sso_session() -> accounts.SignedIn | None:
    """A session opened from a provider sign-in (onemap.sso decides whether it may), once per
    provider sign-in: a refusal is shown, not retried and audited on every rerun."""
    claims = _sso_claims()
    if claims is None:
        return None
    ss = st.session_state
    key = (str(claims.get("sub")), str(claims.get("iat")))
    if ss.get("sso_tried") == key:
        return None
    ss["sso_tried"] = key
    try:
        done = sso.sign_in(claims)
    except accounts.AccountError as exc:
        ss.setdefault("auth_notice", f"未登录：{exc}")
        return None
    ss["auth_cookie"] = done.token
    return done


def must_change() -> bool:
    return bool(st.session_state.get("auth_must_change"))


def _set_cookie(token: str | None) -> None:
    """The server sets (or clears) the HttpOnly cookie: the page posts the token once to
    onemap.session_cookie's route, and no script can read it afterwards."""
    # the token is our own url-safe text (no user input reaches this script)
    body = json.dumps(token or "")
    st.html(f"<script>fetch({json.dumps(session_cookie.PATH)}, {{method: 'POST', body: {body}, "
            "credentials: 'same-origin', cache: 'no-store', headers: {'Content-Type': 'text/plain'}});</script>",
            unsafe_allow_javascript=True)


def emit_pending_cookie(*, sidebar: bool = True) -> None:
    """Set (after sign-in) or clear (after sign-out) the browser's cookie, once."""
    pending = st.session_state.pop("auth_cookie", None)
    if pending is not None:
        with st.sidebar if sidebar else st.container():
            _set_cookie(pending or None)


def sign_in_page() -> None:
    _, mid, _ = st.columns([1, 2, 1])  # a form of a readable width
    with mid:
        _sign_in_form()


def _sign_in_form() -> None:
    st.markdown("### 生态环境一张图 · 登录")
    notice = st.session_state.pop("auth_notice", None)
    if notice:
        st.info(notice)
    with st.form("sign_in", enter_to_submit=True):
        username = st.text_input("账户名", key="si_user")
        password = st.text_input("密码", type="password", key="si_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            done = accounts.sign_in(username, password)
        except accounts.AccountError as exc:
            st.error(f"未登录：{exc}", icon=":material/error:")
        else:
            ss = st.session_state
            ss["auth_token"], ss["auth_actor"], ss["auth_must_change"] = done.token, done.actor, done.must_change
            ss["auth_cookie"] = done.token
            ss.pop("auth_signed_out", None)
            ss.pop("si_password", None)
            st.rerun()
    _sso_buttons()
    demo = accounts.demo_accounts()
    if demo:
        from onemap.demo import DEMO_PASSWORD

        rows = "".join(f"<tr><td><code>{html.escape(a['username'])}</code></td><td>{html.escape(a['role'])}</td>"
                       f"<td>{html.escape(a['unit'])}</td></tr>" for a in demo)
        st.markdown("**示例账户**（仅在载入示例数据时提供，密码均为 "
                    f"<code>{html.escape(DEMO_PASSWORD)}</code>）", unsafe_allow_html=True)
        st.markdown(f"<table><tr><th>账户名</th><th>角色</th><th>单位</th></tr>{rows}</table>",
                    unsafe_allow_html=True)
        st.caption("填报员 leping 只能登记乐平市所属单位负责的任务；审核员 reviewer 验收市整改办负责验收的任务。")
    else:
        st.caption("没有账户？请联系系统管理员（首个管理员在服务器上用 `onemap user add` 建立）。")


def _sso_buttons() -> None:
    """统一身份认证: Streamlit's `st.login` runs the provider's sign-in (one button per named
    provider); back here, `gate` opens the session of the bound account."""
    if not sso.configured():
        return
    auth = st.secrets.get("auth", {})
    named = [k for k, v in auth.items() if hasattr(v, "keys") and "client_id" in v]
    st.markdown("或")
    if not named:
        st.button("使用统一身份认证登录", key="sso_login", on_click=st.login, width="stretch")
    for name in named:
        label = auth[name].get("display_name") or name
        st.button(f"使用统一身份认证登录（{label}）", key=f"sso_login_{name}", on_click=st.login, args=[name],
                  width="stretch")


def change_password_page(forced: bool = False) -> None:
    from ui.workflow import flash

    actor = current()
    if forced:
        st.markdown("### 修改密码")
    else:  # 我的账户: the password, then the desktop GIS tokens
        st.markdown(f"### 我的账户：{actor.display_name if actor else ''}")
        st.markdown("#### 修改密码")
    flash()
    if forced:
        st.warning("这是初始密码或被重置的密码：请先设置新密码，再使用系统。")
    st.caption(f"密码至少 {accounts.MIN_LENGTH} 位，包含大写字母、小写字母、数字、符号中的至少三类。")
    with st.form("change_password"):
        old = st.text_input("原密码", type="password", key="cp_old")
        new = st.text_input("新密码", type="password", key="cp_new")
        again = st.text_input("再次输入新密码", type="password", key="cp_again")
        submitted = st.form_submit_button("修改密码", type="primary")
    if submitted:
        if new != again:
            st.error("未修改：两次输入的新密码不一致")
        else:
            _change(actor, old, new)
    if not forced:
        from ui.views import tokens_view

        tokens_view.render()


def _change(actor: Actor, old: str, new: str) -> None:
    try:
        accounts.change_password(actor, old, new)
    except accounts.AccountError as exc:
        st.error(f"未修改：{exc}")
        return
    st.session_state["auth_must_change"] = False
    st.session_state["flash"] = "密码已修改"
    for k in ("cp_old", "cp_new", "cp_again"):  # no password left in the page (its widgets are drawn again)
        st.session_state.pop(k, None)
    st.rerun()


def sign_out() -> None:
    ss = st.session_state
    accounts.sign_out(ss.get("auth_token"), current())
    provider = _sso_claims() is not None
    ss.clear()  # nothing of this account's work (forms, choices, files) stays for the next one
    ss["auth_signed_out"] = True  # the cookie read at connection time is stale now
    ss["auth_cookie"] = ""
    if provider:  # Streamlit's provider cookie goes too, or the next visit would sign in again
        st.logout()  # the browser is sent to Streamlit's logout address, then back to the sign-in page
        st.stop()


def user_box() -> None:
    """Who is signed in (the operator of every change), with sign-out."""
    actor = current()
    if actor is None:
        return
    sb = st.sidebar
    sb.caption(f"当前用户：{actor.display_name}（{actor.role}" + (f"，{actor.unit}" if actor.unit else "") + "）")
    if sb.button("退出登录", key="auth_sign_out"):
        sign_out()
        st.rerun()
