"""ingest/docparse mutation survivors (issue 18): exact answers worked out by hand. Only tests
are added here; the package itself is being changed on another branch."""

from __future__ import annotations

import re

import pytest

from ingest.docparse import parse_lines
from ingest.docparse.text import int_to_cn
from tests.test_docparse_rules import EARLIER_YEAR, JDZ


def test_int_to_cn():
    cases = {0: "0", -1: "-1", 1: "一", 9: "九", 10: "十", 11: "十一", 20: "二十", 21: "二十一", 99: "九十九",
             100: "一百", 101: "一百零一", 109: "一百零九", 110: "一百一十", 111: "一百一十一", 119: "一百一十九",
             120: "一百二十", 999: "九百九十九"}
    assert {n: int_to_cn(n) for n in cases} == cases


def test_a_target_continued_on_the_next_line_keeps_its_whole_text():
    text = EARLIER_YEAR.replace("2.空气质量优良天数比例达到95%以上。",
                                "2.空气质量优良天数比例达到95%以上，\n重污染天气基本消除。")
    doc = parse_lines(text.splitlines(), JDZ)
    # (the title is still cut from the first line only, "…95%以上，": left to the docparse work)
    assert [(t.number, t.body) for t in doc.targets] == [
        ("1", "全市PM2.5平均浓度控制在30微克/立方米以内。"),
        ("2", "空气质量优良天数比例达到95%以上，重污染天气基本消除。"),
        ("3", "县级及以上集中式饮用水水源地水质达标率100%。"),
    ]
    assert len(doc.items) == 4


def test_canon_spacing():
    from ingest.docparse.text import canon

    assert canon("PM2.5\t浓度") == "PM2.5 浓度"  # a tab is one space
    assert canon("PM2.5\u3000浓度\xa0下降") == "PM2.5 浓度下降"  # a gap between two CJK characters closes
    assert canon(" 1.(一)责任 单位:市生态环境局; ") == "1.（一）责任单位：市生态环境局；"


# ----------------------------------------------------------------------------- title (meta.detect_title)
def test_detect_title_closes_whitespace_in_every_branch():
    from ingest.docparse.meta import detect_title
    from ingest.docparse.structure import Line

    def title(*texts: str) -> str:
        return detect_title([Line(t, i) for i, t in enumerate(texts, start=1)])

    # 关于印发《X》的通知
    assert title("关于印发《2026年 生态环境 工作要点》的通知") == "2026年生态环境工作要点"
    # the leading title lines, up to the first numbered line
    assert title("2026年全市生态环境", "工作 要点", "一、总体要求") == "2026年全市生态环境工作要点"
    # no title lines (the first line is numbered): the first 《…要点》 named anywhere in the head
    assert title("一、总体要求", "根据《景德镇市 2026年 工作要点》部署。") == "景德镇市2026年工作要点"
    assert title("一、总体要求", "做好各项工作。") == "未命名文件"


# ----------------------------------------------------------------------------- unit lists (common)
def test_unit_list_split_at_top_level_commas_only():
    from ingest.docparse.genres.common import Context

    ctx = Context(JDZ, "x", 2026, [])
    # the note after the comma is dropped, the unit before it kept
    assert [u.name for u in ctx.units("市住建局，主要负责人由市领导兼任")] == ["市住建局"]
    assert [u.name for u in ctx.units("市住建局,市城管局")] == ["市住建局", "市城管局"]
    # a comma inside brackets does not split: the whole bracketed segment is a note (下同) and goes
    assert [u.name for u in ctx.units("市生态环境局（含各分局，下同），市住建局")] == ["市住建局"]
    assert ctx.warnings == []


# ----------------------------------------------------------------------------- work points
def test_a_work_point_sub_item_keeps_its_section_group():
    from datetime import date

    lines = ["2026年全市生态环境工作要点", "一、深入打好蓝天保卫战。", "1.推进陶瓷行业深度治理。（责任单位：大气科）",
             "（1）完成窑炉改造；", "（2）开展监测。"]
    doc = parse_lines(lines, JDZ)
    assert doc.warnings == []
    (task,) = doc.items
    assert (task.ref, task.group, [u.name for u in task.units]) == ("2026年工作要点第1项", "深入打好蓝天保卫战", ["大气科"])
    assert [(s.number, s.title, s.group, s.ref, [u.name for u in s.units], s.deadline.date, s.deadline_inherited)
            for s in task.children] == [
        ("1", "完成窑炉改造", "深入打好蓝天保卫战", "2026年工作要点第1项（1）", ["大气科"], date(2026, 12, 31), True),
        ("2", "开展监测", "深入打好蓝天保卫战", "2026年工作要点第1项（2）", ["大气科"], date(2026, 12, 31), True),
    ]


def test_annex_lines_that_are_not_matters():
    lines = ["2026年全市生态环境工作要点",                 # 1
             "1.推进陶瓷行业深度治理。（责任单位：大气科）",  # 2
             "附件：2026年主要事项",                       # 3 the annex heading
             "1.开展执法检查（大气科）",                    # 4 a matter
             "《景德镇市大气污染防治条例》宣传",              # 5 a document named: not a warning
             "附件2：名词解释",                             # 6 the next annex: not a warning
             "（共1项）",                                  # 7 a count: not a warning
             "说明：以上事项年底前完成"]                      # 8 unplaced: a warning with its line
    doc = parse_lines(lines, JDZ)
    assert [(i.ref, i.level, i.part, i.title, [u.name for u in i.units]) for i in doc.items] == [
        ("2026年工作要点第1项", "task", "main", "推进陶瓷行业深度治理", ["大气科"]),
        ("2026年工作要点附件第1项", "matter", "annex", "开展执法检查", ["大气科"]),
    ]
    assert doc.warnings == [{"line": 8, "text": "说明：以上事项年底前完成", "message": "附件中未能识别的行，已忽略"}]


# ----------------------------------------------------------------------------- rectification
def test_unit_field_before_measures_and_bracketed_unit_line_after_a_measure():
    lines = ["整改清单", "（一）问题甲。", "整改目标：目标。", "整改时限：2025年底前",
             "责任单位：市生态环境局",            # the problem's units (no measure yet)
             "整改措施：", "1.措施一。",
             "【责任单位：市住建局】",             # closes the measure above
             "2.措施二。",                        # no clause: the problem's units
             "验收单位：市生态环境局"]
    doc = parse_lines(lines, JDZ)
    assert doc.warnings == []
    (p,) = doc.items
    assert (p.ref, [u.name for u in p.units], [u.name for u in p.acceptance_units]) == (
        "整改清单（一）", ["市生态环境局"], ["市生态环境局"])
    assert [(c.ref, c.body, [u.name for u in c.units]) for c in p.children] == [
        ("整改清单（一）第1条", "措施一。", ["市住建局"]),
        ("整改清单（一）第2条", "措施二。", ["市生态环境局"]),
    ]


