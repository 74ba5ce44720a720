"""Official task documents → a task tree.

Two genres, as published by Chinese environment bureaus:

* 整改清单 (rectification list): problem `（一）…` → 整改目标 / 整改时限 / 整改措施
  (numbered measures, each with `〔责任单位：…〕` and often a leading deadline) →
  验收单位 (possibly per measure: `市整改办负责第1-4条`).
* 工作要点 (annual work points): numbered key tasks `1. **标题**。正文（责任单位：…）`
  under group headings, and an annex of 主要事项 `1. 事项(责任科室)`.

Written for documents not seen before: half- and full-width punctuation, `[]`, `〔〕`,
`【】` brackets, list markers `1.` `1．` `1、` `(1)` `（1）` `①` `- 1.`, missing
spaces, lines broken by page breaks, nested sub-items. Anything that cannot be
placed becomes a warning, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from domain.categories import classify
from domain.deadlines import Deadline, leading_deadline, parse_deadline
from domain.units import Unit, UnitParser, parse_acceptance

RECTIFICATION = "整改清单"
WORK_POINTS = "工作要点"

CN_NUM = "零〇一二三四五六七八九十百"
_FW = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

FIELD_LABELS = {
    "整改目标": "target", "目标": "target",
    "整改时限": "deadline", "完成时限": "deadline", "时限": "deadline", "完成时间": "deadline",
    "整改措施": "measures", "主要措施": "measures",
    "责任单位": "units", "牵头单位": "units", "责任部门": "units",
    "配合单位": "support_units",
    "责任人": "person",
    "验收单位": "acceptance", "验收部门": "acceptance",
}
_LABEL_RE = re.compile(
    r"^[【\[]?(?P<label>" + "|".join(sorted(FIELD_LABELS, key=len, reverse=True)) + r")[】\]]?\s*[：:]\s*(?P<rest>.*)$"
)


def canon(line: str) -> str:
    """Normalise punctuation that varies between documents; keep the wording."""
    s = line.translate(_FW)
    s = s.replace("．", ".").replace("(", "（").replace(")", "）").replace(":", "：").replace(";", "；")
    s = s.replace("\u3000", " ").replace("\xa0", " ")
    return s.strip()


def strip_markup(line: str) -> str:
    """Remove Markdown/Word export residue: headings, bold, <sub>, bookmarks."""
    s = re.sub(r"\[bookmark:[^\]]*\]", "", line)
    s = re.sub(r"</?su[bp]>", "", s)
    s = s.replace("**", "").replace("__", "")
    s = re.sub(r"^\s*#{1,6}\s*", "", s)
    return s.strip()


# ----------------------------------------------------------------------------- markers
@dataclass(frozen=True)
class Marker:
    style: str  # cn_paren, cn_dun, num_dot, num_paren, circled
    number: str
    rest: str


_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("cn_paren", re.compile(r"^（([" + CN_NUM + r"]+)）\s*(.*)$")),
    ("cn_dun", re.compile(r"^([" + CN_NUM + r"]+)[、.]\s*(.*)$")),
    ("num_paren", re.compile(r"^（(\d{1,3})）\s*(.*)$")),
    ("circled", re.compile(r"^([" + _CIRCLED + r"])\s*(.*)$")),
    # 1. / 1、 / 1) but not a year such as 2023年 or a decimal such as 2.5
    ("num_dot", re.compile(r"^(?:[-*•]\s*)?(\d{1,3})(?:[、）]|\.(?!\d)|\.(?=\d{4}))\s*(.*)$")),
]


def marker_of(line: str) -> Marker | None:
    for style, pattern in _MARKERS:
        m = pattern.match(line)
        if m:
            number = m.group(1)
            if style == "circled":  # ① → 1, so per-measure references (第1条) resolve
                number = str(_CIRCLED.index(number) + 1)
            return Marker(style, number, m.group(2).strip())
    return None


def cn_to_int(s: str) -> int | None:
    if s and s in _CIRCLED:
        return _CIRCLED.index(s) + 1
    if s.isascii() and s.isdigit():
        return int(s)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits["〇"] = 0
    if not s or any(c not in digits and c not in "十百" for c in s):
        return None
    total, cur = 0, 0
    for c in s:
        if c == "百":
            total += (cur or 1) * 100
            cur = 0
        elif c == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = digits[c]
    return total + cur


# ----------------------------------------------------------------------------- units
_UNIT_LABEL = re.compile(r"[〔（\[【]\s*(?:责任单位|牵头单位|责任部门)\s*[：]?")


def split_unit_clause(text: str) -> tuple[str, str | None]:
    """`…。〔责任单位：A、B（C）〕` → (text without the clause, 'A、B（C）').

    Bracket depth is tracked so `各县（市、区）` inside the clause is kept whole."""
    clauses = list(_UNIT_LABEL.finditer(text))
    if not clauses:
        return text, None
    m = clauses[-1]  # the last clause wins: units are written at the end
    depth, i = 1, m.end()
    while i < len(text) and depth:
        if text[i] in "〔（[【(":
            depth += 1
        elif text[i] in "〕）]】)":
            depth -= 1
        i += 1
    inner = text[m.end(): i - 1 if depth == 0 else i].strip()
    rest = (text[: m.start()] + text[i:]).strip()
    rest = re.sub(r"[。；]\s*[。；]$", "。", rest)
    return rest, inner


_TRAILING_PAREN = re.compile(r"^(?P<title>.+?)\s*[（]\s*(?P<units>[^（）]+(?:（[^（）]*）[^（）]*)*)\s*[）]\s*[。；]?$")


# ----------------------------------------------------------------------------- model
@dataclass
class Item:
    number: str | None
    title: str
    level: str  # problem | measure | task | matter | sub
    ref: str = ""
    body: str = ""
    target: str = ""
    deadline: Deadline = field(default_factory=lambda: Deadline("", None, False))
    deadline_inherited: bool = False
    units: list[Unit] = field(default_factory=list)
    acceptance_units: list[Unit] = field(default_factory=list)
    acceptance_text: str = ""
    acceptance_note: str = ""
    person: str = ""
    group: str = ""
    part: str = "main"
    category: str = ""
    line: int = 0
    children: list[Item] = field(default_factory=list)
    raw: str = field(default="", repr=False)  # a measure's text as written, unit clause included

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "ref": self.ref,
            "level": self.level,
            "title": self.title,
            "body": self.body,
            "target": self.target,
            "deadline": self.deadline.as_dict(),
            "deadline_inherited": self.deadline_inherited,
            "units": [u.name for u in self.units],
            "unit_places": {u.name: u.place_name for u in self.units},
            "acceptance_units": [u.name for u in self.acceptance_units],
            "acceptance_text": self.acceptance_text,
            "acceptance_note": self.acceptance_note,
            "group": self.group,
            "part": self.part,
            "category": self.category,
            "line": self.line,
            "children": [c.as_dict() for c in self.children],
        }

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class ParsedDoc:
    title: str
    genre: str
    short_name: str
    year: int | None
    items: list[Item]
    warnings: list[dict]

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "genre": self.genre,
            "short_name": self.short_name,
            "year": self.year,
            "items": [i.as_dict() for i in self.items],
            "warnings": self.warnings,
            "counts": {
                "items": len(self.items),
                "children": sum(len(i.children) for i in self.items),
            },
        }


class DocParseError(ValueError):
    pass


# ----------------------------------------------------------------------------- reading
def read_document_lines(path: Path) -> list[str]:
    """Plain text (UTF-8 or GB18030) or .docx (paragraphs and table rows)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _docx_lines(path)
    if suffix in (".txt", ".md", ".text", ""):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(enc).splitlines()
            except UnicodeDecodeError:
                continue
        raise DocParseError("文件编码无法识别：请另存为 UTF-8 或 GBK 编码的文本，或 .docx 文档")
    if suffix == ".doc":
        raise DocParseError("不支持旧版 .doc 格式：请在 Word/WPS 中另存为 .docx 后再导入")
    raise DocParseError(f"不支持的文件类型“{suffix}”：请使用 .docx 或 .txt")


