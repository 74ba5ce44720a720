"""Accounts: password rules, lockout after 5 failures for 15 minutes, the idle timeout, the
forced change of an initial password (service and UI), and the `onemap user` / `onemap task`
commands — refusals in Chinese, exit 1, no traceback, the password never echoed."""

from __future__ import annotations

import io
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text, update

from domain.actors import Actor
from onemap import accounts, cli
from store import models as m
from store.db import reader, transaction
from tests.conftest import TEST_PASSWORD, app_test

ADMIN = Actor("boot", "管理员", "系统管理员")
GOOD = "Abcdef-1234"


def _actions(username: str) -> list[str]:
    with reader() as s:
        return list(s.execute(text("SELECT action FROM audit_log WHERE username = :u ORDER BY id"),
                              {"u": username}).scalars())


@pytest.mark.parametrize(("password", "problem"), [
    ("Abc-123", "密码至少 10 位"), ("abcdefghijk", "至少三类"), ("abcdefgh12", "至少三类"),
    ("ABCDEFGH12", "至少三类"), ("abcdefgh-1", None), ("Abcdefghij1", None), ("生态环境Ab12345", None),
])
def test_password_rules(password, problem):
    got = accounts.password_problem(password)
    assert (got is None) if problem is None else (problem in got)


def test_no_password_in_clear_and_lockout_after_five_failures(data_dir):
    accounts.add_user(ADMIN, "li", "李某", "领导", GOOD)
    with reader() as s:
        stored = s.execute(text("SELECT password_hash FROM users WHERE username = 'li'")).scalar()
    assert stored.startswith("$argon2id$") and GOOD not in stored
    for _ in range(4):
        with pytest.raises(accounts.AccountError, match="^账户名或密码错误$"):
            accounts.sign_in("li", "wrong-Pass1")
    with pytest.raises(accounts.AccountError, match="连续 5 次密码错误，账户已锁定 15 分钟"):
        accounts.sign_in("li", "wrong-Pass1")
    with pytest.raises(accounts.AccountError, match="账户已锁定至"):  # the right password too
        accounts.sign_in("li", GOOD)
    assert _actions("li").count("登录失败") == 6 and _actions("li").count("账户锁定") == 1
    with transaction() as s:  # 15 minutes later
        s.execute(update(m.User).where(m.User.username == "li").values(
            locked_until=datetime.now() - timedelta(seconds=1)))
    assert accounts.sign_in("li", GOOD).actor.display_name == "李某"
    assert _actions("li")[-1] == "登录"
    with pytest.raises(accounts.AccountError, match="^账户名或密码错误$"):  # an unknown name: the same words
        accounts.sign_in("nobody", GOOD)
    assert _actions("nobody") == ["登录失败"]


def test_idle_timeout_ends_the_session(data_dir, monkeypatch):
    accounts.add_user(ADMIN, "li", "李某", "领导", GOOD)
    token = accounts.sign_in("li", GOOD).token
    assert accounts.resume(token).actor.username == "li"
    monkeypatch.setenv("ONEMAP_IDLE_MINUTES", "10")
    with transaction() as s:
        s.execute(update(m.UserSession).values(last_seen=datetime.now() - timedelta(minutes=9)))
    assert accounts.resume(token) is not None  # 9 minutes idle: still signed in
    with transaction() as s:
        s.execute(update(m.UserSession).values(last_seen=datetime.now() - timedelta(minutes=11)))
    assert accounts.resume(token) is None
    assert accounts.resume(token) is None  # the session is gone, not only refused once
    assert _actions("li")[-1] == "会话超时"


def test_timeout_in_the_app_shows_the_sign_in_page(demo_dir):
    at = app_test().run()
    assert not at.exception and any(c.value.startswith("当前用户：") for c in at.sidebar.caption)
    with transaction() as s:
        s.execute(update(m.UserSession).values(last_seen=datetime.now() - timedelta(minutes=31)))
    at.run()
    assert [m.value for m in at.markdown][0] == "### 生态环境一张图 · 登录"
    assert [i.value for i in at.info] == ["超过 30 分钟无操作，已退出登录，请重新登录。"]