# ----------------------------------------------------------------------------- coverage warnings
def test_no_item_is_one_warning_with_its_words():
    doc = parse_lines(["关于某事的说明", "今年工作总体平稳。"], JDZ)
    assert doc.items == []
    assert doc.warnings == [{"line": 0, "text": "", "message": "没有识别出任何条目：请确认文件是整改清单或工作要点"}]


def test_numbered_lines_left_over_are_counted():
    from domain.tasktree import Item
    from ingest.docparse import _check_coverage
    from ingest.docparse.genres.common import Context
    from ingest.docparse.structure import Line

    lines = [Line(t, i) for i, t in enumerate(["1.甲。", "2.乙。", "3.丙。", "4.丁。", "5.戊。"], start=1)]
    # 1 item of 4 numbered lines: 1 < 0.8 × 4 — three lines named, and the shortfall
    ctx = Context(JDZ, "x", None, [])
    _check_coverage(lines[:4], [Item("1", "甲", "task", line=1)], [], ctx)
    assert ctx.warnings == [
        {"line": 2, "text": "2.乙。", "message": "带编号的行未识别为条目，已忽略"},
        {"line": 3, "text": "3.丙。", "message": "带编号的行未识别为条目，已忽略"},
        {"line": 4, "text": "4.丁。", "message": "带编号的行未识别为条目，已忽略"},
        {"line": 0, "text": "", "message": "编号显示约有 4 条，只识别出 1 条：请核对是否有遗漏"},
    ]
    # 4 items of 5 numbered lines: 4 = 0.8 × 5 is no shortfall; the missed line is still named
    ctx = Context(JDZ, "x", None, [])
    items = [Item(str(n), "", "task", line=n) for n in (1, 2, 3, 5)]
    _check_coverage(lines, items, [], ctx)
    assert ctx.warnings == [{"line": 4, "text": "4.丁。", "message": "带编号的行未识别为条目，已忽略"}]


# ----------------------------------------------------------------------------- Word numbering
def _el(xml: str):
    """One WordprocessingML element written with the w: prefix (its namespace declared here)."""
    from docx.oxml import parse_xml

    from tests.doc_builders import W_NS

    name_end = re.search(r"[ />]", xml[1:]).start() + 1
    return parse_xml(f'{xml[:name_end]} xmlns:w="{W_NS}"{xml[name_end:]}')


def _blocks_of(path):
    from ingest.docparse.readers import read_blocks

    return [(b.level, b.text) for b in read_blocks(path)]


def test_numbering_from_a_paragraph_style_and_its_base_style(tmp_path):
    from tests.doc_builders import NumberedDocx

    d = NumberedDocx()
    nid = d.num(d.abstract([("decimal", "%1."), ("decimalEnclosedCircle", "%2")]))
    styles = d.doc.styles.element
    # TaskList numbers its paragraphs (no w:ilvl: level 0); TaskSub is based on TaskList with ilvl 1;
    # TaskPlain is based on TaskList but is not numbered itself — it inherits the numbering;
    # Loop1/Loop2 are based on each other and number nothing
    styles.append(_el(f'<w:style w:type="paragraph" w:styleId="TaskList"><w:name w:val="Task List"/>'
                      f'<w:pPr><w:numPr><w:numId w:val="{nid}"/></w:numPr></w:pPr></w:style>'))
    styles.append(_el(f'<w:style w:type="paragraph" w:styleId="TaskSub"><w:name w:val="Task Sub"/>'
                      f'<w:basedOn w:val="TaskList"/><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="{nid}"/>'
                      f'</w:numPr></w:pPr></w:style>'))
    styles.append(_el('<w:style w:type="paragraph" w:styleId="TaskPlain"><w:name w:val="Task Plain"/>'
                      '<w:basedOn w:val="TaskList"/></w:style>'))
    styles.append(_el('<w:style w:type="paragraph" w:styleId="Loop1"><w:name w:val="Loop 1"/>'
                      '<w:basedOn w:val="Loop2"/></w:style>'))
    styles.append(_el('<w:style w:type="paragraph" w:styleId="Loop2"><w:name w:val="Loop 2"/>'
                      '<w:basedOn w:val="Loop1"/></w:style>'))

    def styled(text: str, style: str) -> None:
        p = d.para(text)
        p._p.get_or_add_pPr().insert(0, _el(f'<w:pStyle w:val="{style}"/>'))

    d.para("标题")
    styled("甲", "TaskList")
    styled("子项", "TaskSub")
    styled("乙", "TaskPlain")
    styled("不编号", "Loop1")
    styled("也不编号", "NoSuchStyle")
    assert _blocks_of(d.save(tmp_path / "s.docx")) == [
        (None, "标题"), (0, "1.甲"), (1, "①子项"), (0, "2.乙"), (None, "不编号"), (None, "也不编号")]


def test_numbering_definitions_without_ilvl_or_start_override(tmp_path):
    from tests.doc_builders import NumberedDocx

    d = NumberedDocx()
    num = d.numbering
    # a level without w:ilvl is level 0; it starts at 3 and writes 3、
    num.insert(0, _el('<w:abstractNum w:abstractNumId="900"><w:lvl><w:start w:val="3"/><w:numFmt w:val="decimal"/>'
                      '<w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'))
    # 70: an override without w:startOverride (counts on); 71: a startOverride that is not a number
    # (ignored, counts on); 72: an override without w:ilvl (level 0) starting at 7
    num.append(_el('<w:num w:numId="70"><w:abstractNumId w:val="900"/><w:lvlOverride w:ilvl="0"/></w:num>'))
    num.append(_el('<w:num w:numId="71"><w:abstractNumId w:val="900"/>'
                   '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="x1"/></w:lvlOverride></w:num>'))
    num.append(_el('<w:num w:numId="72"><w:abstractNumId w:val="900"/>'
                   '<w:lvlOverride><w:startOverride w:val="7"/></w:lvlOverride></w:num>'))
    for text, n in (("甲", "70"), ("乙", "70"), ("丙", "71"), ("丁", "72"), ("戊", "72")):
        d.para(text, n)
    assert _blocks_of(d.save(tmp_path / "n.docx")) == [
        (0, "3、甲"), (0, "4、乙"), (0, "5、丙"), (0, "7、丁"), (0, "8、戊")]


