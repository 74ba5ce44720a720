"""Generate the corpus: every source × every variant, written into a directory (a test's tmp
dir); deterministic (no randomness, no clock). Generated files are never committed.

    build(source, variant, out_dir) -> (path, truth)

The truth is the committed JSON for the source, changed only where a variant changes the
meaning on purpose (`unit_notes`: "各县（市、区）生态环境局为各项任务责任单位" adds every
county's bureau to every task).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from datetime import UTC
from pathlib import Path

from tests.doc_corpus.model import COUNTIES, HERE, SOURCES, Block, annex_start, read_blocks

WRAP = 36  # characters per line, as PDF-to-text gives an A4 page of 三号/小三 text
PAGE_LINES = 40
CN = "一二三四五六七八九十"

VARIANTS = {
    "txt": "the clean text as published (the seed's own copy)",
    "docx_numbering": "Word list numbering (numbering.xml, levels, restarts); numbers are not text",
    "docx_table": "rectification list as a table: title row above the header, merged group rows, units column",
    "docx_table_no_title": "the same table without the title row (the header is the first row)",
    "pdf": "PDF with a text layer: lines filled to the column (~36 characters), page footers — 5 —",
    "wrapped_txt": "PDF-to-text: hard line breaks every 36 characters, page footers — 5 —",
    "halfwidth": "half-width punctuation ( ) : , ; [ ]",
    "spaced_labels": "unit clauses written [责任 单位:…]",
    "dash_headings": "section headings with a list dash: - (二)…",
    "split_units": "unit clauses broken across two lines",
    "unit_notes": "notes in unit lists: …等; 各县（市、区）生态环境局为各项任务责任单位，不再单列",
    "two_clauses": "two unit clauses in one item: the first unit named after the first sentence",
    "combined_txt": "all at once: dash headings, two clauses, notes, spaced labels, half-width; wrapped at 28 "
                    "characters, 34 lines a page, a running header, footers - 5 -",
    "combined_pdf": "the same as a PDF (lines filled to the column, running header, footer - 5 -)",
}


def variants_for(source: str) -> list[str]:
    genre = SOURCES[source][1]
    return [v for v in VARIANTS if not v.startswith("docx_table") or genre == "整改清单"]


def load_truth(source: str) -> dict:
    return json.loads((HERE / "truth" / f"{source}.json").read_text(encoding="utf-8"))


def cn_num(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens - 1]) + "十" + (CN[ones - 1] if ones else "")


def build(source: str, variant: str, out_dir: Path) -> tuple[Path, dict]:
    path, genre, city = SOURCES[source]
    truth = load_truth(source)
    blocks = read_blocks(path)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"{source}__{variant}"
    if variant == "txt":
        out = stem.with_suffix(".txt")
        shutil.copyfile(path, out)
    elif variant == "docx_numbering":
        out = stem.with_suffix(".docx")
        _docx_numbering(blocks, out)
    elif variant in ("docx_table", "docx_table_no_title"):
        out = stem.with_suffix(".docx")
        _docx_table(blocks, out, title_row=variant == "docx_table")
    elif variant == "pdf":
        out = stem.with_suffix(".pdf")
        _pdf([b.render() for b in blocks], out)
    elif variant == "wrapped_txt":
        out = stem.with_suffix(".txt")
        lines: list[str] = []
        for no, page in enumerate(_pages([b.render() for b in blocks]), start=1):
            lines += page + ["", f"— {no} —", ""]
        _write(out, lines)
    elif variant.startswith("combined"):
        lines, truth = _combined(blocks, genre, city, truth)
        header = f"{CITY_NAMES[city]}生态环境局"
        if variant == "combined_pdf":
            out = stem.with_suffix(".pdf")
            _pdf(lines, out, header=header, footer="- {} -")
        else:
            out = stem.with_suffix(".txt")
            text: list[str] = []
            for no, page in enumerate(_pages(lines, wrap=28, page_lines=34), start=1):
                text += ([header] if no > 1 else []) + page + [f"- {no} -", ""]
            _write(out, text)
    else:
        out = stem.with_suffix(".txt")
        lines, truth = _text_variant(variant, blocks, genre, city, truth)
        _write(out, lines)
    return out, truth


CITY_NAMES = {"jdz": "景德镇市", "jj": "九江市", "sr": "上饶市", "fz": "抚州市"}


def _combined(blocks: list[Block], genre: str, city: str, truth: dict) -> tuple[list[str], dict]:
    """Several quirks in one document, as a real one has them (the truth of unit_notes)."""
    lines, truth = _text_variant("dash_headings", blocks, genre, city, truth)
    lines, truth = _text_variant("two_clauses", blocks, genre, city, truth, lines)
    lines, truth = _text_variant("unit_notes", blocks, genre, city, truth, lines)
    lines, truth = _text_variant("spaced_labels", blocks, genre, city, truth, lines)
    return _text_variant("halfwidth", blocks, genre, city, truth, lines)


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------- text variants
_CLAUSE = re.compile(r"[〔（(【]责任单位[：:]")


def _clause_span(text: str) -> tuple[int, int, int] | None:
    """(start of the clause, start of its unit list, index of its closing bracket)."""
    found = list(_CLAUSE.finditer(text))
    if not found:
        return None
    m = found[-1]
    depth, i = 1, m.end()
    while i < len(text) and depth:
        depth += text[i] in "（(〔【"
        depth -= text[i] in "）)〕】"
        i += 1
    return m.start(), m.end(), i - 1


def _top_separators(units: str) -> list[int]:
    out, depth = [], 0
    for i, ch in enumerate(units):
        depth += ch in "（("
        depth -= ch in "）)"
        if depth == 0 and ch in "、，,":
            out.append(i)
    return out


def _text_variant(variant: str, blocks: list[Block], genre: str, city: str, truth: dict,
                  lines: list[str] | None = None):
    lines = lines if lines is not None else [b.render() for b in blocks]
    if variant == "halfwidth":
        table = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "〔": "[", "〕": "]"})
        return [s.translate(table) for s in lines], truth
    if variant == "spaced_labels":
        out = []
        for s in lines:
            span = _clause_span(s)
            if span:
                a, b, c = span
                s = f"{s[:a]}[责任 单位:{s[b:c]}]{s[c + 1:]}"
            out.append(s)
        return out, truth
    if variant == "dash_headings":
        heading = "cn_dun" if genre == "整改清单" else "cn_paren"
        start = annex_start(blocks, genre)
        out = []
        for i, (b, s) in enumerate(zip(blocks, lines, strict=True)):
            if i >= start and b.kind == "num" and b.style == heading:
                s = f"- {cn_num(b.number)}、{b.text}" if heading == "cn_dun" else f"- ({cn_num(b.number)}){b.text}"
            out.append(s)
        return out, truth
    if variant == "split_units":
        out = []
        for s in lines:
            span = _clause_span(s)
            seps = _top_separators(s[span[1]:span[2]]) if span else []
            if seps:
                cut = span[1] + seps[0] + 1
                out += [s[:cut], s[cut:]]
            else:
                out.append(s)
        return out, truth
    if variant == "unit_notes":
        return _unit_notes(blocks, lines, genre, city, truth)
    if variant == "two_clauses":
        out = []
        for s in lines:
            span = _clause_span(s)
            seps = _top_separators(s[span[1]:span[2]]) if span else []
            stop = s.find("。")
            units = s[span[1]:span[2]] if span else ""
            first = units[:seps[0]] if seps else ""
            after = units[seps[0] + 1:seps[1] if len(seps) > 1 else None] if seps else ""
            whole = not (first.startswith("各") or first.endswith(("委", "区", "县", "市"))
                         or after in ("政府", "县政府", "市政府", "区政府", "管委会"))
            if seps and whole and 0 < stop < span[0] - 1:  # a unit standing alone moves
                a, u, c = span
                first, rest = s[u:u + seps[0]], s[u + seps[0] + 1:c]
                label = s[a:u]
                close = s[c]
                s = f"{s[:stop]}{label}{first}{close}{s[stop:a]}{label}{rest}{close}{s[c + 1:]}"
            out.append(s)
        return out, truth
    raise ValueError(variant)


_GROUP_BUREAU = re.compile(r"[，、,]?各县[（(]市、区[)）]生态环境局")


def _unit_notes(blocks, lines, genre, city, truth):
    """Every second unit list with two or more units ends in 等 (the list is the named units);
    in work points the county bureaus leave every clause for one note after 重点任务."""
    truth = copy.deepcopy(truth)
    out: list[str] = []
    n_clause = 0
    for b, s in zip(blocks, lines, strict=True):
        span = _clause_span(s)
        if span:
            a, u, c = span
            units = s[u:c]
            if genre == "工作要点" and _GROUP_BUREAU.search(units) and _GROUP_BUREAU.sub("", units).strip("、，,"):
                units = _GROUP_BUREAU.sub("", units).strip("、，,")
            if _top_separators(units):
                n_clause += 1
                if n_clause % 2 == 0:
                    units += "等"
            s = s[:u] + units + s[c:]
        out.append(s)
        if genre == "工作要点" and b.kind == "num" and b.text in ("重点任务", "重点工作"):
            out.append("各县（市、区）生态环境局为以下各项重点任务的责任单位，不再单列。")
    if genre == "工作要点":
        bureaus = [f"{c}生态环境局" for c in COUNTIES[city]]
        for t in truth["items"]:
            if t["kind"] == "task":
                t["units"] += [x for x in bureaus if x not in t["units"]]
    return out, truth


# ----------------------------------------------------------------------------- hard-wrapped pages
def _pages(paragraphs: list[str], wrap: int = WRAP, page_lines: int = PAGE_LINES) -> list[list[str]]:
    """Each paragraph indented two characters and cut every `wrap` characters; `page_lines` a page."""
    lines: list[str] = []
    for p in paragraphs:
        text = "\u3000\u3000" + p
        lines += [text[i:i + wrap] for i in range(0, len(text), wrap)]
    return [lines[i:i + page_lines] for i in range(0, len(lines), page_lines)]


_NO_LINE_START = "，。、；：？！）》」』”’〕】"
_NO_LINE_END = "（《「『“‘〔【"


def _pdf(paragraphs: list[str], out: Path, *, header: str = "", footer: str = "— {} —") -> None:
    """As Word lays a page out: each paragraph indented two characters and filled to the text
    column (about 36 CJK characters at 12.5 pt; more when digits and Latin letters are narrower),
    closing punctuation never starting a line nor an opening one ending it; 40 lines a page, footer `— n —`."""
    from datetime import datetime

    from fpdf import FPDF

    from exports.fonts import cjk_sc_font

    class Doc(FPDF):
        def header(self) -> None:
            if header and self.page_no() > 1:  # a running header from the second page on
                self.set_font("cjk", size=10)
                self.set_y(10)
                self.cell(0, 6, header, align="C")

        def footer(self) -> None:
            self.set_y(-18)
            self.set_font("cjk", size=11)
            self.cell(0, 8, footer.format(self.page_no()), align="C")

    pdf = Doc(format="A4")
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(False)
    font, face = cjk_sc_font()
    pdf.add_font("cjk", "", str(font), collection_font_number=face)
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    pdf.set_font("cjk", size=12.5)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    lines: list[str] = []
    for p in paragraphs:
        text, line = "\u3000\u3000" + p, ""
        for ch in text:
            if line and pdf.get_string_width(line + ch) > width and ch not in _NO_LINE_START:
                carry = line[-1] if line[-1] in _NO_LINE_END else ""  # an opening bracket goes down
                lines.append(line[:-1] if carry else line)
                line = carry
            line += ch
        lines.append(line)
    for start in range(0, len(lines), PAGE_LINES):
        pdf.add_page()
        pdf.set_y(20)
        for line in lines[start:start + PAGE_LINES]:
            pdf.cell(0, 6.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))


# ----------------------------------------------------------------------------- Word
_LEVEL = {"cn_dun": 0, "cn_paren": 1, "num_dot": 2, "num_paren": 3}
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_numbering(blocks: list[Block], out: Path) -> None:
    """Numbered paragraphs carry numPr (level + list instance); the marker is not in the text.
    Levels: 一、 (chineseCounting) / （一） / 1． A level restarts after a higher one unless the
    source keeps counting (lvlRestart 0, e.g. problems （十三） after group 二、); any other
    jump gets a new list instance with a startOverride, as Word writes "restart numbering"."""
    import docx
    from docx.oxml import parse_xml

    restart = _restart_votes(blocks)
    d = docx.Document()
    numbering = d.part.numbering_part.element
    abstract_id = 90
    lvls = []
    for lvl, (fmt, text) in enumerate((("chineseCounting", "%1、"), ("chineseCounting", "（%2）"),
                                       ("decimal", "%3．"), ("decimal", "（%4）"))):
        keep = "" if restart[lvl] else '<w:lvlRestart w:val="0"/>'
        lvls.append(f'<w:lvl w:ilvl="{lvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{keep}'
                    f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                    f'<w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr></w:lvl>')
    abstract = parse_xml(f'<w:abstractNum xmlns:w="{_W}" w:abstractNumId="{abstract_id}">'
                         f'<w:multiLevelType w:val="multilevel"/>{"".join(lvls)}</w:abstractNum>')
    first_num = numbering.find(f"{{{_W}}}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)

    next_id = [100]

    def new_num(override: tuple[int, int] | None) -> int:
        nid = next_id[0]
        next_id[0] += 1
        extra = (f'<w:lvlOverride w:ilvl="{override[0]}"><w:startOverride w:val="{override[1]}"/></w:lvlOverride>'
                 if override else "")
        numbering.append(parse_xml(f'<w:num xmlns:w="{_W}" w:numId="{nid}"><w:abstractNumId w:val="{abstract_id}"/>'
                                   f'{extra}</w:num>'))
        return nid

    num_id = new_num(None)
    counters: dict[int, int] = {}
    for b in blocks:
        if b.kind != "num":
            d.add_paragraph(b.render())
            continue
        lvl = _LEVEL[b.style]
        value = counters.get(lvl, 0) + 1
        if value != b.number:
            num_id = new_num((lvl, b.number))
            counters = {}
        counters[lvl] = b.number
        for deeper in (1, 2, 3):
            if deeper > lvl and restart[deeper]:
                counters.pop(deeper, None)
        p = d.add_paragraph(b.text)
        num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = lvl
        num_pr.get_or_add_numId().val = num_id
    d.core_properties.created = __import__("datetime").datetime(2026, 1, 1)
    d.save(str(out))


def _restart_votes(blocks: list[Block]) -> dict[int, bool]:
    """Per level: does the source restart at 1 after a higher-level heading (majority)?"""
    votes = {lvl: [0, 0] for lvl in (1, 2, 3)}
    after_higher = {lvl: False for lvl in (1, 2, 3)}
    for b in blocks:
        if b.kind != "num":
            continue
        lvl = _LEVEL[b.style]
        if lvl in votes and after_higher[lvl]:
            votes[lvl][0 if b.number == 1 else 1] += 1
            after_higher[lvl] = False
        for deeper in (1, 2, 3):
            if deeper > lvl:
                after_higher[deeper] = True
    return {0: True, **{lvl: v[0] >= v[1] for lvl, v in votes.items()}}


def _docx_table(blocks: list[Block], out: Path, *, title_row: bool = True) -> None:
    """The annex list as one table: a title row (merged across) above the header, group rows
    merged across, one row per measure with the problem's cells merged down, units in a column."""
    import docx
    from docx.oxml.ns import qn

    from tests.doc_corpus.derive_truth import unit_clause
    from tests.doc_corpus.model import problem_style

    d = docx.Document()
    start = annex_start(blocks, "整改清单")
    pstyle = problem_style(blocks)
    for b in blocks[:start]:
        d.add_paragraph(b.render())
    title_parts = []
    i = start
    while i < len(blocks) and blocks[i].kind == "para":
        title_parts.append(blocks[i].text)
        i += 1
    header = ["序号", "存在问题", "整改目标", "整改时限", "整改措施", "责任单位", "验收单位"]
    table = d.add_table(rows=0, cols=len(header))
    table.style = "Table Grid"
    if title_row:
        row = table.add_row()
        row.cells[0].merge(row.cells[-1]).text = "".join(title_parts)
    else:
        d.add_paragraph("".join(title_parts))
        table._tbl.getparent().remove(table._tbl)
        d.element.body.append(table._tbl)  # the title as a paragraph above the table
        d.element.body.append(d.element.body.find(qn("w:sectPr")))
    row = table.add_row()
    for c, h in zip(row.cells, header, strict=True):
        c.text = h
    problems: list[dict] = []
    cur: dict | None = None
    in_measures = False
    for b in blocks[i:]:
        if b.kind == "num" and b.style == "cn_dun":
            problems.append({"group": f"{cn_num(b.number)}、{b.text}"})
            cur = None
        elif b.kind == "num" and b.style == pstyle:
            cur = {"no": str(b.number), "text": b.text, "target": "", "deadline": "", "measures": [], "acc": ""}
            problems.append(cur)
            in_measures = False
        elif cur is None:
            continue
        elif b.kind == "field":
            if b.marker == "整改目标":
                cur["target"] = b.text
            elif b.marker == "整改时限":
                cur["deadline"] = b.text
            elif b.marker == "整改措施":
                in_measures = True
                if b.text:
                    cur["measures"].append(b.text)
            elif b.marker == "验收单位":
                in_measures = False
                cur["acc"] = b.text
        elif in_measures:
            cur["measures"].append(b.render())
    for p in problems:
        if "group" in p:
            row = table.add_row()
            row.cells[0].merge(row.cells[-1]).text = p["group"]
            continue
        first = len(table.rows)
        for m in p["measures"] or [""]:
            text, units = unit_clause(m)
            row = table.add_row()
            row.cells[4].text = text
            row.cells[5].text = units or ""
        last = len(table.rows) - 1
        for col, value in ((0, p["no"]), (1, p["text"]), (2, p["target"]), (3, p["deadline"]), (6, p["acc"])):
            cell = table.cell(first, col)
            if last > first:
                cell = cell.merge(table.cell(last, col))
            cell.text = value
    d.core_properties.created = __import__("datetime").datetime(2026, 1, 1)
    d.save(str(out))
