"""Task ledgers typed by clerks: parsed into the tree, bad rows refused with nothing written."""

import pandas as pd
import pytest

from ingest.report import ImportFailed
from onemap import services, settings
from store import queries
from store.db import reader
from tests.conftest import MANAGER_ACTOR, db_counts


def ledger(tmp_path, rows, name="台账.xlsx"):
    f = tmp_path / name
    pd.DataFrame(rows).to_excel(f, index=False)
    return f


@pytest.fixture()
def with_sites(data_dir):
    services.import_file(MANAGER_ACTOR, settings.DEMO_DIR / "sites.csv")
    return data_dir


def test_clerk_ledger_builds_a_tree(with_sites, tmp_path):
    f = ledger(tmp_path, [
        {"编号": "（一）", "问题/任务": "南河水质不稳定。需加强治理。", "整改目标": "稳定达到Ⅲ类", "整改时限": "2025年6月底前",
         "责任单位": "珠山区委、区政府", "验收单位": "市生态环境局", "关联点位": "南河河口"},
        {"编号": "（一）/1", "上级编号": "（一）", "问题/任务": "2024年底前，完成截污管网建设", "责任单位": "市住建局"},
        {"编号": "（一）/2", "上级编号": "（一）", "问题/任务": "加强巡查", "关联点位": "湖田桥、SEC-01"},
    ])
    out = services.import_file(MANAGER_ACTOR, f, document="2025年市级督办清单")
    assert out.kind == "ledger" and out.counts == {"文件": 1, "任务": 3}
    with reader() as s:
        t = queries.tasks_frame(s).set_index("ref")
    p = t.loc["2025年市级督办清单（一）"]
    assert p["level"] == "problem" and p["title"] == "南河水质不稳定" and str(p["deadline"]) == "2025-06-30"
    assert p["site_ids"] == ["SEC-01"] and p["unit_place_codes"] == ["360203"]
    m1 = t.loc["2025年市级督办清单（一）第1条"]
    assert m1["level"] == "measure" and str(m1["deadline"]) == "2025-06-30"  # inherited from the problem
    m2 = t.loc["2025年市级督办清单（一）第2条"]
    assert sorted(m2["site_ids"]) == ["SEC-01", "SEC-04"]


@pytest.mark.parametrize(("rows", "expected"), [
    ([{"序号": 1, "内容": "x"}], ("", "没有找到坐标列")),  # neither a site table nor a ledger
    ([{"编号": 1, "整改时限": "2024年底", "内容": "x"}], ("", "缺少必需的列")),
    ([{"编号": "1", "问题/任务": "甲"}, {"编号": "1", "问题/任务": "乙"}], (3, "编号在“台账”中重复")),
    ([{"编号": "1", "问题/任务": "甲", "整改时限": "尽快"}], (2, "整改时限无法识别")),
    ([{"编号": "1", "问题/任务": "甲", "关联点位": "不存在的点"}], (2, "关联点位不存在")),
    ([{"编号": "1", "问题/任务": "甲"}, {"编号": "2", "上级编号": "9", "问题/任务": "乙"}], (3, "上级编号不存在")),
    ([{"编号": "1", "问题/任务": "甲", "类别": "天文"}], (2, "未知类别")),
    ([{"编号": "", "问题/任务": "甲"}], (2, "编号为空")),
])
def test_bad_ledger_rows(with_sites, tmp_path, rows, expected):
    f = ledger(tmp_path, rows, "台账.xlsx")
    before = db_counts()
    with pytest.raises(ImportFailed) as exc:
        services.import_file(MANAGER_ACTOR, f)
    assert db_counts() == before
    assert (exc.value.report.errors[0].row, exc.value.report.errors[0].problem) == expected


def _links() -> dict[str, list[str]]:
    from sqlalchemy import text

    with reader() as s:
        rows = s.execute(text("SELECT t.uid, ts.site_id FROM task_sites ts JOIN tasks t ON t.id = ts.task_id "
                              "ORDER BY t.uid, ts.site_id")).all()
    out: dict[str, list[str]] = {}
    for uid, sid in rows:
        out.setdefault(uid, []).append(sid)
    return out


