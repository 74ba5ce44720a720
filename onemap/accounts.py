"""Accounts and sign-in (等保: identification and authentication).

Passwords are hashed with argon2 (argon2-cffi, the reference implementation's binding) and
never stored or logged in clear. Rules: at least 10 characters of 3 of the 4 classes
(upper case, lower case, digits, other); 5 failed sign-ins lock the account for 15
minutes; an initial or reset password must be changed at the first sign-in; a browser
session ends after `ONEMAP_IDLE_MINUTES` (default 30) without activity. Every security
event leaves an audit row (onemap.audit)."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domain import permissions as perm
from domain.actors import ROLES, Actor
from onemap import audit, settings
from store import models as m
from store.db import reader, transaction

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_LENGTH = 10
_hasher = PasswordHasher()
# verified against when the account does not exist, so a wrong name takes as long as a wrong password
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A refusal with a Chinese message."""


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def password_problem(password: str) -> str | None:
    """None when the password meets the rules, else what is wrong (Chinese)."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    classes = [any(c.isupper() for c in password), any(c.islower() for c in password),
               any(c.isdigit() for c in password), any(not c.isalnum() for c in password)]
    if sum(classes) < 3:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
    return None


def actor_of(u: m.User) -> Actor:
    return Actor(u.username, u.display_name, u.role, u.unit or "", u.county_code or "")


def _hash(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    return _hasher.hash(password)


def _user(s: Session, username: str) -> m.User:
    u = s.scalar(select(m.User).where(m.User.username == username))
    if u is None:
        raise AccountError(f"账户“{username}”不存在")
    return u


def _snapshot(u: m.User) -> dict:
    return {"账户": u.username, "姓名": u.display_name, "角色": u.role, "单位": u.unit, "区县": u.county_code,
            "启用": bool(u.active)}


# ----------------------------------------------------------------------------- administration
def add_user(actor: Actor, username: str, display_name: str, role: str, password: str, *, unit: str = "",
             county_code: str = "", must_change: bool = True, demo: bool = False) -> Actor:
    perm.ensure(actor, perm.MANAGE_USERS)
    username, display_name = username.strip(), display_name.strip()
    if not username or not display_name:
        raise AccountError("账户名和姓名不能为空")
    if role not in ROLES:
        raise AccountError(f"未知角色“{role}”，可用：{'、'.join(ROLES)}")
    hashed = _hash(password)
    with transaction() as s:
        if s.scalar(select(m.User).where(m.User.username == username)) is not None:
            raise AccountError(f"账户“{username}”已存在")
        u = m.User(username=username, display_name=display_name, role=role, unit=unit.strip(),
                   county_code=county_code.strip(), password_hash=hashed, must_change=must_change, active=True,
                   failed=0, demo=demo, created_at=now())
        s.add(u)
        s.flush()
        audit.record(s, actor, audit.USER_ADDED, object_type="账户", object_id=username,
                     summary=f"新建账户 {username}（{role}）", after=_snapshot(u))
        return actor_of(u)


def bootstrap_admin(username: str, display_name: str, password: str, *, unit: str = "") -> Actor:
    """The first administrator (`onemap user add` on a store without one): by the command line."""
    from domain.actors import SYSADMIN

    cli = Actor.command_line()
    boot = Actor(cli.username, cli.display_name, SYSADMIN)
    return add_user(boot, username, display_name, SYSADMIN, password, unit=unit)


def has_admin() -> bool:
    from domain.actors import SYSADMIN

    with reader() as s:
        return s.scalar(select(m.User.id).where(m.User.role == SYSADMIN, m.User.active.is_(True))) is not None


def list_users(actor: Actor) -> list[dict]:
    perm.ensure(actor, perm.MANAGE_USERS)
    with reader() as s:
        return [{**_snapshot(u), "统一身份账号": u.sso_subject or "", "须改密码": bool(u.must_change),
                 "锁定至": u.locked_until if u.locked_until and u.locked_until > now() else None}
                for u in s.scalars(select(m.User).order_by(m.User.id))]


def disable_user(actor: Actor, username: str) -> None:
    perm.ensure(actor, perm.MANAGE_USERS)
    if username == actor.username:
        raise AccountError("不能停用自己的账户")
    with transaction() as s:
        u = _user(s, username)
        before = _snapshot(u)
        u.active = False
        s.execute(delete(m.UserSession).where(m.UserSession.user_id == u.id))
        audit.record(s, actor, audit.USER_DISABLED, object_type="账户", object_id=username,
                     summary=f"停用账户 {username}", before=before, after=_snapshot(u))


def reset_password(actor: Actor, username: str, password: str) -> None:
    """A new initial password: the user must change it at the next sign-in; the lock is lifted."""
    perm.ensure(actor, perm.MANAGE_USERS)
    hashed = _hash(password)
    with transaction() as s:
        u = _user(s, username)
        u.password_hash, u.must_change, u.failed, u.locked_until = hashed, True, 0, None
        s.execute(delete(m.UserSession).where(m.UserSession.user_id == u.id))
        audit.record(s, actor, audit.PASSWORD_RESET, object_type="账户", object_id=username,
                     summary=f"重置账户 {username} 的密码（下次登录须修改）")


def set_role(actor: Actor, username: str, role: str, *, unit: str | None = None,
             county_code: str | None = None) -> None:
    perm.ensure(actor, perm.MANAGE_USERS)
    if role not in ROLES:
        raise AccountError(f"未知角色“{role}”，可用：{'、'.join(ROLES)}")
    with transaction() as s:
        u = _user(s, username)
        before = _snapshot(u)
        u.role = role
        if unit is not None:
            u.unit = unit.strip()
        if county_code is not None:
            u.county_code = county_code.strip()
        s.execute(delete(m.UserSession).where(m.UserSession.user_id == u.id))
        audit.record(s, actor, audit.ROLE_CHANGED, object_type="账户", object_id=username,
                     summary=f"账户 {username} 角色 {before['角色']} → {role}", before=before, after=_snapshot(u))


# ----------------------------------------------------------------------------- sign-in
@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    token: str  # the browser keeps it (a cookie); the store keeps its SHA-256
    must_change: bool


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(username: str, password: str) -> SignedIn:
    """Check a password; refusals name no detail that tells a wrong name from a wrong password."""
    username = (username or "").strip()
    wrong = "账户名或密码错误"
    with transaction() as s:
        u = s.scalar(select(m.User).where(m.User.username == username))
        if u is None:
            with contextlib.suppress(VerificationError):
                _hasher.verify(_DUMMY, password or "")
            audit.record(s, None, audit.SIGN_IN_FAILED, object_type="账户", object_id=username,
                         summary="账户不存在", username=username)
            err = AccountError(wrong)
        elif not u.active:
            audit.record(s, actor_of(u), audit.SIGN_IN_FAILED, object_type="账户", object_id=username,
                         summary="账户已停用")
            err = AccountError("该账户已停用，请联系系统管理员")
        elif u.locked_until and u.locked_until > now():
            audit.record(s, actor_of(u), audit.SIGN_IN_FAILED, object_type="账户", object_id=username,
                         summary="账户锁定期间尝试登录")
            err = AccountError(f"连续 {MAX_FAILURES} 次密码错误，账户已锁定至 {u.locked_until:%H:%M}，请稍后再试"
                               "或联系系统管理员")
        else:
            try:
                _hasher.verify(u.password_hash, password or "")
            except (VerificationError, InvalidHashError):
                u.failed = (u.failed or 0) + 1
                audit.record(s, actor_of(u), audit.SIGN_IN_FAILED, object_type="账户", object_id=username,
                             summary=f"密码错误（连续第 {u.failed} 次）")
                if u.failed >= MAX_FAILURES:
                    u.locked_until, u.failed = now() + timedelta(minutes=LOCK_MINUTES), 0
                    audit.record(s, actor_of(u), audit.LOCKED, object_type="账户", object_id=username,
                                 summary=f"连续 {MAX_FAILURES} 次密码错误，锁定 {LOCK_MINUTES} 分钟")
                    err = AccountError(f"连续 {MAX_FAILURES} 次密码错误，账户已锁定 {LOCK_MINUTES} 分钟")
                else:
                    err = AccountError(wrong)
            else:
                if _hasher.check_needs_rehash(u.password_hash):
                    u.password_hash = _hasher.hash(password)
                u.failed, u.locked_until = 0, None
                token = secrets.token_urlsafe(32)
                s.add(m.UserSession(token_hash=_token_hash(token), user_id=u.id, created_at=now(), last_seen=now()))
                audit.record(s, actor_of(u), audit.SIGN_IN, object_type="账户", object_id=username,
                             summary="登录成功" + ("（须修改初始密码）" if u.must_change else ""))
                return SignedIn(actor_of(u), token, bool(u.must_change))
    raise err  # the failure and its audit rows are committed: a refusal must not roll them back


def idle_minutes() -> int:
    return settings.idle_minutes()


@dataclass(frozen=True)
class ActiveSession:
    actor: Actor
    must_change: bool


def resume(token: str | None, *, touch: bool = True) -> ActiveSession | None:
    """The account signed in with this browser token, or None (unknown, disabled, or idle past
    the timeout — then the session is ended and the time-out audited). Activity is written at
    most once a minute (a page runs its script on every click)."""
    return check(token, touch=touch)[0]


def check(token: str | None, *, touch: bool = True) -> tuple[ActiveSession | None, str]:
    """`resume`, with why there is no session: "" (signed in, or no token), "missing" (signed out,
    also in another tab of the browser, or ended by an administrator's change), "disabled", "idle"."""
    if not token:
        return None, ""
    th = _token_hash(token)
    with reader() as s:
        row = s.scalar(select(m.UserSession).where(m.UserSession.token_hash == th))
        u = s.get(m.User, row.user_id) if row is not None else None
    if row is None:
        return None, "missing"
    idle = now() - row.last_seen
    if u is None or not u.active or idle > timedelta(minutes=idle_minutes()):
        with transaction() as s:
            s.execute(delete(m.UserSession).where(m.UserSession.token_hash == th))
            if u is not None and u.active:
                audit.record(s, actor_of(u), audit.TIMED_OUT, object_type="账户", object_id=u.username,
                             summary=f"超过 {idle_minutes()} 分钟无操作，会话结束")
        return None, "idle" if u is not None and u.active else "disabled"
    if touch and idle >= timedelta(seconds=60):
        with transaction() as s:
            live = s.scalar(select(m.UserSession).where(m.UserSession.token_hash == th))
            if live is not None:
                live.last_seen = now()
    return ActiveSession(actor_of(u), bool(u.must_change)), ""


ENDED = {  # why a browser's session is over, as the sign-in page says it (see `check`)
    "missing": "登录已结束（已在本浏览器的其他窗口退出登录，或账户已被管理员变更），请重新登录。",
    "disabled": "账户已停用，已退出登录。如需使用请联系系统管理员。",
}


def ended_notice(reason: str) -> str:
    """The sign-in page's notice for `check`'s reason."""
    return ENDED.get(reason) or f"超过 {idle_minutes()} 分钟无操作，已退出登录，请重新登录。"


def sign_out(token: str | None, actor: Actor | None) -> None:
    if not token:
        return
    with transaction() as s:
        s.execute(delete(m.UserSession).where(m.UserSession.token_hash == _token_hash(token)))
        if actor is not None:
            audit.record(s, actor, audit.SIGN_OUT, object_type="账户", object_id=actor.username, summary="退出登录")


def change_password(actor: Actor, old: str, new: str) -> None:
    """The user's own password: the old one is checked, the new one must meet the rules and differ."""
    if new == old:
        raise AccountError("新密码不能与原密码相同")
    hashed = _hash(new)
    with transaction() as s:
        u = _user(s, actor.username)
        try:
            _hasher.verify(u.password_hash, old or "")
        except (VerificationError, InvalidHashError):
            raise AccountError("原密码不正确") from None
        u.password_hash, u.must_change, u.password_changed_at = hashed, False, now()
        audit.record(s, actor, audit.PASSWORD_CHANGED, object_type="账户", object_id=actor.username,
                     summary="修改密码")


def demo_accounts() -> list[dict]:
    """The demo accounts while the store holds the demo data (for the sign-in page), else []."""
    from onemap.demo import DEMO_ACCOUNTS
    from store import repo

    with reader() as s:
        if repo.get_meta(s, "demo") != "1":
            return []
        present = {u.username for u in s.scalars(select(m.User).where(m.User.demo.is_(True),
                                                                      m.User.active.is_(True)))}
    return [a for a in DEMO_ACCOUNTS if a["username"] in present]
