"""What both genres need: warnings with their line or page, unit clauses read with their
notes understood, and refs made unique where numbering restarts in each section."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from domain.tasktree import Item
from domain.units import Unit, UnitParser
from ingest.docparse.structure import Line
from ingest.docparse.text import unit_clauses

# `各县（市、区）为各项任务责任单位` (often in a note): every county is responsible for every task
DOC_WIDE = re.compile(r"(?P<who>各县（(?:市[、，]?区|区|市)）[^，。；为（）]{0,12}?)(?:均|都)?为(?:本方案|本要点|以下|上述)?"
                      r"(?:各项|所有|全部|以上)?(?:重点|整改)?(?:工作|任务)(?:的)?(?:责任单位|责任主体)")
_NOTE = re.compile(r"不再(?:单独)?(?:单列|列出|重复列出)|为(?:各项|所有|全部)?(?:工作|任务)?的?(?:责任单位|责任主体)"
                   r"|下同|负责人|负责同志|兼任")  # `主要负责人由市领导兼任的` / `下同`: notes about the units
_ETC = re.compile(r"等(?:相关|有关)?(?:单位|部门|科室)?$")
_INNER_LABEL = re.compile(r"(?:牵头单位|责任单位|配合单位|责任部门|协办单位)\s*[：:]")


@dataclass
class Context:
    up: UnitParser
    short: str
    year: int | None
    warnings: list[dict]
    pages: dict[int, int | None] = field(default_factory=dict)  # line → page
    doc_wide: list[Unit] = field(default_factory=list)

    def warn(self, line: int, text: str, message: str) -> None:
        w = {"line": line, "text": text[:120], "message": message}
        if self.pages.get(line):
            w["page"] = self.pages[line]
        self.warnings.append(w)

    def units(self, text: str, line: int = 0) -> list[Unit]:
        """A unit list with its notes understood: `…等` → the units named; a sentence saying a
        group is responsible for every task (`不再单列`) → not a unit."""
        s = _INNER_LABEL.sub("、", text)
        parts = [p for p in re.split(r"[；;。]", s) if p.strip()]
        keep: list[str] = []
        for p in parts:
            segs = _split_commas(p)
            segs = [seg for seg in segs if not _NOTE.search(seg) and not DOC_WIDE.search(seg)]
            keep.extend(segs)
        names = [_ETC.sub("", _close(seg.strip())).strip() for seg in keep]
        return self.up.parse("、".join(n for n in names if n))


def _close(seg: str) -> str:
    """Drop a closing bracket left over from the clause around the list (`市公安局等]`), keep
    one that closes a bracket of the name (`各科室（单位）`)."""
    while seg and seg[-1] in "〕）]】)" and sum(seg.count(c) for c in "〔（[【(") < sum(seg.count(c) for c in "〕）]】)"):
        seg = seg[:-1]
    return seg


def _split_commas(text: str) -> list[str]:
    out, buf, depth = [], [], 0
    for ch in text:
        if ch in "（〔【[(":
            depth += 1
        elif ch in "）〕】])":
            depth = max(0, depth - 1)
        if depth == 0 and ch in "，,":
            out.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    out.append("".join(buf))
    return [x for x in (x.strip() for x in out) if x]


def item_units(ctx: Context, text: str, line: int) -> tuple[str, list[Unit] | None]:
    """Text → (text without its unit clauses, units of all clauses or None when none)."""
    rest, clauses = unit_clauses(text)
    if not clauses:
        return text, None
    units: list[Unit] = []
    for c in clauses:
        units = merge_units(units, ctx.units(c, line))
    return rest, units


def merge_units(a: list[Unit], b: list[Unit]) -> list[Unit]:
    out = list(a)
    out.extend(u for u in b if u not in out)
    return out


def find_doc_wide(lines: list[Line], up: UnitParser) -> list[Unit]:
    for ln in lines:
        m = DOC_WIDE.search(ln.text)
        if m:
            return up.parse(m.group("who"))
    return []


def qualify_restarts(items: list[Item], short: str) -> None:
    """Numbering that restarts in each section (1. 2. under 一、, again 1. 2. under 二、):
    the section becomes part of the number and the ref, so each is unique."""
    by_part: dict[str, list[Item]] = {}
    for it in items:
        by_part.setdefault(it.part, []).append(it)
    for roots in by_part.values():
        numbers = [r.number for r in roots if r.number]
        if len(numbers) == len(set(numbers)):
            continue
        for r in roots:
            if not r.section or not r.number:
                continue
            old = r.ref
            r.number = f"{r.section}{r.number}"
            annex = f"{short}附件"
            r.ref = (f"{annex}{r.section}{old[len(annex):]}" if old.startswith(annex)
                     else f"{short}{r.section}{old[len(short):]}")
            for node in list(r.walk())[1:]:
                if node.ref.startswith(old):
                    node.ref = r.ref + node.ref[len(old):]