def test_a_ledger_of_a_document_already_in_the_store_revises_its_links(with_sites, tmp_path):
    """Issue 19: a ledger with 关联点位 for a document already imported was refused ("已导入过")
    although its preview had passed. It now sets the links of the tasks it names — the preview
    says the same as the import — and changes nothing else."""
    rows = [{"编号": "1", "问题/任务": "甲"}, {"编号": "2", "问题/任务": "乙", "关联点位": "南河河口"}]
    services.import_file(MANAGER_ACTOR, ledger(tmp_path, rows), document="督办清单")
    assert _links() == {"督办清单|main|2": ["SEC-01"]}
    before = db_counts()
    again = services.import_file(MANAGER_ACTOR, ledger(tmp_path, rows), document="督办清单")  # the same file
    assert (again.counts, again.written) == ({"文件": 1, "关联点位更新的任务": 0, "关联点位不变的任务": 1}, False)
    assert [w.problem for w in again.report.warnings] == [
        "库中已有该文件：本次只更新台账“关联点位”列所列任务的关联，任务内容与状态不变"]
    assert db_counts() == before
    rows[0]["关联点位"], rows[1]["关联点位"] = "湖田桥", "南河河口、湖田桥"
    f = ledger(tmp_path, rows, "台账（关联）.xlsx")
    dry = services.import_file(MANAGER_ACTOR, f, document="督办清单", dry_run=True)
    assert dry.counts == {"文件": 1, "关联点位更新的任务": 2, "关联点位不变的任务": 0}
    assert _links() == {"督办清单|main|2": ["SEC-01"]}  # the check wrote nothing
    services.import_file(MANAGER_ACTOR, f, document="督办清单")
    hutian = services_site_id("湖田桥")
    assert _links() == {"督办清单|main|1": [hutian], "督办清单|main|2": sorted(["SEC-01", hutian])}
    with pytest.raises(ImportFailed) as e:  # a number the document does not have: nothing changes
        services.import_file(MANAGER_ACTOR, ledger(tmp_path, [{"编号": "9", "问题/任务": "丙", "关联点位": "湖田桥"}],
                                                   "台账（错号）.xlsx"), document="督办清单")
    assert [(p.column, p.value, p.problem) for p in e.value.report.errors] == [("编号", "9", "库中“督办清单”没有这一编号的任务")]
    assert _links() == {"督办清单|main|1": [hutian], "督办清单|main|2": sorted(["SEC-01", hutian])}


def services_site_id(name: str) -> str:
    from sqlalchemy import text

    with reader() as s:
        return s.execute(text("SELECT id FROM sites WHERE name = :n"), {"n": name}).scalar()


def test_failure_during_the_write_leaves_no_task(with_sites, tmp_path, monkeypatch):
    """The document and its tasks are written, then linking the second site fails: the
    whole import is undone — no document, no task, no unit, no link left behind."""
    from store import repo

    f = ledger(tmp_path, [
        {"编号": "1", "问题/任务": "甲", "责任单位": "市新设局", "关联点位": "南河河口"},
        {"编号": "2", "问题/任务": "乙", "关联点位": "湖田桥"},
    ])
    before = db_counts()
    real, calls = repo.link_task_site, []

    def failing(s, task_id, site_id, *a, **kw):
        calls.append(site_id)
        if len(calls) == 2:
            raise OSError("连接中断")
        return real(s, task_id, site_id, *a, **kw)

    monkeypatch.setattr(repo, "link_task_site", failing)
    with pytest.raises(OSError, match="连接中断"):
        services.import_file(MANAGER_ACTOR, f, document="中断的台账")
    assert calls == ["SEC-01", "SEC-04"]  # the tasks were written and the first link made
    assert db_counts() == before
    monkeypatch.setattr(repo, "link_task_site", real)
    out = services.import_file(MANAGER_ACTOR, f, document="中断的台账")  # nothing half-imported blocks a retry
    assert out.counts == {"文件": 1, "任务": 2}
    after = db_counts()
    assert (after["tasks"] - before["tasks"], after["task_sites"] - before["task_sites"],
            after["documents"] - before["documents"], after["units"] - before["units"]) == (2, 2, 1, 1)
