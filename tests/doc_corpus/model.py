"""The corpus's own reading of its source texts: lines → blocks (numbered paragraphs,
labelled fields, plain paragraphs), and the known unit groups of each city.

This is deliberately NOT the project's parser: it only has to read the committed
source texts (two seeds, the others written for 九江市、上饶市、抚州市), whose layout is known, so the variants
can be rendered from the structure (Word numbering, tables, PDF) and the truth could be
derived once and then checked by hand (see README.md). Nothing here is used to score.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CN = "一二三四五六七八九十"

# Sources: name → (path, genre, city key)
SOURCES = {
    "jdz_rectification": (REPO / "data" / "demo" / "docs" / "004_rectification_list_provincial_inspection.txt",
                          "整改清单", "jdz"),
    "jdz_work_points": (REPO / "data" / "demo" / "docs" / "000_work_points_2026.txt", "工作要点", "jdz"),
    "jj_rectification": (HERE / "sources" / "jiujiang_rectification.txt", "整改清单", "jj"),
    "jj_work_points": (HERE / "sources" / "jiujiang_work_points_2021.txt", "工作要点", "jj"),
    "sr_rectification": (HERE / "sources" / "shangrao_rectification.txt", "整改清单", "sr"),
    # written after the parser was finished, never seen by it before being added (issue 12, "unseen")
    "sr_work_points": (HERE / "sources" / "shangrao_work_points_2025.txt", "工作要点", "sr"),
    "fz_rectification": (HERE / "sources" / "fuzhou_rectification.txt", "整改清单", "fz"),
    "jj_work_points_2025": (HERE / "sources" / "jiujiang_work_points_2025.txt", "工作要点", "jj"),
}
YEARS = {"jdz_work_points": 2026, "jj_work_points": 2021, "sr_work_points": 2025, "jj_work_points_2025": 2025}  # a work points' year

# The places each city's UnitParser is built from (九江市: real county-level divisions, 2021).
CITIES = {
    "jdz": None,  # the project's own region 360200 (data/regions/360200/region.json)
    "jj": {
        "adcode": "360400", "name": "九江市",
        "counties": [{"adcode": c, "name": n} for c, n in (
            ("360402", "濂溪区"), ("360403", "浔阳区"), ("360404", "柴桑区"), ("360423", "武宁县"),
            ("360424", "修水县"), ("360425", "永修县"), ("360426", "德安县"), ("360428", "都昌县"),
            ("360429", "湖口县"), ("360430", "彭泽县"), ("360481", "瑞昌市"), ("360482", "共青城市"),
            ("360483", "庐山市"))],
        "zones": [{"code": "360400-Z01", "name": "九江经开区", "aliases": ["九江经济技术开发区"]},
                  {"code": "360400-Z02", "name": "八里湖新区"}],
    },
}
CITIES["sr"] = {
    "adcode": "361100", "name": "上饶市",
    "counties": [{"adcode": c, "name": n} for c, n in (
        ("361102", "信州区"), ("361103", "广丰区"), ("361104", "广信区"), ("361123", "玉山县"),
        ("361124", "铅山县"), ("361125", "横峰县"), ("361126", "弋阳县"), ("361127", "余干县"),
        ("361128", "鄱阳县"), ("361129", "万年县"), ("361130", "婺源县"), ("361181", "德兴市"))],
    "zones": [{"code": "361100-Z01", "name": "上饶经开区", "aliases": ["上饶经济技术开发区"]},
              {"code": "361100-Z02", "name": "上饶高铁经济试验区"}],
}
# 抚州市: counties and districts only (no county-level city), so its documents write 各县（区）
CITIES["fz"] = {
    "adcode": "361000", "name": "抚州市",
    "counties": [{"adcode": c, "name": n} for c, n in (
        ("361002", "临川区"), ("361003", "东乡区"), ("361021", "南城县"), ("361022", "黎川县"), ("361023", "南丰县"),
        ("361024", "崇仁县"), ("361025", "乐安县"), ("361026", "宜黄县"), ("361027", "金溪县"), ("361028", "资溪县"),
        ("361030", "广昌县"))],
    "zones": [{"code": "361000-Z01", "name": "抚州高新区", "aliases": ["抚州高新技术产业开发区"]}],
}
COUNTIES = {
    "jdz": ["昌江区", "珠山区", "浮梁县", "乐平市"],
    "jj": [c["name"] for c in CITIES["jj"]["counties"]],
    "sr": [c["name"] for c in CITIES["sr"]["counties"]],
    "fz": [c["name"] for c in CITIES["fz"]["counties"]],
}
ZONES = {"jdz": ["高新区", "昌南新区"], "jj": ["九江经开区", "八里湖新区"], "sr": ["上饶经开区", "上饶高铁经济试验区"],
         "fz": ["抚州高新区"]}

FIELD_LABELS = ("整改目标", "整改时限", "整改措施", "验收单位", "责任人")


@dataclass(frozen=True)
class Block:
    kind: str  # num | field | para
    text: str  # without the marker / label, markup removed
    style: str = ""  # num: cn_dun 一、 | cn_paren （一） | num_dot 1. | num_paren （1）
    number: int = 0
    marker: str = ""  # the marker as written in the source (num) or the label (field)
    line: int = 0

    def render(self) -> str:
        if self.kind == "num":
            return f"{self.marker}{self.text}"
        if self.kind == "field":
            return f"{self.marker}：{self.text}"
        return self.text


def strip_markup(line: str) -> str:
    s = re.sub(r"\[bookmark:[^\]]*\]", "", line)
    s = re.sub(r"</?su[bp]>", "", s)
    s = s.replace("**", "")
    s = re.sub(r"^\s*#{1,6}\s*", "", s)
    return s.strip()


def cn_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    d = {c: i + 1 for i, c in enumerate(CN[:9])}
    if "十" in s:
        a, _, b = s.partition("十")
        return (d[a] if a else 1) * 10 + (d[b] if b else 0)
    return d[s]


_NUM = [
    ("cn_dun", re.compile(r"^([" + CN + r"]{1,3})、\s*(.*)$")),
    ("cn_paren", re.compile(r"^([（(]([" + CN + r"]{1,3})[)）])\s*(.*)$")),
    ("num_paren", re.compile(r"^([（(](\d{1,2})[)）])\s*(.*)$")),
    ("num_dot", re.compile(r"^((\d{1,2})\s*[.．、])\s*(.*)$")),
]
_FIELD = re.compile(r"^(" + "|".join(FIELD_LABELS) + r")[：:]\s*(.*)$")
_END = tuple("。；！〕）)】")


def read_blocks(path: Path) -> list[Block]:
    """Source text → blocks. A plain line continues the numbered paragraph before it when
    that paragraph does not end a sentence (page breaks in the seed split a task)."""
    blocks: list[Block] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        s = strip_markup(raw)
        if not s:
            continue
        b: Block | None = None
        for style, rx in _NUM:
            m = rx.match(s)
            if m:
                if style == "cn_dun":
                    b = Block("num", m.group(2).strip(), style, cn_int(m.group(1)), f"{m.group(1)}、", n)
                else:
                    b = Block("num", m.group(3).strip(), style, cn_int(m.group(2)), m.group(1), n)
                break
        if b is None:
            f = _FIELD.match(s)
            if f:
                b = Block("field", f.group(2).strip(), marker=f.group(1), line=n)
        if b is None:
            prev = blocks[-1] if blocks else None
            if prev is not None and prev.kind == "num" and prev.style == "num_dot" and not prev.text.endswith(_END):
                blocks[-1] = replace(prev, text=prev.text + s)
                continue
            b = Block("para", s, line=n)
        blocks.append(b)
    return blocks


def problem_style(blocks: list[Block]) -> str:
    """The marker style of a list's problems: the numbered paragraph before the first 整改目标."""
    last = ""
    for b in blocks[annex_start(blocks, "整改清单"):]:
        if b.kind == "num" and b.style != "cn_dun":
            last = b.style
        if b.kind == "field" and b.marker == "整改目标":
            return last
    return ""


def annex_start(blocks: list[Block], genre: str) -> int:
    """Index of the first block of the list proper (rectification: after `附件` and the
    list's title; work points: the annex of 主要事项 is found by the caller)."""
    if genre == "整改清单":
        for i, b in enumerate(blocks):
            if b.kind == "para" and b.text == "附件":
                return i + 1
    return 0


def norm(text: str) -> str:
    """The comparison form: NFKC, no spaces, one kind of bracket and stop, no markup."""
    s = unicodedata.normalize("NFKC", strip_markup(text or ""))
    s = re.sub(r"\s+", "", s)
    s = s.replace("〔", "[").replace("〕", "]").replace("【", "[").replace("】", "]")
    s = s.replace("—", "-").replace("–", "-")
    return s.strip("。；;.,，")


def first_sentence(text: str) -> str:
    m = re.match(r"^(.+?[。；;])", text or "")
    return (m.group(1) if m else (text or "")).rstrip("。；;")
