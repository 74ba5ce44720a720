"""Desktop GIS access tokens (issue 17): made and revoked by the user on 我的账户 (AppTest) and by
`onemap user token create|list|revoke`; shown once, stored only as a SHA-256, the token accepted
by the service until revoked; refusals in Chinese that keep the typed name."""

from __future__ import annotations

import base64
import hashlib
import io
import sys

from sqlalchemy import text

from onemap import cli, ogc_api
from store.db import reader
from tests.conftest import account, page_test, sign_in


def _read(username: str, token: str) -> int:
    header = "Basic " + base64.b64encode(f"{username}:{token}".encode()).decode()
    return ogc_api.handle("GET", "/collections", {}, header, "127.0.0.1", "http://t/ogc").status


def _stored() -> list[tuple]:
    with reader() as s:
        return [tuple(r) for r in s.execute(text("SELECT name, prefix, token_hash, revoked_at FROM api_tokens "
                                                 "ORDER BY id"))]


def _cli(capsys, monkeypatch, *argv) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_token_commands(demo_dir, capsys, monkeypatch):
    who = account("领导（命令行）", role="领导")
    code, out, err = _cli(capsys, monkeypatch, "user", "token", "create", who, "--name", "张三的 QGIS")
    assert code == 0 and f"已为账户 {who} 创建访问令牌“张三的 QGIS”" in out
    token = out.splitlines()[1]
    assert token.startswith("om_") and len(token) > 40
    (name, prefix, digest, revoked), = _stored()
    assert (name, revoked) == ("张三的 QGIS", None) and digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(_stored()) and token.startswith(prefix)
    assert _read(who, token) == 200
    code, out, _ = _cli(capsys, monkeypatch, "user", "token", "list", who)
    assert code == 0 and "张三的 QGIS" in out and "有效" in out and token not in out
    tid = out.split("\t")[0]
    code, out, _ = _cli(capsys, monkeypatch, "user", "token", "revoke", who, tid)
    assert code == 0 and "已撤销" in out
    assert _read(who, token) == 401
    code, out, err = _cli(capsys, monkeypatch, "user", "token", "revoke", who, tid)
    assert code == 1 and "已于" in err and "撤销" in err and "Traceback" not in err
    auditor = account("审计员（命令行）", role="审计员")
    code, out, err = _cli(capsys, monkeypatch, "user", "token", "create", auditor, "--name", "x")
    assert code == 1 and err.strip() == "错误：“审计员”角色不能查看任务数据，访问令牌对其无用，未创建"
    code, _, err = _cli(capsys, monkeypatch, "user", "token", "create", "nobody", "--name", "x")
    assert code == 1 and "账户“nobody”不存在" in err
    with reader() as s:
        acts = [r[0] for r in s.execute(text("SELECT action FROM audit_log WHERE object_type = '访问令牌' ORDER BY id"))]
    assert acts == ["创建令牌", "撤销令牌"]


def test_a_user_makes_and_revokes_a_token_on_the_account_page(demo_dir):
    at = sign_in(page_test("tokens_view", signed_in=False), name="领导（页面）", role="领导").run()
    assert not at.exception
    at.button(key="FormSubmitter:token_create-创建访问令牌").click().run()
    assert [e.value for e in at.error] == ["未创建：请填写令牌名称（如 “我的 QGIS”），以便日后识别和撤销"]
    at.text_input(key="tok_name").input("我的 QGIS").run()
    at.text_input(key="tok_name").input("x" * 101)
    at.button(key="FormSubmitter:token_create-创建访问令牌").click().run()
    assert [e.value for e in at.error] == ["未创建：令牌名称不能超过 100 个字"]
    assert at.text_input(key="tok_name").value == "x" * 101  # the typed text stays
    at.text_input(key="tok_name").input("我的 QGIS")
    at.button(key="FormSubmitter:token_create-创建访问令牌").click().run()
    assert not at.exception and not at.error
    assert any("已创建访问令牌“我的 QGIS”" in s.value for s in at.success)
    assert at.text_input(key="tok_name").value == ""
    token = at.code[0].value
    (name, prefix, digest, _), = _stored()
    assert name == "我的 QGIS" and digest == hashlib.sha256(token.encode()).hexdigest()
    user = account("领导（页面）", role="领导")
    assert _read(user, token) == 200
    table = at.dataframe[0].value
    assert list(table["名称"]) == ["我的 QGIS"] and list(table["状态"]) == ["有效"]
    at.run()  # shown once: the next run no longer shows it
    assert not at.code and not any("已创建访问令牌" in s.value for s in at.success)
    revoke = next(b for b in at.button if b.label.startswith("撤销“我的 QGIS”"))
    revoke.click().run()  # asked once more: nothing revoked yet
    assert [w.value for w in at.warning] == [
        f"撤销访问令牌“我的 QGIS”（{prefix}…）？撤销后使用它的 QGIS/ArcGIS 连接立即被拒绝，且无法恢复。"]
    assert _read(user, token) == 200 and at.dataframe[0].value["状态"].iloc[0] == "有效"
    next(b for b in at.button if b.label == "取消").click().run()  # 取消: still valid, asked again next time
    assert not at.warning and _read(user, token) == 200
    next(b for b in at.button if b.label.startswith("撤销“我的 QGIS”")).click().run()
    next(b for b in at.button if b.label == "确认撤销").click().run()
    assert any("已撤销访问令牌“我的 QGIS”" in s.value for s in at.success)
    assert at.dataframe[0].value["状态"].iloc[0].startswith("已撤销")
    assert _read(user, token) == 401