def test_numbered_measures_inside_a_word_table_cell(tmp_path):
    from datetime import date

    from ingest.docparse import parse_document
    from tests.doc_builders import NumberedDocx

    d = NumberedDocx()
    nid = d.num(d.abstract([("decimal", "%1.")]))
    d.para("整改清单")
    header = ["序号", "存在问题", "整改目标", "整改时限", "整改措施", "责任单位"]
    t = d.doc.add_table(rows=2, cols=len(header))
    for c, h in enumerate(header):
        t.cell(0, c).text = h
    for c, text in enumerate(["1", "问题甲。", "目标甲。", "2025年底前", "", "市住建局"]):
        t.cell(1, c).text = text
    cell = t.cell(1, 4)
    cell.paragraphs[0].text = "完成监测全覆盖。"
    cell.add_paragraph("加强渣土车管理。")
    for p in cell.paragraphs:  # Word's own numbering: the 1. 2. are not in the text
        p._p.get_or_add_pPr().append(_el(f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{nid}"/></w:numPr>'))
    doc = parse_document(d.save(tmp_path / "t.docx"), JDZ)
    assert doc.warnings == []
    (p,) = doc.items
    assert (p.ref, p.title, p.body, p.target, p.deadline.date) == ("整改清单（1）", "问题甲", "问题甲。", "目标甲。", date(2025, 12, 31))
    assert [(c.ref, c.number, c.body, [u.name for u in c.units]) for c in p.children] == [
        ("整改清单（1）第1条", "1", "完成监测全覆盖。", ["市住建局"]),
        ("整改清单（1）第2条", "2", "加强渣土车管理。", ["市住建局"]),
    ]


# ----------------------------------------------------------------------------- PDF layout (readers.pdf._blocks)
def _ln(text: str, x0: float | None, x1: float | None, h: float | None) -> dict:
    return {"text": text, "x0": x0, "x1": x1, "top": 0.0, "h": h}


def test_pdf_line_continuation_and_indent_geometry():
    """The text column is measured on the body lines (not a page's first or last line): right edge
    500 (only the first body line reaches it), left edge 72. A line goes on when it ends within 1.6 em of the right edge, is indented when
    it starts more than 1.2 em right of the left edge; em is the line's height, at least 1.0."""
    from ingest.docparse.readers.pdf import _blocks

    pages = [
        [_ln("页眉", 60, 560, 10),         # margin line: wider than the column, not measured
         _ln("整行", 72, 500, 10),         # reaches the edge
         _ln("差16", 72, 484, 10),         # 500 - 1.6 × 10 = 484: on the edge of going on
         _ln("差20", 72, 480, 10),         # 4 short: ends here
         _ln("缩进12", 84, 490, 10),       # 72 + 1.2 × 10 = 84: not indented (strictly right of it)
         _ln("缩进13", 85, 490, 10),       # indented
         _ln("小字差1.5", 72, 498.5, 0.5),  # height 0.5 counts as 1.0: 500 - 1.6 = 498.4, goes on
         _ln("小字差2", 72, 498, 0.5),      # ends (with em 2.0 it would go on: 496.8)
         _ln("无高差1.5", 72, 498.5, None),  # no height: em 1.0
         _ln("无高差2", 72, 498, None),
         _ln("小字缩进1.3", 73.3, 490, 0.5),  # 72 + 1.2 = 73.2: indented
         _ln("页脚", 20, 300, 10)],         # margin line: further left than the column, not measured
        [_ln("一", 72, 500, 10), _ln("二", 72, 400, 10)],  # a page of two lines: no margin lines
        [_ln("无框", None, None, None)],    # a line without character boxes: no geometry
    ]
    got = [(b.text, b.line, b.page, b.continues, b.indent, b.margin) for b in _blocks(pages)]
    assert got == [
        ("页眉", 1, 1, True, False, True),
        ("整行", 2, 1, True, False, False),
        ("差16", 3, 1, True, False, False),
        ("差20", 4, 1, False, False, False),
        ("缩进12", 5, 1, True, False, False),
        ("缩进13", 6, 1, True, True, False),
        ("小字差1.5", 7, 1, True, False, False),
        ("小字差2", 8, 1, False, False, False),
        ("无高差1.5", 9, 1, True, False, False),
        ("无高差2", 10, 1, False, False, False),
        ("小字缩进1.3", 11, 1, False, True, False),
        ("页脚", 12, 1, False, False, True),
        ("一", 13, 2, True, False, False),
        ("二", 14, 2, False, False, False),
        ("无框", 15, 3, None, None, False),
    ]


def test_pdf_column_from_all_lines_when_no_page_has_a_body():
    from ingest.docparse.readers.pdf import _blocks

    # every page has two lines or fewer: the column is measured on all of them (right 450, left 50)
    pages = [[_ln("甲", 50, 450, 10), _ln("乙", 70, 434, 10)], [_ln("丙", 62, 433, 10)]]
    assert [(b.text, b.continues, b.indent, b.margin) for b in _blocks(pages)] == [
        ("甲", True, False, False), ("乙", True, True, False), ("丙", False, False, False)]


class _TextPage:
    """A stand-in for pypdfium2's text page: the text as PDFium gives it and one box per character
    (left, bottom, right, top)."""

    def __init__(self, text: str, boxes: list[tuple[float, float, float, float]], n: int | None = None):
        self.text, self.boxes, self.n = text, boxes, len(text) if n is None else n

    def count_chars(self) -> int:
        return self.n

    def get_text_range(self, start: int, count: int) -> str:
        return self.text[start:start + count]

    def get_charbox(self, i: int):
        return self.boxes[i]


def test_pdf_lines_and_their_boxes():
    from ingest.docparse.readers.pdf import _lines

    # 甲乙 on one line, a space (no box counted), then 丙 on the next; \r\n ends a line
    text = "甲 乙\r\n丙\n \n丁"
    boxes = [(10, 700, 20, 712), (20, 700, 25, 713), (25, 699, 35, 711), (0, 0, 0, 0), (0, 0, 0, 0),
             (12, 680, 22, 690), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0),
             (5, 5, 5, 9)]  # 丁 has a box of no width: the line gets the all-zero box
    assert _lines(_TextPage(text, boxes)) == [
        # the space's box (top 713) is not counted: top 712 (甲), h 12 (甲 712 - 700, 乙 711 - 699)
        {"text": "甲 乙", "x0": 10, "x1": 35, "top": 712, "h": 12},
        {"text": "丙", "x0": 12, "x1": 22, "top": 690, "h": 10},
        {"text": "丁", "x0": 0.0, "x1": 0.0, "top": 0.0, "h": 0.0},
    ]
    assert _lines(_TextPage("", [])) == []


def test_pdf_text_outside_the_bmp_has_no_boxes():
    from ingest.docparse.readers.pdf import _blocks, _lines

    # PDFium counts a character outside the BMP twice (a surrogate pair): the counts differ
    lines = _lines(_TextPage("𠀾甲\n\n乙", [], n=6))
    assert lines == [{"text": "𠀾甲", "x0": None, "x1": None, "top": None, "h": None},
                     {"text": "乙", "x0": None, "x1": None, "top": None, "h": None}]
    assert [(b.text, b.continues, b.indent) for b in _blocks([lines])] == [("𠀾甲", None, None), ("乙", None, None)]


def test_encrypted_pdf_is_refused_with_what_to_do(tmp_path):
    from fpdf import FPDF

    from ingest.docparse import DocParseError
    from ingest.docparse.readers import read_blocks

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "secret")
    pdf.set_encryption(owner_password="owner", user_password="user")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(DocParseError) as err:
        read_blocks(path)
    assert str(err.value) == "PDF 文件已加密：请先解除密码保护（或另存为不加密的 PDF）后再导入"