def test_signed_out_in_another_tab_says_so_not_idle(demo_dir):
    """Two tabs of one browser share the session; 退出登录 in one: the other, at its next click,
    shows the sign-in page saying the sign-in ended (not that 30 minutes passed idle). A disabled
    account is told so."""
    first, second = app_test().run(), app_test()
    second.session_state["auth_token"] = first.session_state["auth_token"]
    second.run()
    assert any(c.value.startswith("当前用户：") for c in second.sidebar.caption)
    first.button(key="auth_sign_out").click().run()
    second.run()
    assert [m.value for m in second.markdown][0] == "### 生态环境一张图 · 登录"
    assert [i.value for i in second.info] == [
        "登录已结束（已在本浏览器的其他窗口退出登录，或账户已被管理员变更），请重新登录。"]

    third = app_test().run()
    with transaction() as s:
        s.execute(update(m.User).values(active=False))
    third.run()
    assert [i.value for i in third.info] == ["账户已停用，已退出登录。如需使用请联系系统管理员。"]


def test_initial_password_must_be_changed_first(demo_dir):
    accounts.add_user(ADMIN, "wang", "王某", "填报", GOOD, unit="乐平市生态环境局", county_code="360281")
    at = app_test(signed_in=False).run()
    at.text_input(key="si_user").input("wang")
    at.text_input(key="si_password").input(GOOD)
    at.button(key="FormSubmitter:sign_in-登录").click().run()
    assert not at.exception
    assert any("初始密码或被重置的密码" in w.value for w in at.warning)
    assert not at.expander and not at.dataframe  # nothing of the app before the change
    at.text_input(key="cp_old").input(GOOD)
    at.text_input(key="cp_new").input("short")
    at.text_input(key="cp_again").input("short")
    at.button(key="FormSubmitter:change_password-修改密码").click().run()
    assert [e.value for e in at.error] == ["未修改：密码至少 10 位"]
    at.text_input(key="cp_new").input("Newpass-2026")
    at.text_input(key="cp_again").input("Newpass-2026")
    at.button(key="FormSubmitter:change_password-修改密码").click().run()
    assert not at.exception and not at.error
    assert any(s.value == "密码已修改" for s in at.success)
    assert "当前用户：王某（填报，乐平市生态环境局）" in [c.value for c in at.sidebar.caption]
    with pytest.raises(accounts.AccountError):
        accounts.sign_in("wang", GOOD)
    assert accounts.sign_in("wang", "Newpass-2026").must_change is False


