"""Who is acting: the signed-in account (or the command line), as the services see it.

Roles (等保2.0 三员分立 plus the 填报-审核 chain of the 一张图 platforms):
系统管理员 (accounts, settings), 业务管理员 (documents, layers, revisions, views, imports,
restores), 审核 (accepts or returns closing applications of the tasks whose 验收单位 is
its unit), 填报 (progress and applications for the tasks of its unit or county), 领导
(reads, presents, exports), 审计员 (reads the audit trail only)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

SYSADMIN = "系统管理员"
MANAGER = "业务管理员"
REVIEWER = "审核"
FILLER = "填报"
LEADER = "领导"
AUDITOR = "审计员"
ROLES: tuple[str, ...] = (SYSADMIN, MANAGER, REVIEWER, FILLER, LEADER, AUDITOR)
# the command line on the server (whoever has a shell there has the database anyway): data
# work only, never a task's status, always named in the audit trail with the OS account
CLI = "命令行"


@dataclass(frozen=True)
class Actor:
    username: str
    display_name: str
    role: str
    unit: str = ""
    county_code: str = ""  # 填报: the county (or city) whose units' tasks it may report on

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.unit}）" if self.unit else self.display_name

    @classmethod
    def command_line(cls, what: str = "命令行") -> Actor:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (containers)
            who = "unknown"
        return cls(username=f"os:{who}", display_name=f"{what}（{who}）", role=CLI)