# ----------------------------------------------------------------------------- plain text reader
def test_text_reader_marks_indented_first_lines(tmp_path):
    from ingest.docparse.readers import read_blocks

    path = tmp_path / "t.txt"
    path.write_text("标题\n\u3000一个全角空格\n 一个空格\n  两个空格\n\t制表符\n\n末行\n", encoding="utf-8")
    assert [(b.line, b.text, b.indent) for b in read_blocks(path)] == [
        (1, "标题", False), (2, "\u3000一个全角空格", True), (3, " 一个空格", False), (4, "  两个空格", True),
        (5, "\t制表符", True), (6, "", None), (7, "末行", False)]
    gbk = tmp_path / "g.txt"
    gbk.write_bytes("整改清单\n".encode("gb18030"))
    assert [b.text for b in read_blocks(gbk)] == ["整改清单"]


# ----------------------------------------------------------------------------- Word: text, lines, refusals
def test_word_paragraph_text_tabs_empty_runs_and_line_numbers(tmp_path):
    import docx

    from ingest.docparse.readers import read_blocks

    d = docx.Document()
    p = d.add_paragraph("责任单位")
    p._p.append(_el('<w:r><w:tab/><w:t/><w:t>市住建局</w:t></w:r>'))  # a tab and an empty text element
    d.add_paragraph("")
    t = d.add_table(rows=2, cols=2)  # not a task table: its rows as lines, cells separated by a space
    for (r, c), text in {(0, 0): "甲", (0, 1): "乙", (1, 0): "丙", (1, 1): "丙"}.items():
        t.cell(r, c).text = text
    d.add_paragraph("末段")
    path = tmp_path / "w.docx"
    d.save(str(path))
    assert [(b.line, b.text) for b in read_blocks(path)] == [
        (1, "责任单位 市住建局"), (2, ""), (3, "甲 乙"), (4, "丙"), (5, "末段")]


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path):
    import zipfile

    from ingest.docparse import DocParseError
    from ingest.docparse.readers import read_blocks

    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a document")
    with pytest.raises(DocParseError) as err:
        read_blocks(path)
    assert str(err.value) == "无法读取 Word 文档：文件不是有效的 .docx，或已损坏（旧版 .doc 请另存为 .docx）"


def test_an_oversized_word_document_names_its_size_in_mb(tmp_path, monkeypatch):
    import os
    import zipfile

    from ingest.docparse import DocParseError
    from ingest.docparse.readers import read_blocks

    monkeypatch.setenv("ONEMAP_LIMIT_UPLOAD_BYTES", str(2**20))
    path = tmp_path / "大.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("word/media/image1.bin", os.urandom(3 * 2**19))  # 1.5 MB stored: the file is 1.5 MB + a few bytes
    with pytest.raises(DocParseError) as err:
        read_blocks(path)
    assert str(err.value) == "文档“大.docx”过大（2 MB，上限 1 MB）"


# ----------------------------------------------------------------------------- Word numbering formats
def test_fmt_number_every_format():
    from ingest.docparse.readers.word_numbering import fmt_number

    cases = [
        (12, "chineseCounting", "十二"), (3, "chineseCountingThousand", "三"), (21, "chineseLegalSimplified", "二十一"),
        (4, "ideographDigital", "四"), (5, "japaneseCounting", "五"), (12, "taiwaneseCounting", "十二"),
        (6, "taiwaneseCountingThousand", "六"),
        (1, "decimalEnclosedCircle", "①"), (20, "decimalEnclosedCircleChinese", "⑳"),
        (21, "decimalEnclosedCircle", "21"), (0, "decimalEnclosedCircle", "0"),  # beyond the circled digits
        (3, "decimalEnclosedParen", "（3）"),
        (1, "lowerLetter", "a"), (26, "lowerLetter", "z"), (27, "lowerLetter", "a"), (2, "upperLetter", "B"),
        (1, "lowerRoman", "i"), (4, "lowerRoman", "iv"), (9, "lowerRoman", "ix"), (10, "lowerRoman", "x"),
        (14, "lowerRoman", "xiv"), (19, "upperRoman", "XIX"), (38, "upperRoman", "XXXVIII"),
        (3, "bullet", ""), (3, "none", ""), (7, "decimal", "7"), (7, "decimalZero", "7"), (8, "unknownFormat", "8"),
    ]
    assert [(n, f, fmt_number(n, f)) for n, f, _ in cases] == cases


# ----------------------------------------------------------------------------- document short names (meta)
def test_distinct_short_name():
    from ingest.docparse.meta import distinct_short_name

    title = "九江市生态环境局2026年工作要点"
    assert distinct_short_name(title, "2026年工作要点", set()) == "2026年工作要点"
    assert distinct_short_name(title, "2026年工作要点", {"2026年工作要点"}) == "九江市2026年工作要点"
    assert distinct_short_name(title, "2026年工作要点", {"2026年工作要点", "九江市2026年工作要点"}) == title
    taken = {"2026年工作要点", "九江市2026年工作要点", title, "2026年工作要点（2）"}
    assert distinct_short_name(title, "2026年工作要点", taken) == "2026年工作要点（3）"
    # no issuing place in the title: the title itself
    assert distinct_short_name("关于做好生态环境保护的工作要点", "工作要点", {"工作要点"}) == "关于做好生态环境保护的工作要点"
    # the short name already begins with the place: not doubled, the title
    assert distinct_short_name(title, "九江市工作要点", {"九江市工作要点"}) == title
    # a title longer than 60 characters is cut
    long = "九江市生态环境局" + "关" * 70
    assert distinct_short_name(long, "九江市要点", {"九江市要点"}) == long[:60]


