"""Document readers, one format at a time, on documents built here as they are published:
PDF with a text layer (fpdf2, Noto Sans CJK SC, running header, page-number footers),
Word with Word's own numbering (numbering.xml, restarts, levels), Word tables (title rows
above the header, merged group rows, a problem over several rows), legacy .doc through
LibreOffice, and the refusals (scan, OFD, broken files) in Chinese."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from domain.places import PlaceSet
from domain.units import UnitParser
from ingest.docparse import READERS, DocParseError, parse_document, parse_lines, suffixes
from ingest.docparse.readers import read_blocks
from tests.doc_builders import NumberedDocx, pdf_from_lines, scanned_pdf

GANZHOU = PlaceSet.from_dict({
    "adcode": "360700", "name": "赣州市",
    "counties": [{"adcode": "360702", "name": "章贡区"}, {"adcode": "360703", "name": "南康区"},
                 {"adcode": "360704", "name": "赣县区"}],
    "zones": [{"code": "360700-Z01", "name": "赣州经开区"}],
})
UP = UnitParser(GANZHOU)

RECT = """赣州市贯彻落实中央生态环境保护督察反馈意见整改方案
附件
整改清单
一、大气污染防治不到位
（一）中心城区扬尘污染问题突出，建筑工地管控不到位，部分工地未落实“六个百分百”要求，渣土运输车辆沿途撒漏现象时有发生，群众反映强烈。
整改目标：建筑工地扬尘防治“六个百分百”落实到位。
整改时限：2025年12月底前
整改措施：
1.2025年6月底前，完成全市在建工地扬尘在线监测全覆盖，对监测数据超标的工地实行约谈、通报和限期整改。〔责任单位：市住建局，章贡区委、区政府〕
2.加强渣土运输车辆管理，严查沿途撒漏，对违规车辆依法处罚，建立渣土运输企业信用评价制度。〔责任单位：市城管局，南康区委、区政府〕
验收单位：市住建局
（二）工业园区挥发性有机物治理滞后。
整改目标：园区VOCs排放有效控制。
整改时限：立行立改，长期坚持
整改措施：
1.开展园区VOCs走航监测，建立问题清单，逐项明确整改责任和完成时限。〔责任单位：市生态环境局〕
2.2024年底前，完成重点企业治理设施升级改造。〔责任单位：赣州经开区党工委、管委会〕
验收单位：市生态环境局
二、水污染防治推进缓慢
（三）章江部分河段水质不稳定。
整改目标：章江出境断面稳定达到Ⅱ类。
整改时限：2026年6月前
整改措施：
1.2025年底前，完成沿江排污口整治。〔责任单位：章贡区委、区政府，赣县区委、区政府〕
验收单位：市生态环境局"""


def signature(doc) -> list[tuple]:
    return [(n.ref, n.level, n.title, n.body, [u.name for u in n.units], [u.name for u in n.acceptance_units],
             n.deadline.date, n.deadline.ongoing, n.group) for it in doc.items for n in it.walk()]


@pytest.fixture(scope="module")
def clean_doc():
    doc = parse_lines(RECT.splitlines(), UP)
    assert doc.warnings == []
    assert [it.ref for it in doc.items] == ["中央督察整改清单（一）", "中央督察整改清单（二）", "中央督察整改清单（三）"]
    return doc


# ----------------------------------------------------------------------------- registry
def test_registry_lists_the_same_formats_everywhere(capsys):
    from onemap.cli import main

    assert suffixes() == ["pdf", "docx", "txt", "md", "text", "doc", "wps", "ofd"]
    with pytest.raises(SystemExit):
        main(["import-doc", "--help"])
    help_text = capsys.readouterr().out
    for r in READERS:
        assert r.label in help_text
        for s in r.suffixes:
            assert s in help_text
    source = (Path(__file__).resolve().parent.parent / "ui" / "views" / "data_view.py").read_text(encoding="utf-8")
    assert "type=suffixes()" in source  # the uploader accepts exactly the registered formats


def test_unknown_format_names_the_formats(tmp_path):
    f = tmp_path / "x.xyz"
    f.write_text("一、测试", encoding="utf-8")
    with pytest.raises(DocParseError) as e:
        parse_document(f, UP)
    assert str(e.value) == ("不支持的文件类型“.xyz”：请使用 .pdf、.docx、.txt、.md、.text、.doc、.wps、.ofd")


# ----------------------------------------------------------------------------- PDF
@pytest.fixture(scope="module")
def rect_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "rect.pdf"
    return pdf_from_lines(RECT.splitlines(), path, header="赣州市人民政府文件", footer="— {n} —", font_size=18)


def test_pdf_with_text_layer_reads_like_the_text(rect_pdf, clean_doc):
    blocks = read_blocks(rect_pdf)
    assert {b.page for b in blocks} == {1, 2}
    doc = parse_document(rect_pdf, UP)
    assert doc.source_format == ".pdf"
    assert signature(doc) == signature(clean_doc)
    assert [w["message"] for w in doc.warnings] == ["已去除页码 2 处（第1页、第2页）",
                                                   "已去除页眉/页脚 2 行：“赣州市人民政府文件”"]
    assert [w["page"] for w in doc.warnings] == [1, 1]


def test_pdf_warning_names_its_page(tmp_path):
    lines = RECT.splitlines()
    lines.insert(3, "整改时限：2025年底前")  # before the first problem: cannot be placed
    doc = parse_document(pdf_from_lines(lines, tmp_path / "w.pdf", footer=""), UP)
    assert [(w["page"], w["message"]) for w in doc.warnings] == [(1, "字段出现在第一个问题之前，未能归属，已忽略")]


def test_scanned_pdf_needs_ocr(tmp_path):
    with pytest.raises(DocParseError) as e:
        parse_document(scanned_pdf(tmp_path / "scan.pdf"), UP)
    assert "扫描件" in str(e.value) and "OCR" in str(e.value)


@pytest.mark.parametrize("content", [b"%PDF-1.4\n%broken", b"not a pdf at all", b""])
def test_broken_pdf_is_refused_in_chinese(tmp_path, content):
    f = tmp_path / "bad.pdf"
    f.write_bytes(content)
    with pytest.raises(DocParseError) as e:
        parse_document(f, UP)
    assert str(e.value) == "无法读取 PDF：文件不是有效的 PDF，或已损坏"


# ----------------------------------------------------------------------------- Word numbering
def _numbered_rectification(path: Path) -> Path:
    d = NumberedDocx()
    outline = d.abstract([("chineseCounting", "%1、"), ("chineseCounting", "（%2）")])
    measures = d.abstract([("decimal", "%1.")])
    o = d.num(outline)
    d.para("赣州市贯彻落实中央生态环境保护督察反馈意见整改方案")
    d.para("大气污染防治不到位", o, 0)
    d.para("中心城区扬尘污染问题突出。", o, 1)
    for line in ("整改目标：扬尘防治落实到位。", "整改时限：2025年12月底前", "整改措施："):
        d.para(line)
    m = d.num(measures)
    d.para("完成在线监测全覆盖。〔责任单位：市住建局〕", m)
    d.para("加强渣土车管理。〔责任单位：市城管局〕", m)
    d.para("验收单位：市住建局")
    d.para("工业园区VOCs治理滞后。", o, 1)
    for line in ("整改目标：排放有效控制。", "整改时限：2026年6月底前", "整改措施："):
        d.para(line)
    m = d.num(measures, restart=True)
    d.para("开展走航监测。〔责任单位：市生态环境局〕", m)
    d.para("2025年底前，完成治理设施升级。〔责任单位：赣州经开区党工委、管委会〕", m)
    d.para("验收单位：市整改办负责第1条，市生态环境局负责第2条")
    d.para("水污染防治推进缓慢", o, 0)  # level 0 again: the level-1 numbers restart at （一）
    d.para("章江部分河段水质不稳定。", o, 1)
    for line in ("整改目标：稳定达到Ⅱ类。", "整改时限：2026年6月前", "整改措施："):
        d.para(line)
    m = d.num(measures, restart=True)
    d.para("完成排污口整治。〔责任单位：章贡区委、区政府〕", m)
    d.para("验收单位：市生态环境局")
    return d.save(path)


def test_word_numbering_is_rendered_with_levels_and_restarts(tmp_path):
    path = _numbered_rectification(tmp_path / "n.docx")
    texts = [(b.level, b.text) for b in read_blocks(path) if b.level is not None]
    assert texts == [
        (0, "一、大气污染防治不到位"), (1, "（一）中心城区扬尘污染问题突出。"),
        (0, "1.完成在线监测全覆盖。〔责任单位：市住建局〕"), (0, "2.加强渣土车管理。〔责任单位：市城管局〕"),
        (1, "（二）工业园区VOCs治理滞后。"),
        (0, "1.开展走航监测。〔责任单位：市生态环境局〕"),
        (0, "2.2025年底前，完成治理设施升级。〔责任单位：赣州经开区党工委、管委会〕"),
        (0, "二、水污染防治推进缓慢"), (1, "（一）章江部分河段水质不稳定。"),
        (0, "1.完成排污口整治。〔责任单位：章贡区委、区政府〕"),
    ]
    doc = parse_document(path, UP)
    assert doc.warnings == []
    # problem numbers restart in each section: the section is part of the number and the ref
    assert [(p.number, p.ref, p.group, [c.ref for c in p.children]) for p in doc.items] == [
        ("一、（一）", "中央督察整改清单一、（一）", "大气污染防治不到位",
         ["中央督察整改清单一、（一）第1条", "中央督察整改清单一、（一）第2条"]),
        ("一、（二）", "中央督察整改清单一、（二）", "大气污染防治不到位",
         ["中央督察整改清单一、（二）第1条", "中央督察整改清单一、（二）第2条"]),
        ("二、（一）", "中央督察整改清单二、（一）", "水污染防治推进缓慢", ["中央督察整改清单二、（一）第1条"]),
    ]
    second = doc.items[1].children
    assert [u.name for u in second[1].units] == ["赣州经开区党工委、管委会"]
    assert second[1].deadline.date == date(2025, 12, 31) and not second[1].deadline_inherited
    assert [[u.name for u in c.acceptance_units] for c in second] == [["市整改办"], ["市生态环境局"]]


def test_word_numbered_work_points(tmp_path):
    d = NumberedDocx()
    outline = d.abstract([("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")])
    o = d.num(outline)
    d.para("2027年全市生态环境工作要点")
    d.para("重点任务", o, 0)
    d.para("深入打好蓝天保卫战", o, 1)
    d.para("持续改善空气质量。推进超低排放改造。（责任单位：大气科）", o, 2)
    d.para("加强扬尘管控。（责任单位：大气科、章贡区生态环境局）", o, 2)
    d.para("深入打好碧水保卫战", o, 1)  # level 2 restarts at 1
    d.para("巩固提升水环境质量。（责任单位：监测与水科）", o, 2)
    doc = parse_document(d.save(tmp_path / "wp.docx"), UP)
    assert doc.warnings == [] and doc.year == 2027
    assert [(i.number, i.ref, i.group, i.title, [u.name for u in i.units]) for i in doc.items] == [
        ("（一）1", "2027年工作要点（一）第1项", "深入打好蓝天保卫战", "持续改善空气质量", ["大气科"]),
        ("（一）2", "2027年工作要点（一）第2项", "深入打好蓝天保卫战", "加强扬尘管控", ["大气科", "章贡区生态环境局"]),
        ("（二）1", "2027年工作要点（二）第1项", "深入打好碧水保卫战", "巩固提升水环境质量", ["监测与水科"]),
    ]
    assert all(i.deadline.date == date(2027, 12, 31) for i in doc.items)


def test_word_numbering_that_counts_on_across_sections(tmp_path):
    """w:lvlRestart 0: the task numbers run 1, 2, 3 across the （一）（二） sections."""
    d = NumberedDocx()
    o = d.num(d.abstract([("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3．")],
                         keep_counting=(2,)))
    d.para("2027年全市生态环境工作要点")
    d.para("深入打好蓝天保卫战", o, 1)
    d.para("持续改善空气质量。（责任单位：大气科）", o, 2)
    d.para("加强扬尘管控。（责任单位：大气科）", o, 2)
    d.para("深入打好碧水保卫战", o, 1)
    d.para("巩固提升水环境质量。（责任单位：监测与水科）", o, 2)
    doc = parse_document(d.save(tmp_path / "wp.docx"), UP)
    assert doc.warnings == []
    assert [(i.number, i.ref, i.group) for i in doc.items] == [
        ("1", "2027年工作要点第1项", "深入打好蓝天保卫战"), ("2", "2027年工作要点第2项", "深入打好蓝天保卫战"),
        ("3", "2027年工作要点第3项", "深入打好碧水保卫战")]


# ----------------------------------------------------------------------------- Word tables
def _table_docx(path: Path, *, title_rows: bool) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("赣州市贯彻落实中央生态环境保护督察反馈意见整改方案")
    header = ["序号", "存在问题", "整改目标", "整改时限", "整改措施", "责任单位"]
    rows: list[list[str] | str] = [
        "一、大气污染防治不到位",
        ["1", "中心城区扬尘污染问题突出。", "扬尘防治落实到位。", "2025年12月底前", "1.完成在线监测全覆盖。", "市住建局"],
        ["", "", "", "", "2.加强渣土车管理。", "市城管局、南康区委、区政府"],
        "水污染防治推进缓慢",  # a group row without its own number
        ["2", "章江部分河段水质不稳定。", "稳定达到Ⅱ类。", "2026年6月前", "完成排污口整治。", "章贡区委、区政府"],
    ]
    n_title = 2 if title_rows else 0
    t = d.add_table(rows=n_title + 1 + len(rows), cols=len(header))
    if title_rows:
        for r, text in enumerate(["附件", "中央生态环境保护督察反馈问题整改清单"]):
            cell = t.cell(r, 0).merge(t.cell(r, len(header) - 1))
            cell.text = text
    for c, h in enumerate(header):
        t.cell(n_title, c).text = h
    for i, row in enumerate(rows):
        r = n_title + 1 + i
        if isinstance(row, str):
            t.cell(r, 0).merge(t.cell(r, len(header) - 1)).text = row
            continue
        for c, text in enumerate(row):
            if text:
                t.cell(r, c).text = text
    # the first problem spans two rows: its number, text, target and deadline cells are merged down
    first = n_title + 2
    for c in range(4):
        t.cell(first, c).merge(t.cell(first + 1, c))
    return Path(d.save(str(path)) or path)


@pytest.mark.parametrize("title_rows", [True, False], ids=["title_rows_above_header", "header_first"])
def test_word_table_with_title_rows_and_merged_rows(tmp_path, title_rows):
    doc = parse_document(_table_docx(tmp_path / "t.docx", title_rows=title_rows), UP)
    assert doc.warnings == []
    assert [(p.ref, p.group, p.target, p.deadline.date) for p in doc.items] == [
        ("中央督察整改清单（1）", "大气污染防治不到位", "扬尘防治落实到位。", date(2025, 12, 31)),
        ("中央督察整改清单（2）", "水污染防治推进缓慢", "稳定达到Ⅱ类。", date(2026, 5, 31)),  # 6月前
    ]
    assert [(c.ref, c.body, [u.name for u in c.units]) for c in doc.items[0].children] == [
        ("中央督察整改清单（1）第1条", "完成在线监测全覆盖。", ["市住建局"]),
        ("中央督察整改清单（1）第2条", "加强渣土车管理。", ["市城管局", "南康区委、区政府"]),
    ]
    assert [(c.body, [u.name for u in c.units]) for c in doc.items[1].children] == [
        ("完成排污口整治。", ["章贡区委、区政府"])]


# ----------------------------------------------------------------------------- other formats
def _writer() -> bool:
    from ingest.docparse.readers import legacy

    exe = legacy.soffice()
    return exe is not None and legacy.writer_installed(exe)


# CI installs LibreOffice Writer and sets ONEMAP_REQUIRE_LIBREOFFICE=1: there a missing Writer fails
needs_writer = pytest.mark.skipif(not _writer() and not os.environ.get("ONEMAP_REQUIRE_LIBREOFFICE"),
                                  reason="LibreOffice Writer not installed")


@needs_writer
def test_legacy_doc_is_converted_through_libreoffice(tmp_path, clean_doc):
    import docx

    d = docx.Document()
    for line in RECT.splitlines():
        d.add_paragraph(line)
    d.save(str(tmp_path / "src.docx"))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "doc",
                    "--outdir", str(tmp_path), str(tmp_path / "src.docx")], check=True, capture_output=True,
                   timeout=180)
    doc = parse_document(tmp_path / "src.doc", UP)
    assert signature(doc) == signature(clean_doc)


@needs_writer
def test_legacy_doc_with_word_numbering_reads_as_the_docx(tmp_path):
    """Word's list numbering (一、/（一）/1．, numbers not in the text, restarting in each section
    by startOverride) saved as .doc: read through LibreOffice, every item as from the .docx —
    LibreOffice writes the Chinese counting as taiwaneseCountingThousand — and a warning that
    numbering continuing across sections would not survive the conversion."""
    from tests.doc_corpus.generate import build
    from tests.doc_corpus.run import unit_parser

    src, _truth = build("jj_work_points", "docx_numbering", tmp_path)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "doc",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=300)
    up = unit_parser("jj")
    from_docx = parse_document(src, up)
    from_doc = parse_document(src.with_suffix(".doc"), up)
    assert len(from_doc.items) == 12  # 1–3 in each of 4 sections (tests/doc_corpus/README.md)
    assert signature(from_doc) == signature(from_docx)
    assert [t.body for t in from_doc.targets] == [t.body for t in from_docx.targets] and len(from_doc.targets) == 6
    assert [w["message"] for w in from_doc.warnings] == [
        "旧版 Word（.doc）文件经 LibreOffice 转换：Word 自动编号如跨章节连续计数，转换后会按章节重新编号，请对照原文核对编号"]


def test_legacy_doc_without_libreoffice_says_what_to_do(tmp_path, monkeypatch):
    from ingest.docparse.readers import legacy

    monkeypatch.setattr(legacy.shutil, "which", lambda name: None)
    f = tmp_path / "old.wps"
    f.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    with pytest.raises(DocParseError) as e:
        parse_document(f, UP)
    assert str(e.value) == "无法读取WPS文件：本机未安装 LibreOffice。请在 Word/WPS 中另存为 .docx 或 PDF 后再导入"


def test_legacy_doc_without_libreoffice_writer_says_what_to_do(tmp_path, monkeypatch):
    from ingest.docparse.readers import legacy

    monkeypatch.setattr(legacy, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(legacy, "writer_installed", lambda exe: False)
    f = tmp_path / "old.doc"
    f.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    with pytest.raises(DocParseError) as e:
        parse_document(f, UP)
    assert str(e.value) == ("无法读取旧版 Word（.doc）文件：本机的 LibreOffice 未安装文字处理组件（Writer），无法转换。"
                            "请在 Word/WPS 中另存为 .docx 或 PDF 后再导入")


def test_ofd_is_refused_with_what_to_do(tmp_path):
    import zipfile

    f = tmp_path / "x.ofd"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD/>")
    with pytest.raises(DocParseError) as e:
        parse_document(f, UP)
    assert "OFD" in str(e.value) and "PDF" in str(e.value)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("a.docx", b"PK\x03\x04 broken zip", "无法读取 Word 文档：文件不是有效的 .docx，或已损坏（旧版 .doc 请另存为 .docx）"),
    ("a.docx", "一、纯文本改了扩展名".encode(), "无法读取 Word 文档：文件不是有效的 .docx，或已损坏（旧版 .doc 请另存为 .docx）"),
    ("a.txt", b"abc\x00\x01def", "文件不是文本文件（含二进制内容）：请上传 .txt、.docx 或 .pdf"),
    ("a.txt", bytes([0x81, 0x30, 0x81]) * 3 + b"\xff", "文件编码无法识别：请另存为 UTF-8 或 GBK 编码的文本，或 .docx 文档"),
])
def test_bad_files_are_chinese_errors(tmp_path, name, content, message):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(DocParseError) as e:
        parse_document(f, UP)
    assert str(e.value) == message


def test_cli_reports_a_bad_file_without_traceback(tmp_path, data_dir, capsys):
    from onemap.cli import main

    f = tmp_path / "scan.pdf"
    scanned_pdf(f)
    assert main(["import-doc", str(f), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：这是扫描件 PDF") and "Traceback" not in err


def test_word_table_of_work_points_with_deadline_column(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("2027年全市生态环境工作要点任务分解表")
    t = d.add_table(rows=5, cols=4)
    for r, row in enumerate([["序号", "重点任务", "责任单位", "完成时限"],
                             ["一、深入打好蓝天保卫战", "", "", ""],
                             ["1", "持续改善空气质量。", "大气科", "2027年6月底前"],
                             ["2", "加强扬尘管控。", "大气科、章贡区生态环境局", ""],
                             ["3", "巩固提升水环境质量。", "监测与水科", "视情况而定"]]):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    t.cell(1, 0).merge(t.cell(1, 3)).text = "一、深入打好蓝天保卫战"
    doc = parse_document(Path(d.save(str(tmp_path / "wp.docx")) or tmp_path / "wp.docx"), UP)
    assert [(i.ref, i.group, i.body, [u.name for u in i.units], i.deadline.date, i.deadline_inherited)
            for i in doc.items] == [
        ("2027年工作要点第1项", "深入打好蓝天保卫战", "持续改善空气质量。", ["大气科"], date(2027, 6, 30), False),
        ("2027年工作要点第2项", "深入打好蓝天保卫战", "加强扬尘管控。", ["大气科", "章贡区生态环境局"],
         date(2027, 12, 31), True),
        # a deadline that cannot be read stays in the text, with a warning; the year's end applies
        ("2027年工作要点第3项", "深入打好蓝天保卫战", "巩固提升水环境质量。（完成时限：视情况而定）", ["监测与水科"],
         date(2027, 12, 31), True),
    ]
    assert doc.warnings == [{"line": 5, "text": "（完成时限：视情况而定）",
                             "message": "完成时限“视情况而定”无法识别为日期，已保留原文"}]


def test_spaces_between_characters_from_pdf_extraction():
    doc = parse_lines(["整 改 清 单", "（一）问 题 甲。", "整 改 目 标 ：目 标。", "整 改 时 限 ：2025年底前", "整 改 措 施 ：",
                       "1.措 施 一。〔责 任 单 位 ：市 住 建 局〕", "验 收 单 位 ：市 整 改 办"], UP)
    assert doc.warnings == [] and doc.items[0].body == "问题甲。"
    assert [u.name for u in doc.items[0].children[0].units] == ["市住建局"]


def test_a_scanned_page_inside_a_text_pdf_is_a_warning(tmp_path, clean_doc):
    path = pdf_from_lines(RECT.splitlines(), tmp_path / "mixed.pdf", footer="", scanned_page=True)
    doc = parse_document(path, UP)
    assert signature(doc) == signature(clean_doc)
    assert doc.warnings == [{"line": len(read_blocks(path)), "text": "", "page": 2,
                             "message": "第2页是扫描图片，没有文字层，该页内容未读取：请先做文字识别（OCR）"}]
