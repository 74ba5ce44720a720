"""整改清单 (rectification list): problem `（一）…` → 整改目标 / 整改时限 / 整改措施
(numbered measures, each with `〔责任单位：…〕` and often a leading deadline) →
验收单位 (possibly per measure: `市整改办负责第1-4条`).

Recognised by its labelled fields at the start of a line (整改目标：, 整改时限：), never by
the words appearing somewhere in a sentence."""

from __future__ import annotations

import re

from domain.deadlines import Deadline, leading_deadline, parse_deadline
from domain.tasktree import Item, first_sentence
from domain.units import parse_acceptance
from ingest.docparse.genres.common import Context, item_units, merge_units
from ingest.docparse.structure import Line
from ingest.docparse.text import RANK, cn_to_int, field_of, marker_of, unit_cell

NAME = "整改清单"
_HEADER_FIELDS = ("target", "deadline")
_CLAUSE_LINE = re.compile(r"^[〔（\[【]\s*(?:责任单位|牵头单位|责任部门)\s*：.*[〕）\]】]$")
_DETECT_FIELDS = ("target", "deadline", "measures")
_ANNEX_HEADING = re.compile(r"^(?:附件\s*\d*\s*[：]?\s*)?[^，。；：]{0,40}清单(?:（[^）]*）)?$")


def detect(lines: list[Line]) -> int:
    """How many lines start with the fields only a rectification list has (整改目标/整改时限/整改措施)."""
    return sum(1 for ln in lines if (f := field_of(ln.text)) and f[0] in _DETECT_FIELDS
               and ln.text.lstrip("【[").startswith("整改"))


def default_short_name(title: str, year: int | None) -> str:
    if "中央" in title:
        return "中央督察整改清单"
    if "省" in title and "督察" in title:
        return "省督察整改清单"
    return "整改清单"


def parse(all_lines: list[Line], ctx: Context) -> tuple[list[Item], list[Item]]:
    lines = [(ln.line, ln.text) for ln in all_lines]
    # Start at the annex list when the document has a preamble (方案 + 附件 清单).
    start = 0
    for idx, (_n, s) in enumerate(lines):
        if _ANNEX_HEADING.match(s) and not marker_of(s) and idx + 1 < len(lines):
            start = idx + 1
    if start and not any(field_of(s) for _n, s in lines[start:]):
        start = 0
    lines = lines[start:]

    # Problem headers: the marker style most often found on the nearest numbered line
    # before a 整改目标/整改时限 (one misplaced field does not decide it).
    votes: dict[str, int] = {}
    for idx, (_n, s) in enumerate(lines):
        f = field_of(s)
        if f and f[0] in _HEADER_FIELDS:
            for back in range(idx - 1, max(-1, idx - 8), -1):
                mk = marker_of(lines[back][1])
                if mk:
                    votes[mk.style] = votes.get(mk.style, 0) + 1
                    break
    problem_style = max(votes, key=lambda k: (votes[k], -RANK[k])) if votes else None
    if problem_style is None:
        ctx.warn(0, "", "未找到“整改目标/整改时限”前的问题编号，无法识别问题条目")
        return [], []

    # A problem header is followed by its 整改目标/整改时限 within a few lines: this tells a
    # problem from a measure when both are numbered the same way (1. … / 1、 …).
    header_ahead = []
    for idx in range(len(lines)):
        ahead = False
        for _n2, s2 in lines[idx + 1: idx + 7]:
            f2 = field_of(s2)
            if f2 and f2[0] in _HEADER_FIELDS:
                ahead = True
                break
            if marker_of(s2):
                break
        header_ahead.append(ahead)

    items: list[Item] = []
    group, section = "", ""
    cur: Item | None = None
    in_measures = False
    measure_style: str | None = None
    last_field: str | None = None
    for idx, (n, s) in enumerate(lines):
        mk = marker_of(s)
        f = field_of(s)
        if mk and mk.style == problem_style and (not in_measures or header_ahead[idx]):
            number = f"（{mk.number}）" if mk.style in ("cn_paren", "num_paren") else mk.number
            cur = Item(number, mk.rest, "problem", line=n, page=ctx.pages.get(n))
            cur.ref = f"{ctx.short}{cur.number}" if cur.number.startswith("（") else f"{ctx.short}第{cur.number}项"
            cur.body = mk.rest
            cur.title = first_sentence(mk.rest)
            cur.group, cur.section = group, section
            items.append(cur)
            in_measures, measure_style, last_field = False, None, None
            continue
        # 一、 under a （一） problem is a section heading — unless the measures are numbered so:
        # right after an empty 整改措施： label, or once they are (issue 18's mutation run found
        # the old test `measure_style != "cn_dun"` always true: such measures were lost)
        dun_measure = in_measures and (measure_style == "cn_dun" or (
            measure_style is None and last_field == "measures" and cur is not None and not cur.children))
        if mk and mk.style == "cn_dun" and problem_style != "cn_dun" and not dun_measure:
            group, section = mk.rest, f"{mk.number}、"
            in_measures = False
            continue
        if cur is None:
            if f:
                ctx.warn(n, s, "字段出现在第一个问题之前，未能归属，已忽略")
            continue
        if f and f[0] == "units" and in_measures and cur.children and _CLAUSE_LINE.match(s):
            _append_text(cur.children[-1], s, ctx, n)  # `[责任单位：…]` closing the measure above
            continue
        if f:
            kind, rest = f
            last_field = kind
            if kind == "target":
                cur.target = rest
            elif kind == "deadline":
                cur.deadline = parse_deadline(rest)
                if not cur.deadline.understood:
                    ctx.warn(n, s, f"整改时限“{rest}”无法识别为日期，已保留原文")
            elif kind == "measures":
                in_measures = True
                if rest:
                    _add_measure(cur, None, rest, n, ctx)
            elif kind == "units":
                parts = unit_cell(rest)  # `责任单位：A；验收单位：B` on one line: two fields
                both = "、".join(x for x in (parts["units"], parts["support"]) if x)  # as before: 配合 too
                cur.units = merge_units(cur.units, ctx.units(both, n))
                if parts["acceptance"]:
                    in_measures, last_field = False, "acceptance"
                    _apply_acceptance(cur, parts["acceptance"], ctx, n, append=bool(cur.acceptance_text))
            elif kind == "support_units":
                cur.body += f"\n配合单位：{rest}"
            elif kind == "person":
                cur.person = rest
            elif kind == "acceptance":
                in_measures = False
                _apply_acceptance(cur, rest, ctx, n)
            continue
        if in_measures:
            if mk and (measure_style is None or mk.style == measure_style):
                measure_style = mk.style
                _add_measure(cur, mk.number, mk.rest, n, ctx)
            elif mk and cur.children:
                parent = cur.children[-1]
                sub = Item(mk.number, "", "sub", line=n, page=ctx.pages.get(n))
                _fill_measure(sub, mk.rest, ctx, n, parent_deadline=parent.deadline)
                sub.ref = f"{parent.ref}（{mk.number}）"
                parent.children.append(sub)
            elif cur.children and not mk:
                _append_text(cur.children[-1], s, ctx, n)
            else:
                _add_measure(cur, None, s, n, ctx)
            continue
        if last_field == "target":
            cur.target += s
        elif last_field == "acceptance":
            _apply_acceptance(cur, s, ctx, n, append=True)
        elif last_field is None:
            cur.body += s  # the problem description continued
        else:
            ctx.warn(n, s, "未能归属到任何字段的文字，已忽略")

    for it in items:
        _finish_problem(it, ctx)
    return items, []


