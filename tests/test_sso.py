"""Single sign-on (onemap.sso): a provider identity signs in only as the local account bound to
it, only right after the provider's sign-in, never as a disabled account; binding is an
administrator's act; every outcome leaves exactly one audit row (checked by a plain query)."""

from __future__ import annotations

import io
import sys
import time

import pytest
from sqlalchemy import text

from domain.actors import Actor
from onemap import accounts, cli, sso
from onemap.accounts import AccountError
from tests.conftest import account

ADMIN = Actor("boot", "管理员", "系统管理员")
NOW = 1_800_000_000.0


def _audit() -> list[tuple[str, str, str]]:
    from store.db import reader

    with reader() as s:
        return [tuple(r) for r in s.execute(text("SELECT action, object_id, summary FROM audit_log ORDER BY id"))]


def _claims(sub: str, age: float = 5, **extra) -> dict:
    return {"sub": sub, "iat": NOW - age, "iss": "http://idp.example", **extra}


def test_configured_needs_redirect_cookie_secret_and_a_provider():
    full = {"redirect_uri": "http://h/oauth2callback", "cookie_secret": "s", "client_id": "c",
            "client_secret": "x", "server_metadata_url": "http://idp/.well-known/openid-configuration"}
    assert sso.configured({"auth": full})
    assert not sso.configured({})
    assert not sso.configured({"auth": {k: v for k, v in full.items() if k != "cookie_secret"}})
    named = {"redirect_uri": "http://h/oauth2callback", "cookie_secret": "s",
             "gov": {"client_id": "c", "client_secret": "x", "server_metadata_url": "http://idp/x"}}
    assert sso.configured({"auth": named})


def test_bound_identity_signs_in_as_its_account_with_its_role(data_dir):
    user = account("张审核", role="审核", unit="市整改办")
    sso.set_subject(ADMIN, user, "zhang.san")
    before = len(_audit())
    done = sso.sign_in(_claims("zhang.san", email="zs@example.gov.cn"), clock=NOW)
    assert (done.actor.username, done.actor.role, done.actor.unit) == (user, "审核", "市整改办")
    assert done.must_change is False
    assert accounts.resume(done.token).actor.username == user  # the same kind of session as a password one
    rows = _audit()[before:]
    assert len(rows) == 1 and rows[0][0] == "登录" and "统一身份认证登录" in rows[0][2] and "zs@example" in rows[0][2]


@pytest.mark.parametrize(("claims", "message", "reason"), [
    (_claims("nobody"), "尚未绑定本系统账户", "未绑定"),
    (_claims("zhang.san", age=sso.FRESH_SECONDS + 1), "已过期", "不是刚刚完成"),
    (_claims("zhang.san", age=-600), "已过期", "不是刚刚完成"),  # issued in the future: a wrong clock
    ({"sub": "zhang.san", "iss": "x"}, "已过期", "不是刚刚完成"),  # no iat at all
    (_claims(""), "未提供账号标识", "未提供"),
])
def test_refusals_open_no_session_and_are_audited(data_dir, claims, message, reason):
    user = account("张审核", role="审核")
    sso.set_subject(ADMIN, user, "zhang.san")
    before = len(_audit())
    with pytest.raises(AccountError, match=message):
        sso.sign_in(claims, clock=NOW)
    rows = _audit()[before:]
    assert len(rows) == 1 and rows[0][0] == "登录失败" and reason in rows[0][2]
    from store.db import reader

    with reader() as s:
        assert s.execute(text("SELECT COUNT(*) FROM user_sessions")).scalar() == 0


def test_a_disabled_account_cannot_sign_in_through_its_identity(data_dir):
    user = account("王填报", role="填报", unit="乐平市生态环境局", county="360281")
    sso.set_subject(ADMIN, user, "wang")
    accounts.disable_user(ADMIN, user)
    with pytest.raises(AccountError, match="已停用"):
        sso.sign_in(_claims("wang"), clock=NOW)


def test_binding_is_for_administrators_unique_and_audited(data_dir):
    a, b = account("甲", role="领导"), account("乙", role="领导")
    with pytest.raises(PermissionError):
        sso.set_subject(Actor("x", "某领导", "领导"), a, "jia")
    sso.set_subject(ADMIN, a, "jia")
    with pytest.raises(AccountError, match=f"已绑定账户 {a}"):
        sso.set_subject(ADMIN, b, "jia")
    with pytest.raises(AccountError, match="不含空格"):
        sso.set_subject(ADMIN, b, "has space")
    sso.set_subject(ADMIN, a, "")  # unbinding frees the identity
    sso.set_subject(ADMIN, b, "jia")
    bound = [r for r in _audit() if r[0] == "绑定统一身份"]
    assert [r[1] for r in bound] == [a, a, b]
    assert [u["统一身份账号"] for u in accounts.list_users(ADMIN) if u["账户"] in (a, b)] == ["", "jia"]


def test_cli_set_sso_binds_and_lists(data_dir, monkeypatch, capsys):
    user = account("张审核", role="审核")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert cli.main(["user", "set-sso", user, "zhang.san"]) == 0
    assert f"账户 {user} 已绑定统一身份账号 zhang.san" in capsys.readouterr().out
    assert cli.main(["user", "list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(user))
    assert line.endswith("统一身份 zhang.san")
    assert cli.main(["user", "set-sso", "nobody", "x"]) == 1
    err = capsys.readouterr().err
    assert "账户“nobody”不存在" in err and "Traceback" not in err
    done = sso.sign_in({"sub": "zhang.san", "iat": time.time()})  # the real clock
    assert done.actor.username == user


def test_accounts_page_binds_an_identity_confirms_by_name_and_keeps_a_refused_one(demo_dir):
    """账户 page: 绑定统一身份账号 confirms naming account and identity (the store holds it); a
    refusal (the identity is another account's) says why and keeps what was typed."""
    from streamlit.util import calc_hash

    from domain import actors
    from store import models as m
    from store.db import reader
    from tests.conftest import app_test, sign_in

    at = sign_in(app_test(signed_in=False), "系统管理员（测试）", "信息中心", actors.SYSADMIN).run()
    at._page_hash = calc_hash("accounts")
    at.run()
    first = at.selectbox(key="acc_pick").value
    with reader() as s:
        roles = dict(s.query(m.User.username, m.User.role).all())
    assert at.selectbox(key="acc_new_role").value == roles[first]  # not 系统管理员 by default
    assert any("统一身份认证尚未配置" in c.value for c in at.caption)  # no [auth] in this test's secrets
    at.selectbox(key="acc_pick").select("reviewer").run()
    assert at.selectbox(key="acc_new_role").value == roles["reviewer"] == "审核"
    at.text_input(key="acc_sso").input("zhang.san")
    at.button(key="acc_bind_sso").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["账户 reviewer 已绑定统一身份账号 zhang.san"]
    with reader() as s:
        assert s.query(m.User.sso_subject).filter(m.User.username == "reviewer").scalar() == "zhang.san"
    at.selectbox(key="acc_pick").select("leping")
    at.button(key="acc_bind_sso").click().run()
    assert [e.value for e in at.error] == ["未完成：统一身份账号 zhang.san 已绑定账户 reviewer，一个身份只能绑定一个账户"]
    assert at.text_input(key="acc_sso").value == "zhang.san"
    with reader() as s:
        assert s.query(m.User.sso_subject).filter(m.User.username == "leping").scalar() is None