def _docx_within_limits(path: Path) -> None:
    """A .docx is a zip: its declared sizes are checked before python-docx inflates anything
    (a 418 KB file can inflate to 160 MB; zipfile never reads past a declared size)."""
    import zipfile

    from onemap.settings import limits

    lim = limits()
    size = path.stat().st_size
    if size > lim.upload_bytes:
        raise DocParseError(f"文档“{path.name}”过大（{size / 2**20:.0f} MB，上限 {lim.upload_bytes / 2**20:.0f} MB）")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocParseError("无法读取 Word 文档：文件不是有效的 .docx，或已损坏（旧版 .doc 请先另存为 .docx）") from exc
    if len(infos) > lim.doc_entries:
        raise DocParseError(f"文档“{path.name}”内部文件过多（{len(infos)} 个，上限 {lim.doc_entries}），未读取")
    total = sum(i.file_size for i in infos)
    if total > lim.doc_unzipped_bytes:
        raise DocParseError(f"文档“{path.name}”解压后过大（{total / 2**20:.0f} MB，上限 {lim.doc_unzipped_bytes / 2**20:.0f} MB），"
                            "未读取：请确认文件来源，或把附件图片另存后删除再导入")
    if any(i.flag_bits & 0x1 for i in infos):
        raise DocParseError(f"文档“{path.name}”已加密：请在 Word/WPS 中取消密码后再导入")