def _fill_measure(item: Item, text: str, ctx: Context, line: int, parent_deadline: Deadline) -> None:
    item.raw = text
    rest, units = item_units(ctx, text, line)
    item.body = item.title = rest
    if units is not None:
        item.units = units
    d, _ = leading_deadline(rest)
    if d is not None:
        item.deadline = d
    else:
        item.deadline = parent_deadline
        item.deadline_inherited = True


def _add_measure(problem: Item, number: str | None, text: str, line: int, ctx: Context) -> None:
    m = Item(number, "", "measure", line=line, page=ctx.pages.get(line))
    _fill_measure(m, text, ctx, line, parent_deadline=problem.deadline)
    if number is None:
        m.ref = f"{problem.ref}措施" if not problem.children else f"{problem.ref}措施{len(problem.children) + 1}"
    else:
        m.ref = f"{problem.ref}第{number}条"
    problem.children.append(m)


def _append_text(measure: Item, text: str, ctx: Context, line: int) -> None:
    """A line broken off the previous measure (page break) is joined back to it. The
    unit clause is looked for in the whole text again, so a clause broken across the
    lines (`〔责任单位：市城管局、` / `珠山区委、区政府〕`) is read whole."""
    measure.raw += text
    rest, units = item_units(ctx, measure.raw, line)
    measure.body = measure.title = rest
    if units is not None:
        measure.units = units


def _apply_acceptance(problem: Item, text: str, ctx: Context, line: int, append: bool = False) -> None:
    problem.acceptance_text = (problem.acceptance_text + text) if append else text
    units, per, note = parse_acceptance(problem.acceptance_text, ctx.up)
    problem.acceptance_units = units
    problem.acceptance_note = note
    if per:
        numbered = {cn_to_int(c.number): c for c in problem.children if c.number}
        for num, us in per.items():
            child = numbered.get(num)
            if child is None:
                ctx.warn(line, text, f"验收单位指向第{num}条措施，但该问题没有第{num}条")
                continue
            child.acceptance_units = merge_units(child.acceptance_units, us)


def _finish_problem(p: Item, ctx: Context) -> None:
    if not p.deadline.text:
        ctx.warn(p.line, p.title, f"{p.ref} 没有整改时限")
    if not p.children:
        ctx.warn(p.line, p.title, f"{p.ref} 没有整改措施")
    for c in p.children:
        if not c.acceptance_units:
            c.acceptance_units = list(p.acceptance_units)
        for sub in c.children:
            if not sub.units:
                sub.units = list(c.units)
    if not p.units:
        seen: list = []
        for c in p.children:
            seen = merge_units(seen, c.units)
        p.units = seen
    if ctx.doc_wide:
        p.units = merge_units(p.units, ctx.doc_wide)
    for c in p.children:
        if not c.units:
            if p.units:
                c.units = list(p.units)
            else:
                ctx.warn(c.line, c.title, f"{c.ref} 没有责任单位")
        elif ctx.doc_wide:
            c.units = merge_units(c.units, ctx.doc_wide)