# ----------------------------------------------------------------------------- Word tables
def _table(rows: list, *, merge_down: tuple[tuple[int, int, int], ...] = ()):
    """A .docx with one table: a row is a list of cell texts, or a str for a row merged across the
    table; merge_down: (column, first row, last row) cells merged vertically."""
    import docx

    d = docx.Document()
    d.add_paragraph("整改清单")
    width = max(len(r) for r in rows if not isinstance(r, str))
    t = d.add_table(rows=len(rows), cols=width)
    for i, row in enumerate(rows):
        if isinstance(row, str):
            t.cell(i, 0).merge(t.cell(i, width - 1)).text = row
            continue
        for c, text in enumerate(row):
            if text:
                t.cell(i, c).text = text
    for c, first, last in merge_down:
        t.cell(first, c).merge(t.cell(last, c))
    return d


def _table_lines(tmp_path, rows, **kw) -> list[str]:
    from ingest.docparse.readers import read_blocks

    path = tmp_path / "t.docx"
    _table(rows, **kw).save(str(path))
    return [b.text for b in read_blocks(path)][1:]  # after the title paragraph


def test_two_column_work_point_table_with_unnumbered_group_rows(tmp_path):
    rows = [["序号", "重点任务"], "大气污染防治", ["1", "推进陶瓷行业深度治理。"], "水污染防治",
            ["2", "推进入河排污口整治。"]]
    # two columns are enough for a task table; a row merged across both is a group, numbered in turn
    assert _table_lines(tmp_path, rows) == [
        "一、大气污染防治", "1.推进陶瓷行业深度治理。", "二、水污染防治", "2.推进入河排污口整治。"]


def test_table_row_with_only_the_task_text_is_a_task_not_a_group(tmp_path):
    rows = [["序号", "重点任务", "责任单位"], ["1", "推进陶瓷行业深度治理。", "大气科"], ["", "加强扬尘管控。", ""]]
    assert _table_lines(tmp_path, rows) == ["1.推进陶瓷行业深度治理。（责任单位：大气科）", "加强扬尘管控。"]


def test_rectification_table_without_numbers_merged_units_and_acceptance(tmp_path):
    from ingest.docparse import parse_document

    header = ["存在问题", "整改时限", "主要整改措施 2025年度", "责任单位", "验收单位"]  # a 12-character header
    rows = [header,
            ["问题甲。", "2025年底前", "1.措施一。", "市住建局", "市生态环境局"],
            ["", "", "2.措施二。", "", ""],  # units merged down from the row above
            ["", "", "3.措施三。", "市城管局", ""],
            ["", "", "", "市水利局", ""],  # no measure: a unit of the problem
            ["问题乙。", "2026年底前", "1.措施。", "市城管局", "市城管局"]]
    path = tmp_path / "r.docx"
    _table(rows, merge_down=((0, 1, 4), (1, 1, 4), (3, 1, 2))).save(str(path))
    doc = parse_document(path, JDZ)
    assert [w["message"] for w in doc.warnings] == []
    assert [(p.ref, p.title, [u.name for u in p.units], [u.name for u in p.acceptance_units]) for p in doc.items] == [
        ("整改清单（1）", "问题甲", ["市水利局"], ["市生态环境局"]),   # numbered in turn: no 序号 column
        ("整改清单（2）", "问题乙", ["市城管局"], ["市城管局"]),
    ]
    assert [(c.ref, c.body, [u.name for u in c.units]) for c in doc.items[0].children] == [
        ("整改清单（1）第1条", "措施一。", ["市住建局"]),
        ("整改清单（1）第2条", "措施二。", ["市住建局"]),
        ("整改清单（1）第3条", "措施三。", ["市城管局"]),
    ]


# ----------------------------------------------------------------------------- work points: task style, targets
def test_work_points_numbered_in_brackets_and_targets_under_a_heading_with_a_full_stop():
    lines = ["2026年全市生态环境工作要点",                         # 1
             "各单位（责任单位：大气科）要高度重视。",                  # 2 a unit clause before any task
             "责任单位：各科室",                                     # 3 a unit field before any task
             "一、主要目标。",                                      # 4 the targets' heading, with its 。
             "1.PM2.5平均浓度控制在30微克/立方米以内，",               # 5
             "全年优良天数比例达到95%。",                             # 6 continues target 1
             "（责任单位：大气科）",                                  # 7 a unit clause: not target text
             "二、重点任务",                                        # 8
             "（1）推进陶瓷行业深度治理。（责任单位：大气科）",            # 9 tasks are numbered （1）: the
             "（2）加强扬尘管控。（责任单位：大气科、浮梁县生态环境局）"]     # 10 style the unit clauses are in
    doc = parse_lines(lines, JDZ)
    assert [(t.number, t.line, t.body) for t in doc.targets] == [
        ("1", 5, "PM2.5平均浓度控制在30微克/立方米以内，全年优良天数比例达到95%。")]
    assert [(i.number, i.ref, i.group, i.title, [u.name for u in i.units]) for i in doc.items] == [
        ("（1）", "2026年工作要点（1）", "重点任务", "推进陶瓷行业深度治理", ["大气科"]),
        ("（2）", "2026年工作要点（2）", "重点任务", "加强扬尘管控", ["大气科", "浮梁县生态环境局"]),
    ]
    assert doc.warnings == [
        {"line": 2, "text": "各单位（责任单位：大气科）要高度重视。", "message": "含责任单位但不在任何编号任务下，已忽略"},
        {"line": 3, "text": "责任单位：各科室", "message": "含责任单位但不在任何编号任务下，已忽略"}]


# ----------------------------------------------------------------------------- legacy .doc / .wps through LibreOffice
def test_soffice_is_found_under_either_name(monkeypatch):
    from ingest.docparse.readers import legacy

    for found, expected in (({"soffice": "/opt/lo/soffice"}, "/opt/lo/soffice"),
                            ({"libreoffice": "/usr/bin/libreoffice"}, "/usr/bin/libreoffice"),
                            ({"soffice": "/a/soffice", "libreoffice": "/b/libreoffice"}, "/a/soffice"),
                            ({}, None)):
        monkeypatch.setattr(legacy.shutil, "which", found.get)
        assert legacy.soffice() == expected