def _docx_lines(path: Path) -> list[str]:
    import docx  # python-docx
    from docx.oxml.ns import qn

    _docx_within_limits(path)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - any unreadable docx gets the same message
        raise DocParseError("无法读取 Word 文档：文件不是有效的 .docx，或已损坏（旧版 .doc 请先另存为 .docx）") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            lines.extend(_table_lines(child))
    return lines


def _table_lines(tbl) -> list[str]:
    """A rectification list laid out as a table → the labelled text form."""
    from docx.oxml.ns import qn

    rows = []
    for tr in tbl.iter(qn("w:tr")):
        cells = []
        for tc in tr.iter(qn("w:tc")):
            paras = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))]
            cells.append("\n".join(p for p in paras if p.strip()))
        rows.append(cells)
    if not rows:
        return []
    header = [canon(c) for c in rows[0]]
    col = {}
    for i, h in enumerate(header):
        for key, names in (("no", ("序号", "编号")), ("problem", ("问题", "存在问题", "反馈问题", "任务")),
                           ("target", ("整改目标", "目标")), ("deadline", ("整改时限", "完成时限", "时限")),
                           ("measures", ("整改措施", "措施")), ("units", ("责任单位",)),
                           ("acceptance", ("验收单位",))):
            if any(n in h for n in names) and key not in col:
                col[key] = i
    if "problem" not in col:
        return ["\t".join(r) for r in rows]
    out = []
    for n, r in enumerate(rows[1:], start=1):
        def cell(key: str, r=r) -> str:
            i = col.get(key)
            return r[i].strip() if i is not None and i < len(r) else ""
        if not cell("problem"):
            continue
        out.append(f"（{n}）{cell('problem')}" if "no" not in col else f"（{cell('no') or n}）{cell('problem')}")
        if cell("target"):
            out.append(f"整改目标：{cell('target')}")
        if cell("deadline"):
            out.append(f"整改时限：{cell('deadline')}")
        out.append("整改措施：")
        out.extend(cell("measures").splitlines())
        if cell("units"):
            out.append(f"责任单位：{cell('units')}")
        if cell("acceptance"):
            out.append(f"验收单位：{cell('acceptance')}")
    return out


# ----------------------------------------------------------------------------- parsing
def detect_genre(lines: list[str]) -> str:
    text = "\n".join(lines)
    if "整改目标" in text or "整改时限" in text or "整改措施" in text:
        return RECTIFICATION
    return WORK_POINTS


