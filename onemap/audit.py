"""安全审计: one append-only row per write and per security event — who (account, name,
role, unit), when, what (action, object, before/after where it applies) and from where
(the client address the app saw). Rows are written in the same transaction as the
write they record, so a write and its audit row commit or roll back together. The
database refuses UPDATE and DELETE on the table (migration 0004)."""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import permissions as perm
from domain.actors import Actor
from store import models as m
from store.db import reader

# the address of the browser behind the current script run (set by app.py each run)
client_address: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="")
# where the address is read when the run's own value is not set: a widget's callback runs in a
# fresh thread before the page (and its set()) does — the UI registers its reader here, so this
# module needs no Streamlit
_client_provider: Callable[[], str] | None = None


def set_client_provider(fn: Callable[[], str] | None) -> None:
    global _client_provider
    _client_provider = fn


def _client() -> str:
    got = client_address.get()
    if not got and _client_provider is not None:
        try:
            got = _client_provider() or ""
        except Exception:  # noqa: BLE001 - the record is written without an address rather than not at all
            got = ""
    return got

# action names as stored (Chinese: the auditor reads and filters them as they are)
SIGN_IN, SIGN_IN_FAILED, LOCKED, SIGN_OUT, TIMED_OUT = "登录", "登录失败", "账户锁定", "退出登录", "会话超时"
PASSWORD_CHANGED = "修改密码"
USER_ADDED, USER_DISABLED, PASSWORD_RESET, ROLE_CHANGED = "新建账户", "停用账户", "重置密码", "变更角色"
SSO_BOUND = "绑定统一身份"
STATUS_CHANGED, FINDING, TRIP = "状态变更", "检查发现", "检查计划"
IMPORTED, DOCUMENT, REVISION, RESTORED = "导入", "导入文件", "修订文件", "恢复"
EXPORTED, VIEWS_SAVED, SETTINGS = "导出", "保存视图", "设置"
DENIED = "拒绝操作"
TOKEN_CREATED, TOKEN_REVOKED = "创建令牌", "撤销令牌"  # desktop GIS access (onemap.tokens)
API_READ = "接口读取"  # a read of the OGC API – Features service (onemap.ogc_api)
REMOVED = "删除"


def record(s: Session, actor: Actor | None, action: str, *, object_type: str = "", object_id: str = "",
           summary: str = "", before: dict | None = None, after: dict | None = None,
           username: str | None = None) -> m.AuditEntry:
    """Append one row in the caller's transaction. `username` names the account of a
    security event without an actor (a failed sign-in)."""
    # cut to the columns' sizes (PostgreSQL refuses longer text; a typed user name can be anything)
    row = m.AuditEntry(at=datetime.now().replace(microsecond=0),
                       username=((actor.username if actor else username) or "")[:64],
                       display_name=(actor.display_name if actor else "")[:100], role=actor.role if actor else "",
                       unit=(actor.unit if actor else "")[:200], action=action, object_type=object_type[:32],
                       object_id=str(object_id)[:200], summary=summary, before=_plain(before), after=_plain(after),
                       client=_client()[:100])
    s.add(row)
    s.flush()
    return row


def _plain(value):
    return None if value is None else json.loads(json.dumps(value, ensure_ascii=False, default=str))


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    action: str = ""
    start: date | None = None
    end: date | None = None
    object_text: str = ""  # matches the object type, id or summary


COLUMNS = ["时间", "账户", "姓名", "角色", "单位", "操作", "对象类型", "对象", "摘要", "变更前", "变更后", "来源地址"]


def entries(actor: Actor | None, flt: AuditFilter = AuditFilter()) -> pd.DataFrame:
    """The audit trail for the auditor, newest first (refused for every other role)."""
    perm.ensure(actor, perm.READ_AUDIT)
    q = select(m.AuditEntry).order_by(m.AuditEntry.at.desc(), m.AuditEntry.id.desc())
    if flt.username:
        q = q.where(m.AuditEntry.username == flt.username)
    if flt.action:
        q = q.where(m.AuditEntry.action == flt.action)
    if flt.start:
        q = q.where(m.AuditEntry.at >= datetime.combine(flt.start, time.min))
    if flt.end:
        q = q.where(m.AuditEntry.at <= datetime.combine(flt.end, time.max))
    with reader() as s:
        rows = list(s.scalars(q))
    needle = flt.object_text.strip()
    out = []
    for r in rows:
        if needle and not any(needle in x for x in (r.object_type, r.object_id, r.summary)):
            continue
        out.append([r.at, r.username, r.display_name, r.role, r.unit, r.action, r.object_type, r.object_id,
                    r.summary, _text(r.before), _text(r.after), r.client])
    return pd.DataFrame(out, columns=COLUMNS)


# The record keeps stable machine keys; the auditor reads them in Chinese. Keys not listed
# (counts, table names) are Chinese already or shown as they are.
KEY_NAMES = {"region": "行政区划", "sha256": "文件SHA-256", "sites": "点位", "documents": "文件", "document_id": "文件编号",
             "filename": "文件名", "status": "状态", "version": "版本", "event_id": "状态记录编号", "note": "说明",
             "at": "时间", "files": "附件数", "views": "视图", "inspection_id": "检查任务编号", "stops": "检查点位",
             "inspectors": "检查人员", "text": "检查发现", "photos": "照片数", "schema_revision": "数据库版本"}


def _text(value) -> str:
    """A before/after record as the auditor reads it: 状态：整改中；版本：3."""
    if value is None:
        return ""
    if not isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)

    def one(v) -> str:
        if v is None:
            return "（无）"
        if isinstance(v, list):
            return "、".join(one(x) for x in v) or "（无）"
        if isinstance(v, dict):
            return "，".join(f"{KEY_NAMES.get(k, k)} {one(x)}" for k, x in v.items())
        return str(v)

    return "；".join(f"{KEY_NAMES.get(k, k)}：{one(v)}" for k, v in value.items())


def choices(actor: Actor | None) -> tuple[list[str], list[str]]:
    """(accounts, actions) that occur in the trail, for the filters."""
    perm.ensure(actor, perm.READ_AUDIT)
    with reader() as s:
        users = sorted(set(s.scalars(select(m.AuditEntry.username))))
        actions = sorted(set(s.scalars(select(m.AuditEntry.action))))
    return users, actions


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """The filtered trail as XLSX: times as 2026-11-24 03:00:00 text, every text cell text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from exports.cells import text_only

    wb = Workbook()
    ws = wb.active
    ws.title = "审计记录"
    ws.append(COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        ws.append([v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime) else ("" if v is None else str(v))
                   for v in row])
    for col, width in zip("ABCDEFGHIJKL", (20, 16, 10, 10, 20, 10, 10, 24, 40, 30, 30, 16), strict=True):
        ws.column_dimensions[col].width = width
    text_only(ws)
    wb.save(path)
    return Path(path)


def export_xlsx(actor: Actor | None, flt: AuditFilter, path: Path) -> Path:
    """Export the filtered trail (the export itself is recorded)."""
    from store.db import transaction

    frame = entries(actor, flt)
    write_xlsx(frame, path)
    with transaction() as s:
        record(s, actor, EXPORTED, object_type="审计记录", object_id=Path(path).name,
               summary=f"导出审计记录 {len(frame)} 条")
    return Path(path)