def test_writer_is_found_beside_the_real_program(tmp_path):
    from ingest.docparse.readers import legacy

    results = {}
    for lib in ("libswlo.so", "libswlo.so.7", "swlo.dll", "libswlo.dylib", "libsclo.so", None):
        program = tmp_path / f"lo-{lib}" / "program"
        program.mkdir(parents=True)
        (program / "soffice").write_text("")
        if lib:
            (program / lib).write_text("")
        link = tmp_path / f"bin-{lib}"  # /usr/bin/soffice is a link into LibreOffice's program folder
        link.symlink_to(program / "soffice")
        results[lib] = legacy.writer_installed(str(link))
    assert results == {"libswlo.so": True, "libswlo.so.7": True, "swlo.dll": True, "libswlo.dylib": True,
                       "libsclo.so": False, None: False}


def _fake_soffice(tmp_path, monkeypatch, script: str) -> None:
    """A stand-in for LibreOffice that talks on stdout and stderr as soffice does."""
    from ingest.docparse.readers import legacy

    exe = tmp_path / "program" / "soffice"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\necho 'convert source.doc -> source.docx using filter : MS Word 2007 XML'\n"
                   "echo 'Warning: failed to launch javaldx' >&2\n" + script)
    exe.chmod(0o755)
    (exe.parent / "libswlo.so").write_text("")
    monkeypatch.setattr(legacy.shutil, "which", lambda name: str(exe) if name == "soffice" else None)


def test_legacy_conversion_keeps_libreoffice_quiet_and_reads_the_docx(tmp_path, monkeypatch, capfd):
    import docx

    from ingest.docparse.readers import read_blocks

    d = docx.Document()
    d.add_paragraph("整改清单")
    d.add_paragraph("（一）问题甲。")
    d.save(str(tmp_path / "converted.docx"))
    # soffice … --outdir DIR SRC: the converted file is DIR/source.docx
    _fake_soffice(tmp_path, monkeypatch, f'for a; do out=$prev; prev=$a; done\ncp "{tmp_path}/converted.docx" '
                                         '"$out/source.docx"\n')
    src = tmp_path / "old.doc"
    src.write_bytes(b"\xd0\xcf\x11\xe0")
    capfd.readouterr()
    assert [(b.line, b.text, b.note) for b in read_blocks(src)] == [(1, "整改清单", ""), (2, "（一）问题甲。", "")]
    assert capfd.readouterr() == ("", "")  # nothing of LibreOffice's reaches the app's console


@pytest.mark.parametrize("script", ["exit 1\n", "exit 0\n"], ids=["fails", "writes_nothing"])
def test_legacy_conversion_that_fails_is_refused(tmp_path, monkeypatch, script):
    from ingest.docparse import DocParseError
    from ingest.docparse.readers import read_blocks

    _fake_soffice(tmp_path, monkeypatch, script)
    src = tmp_path / "old.wps"
    src.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DocParseError) as err:
        read_blocks(src)
    assert str(err.value) == "WPS文件转换失败：文件可能已损坏。请在 Word/WPS 中另存为 .docx 后再导入"


def test_work_points_pages_and_sections_numbered_with_a_dun_comma():
    from ingest.docparse import Block, parse_blocks

    texts = [(1, "2026年全市生态环境工作要点"), (1, "一、主要目标"), (1, "1.空气优良天数比例达到95%。"),
             (1, "二、大气污染防治"), (1, "1.推进陶瓷行业深度治理。（责任单位：大气科）"), (2, "（1）完成窑炉改造。"),
             (2, "三、水污染防治"), (2, "1.推进污水处理提质增效。（责任单位：水科）")]
    blocks = [Block(t, line=i, page=p, continues=False) for i, (p, t) in enumerate(texts, start=1)]
    doc = parse_blocks(blocks, JDZ)
    assert doc.warnings == []
    assert [(t.number, t.line, t.page) for t in doc.targets] == [("1", 3, 1)]
    # the task numbers restart in each 一、 section: the section is part of the number and the ref
    assert [(i.number, i.ref, i.group, i.section, i.page) for i in doc.items] == [
        ("二、1", "2026年工作要点二、第1项", "大气污染防治", "二、", 1),
        ("三、1", "2026年工作要点三、第1项", "水污染防治", "三、", 2),
    ]
    assert [(s.ref, s.page) for s in doc.items[0].children] == [("2026年工作要点二、第1项（1）", 2)]


def test_a_task_whose_text_begins_like_a_targets_heading_is_a_task():
    lines = ["2026年全市生态环境工作要点", "一、重点任务",
             "1.推进陶瓷行业深度治理。（责任单位：大气科）",
             "2.工作目标与考核挂钩。（责任单位：办公室）",  # the task style, not a heading: a task
             "3.推进污水处理提质增效。（责任单位：水科）"]
    doc = parse_lines(lines, JDZ)
    assert doc.warnings == [] and doc.targets == []
    assert [(i.ref, i.title, [u.name for u in i.units]) for i in doc.items] == [
        ("2026年工作要点第1项", "推进陶瓷行业深度治理", ["大气科"]),
        ("2026年工作要点第2项", "工作目标与考核挂钩", ["办公室"]),
        ("2026年工作要点第3项", "推进污水处理提质增效", ["水科"]),
    ]


# ----------------------------------------------------------------------------- rectification: fields and sub-items
def test_rectification_numbered_1_with_support_units_sub_items_and_acceptance_lines():
    lines = ["整改清单",                                       # 1
             "1.问题甲。",                                     # 2
             "配合单位：市城管局",                               # 3 kept in the problem's text
             "整改目标：目标。", "整改时限：2025年底前",              # 4, 5
             "整改措施：先行排查。〔责任单位：市住建局〕",              # 6 a measure on the label's line
             "1.措施一。〔责任单位：市住建局〕",                      # 7
             "2.措施二。〔责任单位：市水利局〕",                      # 8
             "（1）子项一；",                                   # 9 under measure 2
             "（2）子项二。〔责任单位：市城管局〕",                  # 10
             "验收单位：市住建局",                               # 11 replaced by the next 验收单位 line
             "验收单位：市生态环境局、",                           # 12
             "市水利局"]                                       # 13 continues it
    doc = parse_lines(lines, JDZ)
    assert doc.warnings == []
    (p,) = doc.items
    assert (p.number, p.ref, p.group, p.body, p.acceptance_text, [u.name for u in p.acceptance_units]) == (
        "1", "整改清单第1项", "", "问题甲。\n配合单位：市城管局", "市生态环境局、市水利局", ["市生态环境局", "市水利局"])
    assert [(c.ref, c.level, c.line, c.body, [u.name for u in c.units]) for c in p.children] == [
        ("整改清单第1项措施", "measure", 6, "先行排查。", ["市住建局"]),
        ("整改清单第1项第1条", "measure", 7, "措施一。", ["市住建局"]),
        ("整改清单第1项第2条", "measure", 8, "措施二。", ["市水利局"]),
    ]
    assert [(s.ref, s.level, s.line, s.body, [u.name for u in s.units], s.deadline_inherited)
            for s in p.children[2].children] == [
        ("整改清单第1项第2条（1）", "sub", 9, "子项一；", ["市水利局"], True),   # the measure's units
        ("整改清单第1项第2条（2）", "sub", 10, "子项二。", ["市城管局"], True),
    ]