def detect_title(lines: list[str]) -> str:
    """`关于印发《X》的通知` → X; else the leading title lines; else the first 《X》."""
    head = [strip_markup(x) for x in lines[:40] if x.strip()]
    for line in head[:10]:
        m = re.search(r"印发\s*《([^》]{4,80})》", line)
        if m:
            return re.sub(r"\s+", "", m.group(1))
    first: list[str] = []
    for line in head[:4]:
        if marker_of(canon(line)) or len(line) > 40 or "。" in line or line.endswith(("：", ":")):
            break
        first.append(line)
    if first:
        return re.sub(r"\s+", "", "".join(first))
    for line in head:
        m = re.search(r"《([^》]{4,60}(?:要点|方案|清单|计划|规划|任务))》", line)
        if m:
            return re.sub(r"\s+", "", m.group(1))
    return "未命名文件"


def detect_year(title: str, lines: list[str]) -> int | None:
    m = re.search(r"(20\d{2})\s*年", title)
    if m:
        return int(m.group(1))
    for line in lines[:60]:
        m = re.search(r"(20\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", line)
        if m:
            return int(m.group(1))
    return None


def default_short_name(title: str, genre: str, year: int | None) -> str:
    if genre == RECTIFICATION:
        if "中央" in title:
            return "中央督察整改清单"
        if "省" in title and "督察" in title:
            return "省督察整改清单"
        return "整改清单"
    return f"{year}年工作要点" if year else "工作要点"


def parse_lines(lines: list[str], units: UnitParser, *, short_name: str | None = None) -> ParsedDoc:
    genre = detect_genre(lines)
    title = detect_title(lines)
    year = detect_year(title, lines)
    short = short_name or default_short_name(title, genre, year)
    warnings: list[dict] = []
    if genre == RECTIFICATION:
        items = _parse_rectification(lines, units, short, warnings)
    else:
        items = _parse_work_points(lines, units, short, year, warnings)
    for it in items:
        for node in it.walk():
            node.category = classify(" ".join([it.group, it.title, it.body, node.title, node.target]))
    if not items:
        warnings.append({"line": 0, "text": "", "message": "没有识别出任何条目：请确认文件是整改清单或工作要点"})
    return ParsedDoc(title, genre, short, year, items, warnings)


def parse_document(path: Path, units: UnitParser, *, short_name: str | None = None) -> ParsedDoc:
    return parse_lines(read_document_lines(path), units, short_name=short_name)


def _warn(warnings: list[dict], line_no: int, text: str, message: str) -> None:
    warnings.append({"line": line_no, "text": text[:120], "message": message})


def _clean_lines(lines: list[str]) -> list[tuple[int, str]]:
    out = []
    for n, raw in enumerate(lines, start=1):
        s = canon(strip_markup(raw))
        if s:
            out.append((n, s))
    return out


def _field(line: str) -> tuple[str, str] | None:
    m = _LABEL_RE.match(line)
    if not m:
        return None
    return FIELD_LABELS[m.group("label")], m.group("rest").strip()


