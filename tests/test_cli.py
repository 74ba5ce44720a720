"""The `onemap` command line: a contract operators script against."""

import json
import os
import subprocess
import sys
from pathlib import Path

from onemap import settings
from onemap.cli import main
from tests.conftest import db_counts

ROOT = Path(__file__).resolve().parent.parent


def run(*args, env_dir: Path):
    env = {**os.environ, "ONEMAP_DATA_DIR": str(env_dir)}
    return subprocess.run([sys.executable, "-m", "onemap.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_help_is_chinese(data_dir):
    r = run("--help", env_dir=data_dir)
    assert r.returncode == 0
    for word in ("重建示例数据", "导入点位图层或任务台账", "导入任务文件", "ONEMAP_DATA_DIR"):
        assert word in r.stdout
    r = run("import", "--help", env_dir=data_dir)
    assert "--dry-run" in r.stdout and "--crs" in r.stdout and "--kind" in r.stdout


def test_import_doc_dry_run_json(data_dir):
    r = run("import-doc", str(settings.DEMO_DIR / "docs" / "004_rectification_list_provincial_inspection.txt"),
            "--dry-run", "--json", env_dir=data_dir)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"items", "warnings"}
    assert len(out["items"]) == 40 and out["warnings"] == []
    first = out["items"][0]
    assert {"number", "title", "deadline", "units", "acceptance_units", "children"} <= set(first)
    assert first["deadline"] == {"text": "立行立改，长期坚持", "date": None, "ongoing": True}
    m = out["items"][15]["children"][2]
    assert m["deadline"] == {"text": "2023年底前", "date": "2023-12-31", "ongoing": False}
    assert m["units"] == ["市住建局"]
    assert set(m) >= {"number", "title", "deadline", "units", "acceptance_units", "children"}
    assert db_counts()["tasks"] == 0  # dry run wrote nothing


def test_import_doc_writes_and_refuses_a_second_time(data_dir, capsys):
    doc = str(settings.DEMO_DIR / "docs" / "000_work_points_2026.txt")
    assert main(["import-doc", doc]) == 0
    n = db_counts()["tasks"]
    assert n == 51
    assert main(["import-doc", doc]) == 1
    assert "已导入过" in capsys.readouterr().err
    assert db_counts()["tasks"] == n


def test_import_failure_exit_code_and_report(data_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("名称,类型,经度,纬度\n甲,监测断面,29.3,117.2\n", encoding="utf-8")
    r = run("import", str(bad), env_dir=data_dir)
    assert r.returncode != 0
    assert "导入失败" in r.stderr and "第2行" in r.stderr and "填反" in r.stderr
    assert db_counts()["sites"] == 0
    good = tmp_path / "good.csv"
    good.write_text("名称,类型,经度,纬度\n甲,监测断面,117.2,29.3\n", encoding="utf-8")
    r = run("import", str(good), "--dry-run", env_dir=data_dir)
    assert r.returncode == 0 and "预览" in r.stdout and db_counts()["sites"] == 0
    r = run("import", str(good), env_dir=data_dir)
    assert r.returncode == 0 and db_counts()["sites"] == 1


def test_export_by_extension(demo_dir, tmp_path):
    assert main(["export", str(tmp_path / "a.gpkg")]) == 0
    assert main(["export", str(tmp_path / "a.xlsx"), "--as-of", "2025-01-01"]) == 0
    assert main(["export", str(tmp_path / "a.pdf")]) == 1
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "a.xlsx").active
    assert ws["A1"].value.endswith("（数据截至 2025年1月1日）")
    headers = [c.value for c in ws[3]]
    assert headers[:5] == ["来源文件", "编号", "上级编号", "层级", "问题/任务"]
    assert ws.max_row == 3 + 40 + 124  # the 2026 work points did not exist yet on that date
