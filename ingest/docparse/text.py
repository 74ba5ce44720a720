"""Text rules every reader and genre shares: punctuation normalisation, numbering
markers (一、 （一） 1. （1） ①, also after a list dash `- （二）`), Chinese numerals,
labelled fields at the start of a line, and unit clauses (`〔责任单位：…〕`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.tasktree import first_sentence

__all__ = ["CN_NUM", "FIELD_LABELS", "Marker", "canon", "cn_to_int", "field_of", "first_sentence", "int_to_cn",
           "marker_of", "split_run_together", "split_unit_clause", "strip_markup", "unit_cell",
           "unit_clauses"]

CN_NUM = "零〇一二三四五六七八九十百"
_FW = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

FIELD_LABELS = {
    "整改目标": "target", "目标": "target",
    "整改时限": "deadline", "完成时限": "deadline", "时限": "deadline", "完成时间": "deadline",
    "整改措施": "measures", "主要措施": "measures",
    "责任单位": "units", "牵头单位": "units", "责任部门": "units", "整改责任单位": "units",
    "配合单位": "support_units",
    "责任人": "person", "责任领导": "person", "牵头领导": "person",
    "验收单位": "acceptance", "验收部门": "acceptance",
}
UNIT_LABELS = ("责任单位", "牵头单位", "责任部门", "配合单位", "验收单位", "验收部门", "整改目标", "整改时限",
               "整改措施", "完成时限")
_SPACED_LABEL = re.compile("|".join(r"\s*".join(label) for label in UNIT_LABELS))
_CJK = "\u3400-\u9fff\uff08\uff09\u3001\u3002\uff0c\uff1a\uff1b\u3014\u3015"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")
_LABELS = "|".join(sorted(FIELD_LABELS, key=len, reverse=True))
# `整改时限：…`, `【整改时限】…` (bracketed, the colon optional), `[整改时限]：…`
_LABEL_RE = re.compile(r"^(?:[【\[](?P<b>" + _LABELS + r")[】\]]\s*[：]?|[【\[]?(?P<label>" + _LABELS + r")\s*[：])\s*(?P<rest>.*)$")


def canon(line: str) -> str:
    """Normalise punctuation and spacing that vary between documents; keep the wording.
    A label written with stray spaces (`责任 单位`) is closed up."""
    s = line.translate(_FW)
    s = s.replace("．", ".").replace("(", "（").replace(")", "）").replace(":", "：").replace(";", "；")
    s = s.replace("\u3000", " ").replace("\xa0", " ").replace("\t", " ")
    s = _SPACED_LABEL.sub(lambda m: re.sub(r"\s+", "", m.group(0)), s)
    s = _CJK_GAP.sub("", s)  # 整 改 目 标 (text extracted with a space between characters)
    return s.strip()


def strip_markup(line: str) -> str:
    """Remove Markdown/Word export residue: headings, bold, <sub>, bookmarks."""
    s = re.sub(r"\[bookmark\s*[:：][^\]]*\]", "", line)
    s = re.sub(r"</?su[bp]>", "", s)
    s = s.replace("**", "").replace("__", "")
    s = re.sub(r"^\s*#{1,6}\s*", "", s)
    return s.strip()


@dataclass(frozen=True)
class Marker:
    style: str  # cn_dun 一、 | cn_paren （一） | num_dot 1. | num_paren （1） | circled ①
    number: str
    rest: str


_DASH = r"(?:[-*•·]\s*)?"
_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("cn_paren", re.compile(r"^" + _DASH + r"（([" + CN_NUM + r"]+)）\s*(.*)$")),
    ("cn_dun", re.compile(r"^" + _DASH + r"([" + CN_NUM + r"]+)[、.]\s*(.*)$")),
    ("num_paren", re.compile(r"^" + _DASH + r"（(\d{1,3})）\s*(.*)$")),
    ("circled", re.compile(r"^" + _DASH + r"([" + CIRCLED + r"])\s*(.*)$")),
    # 1. / 1、 / 1) but not a year such as 2023年 or a decimal such as 2.5
    ("num_dot", re.compile(r"^" + _DASH + r"(\d{1,3})(?:[、）]|\.(?!\d)|\.(?=\d{4}))\s*(.*)$")),
]
RANK = {"cn_dun": 0, "cn_paren": 1, "num_dot": 2, "num_paren": 3, "circled": 4}


def marker_of(line: str) -> Marker | None:
    for style, pattern in _MARKERS:
        m = pattern.match(line)
        if m:
            number = m.group(1)
            if style == "circled":  # ① → 1, so per-measure references (第1条) resolve
                number = str(CIRCLED.index(number) + 1)
            return Marker(style, number, m.group(2).strip())
    return None


def cn_to_int(s: str) -> int | None:
    if s and s in CIRCLED:
        return CIRCLED.index(s) + 1
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


def int_to_cn(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一 (list numbering as Chinese documents write it)."""
    d = "零一二三四五六七八九"
    if n <= 0:
        return str(n)
    if n < 10:
        return d[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else d[tens]) + "十" + (d[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return d[hundreds] + "百"
    return d[hundreds] + "百" + ("零" + d[rest] if rest < 10 else ("一" if rest < 20 else "") + int_to_cn(rest))


def field_of(line: str) -> tuple[str, str] | None:
    """A labelled field at the start of the line: `整改时限：…` → ('deadline', '…')."""
    m = _LABEL_RE.match(line)
    if not m:
        return None
    return FIELD_LABELS[m.group("label") or m.group("b")], m.group("rest").strip()


# ----------------------------------------------------------------------------- unit clauses
UNIT_LABEL = re.compile(r"[〔（\[【]\s*(?:责任单位|牵头单位|责任部门)\s*[：]?")


def _clause_end(text: str, start: int) -> int:
    """Index after the bracket closing the clause opened before `start` (depth tracked, so
    `各县（市、区）` inside the clause is kept whole); len(text) when it is not closed."""
    depth, i = 1, start
    while i < len(text) and depth:
        if text[i] in "〔（[【(":
            depth += 1
        elif text[i] in "〕）]】)":
            depth -= 1
        i += 1
    return i if depth == 0 else len(text) + 1


# what a unit list never holds: a sentence (，。；) or the words of a note about units
# (`〔责任单位主要负责人由市领导兼任的，…下同，不再列出〕` is a note, not a list of units)
_NOT_A_LIST = re.compile(r"[，。；,;]|负责人|负责同志|下同|不再|的$|兼任")


def is_unit_clause(text: str, m: re.Match) -> bool:
    """A bracket opened by a unit label is a unit clause when the label has its colon
    (`〔责任单位：…〕`, `[责任 单位:…]`); without one (`（责任单位市生态环境局）`) only when
    what it holds reads as a list of units, not a note about them."""
    if m.group(0).endswith("："):
        return True
    end = _clause_end(text, m.end())
    inner = text[m.end(): min(end, len(text) + 1) - 1]
    return bool(inner.strip()) and not _NOT_A_LIST.search(inner)


def split_unit_clause(text: str) -> tuple[str, str | None]:
    """`…。〔责任单位：A、B（C）〕` → (text without the clause, 'A、B（C）'). The last clause
    is the one a measure's units are written in."""
    clauses = [m for m in UNIT_LABEL.finditer(text) if is_unit_clause(text, m)]
    if not clauses:
        return text, None
    m = clauses[-1]
    end = _clause_end(text, m.end())
    inner = text[m.end(): end - 1].strip()
    rest = (text[: m.start()] + text[min(end, len(text)):]).strip()
    rest = re.sub(r"[。；]\s*[。；]$", "。", rest)
    return rest, inner


_RESP_LABEL = re.compile(r"[〔（\[【]\s*(?:责任单位|责任部门)\s*[：]?")


def unit_clauses(text: str) -> tuple[str, list[str]]:
    """All the unit clauses of an item, as (text without them, [clause texts]): the last one,
    any written right after 。/；, and any 责任单位 clause closing a sentence
    (`标题（责任单位：A）。正文（责任单位：B）`). A clause inside a sentence — or a 牵头单位
    note before 。 (`完成截污（牵头单位：市发改委）。`) — is part of what it says and stays."""
    rest, last = split_unit_clause(text)
    if last is None:
        return text, []
    found = [last]
    while True:
        clauses = []
        for m in UNIT_LABEL.finditer(rest):
            if not is_unit_clause(rest, m):
                continue
            end = _clause_end(rest, m.end())
            if end > len(rest):
                continue
            before = m.start() > 0 and rest[m.start() - 1] in "。；!！"
            closes = (end == len(rest) or rest[end] in "。；") and _RESP_LABEL.match(rest, m.start())
            if before or closes:
                clauses.append((m, end))
        if not clauses:
            break
        m, end = clauses[-1]
        found.insert(0, rest[m.end(): end - 1].strip())
        rest = (rest[: m.start()] + rest[end:]).strip()
    rest = re.sub(r"[。；]\s*[。；]", "。", rest)
    return rest, found


# ----------------------------------------------------------------------------- cells and run-together lists
# where a run-together next measure may start: after a sentence, a clause or a bracket
_RUN_BEFORE = "。；;，,：:〕）】])！？ "
_RUN_MARK = {
    "num_paren": lambda n: (f"（{n}）", f"({n})"),
    "circled": lambda n: (CIRCLED[n - 1],) if n <= len(CIRCLED) else (),
    "cn_paren": lambda n: (f"（{int_to_cn(n)}）", f"({int_to_cn(n)})"),
    "num_dot": lambda n: (f"{n}.", f"{n}．", f"{n}、"),
}


def split_run_together(text: str) -> list[str]:
    """`（1）甲。（2）乙。` → [`（1）甲。`, `（2）乙。`]: only the numbers that follow in sequence
    (2 after 1, 3 after 2 …), in the style the paragraph starts with, and only after a sentence
    or clause ends — `按第（2）项` inside a sentence, or `2.5` in a figure, stays."""
    mk = marker_of(canon(text))
    first = cn_to_int(mk.number) if mk else None
    if mk is None or first is None or mk.style not in _RUN_MARK:
        return [text]
    parts, start, n, pos = [], 0, first + 1, 1
    while True:
        found = -1
        for token in _RUN_MARK[mk.style](n):
            i = text.find(token, pos)
            while i > 0 and (text[i - 1] not in _RUN_BEFORE
                             or (mk.style == "num_dot" and text[i - 1:i].isdigit())
                             or (mk.style == "num_dot" and text[i + len(token):i + len(token) + 1].isdigit())):
                i = text.find(token, i + 1)
            if i > 0 and (found < 0 or i < found):
                found = i
        if found < 0:
            break
        parts.append(text[start:found].strip())
        start, pos, n = found, found + 1, n + 1
    parts.append(text[start:].strip())
    return [x for x in parts if x]


# labels a unit cell may hold besides the responsible units (`验收单位：…` on its own line)
_CELL_LABEL = re.compile(r"[〔【\[（(]?\s*(?P<label>责任单位|牵头单位|责任部门|配合单位|协办单位|验收单位|验收部门)"
                         r"\s*(?:[：:]|[〕】\]）)])\s*")
_CELL_KIND = {"责任单位": "units", "牵头单位": "units", "责任部门": "units", "配合单位": "support",
              "协办单位": "support", "验收单位": "acceptance", "验收部门": "acceptance"}


def unit_cell(text: str) -> dict[str, str]:
    """A 责任单位 cell (or a `责任单位：` line) → {'units', 'support', 'acceptance'}: a labelled part (`验收单位：…` as its
    own paragraph or after `；` in one) belongs to its field, as in the text form; unlabelled
    paragraphs are the responsible units. Paragraphs are joined as a list (`、`)."""
    out: dict[str, list[str]] = {"units": [], "support": [], "acceptance": []}
    for para in text.splitlines():
        s = para.strip()
        if not s:
            continue
        kind, at = "units", 0
        for m in _CELL_LABEL.finditer(s):
            before = s[at:m.start()].strip(" ；;，,。〔【[（(〕】]）)")
            if before:
                out[kind].append(before)
            kind, at = _CELL_KIND[m.group("label")], m.end()
        rest = s[at:].strip(" ；;，,。〔【[（(〕】]）)")
        if rest:
            out[kind].append(rest)
    return {k: "、".join(v) for k, v in out.items()}