# --------------------------------------------------------------- 整改清单 (rectification list)
def _parse_rectification(raw: list[str], up: UnitParser, short: str, warnings: list[dict]) -> list[Item]:
    lines = _clean_lines(raw)
    # Start at the annex list when the document has a preamble (方案 + 附件 清单).
    start = 0
    for idx, (_n, s) in enumerate(lines):
        if "清单" in s and len(s) < 40 and not marker_of(s) and idx + 1 < len(lines):
            start = idx + 1
    if start and not any(_field(s) for _n, s in lines[start:]):
        start = 0
    lines = lines[start:]

    # Problem headers are the marker style of the line preceding the first 整改目标/时限.
    problem_style = None
    for idx, (_n, s) in enumerate(lines):
        f = _field(s)
        if f and f[0] in ("target", "deadline"):
            for back in range(idx - 1, -1, -1):
                mk = marker_of(lines[back][1])
                if mk:
                    problem_style = mk.style
                    break
            break
    if problem_style is None:
        _warn(warnings, 0, "", "未找到“整改目标/整改时限”前的问题编号，无法识别问题条目")
        return []

    # A problem header is followed by its 整改目标/整改时限 within a few lines: this tells a
    # problem from a measure when both are numbered the same way (1. … / 1、 …).
    header_ahead = []
    for idx in range(len(lines)):
        ahead = False
        for _n2, s2 in lines[idx + 1: idx + 7]:
            f2 = _field(s2)
            if f2 and f2[0] in ("target", "deadline"):
                ahead = True
                break
            if marker_of(s2):
                break
        header_ahead.append(ahead)

    items: list[Item] = []
    group = ""
    cur: Item | None = None
    in_measures = False
    measure_style: str | None = None
    last_field: str | None = None
    for idx, (n, s) in enumerate(lines):
        mk = marker_of(s)
        f = _field(s)
        if mk and mk.style == problem_style and (not in_measures or header_ahead[idx]):
            number = f"（{mk.number}）" if mk.style in ("cn_paren", "num_paren") else mk.number
            cur = Item(number, mk.rest, "problem", line=n)
            cur.ref = f"{short}{cur.number}" if cur.number.startswith("（") else f"{short}第{cur.number}项"
            cur.body = mk.rest
            cur.title = first_sentence(mk.rest)
            cur.group = group
            items.append(cur)
            in_measures, measure_style, last_field = False, None, None
            continue
        if mk and mk.style == "cn_dun" and problem_style != "cn_dun" and not in_measures:
            group = mk.rest
            continue
        if mk and mk.style == "cn_dun" and problem_style != "cn_dun" and in_measures and measure_style != "cn_dun":
            group = mk.rest
            in_measures = False
            continue
        if cur is None:
            if f:
                _warn(warnings, n, s, "字段出现在第一个问题之前，未能归属，已忽略")
            continue
        if f:
            kind, rest = f
            last_field = kind
            if kind == "target":
                cur.target = rest
            elif kind == "deadline":
                cur.deadline = parse_deadline(rest)
                if not cur.deadline.understood:
                    _warn(warnings, n, s, f"整改时限“{rest}”无法识别为日期，已保留原文")
            elif kind == "measures":
                in_measures = True
                if rest:
                    _add_measure(cur, None, rest, n, up, warnings)
            elif kind == "units":
                cur.units = _merge_units(cur.units, up.parse(rest))
            elif kind == "support_units":
                cur.body += f"\n配合单位：{rest}"
            elif kind == "person":
                cur.person = rest
            elif kind == "acceptance":
                in_measures = False
                _apply_acceptance(cur, rest, up, n, warnings)
            continue
        if in_measures:
            if mk and (measure_style is None or mk.style == measure_style):
                measure_style = mk.style
                _add_measure(cur, mk.number, mk.rest, n, up, warnings)
            elif mk and cur.children:
                parent = cur.children[-1]
                sub = Item(mk.number, "", "sub", line=n)
                _fill_measure(sub, mk.rest, up, n, warnings, parent_deadline=parent.deadline)
                sub.ref = f"{parent.ref}（{mk.number}）"
                parent.children.append(sub)
            elif cur.children and not mk:
                _append_text(cur.children[-1], s, up, n, warnings)
            else:
                _add_measure(cur, None, s, n, up, warnings)
            continue
        if last_field == "target":
            cur.target += s
        elif last_field == "acceptance":
            _apply_acceptance(cur, s, up, n, warnings, append=True)
        elif last_field is None:
            cur.body += s  # the problem description continued
        else:
            _warn(warnings, n, s, "未能归属到任何字段的文字，已忽略")

    for it in items:
        _finish_problem(it, warnings)
    return items


def first_sentence(text: str) -> str:
    m = re.match(r"^(.+?[。；])", text)
    return (m.group(1) if m else text).rstrip("。；")


def _merge_units(a: list[Unit], b: list[Unit]) -> list[Unit]:
    out = list(a)
    out.extend(u for u in b if u not in out)
    return out


def _fill_measure(item: Item, text: str, up: UnitParser, line: int, warnings: list[dict],
                  parent_deadline: Deadline) -> None:
    item.raw = text
    rest, unit_text = split_unit_clause(text)
    item.body = rest
    item.title = rest
    if unit_text is not None:
        item.units = up.parse(unit_text)
    d, _ = leading_deadline(rest)
    if d is not None:
        item.deadline = d
    else:
        item.deadline = parent_deadline
        item.deadline_inherited = True