def test_fields_without_a_numbered_problem_before_them():
    lines = ["整改清单", "整改目标：目标。", "整改时限：2025年底前", "整改措施：", "完成整治。"]
    doc = parse_lines(lines, JDZ)
    assert doc.items == []
    assert doc.warnings == [
        {"line": 0, "text": "", "message": "未找到“整改目标/整改时限”前的问题编号，无法识别问题条目"},
        {"line": 0, "text": "", "message": "没有识别出任何条目：请确认文件是整改清单或工作要点"}]


def test_fields_before_the_first_problem_do_not_vote_for_the_problem_numbering():
    lines = ["整改清单",                                   # 1
             "整改目标：总体目标。",                         # 2 before any numbered line: no vote
             "整改时限：2025年底前",                         # 3
             "1.问题甲。", "整改目标：目标。", "整改时限：2025年底前", "整改措施：",
             "（一）措施一。〔责任单位：市住建局〕"]            # 8 the last line, numbered （一）
    doc = parse_lines(lines, JDZ)
    assert [(p.ref, [(c.ref, c.body) for c in p.children]) for p in doc.items] == [
        ("整改清单第1项", [("整改清单第1项第一条", "措施一。")])]
    assert doc.warnings == [
        {"line": 2, "text": "整改目标：总体目标。", "message": "字段出现在第一个问题之前，未能归属，已忽略"},
        {"line": 3, "text": "整改时限：2025年底前", "message": "字段出现在第一个问题之前，未能归属，已忽略"}]


def test_measures_numbered_with_a_dun_comma_under_a_bracketed_problem():
    lines = ["整改清单", "（一）问题甲。", "整改目标：目标。", "整改时限：2025年底前", "整改措施：",
             "一、措施一。〔责任单位：市住建局〕", "二、措施二。〔责任单位：市水利局〕", "验收单位：市住建局"]
    doc = parse_lines(lines, JDZ)
    assert [(p.ref, p.group, [(c.ref, c.body) for c in p.children]) for p in doc.items] == [
        ("整改清单（一）", "", [("整改清单（一）第一条", "措施一。"), ("整改清单（一）第二条", "措施二。")])]
    assert doc.warnings == []


def test_unnumbered_measures_on_label_lines_and_a_problem_without_deadline():
    lines = ["整改清单", "（一）问题甲。", "整改目标：目标。",
             "整改措施：先行排查。〔责任单位：市住建局〕", "整改措施：全面整治。〔责任单位：市水利局〕"]
    doc = parse_lines(lines, JDZ)
    (p,) = doc.items
    assert [(c.ref, c.number, c.body, [u.name for u in c.units]) for c in p.children] == [
        ("整改清单（一）措施", None, "先行排查。", ["市住建局"]), ("整改清单（一）措施2", None, "全面整治。", ["市水利局"])]
    assert doc.warnings == [{"line": 2, "text": "问题甲", "message": "整改清单（一） 没有整改时限"}]


# ----------------------------------------------------------------------------- structure: page numbers, headers, signature
BODY = ["推进大气治理。", "加强水体保护。", "开展土壤调查。", "完善监测网络。", "强化执法检查。", "提升应急能力。"]


def _clean(blocks):
    from ingest.docparse.structure import clean

    warnings: list[dict] = []
    return [(ln.text, ln.line, ln.page) for ln in clean(blocks, warnings)], warnings


def test_page_number_warning_lists_five_pages_then_etc():
    from ingest.docparse import Block

    for pages, where in ((5, "第1页、第2页、第3页、第4页、第5页"), (6, "第1页、第2页、第3页、第4页、第5页等")):
        blocks = []
        for p in range(1, pages + 1):
            blocks += [Block(BODY[p - 1], page=p), Block(f"- {p} -", page=p, margin=True)]
        for i, b in enumerate(blocks, start=1):
            b.line = i
        lines, warnings = _clean(blocks)
        assert lines == [(BODY[p - 1], 2 * p - 1, p) for p in range(1, pages + 1)]
        assert warnings == [{"line": 2, "text": "- 1 -", "message": f"已去除页码 {pages} 处（{where}）", "page": 1}]


def test_bare_numbers_are_page_numbers_from_three_on():
    from ingest.docparse.blocks import numbered

    lines, warnings = _clean(numbered(["甲。", "1", "乙。", "2", "丙。", "3"]))
    assert lines == [("甲。", 1, None), ("乙。", 3, None), ("丙。", 5, None)]
    assert warnings == [{"line": 2, "text": "1", "message": "已去除页码 3 处（第2行、第4行、第6行）"}]
    lines, warnings = _clean(numbered(["甲。", "1", "乙。", "2", "丙。"]))  # two: text, not page numbers
    assert lines == [("甲。", 1, None), ("1", 2, None), ("乙。", 3, None), ("2", 4, None), ("丙。", 5, None)]
    assert warnings == []


def test_running_headers_are_at_most_40_characters():
    from ingest.docparse import Block

    for header, dropped in (("景" * 40, True), ("景" * 41, False)):
        blocks = []
        for p in (1, 2, 3):
            blocks += [Block(header, page=p, margin=True), Block(BODY[p - 1], page=p),
                       Block(f"- {p} -", page=p, margin=True)]
        for i, b in enumerate(blocks, start=1):
            b.line = i
        lines, warnings = _clean(blocks)
        body = [(BODY[p - 1], 3 * p - 1, p) for p in (1, 2, 3)]
        pages = {"line": 3, "text": "- 1 -", "message": "已去除页码 3 处（第1页、第2页、第3页）", "page": 1}
        if dropped:
            assert lines == body
            assert warnings == [pages, {"line": 1, "text": header, "message": f"已去除页眉/页脚 3 行：“{header}”",
                                        "page": 1}]
        else:
            assert lines == [x for p in (1, 2, 3) for x in ((header, 3 * p - 2, p), body[p - 1])]
            assert warnings == [pages]


