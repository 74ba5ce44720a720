"""Single sign-on (统一身份认证) onto the local accounts.

An organisation with an OpenID Connect provider configures Streamlit's own `st.login` (the
`[auth]` section of `.streamlit/secrets.toml`, outside the repository): Streamlit runs the
OIDC code flow with Authlib and keeps the provider's ID-token claims in its signed, HttpOnly
cookie. This module decides what those claims may do here, and only this:

- an identity signs in as the **local account bound to it** (`users.sso_subject` = the
  provider's `sub`), with that account's role, unit and county — the provider never grants a
  role; an unbound identity, or a bound but disabled account, is refused and audited;
- only a **fresh** provider sign-in opens a session (the ID token's `iat` within
  `FRESH_SECONDS`): Streamlit's cookie lives 30 days, and a session that timed out here
  (`ONEMAP_IDLE_MINUTES`) must not reopen itself from it — the user signs in at the provider
  again;
- the session is the same `user_sessions` row a password sign-in makes, so idle time-out,
  disabling and role changes act on both alike.

Binding an identity to an account is an administrator's act (`onemap user set-sso`, 账户
page), audited like every account change."""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping

from sqlalchemy import select

from domain import permissions as perm
from domain.actors import Actor
from onemap import audit
from onemap.accounts import AccountError, SignedIn, _snapshot, _token_hash, _user, actor_of, now
from store import models as m
from store.db import transaction

FRESH_SECONDS = 300  # a provider sign-in older than this opens no new session
MAX_SUBJECT = 255


def configured(secrets_obj: Mapping | None = None) -> bool:
    """True when `st.login` has what it needs (the `[auth]` section with a provider)."""
    if secrets_obj is None:
        import streamlit as st

        secrets_obj = st.secrets
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        auth = secrets_obj.get("auth")
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file at all: not configured
        return False
    if not auth:
        return False
    keys = set(auth.keys())
    single = {"client_id", "client_secret", "server_metadata_url"} <= keys
    named = any(isinstance(v, Mapping) and "client_id" in v for v in auth.values())
    return "redirect_uri" in keys and "cookie_secret" in keys and (single or named)


def _subject(claims: Mapping) -> str:
    return str(claims.get("sub") or "").strip()


def _who(claims: Mapping) -> str:
    """How the identity is named in a refusal and in the audit trail."""
    sub = _subject(claims)
    extra = claims.get("email") or claims.get("preferred_username") or claims.get("name") or ""
    return f"{sub}（{extra}）" if extra and extra != sub else sub


def sign_in(claims: Mapping, *, clock: float | None = None) -> SignedIn:
    """A session for the account bound to this provider identity, or AccountError (audited)."""
    sub = _subject(claims)
    clock = time.time() if clock is None else clock
    issued = claims.get("iat")
    who = _who(claims)
    with transaction() as s:
        u = s.scalar(select(m.User).where(m.User.sso_subject == sub)) if sub else None
        if not sub:
            reason, err = "统一身份认证未提供账号标识（sub）", AccountError("统一身份认证未提供账号标识，请联系系统管理员")
        elif not isinstance(issued, (int, float)) or clock - issued > FRESH_SECONDS or issued - clock > 60:
            reason = "统一身份认证的登录不是刚刚完成的（须重新认证）"
            err = AccountError("统一身份认证的登录已过期，请点击“使用统一身份认证登录”重新认证")
        elif u is None:
            reason = "统一身份账号未绑定本系统账户"
            err = AccountError(f"统一身份账号 {who} 尚未绑定本系统账户，请把这一行发给系统管理员办理绑定")
        elif not u.active:
            reason = "账户已停用"
            err = AccountError("该账户已停用，请联系系统管理员")
        else:
            token = secrets.token_urlsafe(32)
            s.add(m.UserSession(token_hash=_token_hash(token), user_id=u.id, created_at=now(), last_seen=now()))
            audit.record(s, actor_of(u), audit.SIGN_IN, object_type="账户", object_id=u.username,
                         summary=f"统一身份认证登录（{who}，{claims.get('iss') or '身份提供方'}）")
            # the initial password was never handed out to a bound identity: no forced change
            return SignedIn(actor_of(u), token, False)
        audit.record(s, actor_of(u) if u is not None else None, audit.SIGN_IN_FAILED, object_type="统一身份账号",
                     object_id=sub[:MAX_SUBJECT], summary=reason, username=u.username if u is not None else sub[:64])
    raise err  # the refusal's audit row is committed


def set_subject(actor: Actor, username: str, subject: str | None) -> None:
    """Bind an account to a provider identity (`sub`), or unbind it (None or "")."""
    perm.ensure(actor, perm.MANAGE_USERS)
    subject = (subject or "").strip() or None
    if subject is not None and (len(subject) > MAX_SUBJECT or any(c.isspace() for c in subject)):
        raise AccountError(f"统一身份账号标识须为不含空格、不超过 {MAX_SUBJECT} 个字符的一串文字")
    with transaction() as s:
        u = _user(s, username)
        if subject is not None:
            other = s.scalar(select(m.User).where(m.User.sso_subject == subject, m.User.id != u.id))
            if other is not None:
                raise AccountError(f"统一身份账号 {subject} 已绑定账户 {other.username}，一个身份只能绑定一个账户")
        before = {**_snapshot(u), "统一身份账号": u.sso_subject or ""}
        u.sso_subject = subject
        audit.record(s, actor, audit.SSO_BOUND, object_type="账户", object_id=username,
                     summary=(f"账户 {username} 绑定统一身份账号 {subject}" if subject
                              else f"账户 {username} 解除统一身份账号绑定"),
                     before=before, after={**_snapshot(u), "统一身份账号": subject or ""})
