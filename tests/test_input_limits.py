"""Limits and the UI's error boundary: a .docx zip bomb is refused from its declared sizes
before anything is inflated; limits and settings are read strictly (a bad value is an
error naming it); an unexpected error on a page is logged with its traceback and shown in
Chinese, never as a traceback."""

from __future__ import annotations

import time
import zipfile

import pytest

from onemap import settings
from onemap.cli import main
from tests.conftest import db_counts


def _bomb(path, inflated: int) -> None:
    """A .docx whose document.xml inflates to `inflated` bytes (about 1000:1)."""
    head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(head)
            chunk = b" " * (1 << 20)
            for _ in range(inflated // len(chunk)):
                f.write(chunk)
            f.write(b"</w:t></w:r></w:p></w:body></w:document>")


def test_docx_zip_bomb_is_refused_fast(demo_dir, tmp_path, capsys):
    bomb = tmp_path / "整改方案.docx"
    _bomb(bomb, 160 * 2**20)
    assert bomb.stat().st_size < 1_000_000
    before = db_counts()
    t0 = time.monotonic()
    code = main(["import-doc", str(bomb)])
    took = time.monotonic() - t0
    err = capsys.readouterr().err
    assert code == 1
    assert "文档“整改方案.docx”解压后过大（160 MB，上限 50 MB）" in err
    assert "Traceback" not in err
    assert took < 10, took  # refused from the declared sizes, nothing inflated
    assert db_counts() == before


def test_docx_limit_is_configurable(demo_dir, tmp_path, capsys, monkeypatch):
    small = tmp_path / "小.docx"
    _bomb(small, 3 * 2**20)
    monkeypatch.setenv("ONEMAP_LIMIT_DOC_UNZIPPED_BYTES", str(2 * 2**20))
    assert main(["import-doc", str(small), "--dry-run"]) == 1
    assert "上限 2 MB" in capsys.readouterr().err


@pytest.mark.parametrize("name, value, expected", [
    ("ONEMAP_LIMIT_UPLOAD_BYTES", "很多", "设置 ONEMAP_LIMIT_UPLOAD_BYTES=“很多”无效：应为整数"),
    ("ONEMAP_LIMIT_LEDGER_ROWS", "0", "设置 ONEMAP_LIMIT_LEDGER_ROWS=0 无效：不能小于 1"),
    ("ONEMAP_DUE_SOON_DAYS", "abc", "设置 ONEMAP_DUE_SOON_DAYS=“abc”无效：应为整数"),
])
def test_a_bad_setting_is_an_error_naming_it(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingError) as exc:
        settings.limits()
        settings.due_soon_days()
    assert str(exc.value) == expected


def _failing_page():
    import streamlit as st

    from ui import boundary

    class Page:
        title = "试验页"

        def run(self):
            st.write("页面开始")
            raise RuntimeError("internal detail 0xdeadbeef")

    class Refusing:
        title = "拒绝页"

        def run(self):
            from onemap.services import ServiceError

            raise ServiceError("该任务已销号，不能再变更")

    boundary.run(Page())
    boundary.run(Refusing())


def test_ui_boundary_logs_the_unexpected_and_shows_chinese(data_dir):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_failing_page, default_timeout=60).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors[0].startswith("系统错误：页面“试验页”的操作未完成，未写入任何数据。详细信息已记录在日志")
    assert "0xdeadbeef" not in errors[0] and "Traceback" not in errors[0]
    assert errors[1] == "该任务已销号，不能再变更"
    log = (data_dir / "logs" / "onemap.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "RuntimeError: internal detail 0xdeadbeef" in log


def test_export_html_on_an_empty_store(data_dir, tmp_path, capsys):
    out = tmp_path / "m.html"
    assert main(["export", str(out)]) == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert "<html" in page.lower() and "leaflet" in page.lower()


@pytest.mark.parametrize("name, edit, expected", [
    ("site_kinds.json", lambda d: d["kinds"][1].pop("geometry"), "site_kinds.json 中 kinds[1]：缺少键“geometry”"),
    ("site_kinds.json", lambda d: d["kinds"][0]["geometry"].append("Circle"),
     "site_kinds.json 中 kinds[0].geometry[2]：值“Circle”无效，可用：Point、LineString、Polygon"),
    ("site_kinds.json", lambda d: d["kinds"][2].update(name=d["kinds"][0]["name"]), "kinds：name“监测断面”重复"),
    ("categories.json", lambda d: d["categories"][0].update(keywords="大气"), "categories.json 中 categories[0].keywords：应为列表"),
    ("categories.json", lambda d: d.pop("default"), "categories.json 中 （顶层）：缺少键“default”"),
    ("regions.json", lambda d: d["360200"]["bureau"].update(lon="117.2"), "regions.json 中 360200.bureau.lon：应为数字"),
    ("regions.json", lambda d: d.update({"36020": {}}), "regions.json 中 （顶层）：“36020”格式不对"),
])
def test_config_files_are_checked_naming_file_and_key(tmp_path, monkeypatch, capsys, data_dir, name, edit, expected):
    import json
    import shutil

    from domain import categories
    from onemap import config, kinds

    cfg = tmp_path / "config"
    shutil.copytree(settings.CONFIG_DIR, cfg)
    d = json.loads((cfg / name).read_text(encoding="utf-8"))
    edit(d)
    (cfg / name).write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(settings, "CONFIG_DIR", cfg)
    for cached in (config.load, kinds.site_kinds, categories._config):
        cached.cache_clear()
    try:
        with pytest.raises(config.ConfigError) as exc:
            config.load(name)
        assert expected in str(exc.value)
        assert main(["import", str(tmp_path / "x.csv")]) in (1, 2)  # the CLI says it, no traceback
        err = capsys.readouterr().err
        assert "Traceback" not in err
    finally:
        for cached in (config.load, kinds.site_kinds, categories._config):
            cached.cache_clear()


def test_the_shipped_config_files_pass(tmp_path):
    from onemap import config

    for name in config.SCHEMAS:
        config.load.cache_clear()
        assert config.load(name)


def test_upload_size_limit_applies_to_every_import(demo_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ONEMAP_LIMIT_UPLOAD_BYTES", "1000")
    big = tmp_path / "点位.geojson"
    big.write_text('{"type": "FeatureCollection", "features": []}' + " " * 2000, encoding="utf-8")
    doc = tmp_path / "文件.txt"
    doc.write_text("一、" + "甲" * 2000, encoding="utf-8")
    before = db_counts()
    assert main(["import", str(big)]) == 1
    assert "文件过大（0 MB，上限 0 MB）" in capsys.readouterr().err
    assert main(["import-doc", str(doc)]) == 1
    assert "文件“文件.txt”过大" in capsys.readouterr().err
    assert db_counts() == before


def test_document_numbering_is_refused_by_name_before_the_database(demo_dir, tmp_path, capsys):
    doc = tmp_path / "要点.txt"
    doc.write_text("2030年生态环境保护工作要点\n一、大气污染防治\n1．推进工业企业超低排放改造。\n"
                   "1．开展扬尘专项整治。\n", encoding="utf-8")
    before = db_counts()
    assert main(["import-doc", str(doc), "--dry-run"]) == 1  # the dry run checks what the write checks …
    assert "条目编号重复" in capsys.readouterr().err
    assert main(["import-doc", str(doc)]) == 1  # … and the write refuses the repeated number by name
    err = capsys.readouterr().err
    assert "条目编号重复" in err and "Traceback" not in err and "系统错误" not in err, err
    doc.write_text("2030年生态环境保护工作要点\n一、大气污染防治\n1．推进工业企业超低排放改造。\n"
                   "2．开展扬尘专项整治。\n", encoding="utf-8")
    assert main(["import-doc", str(doc), "--name", "要点|2026"]) == 1
    assert "文件简称“要点|2026”不能含有“|”" in capsys.readouterr().err
    assert db_counts() == before