def _cli(capsys, monkeypatch, *argv, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_user_commands(data_dir, capsys, monkeypatch):
    code, out, err = _cli(capsys, monkeypatch, "user", "add", "chief", "--name", "张局", "--role", "系统管理员",
                          "--password-stdin", stdin="Admin-2026x\n")
    assert code == 0 and "已新建账户 chief（系统管理员），首次登录须修改密码" in out and "Admin-2026x" not in out + err
    code, out, err = _cli(capsys, monkeypatch, "user", "add", "lp", "--role", "填报", "--unit", "乐平市生态环境局",
                          "--county", "360281", "--password-stdin", stdin="weak\n")
    assert code == 1 and err.strip() == "错误：密码至少 10 位" and "Traceback" not in err
    code, out, err = _cli(capsys, monkeypatch, "user", "add", "lp", "--name", "刘某", "--role", "填报", "--unit",
                          "乐平市生态环境局", "--county", "360281", "--password-stdin", stdin="Leping-2026\n")
    assert code == 0
    code, out, _ = _cli(capsys, monkeypatch, "user", "list")
    assert out.splitlines() == ["chief\t张局\t系统管理员\t\t\t须改密码", "lp\t刘某\t填报\t乐平市生态环境局\t360281\t须改密码"]
    code, out, _ = _cli(capsys, monkeypatch, "user", "set-role", "lp", "--role", "审核", "--unit", "市整改办",
                        "--county", "")
    assert code == 0 and out.strip() == "账户 lp 的角色已改为 审核"
    code, out, _ = _cli(capsys, monkeypatch, "user", "reset-password", "lp", "--password-stdin", stdin="Reset-2026x\n")
    assert code == 0 and accounts.sign_in("lp", "Reset-2026x").must_change
    code, out, _ = _cli(capsys, monkeypatch, "user", "disable", "lp")
    assert code == 0
    with pytest.raises(accounts.AccountError, match="已停用"):
        accounts.sign_in("lp", "Reset-2026x")
    code, _, err = _cli(capsys, monkeypatch, "user", "disable", "ghost")
    assert code == 1 and err.strip() == "错误：账户“ghost”不存在"
    assert _actions(Actor.command_line().username) == ["新建账户", "新建账户", "变更角色", "重置密码", "停用账户"]


def test_task_status_command_goes_through_rules_permissions_and_audit(demo_dir, capsys, monkeypatch):
    ref = "省督察整改清单（十六）"  # 申请销号; 验收单位 include 市整改办
    with reader() as s:
        before = s.execute(text("SELECT count(*) FROM status_events")).scalar()
    code, _, err = _cli(capsys, monkeypatch, "task", "status", ref, "--to", "已销号", "--note", "x", "--user", "leping")
    assert code == 1 and err.strip() == "未登记：“填报”角色不能验收销号" and "Traceback" not in err
    code, _, err = _cli(capsys, monkeypatch, "task", "status", ref, "--to", "整改中", "--user", "reviewer")
    assert code == 1 and err.strip() == "未登记：不能从“申请销号”变更为“整改中”（可变更为：已销号、退回）"
    code, _, err = _cli(capsys, monkeypatch, "task", "status", "不存在的任务", "--to", "已销号", "--user", "reviewer")
    assert code == 1 and "找不到编号为“不存在的任务”的任务" in err
    code, out, _ = _cli(capsys, monkeypatch, "task", "status", ref, "--to", "已销号", "--note", "验收通过",
                        "--user", "reviewer")
    assert code == 0 and out.strip() == f"已登记：{ref} 申请销号 → 已销号（审核员（市整改办））"
    with reader() as s:
        assert s.execute(text("SELECT count(*) FROM status_events")).scalar() == before + 1
        last = s.execute(text("SELECT e.to_status, e.actor, e.actor_unit, e.actor_user, e.note FROM status_events e "
                              "JOIN tasks t ON t.id = e.task_id WHERE t.ref = :r ORDER BY e.seq DESC LIMIT 1"),
                         {"r": ref}).first()
        row = s.execute(text("SELECT username, action, object_id, client FROM audit_log ORDER BY id DESC LIMIT 1")
                        ).first()
    assert tuple(last) == ("已销号", "审核员", "市整改办", "reviewer", "验收通过")
    assert tuple(row)[:3] == ("reviewer", "状态变更", ref) and row[3].startswith("命令行 ")


def test_saved_passwords_and_new_accounts_leave_no_typed_secret_in_the_page(demo_dir):
    """Fresh-eyes trial: after 密码已修改 the three password boxes stayed filled, and after 新建 the
    account form kept every value, the initial password included (a second press tried the same
    account again). A refusal keeps what was typed."""
    from streamlit.util import calc_hash

    from domain import actors
    from tests.conftest import sign_in

    at = sign_in(app_test(signed_in=False), "系统管理员（测试）", "信息中心", actors.SYSADMIN).run()
    at._page_hash = calc_hash("accounts")
    at.run()
    for k, v in (("acc_username", "zhao"), ("acc_name", "赵某"), ("acc_unit", "市生态环境局"), ("acc_password", "short")):
        at.text_input(key=k).input(v)
    at.button(key="FormSubmitter:acc_add-新建").click().run()
    assert [e.value for e in at.error] == ["未新建：密码至少 10 位"]
    assert at.text_input(key="acc_username").value == "zhao" and at.text_input(key="acc_password").value == "short"
    at.text_input(key="acc_password").input(GOOD)
    at.button(key="FormSubmitter:acc_add-新建").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [f"已新建账户 zhao（{at.selectbox(key='acc_role').value}）"]
    assert [at.text_input(key=k).value for k in ("acc_username", "acc_name", "acc_unit", "acc_password")] == [""] * 4

    at._page_hash = calc_hash("password")
    at.run()
    at.text_input(key="cp_old").input(TEST_PASSWORD)
    at.text_input(key="cp_new").input("Newpass-2026")
    at.text_input(key="cp_again").input("Newpass-2026")
    at.button(key="FormSubmitter:change_password-修改密码").click().run()
    assert any(s.value == "密码已修改" for s in at.success)
    assert [at.text_input(key=k).value for k in ("cp_old", "cp_new", "cp_again")] == ["", "", ""]