def _add_measure(problem: Item, number: str | None, text: str, line: int, up: UnitParser,
                 warnings: list[dict]) -> None:
    m = Item(number, "", "measure", line=line)
    _fill_measure(m, text, up, line, warnings, parent_deadline=problem.deadline)
    if number is None:
        m.ref = f"{problem.ref}措施" if not problem.children else f"{problem.ref}措施{len(problem.children) + 1}"
    else:
        m.ref = f"{problem.ref}第{number}条"
    problem.children.append(m)


def _append_text(measure: Item, text: str, up: UnitParser, line: int, warnings: list[dict]) -> None:
    """A line broken off the previous measure (page break) is joined back to it. The
    unit clause is looked for in the whole text again, so a clause broken across the
    lines (`〔责任单位：市城管局、` / `珠山区委、区政府〕`) is read whole."""
    measure.raw += text
    rest, unit_text = split_unit_clause(measure.raw)
    measure.body = measure.title = rest
    if unit_text is not None:
        measure.units = up.parse(unit_text)


def _apply_acceptance(problem: Item, text: str, up: UnitParser, line: int, warnings: list[dict],
                      append: bool = False) -> None:
    problem.acceptance_text = (problem.acceptance_text + text) if append else text
    units, per, note = parse_acceptance(problem.acceptance_text, up)
    problem.acceptance_units = units
    problem.acceptance_note = note
    if per:
        numbered = {cn_to_int(c.number): c for c in problem.children if c.number}
        for num, us in per.items():
            child = numbered.get(num)
            if child is None:
                _warn(warnings, line, text, f"验收单位指向第{num}条措施，但该问题没有第{num}条")
                continue
            child.acceptance_units = _merge_units(child.acceptance_units, us)


def _finish_problem(p: Item, warnings: list[dict]) -> None:
    if not p.deadline.text:
        _warn(warnings, p.line, p.title, f"{p.ref} 没有整改时限")
    if not p.children:
        _warn(warnings, p.line, p.title, f"{p.ref} 没有整改措施")
    for c in p.children:
        if not c.acceptance_units:
            c.acceptance_units = list(p.acceptance_units)
        for sub in c.children:
            if not sub.units:
                sub.units = list(c.units)
    if not p.units:
        seen: list[Unit] = []
        for c in p.children:
            seen = _merge_units(seen, c.units)
        p.units = seen
    for c in p.children:
        if not c.units:
            if p.units:
                c.units = list(p.units)
            else:
                _warn(warnings, c.line, c.title, f"{c.ref} 没有责任单位")


# --------------------------------------------------------------- 工作要点 (work points)
_ANNEX = re.compile(r"^附件[0-9一二三]*[：]?.*(主要事项|事项清单|任务清单|重点事项)|^.*明确的主要事项")


RANK = {"cn_dun": 0, "cn_paren": 1, "num_dot": 2, "num_paren": 3, "circled": 4}
_UNIT_FIELD = re.compile(r"^(?:责任单位|牵头单位|责任部门)[：:]")


def _task_style(lines: list[tuple[int, str]]) -> str:
    """The marker style of the key tasks: the one that the unit clauses belong to."""
    votes: dict[str, int] = {}
    last_marker: str | None = None
    for _n, s in lines:
        mk = marker_of(s)
        if mk:
            last_marker = mk.style
        if (_has_unit_clause(s) or _UNIT_FIELD.match(s)) and last_marker:
            votes[last_marker] = votes.get(last_marker, 0) + 1
    return max(votes, key=lambda k: (votes[k], -RANK[k])) if votes else "num_dot"