def test_bookmark_residue_broken_across_lines_is_removed_from_both():
    from ingest.docparse.blocks import numbered

    lines, warnings = _clean(numbered(["（一）问题甲。[bookmark:", "_GoBack]责任人：张三", "[bookmark: _Toc1]整改目标：目标。"]))
    assert lines == [("（一）问题甲。", 1, None), ("责任人：张三", 2, None), ("整改目标：目标。", 3, None)]
    assert warnings == []


def test_signature_dropped_before_the_annex_and_a_date_inside_the_text_kept():
    from ingest.docparse.structure import Line, drop_signature

    texts = ["1.推进治理。", "2026年1月5日",           # a date inside the text: followed by text, kept
             "各单位要抓好落实。", "九江市生态环境局", "2026年2月10日", "（此件公开发布）",
             "附件", "2026年主要事项"]
    lines = [Line(t, i) for i, t in enumerate(texts, start=1)]
    assert [ln.text for ln in drop_signature(lines)] == [
        "1.推进治理。", "2026年1月5日", "各单位要抓好落实。", "附件", "2026年主要事项"]


def test_hard_wrap_width_and_visual_width():
    from ingest.docparse.structure import hard_wrap_width, visual_width

    # eight lines of six characters or more: seven wrapped at 14, one short line of 6 → 14
    assert hard_wrap_width(["一二三四五六七八九十一二三四"] * 7 + ["一二三四五六"]) == 14
    assert hard_wrap_width(["一二三四五六七八九十一二三四"] * 7 + ["一二三四五"]) is None  # only seven counted
    assert visual_width("PM2.5浓度“达标”") == 8.5  # five half-width, four CJK, two curly quotes


def test_cn_to_int():
    from ingest.docparse.text import cn_to_int

    cases = {"一": 1, "十": 10, "十二": 12, "二十": 20, "二十三": 23, "百": 100, "一百": 100, "一百零五": 105,
             "一百二十": 120, "三百四十五": 345, "〇": 0, "零": 0, "①": 1, "⑳": 20, "12": 12, "": None, "十X": None,
             "abc": None}
    assert {s: cn_to_int(s) for s in cases} == cases


def test_unit_clause_without_a_colon():
    from ingest.docparse.genres.common import _close
    from ingest.docparse.text import split_unit_clause

    assert split_unit_clause("完成整治（责任单位市生态环境局）") == ("完成整治", "市生态环境局")
    # without a colon, a bracket holding a note about units is not a clause
    assert split_unit_clause("完成整治（责任单位主要负责人由市领导兼任）") == ("完成整治（责任单位主要负责人由市领导兼任）", None)
    assert _close("市X局（X组）") == "市X局（X组）"  # a bracket of the name stays
    assert _close("市公安局等〕") == "市公安局等"  # left from the clause around the list: dropped


def test_paragraphs_marked_by_first_line_indent_and_a_line_after_an_annex_heading():
    from ingest.docparse import Block

    # paragraphs marked by a first-line indent: an unindented line goes on unless the line before is finished
    blocks = [Block("推进大气污染防治，", line=1, indent=True), Block("确保空气质量改善。", line=2, indent=False),
              Block("加强水体保护。", line=3, indent=False), Block("开展土壤调查", line=4, indent=True)]
    lines, _w = _clean(blocks)
    assert lines == [("推进大气污染防治，确保空气质量改善。", 1, None), ("加强水体保护。", 3, None), ("开展土壤调查", 4, None)]
    # a full line opening with 附件 is finished: the numbered line after it is a new one
    blocks = [Block("附件", line=1, continues=True), Block("1.开展执法检查。", line=2, continues=False)]
    lines, _w = _clean(blocks)
    assert lines == [("附件", 1, None), ("1.开展执法检查。", 2, None)]


def test_a_dun_heading_after_numbered_measures_is_still_a_section():
    """The other side of the 一、 measures rule: after measures numbered 1. 2., an 一、 line opens a
    new section and the next （二） problem belongs to it."""
    lines = ["整改清单", "一、水污染问题", "（一）问题甲。", "整改时限：2025年底前", "整改措施：",
             "1.措施一。", "2.措施二。", "二、大气污染问题", "（二）问题乙。", "整改时限：2025年底前", "整改措施：", "1.措施三。"]
    doc = parse_lines(lines, JDZ)
    assert [(p.ref, p.group, [c.body for c in p.children]) for p in doc.items] == [
        ("整改清单（一）", "水污染问题", ["措施一。", "措施二。"]), ("整改清单（二）", "大气污染问题", ["措施三。"])]


def test_a_page_whose_text_cannot_be_read_is_named_by_its_number(tmp_path, monkeypatch):
    """The page number in "无法读取 PDF 第N页的文字" (a survivor of the mutation run): the second of
    three pages fails to give its text layer — the refusal names page 2, not 1 or 3."""
    import pypdfium2 as pdfium

    from ingest.docparse import DocParseError
    from ingest.docparse.readers import pdf as pdf_reader
    from tests.doc_builders import pdf_from_lines

    path = pdf_from_lines([f"第{i}行文字" for i in range(1, 140)], tmp_path / "三页.pdf")
    assert len(pdfium.PdfDocument(str(path))) >= 3
    calls = {"n": 0}
    real = pdfium.PdfPage.get_textpage

    def flaky(self, *a, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise pdfium.PdfiumError("Failed to load text page.")
        return real(self, *a, **kw)

    monkeypatch.setattr(pdfium.PdfPage, "get_textpage", flaky)
    with pytest.raises(DocParseError) as e:
        pdf_reader.read(path)
    assert str(e.value) == "无法读取 PDF 第2页的文字：文件可能已损坏"


def test_a_list_level_its_definition_lacks_counts_as_a_plain_decimal():
    """A paragraph at a list level the numbering definition does not describe (seen in documents
    converted by other editors): it numbers itself as a plain decimal of its own level ("%3." for
    level 3, from 1) and counts on — it used to print level 1's counter ("一.") — never an error."""
    from ingest.docparse.readers.word_numbering import Numbering, _Level

    n = Numbering(abstract={"A": {0: _Level("chineseCounting", "%1、", 1, None)}}, nums={"7": "A"})
    assert [n.label("7", 0), n.label("7", 2), n.label("7", 2), n.label("7", 0)] == ["一、", "1.", "2.", "二、"]
