"""Access tokens for desktop GIS clients (QGIS, ArcGIS) reading the OGC API – Features
service (onemap.ogc_api): per user, made and revoked by the user on the account page or by
`onemap user token`, shown once and stored only as a SHA-256 (a 256-bit random token needs
no slow hash: it cannot be guessed from a dictionary, the session tokens are kept the same
way). A token carries no rights of its own: every request is checked against the account's
current role, county and state, so disabling an account or changing its role takes effect at
the next request. Every creation and revocation leaves an audit row."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from domain import permissions as perm
from domain.actors import Actor
from onemap import audit
from onemap.accounts import AccountError, actor_of
from store import models as m
from store.db import reader, transaction

PREFIX = "om_"
NAME_MAX = 100
TOUCH_SECONDS = 60  # last use written at most once a minute (a client pages through many requests)


class TokenRefused(PermissionError):
    """No valid token: the request is answered 401 with this Chinese reason."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _owner(s, actor: Actor, username: str) -> m.User:
    """The account whose tokens `actor` manages: its own, or any (系统管理员)."""
    username = (username or actor.username).strip()
    if username != actor.username:
        perm.ensure(actor, perm.MANAGE_USERS)
    u = s.scalar(select(m.User).where(m.User.username == username))
    if u is None:
        raise AccountError(f"账户“{username}”不存在")
    return u


def create(actor: Actor, name: str, *, username: str = "") -> str:
    """A new token for `username` (default: the actor's own account); the clear token is
    returned once and never stored. Refused for an account that may not read task data."""
    name = (name or "").strip()
    if not name:
        raise AccountError("请填写令牌名称（如 “我的 QGIS”），以便日后识别和撤销")
    if len(name) > NAME_MAX:
        raise AccountError(f"令牌名称不能超过 {NAME_MAX} 个字")
    with transaction() as s:
        u = _owner(s, actor, username)
        if not u.active:
            raise AccountError(f"账户“{u.username}”已停用，不能创建令牌")
        reason = perm.why_not(actor_of(u), perm.VIEW)
        if reason:
            raise perm.Refused(f"{reason}，访问令牌对其无用，未创建")
        token = PREFIX + secrets.token_urlsafe(32)
        row = m.ApiToken(user_id=u.id, name=name, prefix=token[:10], token_hash=_hash(token), created_at=_now(),
                         created_by=actor.username[:64])
        s.add(row)
        s.flush()
        audit.record(s, actor, audit.TOKEN_CREATED, object_type="访问令牌", object_id=f"{u.username}#{row.id}",
                     summary=f"为账户 {u.username} 创建访问令牌“{name}”（{row.prefix}…）",
                     after={"账户": u.username, "令牌": name, "编号": row.id})
        return token


def listing(actor: Actor, *, username: str = "") -> list[dict]:
    """The account's tokens, newest first (never the token itself)."""
    with reader() as s:
        u = _owner(s, actor, username)
        rows = s.scalars(select(m.ApiToken).where(m.ApiToken.user_id == u.id).order_by(m.ApiToken.id.desc()))
        return [{"编号": r.id, "名称": r.name, "开头": r.prefix + "…", "创建时间": r.created_at,
                 "最近使用": r.last_used_at, "撤销时间": r.revoked_at, "有效": r.revoked_at is None} for r in rows]


def revoke(actor: Actor, token_id: int, *, username: str = "") -> str:
    """Revoke one of the account's tokens; returns its name. A revoked token stays listed."""
    with transaction() as s:
        u = _owner(s, actor, username)
        row = s.get(m.ApiToken, int(token_id))
        if row is None or row.user_id != u.id:
            raise AccountError(f"账户 {u.username} 没有编号为 {token_id} 的访问令牌")
        if row.revoked_at is not None:
            raise AccountError(f"访问令牌“{row.name}”已于 {row.revoked_at:%Y-%m-%d %H:%M} 撤销")
        row.revoked_at = _now()
        audit.record(s, actor, audit.TOKEN_REVOKED, object_type="访问令牌", object_id=f"{u.username}#{row.id}",
                     summary=f"撤销账户 {u.username} 的访问令牌“{row.name}”（{row.prefix}…）",
                     before={"账户": u.username, "令牌": row.name, "编号": row.id})
        return row.name


def authenticate(token: str | None, username: str | None = None) -> Actor:
    """The account a request's token belongs to (HTTP Basic: `username` must be its owner;
    Bearer: the token alone). Raises TokenRefused with the Chinese reason."""
    if not token:
        raise TokenRefused("需要身份验证：请以账户名和访问令牌（HTTP Basic）或 Bearer 令牌访问")
    th = _hash(token)
    with reader() as s:
        row = s.scalar(select(m.ApiToken).where(m.ApiToken.token_hash == th))
        u = s.get(m.User, row.user_id) if row is not None else None
    if row is None or u is None or row.revoked_at is not None or (username and username.strip() != u.username):
        raise TokenRefused("访问令牌无效或已撤销（HTTP Basic 的密码处请填访问令牌，不是登录密码）")
    if not u.active:
        raise TokenRefused("该账户已停用，访问令牌不再有效")
    if row.last_used_at is None or _now() - row.last_used_at >= timedelta(seconds=TOUCH_SECONDS):
        with transaction() as s:
            live = s.get(m.ApiToken, row.id)
            if live is not None:
                live.last_used_at = _now()
    return actor_of(u)