def _parse_work_points(raw: list[str], up: UnitParser, short: str, year: int | None,
                       warnings: list[dict]) -> list[Item]:
    lines = _clean_lines(raw)
    annex_at = next((i for i, (_n, s) in enumerate(lines) if _ANNEX.match(s)), len(lines))
    main, annex = lines[:annex_at], lines[annex_at + 1:]
    year_deadline = Deadline(f"{year}年度（年度工作要点，年底前完成）", date(year, 12, 31), False) if year \
        else Deadline("", None, False, understood=False)
    task_style = _task_style(main)
    items: list[Item] = []
    group = ""
    cur: Item | None = None

    def finish() -> None:
        nonlocal cur
        if cur is not None:
            _finish_task(cur, up, warnings)
        cur = None

    for n, s in main:
        mk = marker_of(s)
        if mk and mk.style == task_style:
            finish()
            cur = Item(mk.number, "", "task", line=n, group=group, part="main")
            cur.number = f"（{mk.number}）" if mk.style in ("cn_paren", "num_paren") else mk.number
            cur.body = mk.rest
            cur.deadline, cur.deadline_inherited = year_deadline, True
            cur.ref = f"{short}{cur.number}" if cur.number.startswith("（") else f"{short}第{cur.number}项"
            items.append(cur)
            continue
        if mk and RANK[mk.style] < RANK[task_style]:
            finish()  # a section heading: 一、… / （一）… above the tasks
            group = mk.rest.rstrip("。")
            continue
        if cur is None:
            if _has_unit_clause(s) or _UNIT_FIELD.match(s):
                _warn(warnings, n, s, "含责任单位但不在任何编号任务下，已忽略")
            continue
        if _UNIT_FIELD.match(s) or s.startswith("配合单位"):
            # 牵头单位：A；配合单位：B — both are units the task is assigned to
            names = re.sub(r"(牵头单位|责任单位|配合单位|责任部门)[：:]", "、", s)
            cur.units = _merge_units(cur.units, up.parse(names))
            continue
        if mk:  # lower-rank marker: a sub-item of the task
            sub = Item(mk.number, mk.rest.rstrip("；;。"), "sub", line=n, group=group)
            sub.deadline, sub.deadline_inherited = cur.deadline, True
            sub.ref = f"{cur.ref}（{mk.number}）"
            cur.children.append(sub)
            continue
        cur.body += s  # the task's text continued (line or page break)
    finish()
    items += _parse_annex(annex, up, short, year_deadline, warnings)
    return items


def _parse_annex(lines: list[tuple[int, str]], up: UnitParser, short: str, deadline: Deadline,
                 warnings: list[dict]) -> list[Item]:
    """The annex of 主要事项: `1. 事项（责任科室）` under `一、` headings."""
    items: list[Item] = []
    group = ""
    for n, s in lines:
        mk = marker_of(s)
        if mk and mk.style == "cn_dun":
            group = mk.rest
            continue
        if mk and mk.style == "num_dot":
            body = mk.rest
            m = _TRAILING_PAREN.match(body)
            title, unit_text = (m.group("title"), m.group("units")) if m else (body, None)
            rest, clause = split_unit_clause(body)
            if clause is not None:
                title, unit_text = rest, clause
            it = Item(mk.number, title.strip(), "matter", line=n, group=group, part="annex")
            it.body = title.strip()
            it.deadline, it.deadline_inherited = deadline, True
            it.ref = f"{short}附件第{mk.number}项"
            if unit_text:
                it.units = up.parse(unit_text)
            else:
                _warn(warnings, n, s, f"{it.ref} 没有写明责任单位")
            items.append(it)
            continue
        if items and not re.match(r"^[（(]?共\s*\d+\s*项", s) and not s.startswith(("《", "附件")):
            _warn(warnings, n, s, "附件中未能识别的行，已忽略")
    return items


def _looks_heading(text: str) -> bool:
    return len(text) < 40 and "。" not in text


def _has_unit_clause(s: str) -> bool:
    return bool(_UNIT_LABEL.search(s))


def _finish_task(t: Item, up: UnitParser, warnings: list[dict]) -> None:
    body = t.body.strip()
    rest, unit_text = split_unit_clause(body)
    if unit_text is not None:
        t.units = _merge_units(up.parse(unit_text), t.units)
    elif not t.units:
        _warn(warnings, t.line, body, f"{t.ref} 没有写明责任单位")
    # Title: the bold lead sentence, else the first sentence.
    t.title = first_sentence(rest)
    t.body = rest
    for sub in t.children:
        r2, u2 = split_unit_clause(sub.title)
        sub.title = sub.body = r2
        sub.units = up.parse(u2) if u2 else list(t.units)
        d, _ = leading_deadline(r2)
        if d is not None:
            sub.deadline, sub.deadline_inherited = d, False
