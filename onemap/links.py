"""Task ↔ site links revised by hand (issue 19): a task that came in without links (a
document whose place names match no site), or with a wrong one, is linked from its panel.
The links are the map's colours, so the change is checked whole (the task exists and is
not a measure, every site exists), written in one transaction and audited with what was
added and removed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from domain import permissions as perm
from domain.actors import Actor
from onemap import audit
from onemap.services import ServiceError, ensure
from store import models as m
from store import repo
from store.db import transaction


@dataclass(frozen=True)
class LinksSaved:
    ref: str
    added: list[str]
    removed: list[str]
    total: int

    def message(self) -> str:
        if not self.added and not self.removed:
            return f"“{self.ref}”的关联点位没有变化（{self.total} 个）。"
        parts = ([f"新增 {'、'.join(self.added)}"] if self.added else []) + \
                ([f"移除 {'、'.join(self.removed)}"] if self.removed else [])
        return f"已保存“{self.ref}”的关联点位（共 {self.total} 个）：" + "；".join(parts) + "。"


def set_task_sites(actor: Actor, task_id: int, site_ids: list[str]) -> LinksSaved:
    """The task's linked sites become exactly `site_ids` (a top-level task: its measures
    share its places)."""
    ensure(actor, perm.REVISE)
    wanted = list(dict.fromkeys(str(i) for i in site_ids))
    with transaction() as s:
        task = s.get(m.Task, int(task_id))
        if task is None:
            raise ServiceError(f"任务 {task_id} 不存在")
        if task.parent_id is not None:
            raise ServiceError("整改措施随所属问题关联点位：请在所属问题上修改")
        names = dict(s.execute(select(m.Site.id, m.Site.name).where(m.Site.id.in_(wanted))).all())
        unknown = [i for i in wanted if i not in names]
        if unknown:
            raise ServiceError(f"点位不存在：{'、'.join(unknown)}")
        current = list(s.scalars(select(m.TaskSite.site_id).where(m.TaskSite.task_id == task.id)))
        gone = [i for i in current if i not in wanted]
        new = [i for i in wanted if i not in current]
        if gone:
            s.execute(delete(m.TaskSite).where(m.TaskSite.task_id == task.id, m.TaskSite.site_id.in_(gone)))
        for sid in new:
            repo.link_task_site(s, task.id, sid, matched_text="手动关联", confidence=1.0)
        all_names = dict(s.execute(select(m.Site.id, m.Site.name).where(m.Site.id.in_(current + new))).all())
        if new or gone:
            audit.record(s, actor, audit.REVISION, object_type="任务关联点位", object_id=task.ref,
                         summary=f"修改“{task.ref}”的关联点位：" + "；".join(
                             ([f"新增 {'、'.join(all_names.get(i, i) for i in new)}"] if new else [])
                             + ([f"移除 {'、'.join(all_names.get(i, i) for i in gone)}"] if gone else [])),
                         before={"sites": current}, after={"sites": wanted})
        return LinksSaved(task.ref, [all_names.get(i, i) for i in new], [all_names.get(i, i) for i in gone],
                          len(wanted))
