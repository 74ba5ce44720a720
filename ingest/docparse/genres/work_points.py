"""工作要点 (annual work points): numbered key tasks `1. 标题。正文（责任单位：…）` under
section headings (一、 （一）, also written after a list dash `- （二）…`), the numbered
indicators under 主要目标 (targets, not tasks), and an annex of 主要事项
`1. 事项（责任科室）`. The default genre: any document without rectification fields."""

from __future__ import annotations

import re
from datetime import date

from domain.deadlines import Deadline, leading_deadline, normalise, parse_deadline
from domain.tasktree import Item, first_sentence
from ingest.docparse.genres.common import Context, item_units, merge_units
from ingest.docparse.structure import Line
from ingest.docparse.text import RANK, marker_of, split_unit_clause, unit_clauses

NAME = "工作要点"
FIELD_LABELS = {"整改目标": "工作目标", "整改时限": "完成时限"}  # the review table's columns, as these documents say
_ANNEX = re.compile(r"^附件[0-9一二三]*[：]?.{0,60}(主要事项|事项清单|任务清单|重点事项)$|^[^。；]{0,60}明确的主要事项$")
_UNIT_FIELD = re.compile(r"^(?:责任单位|牵头单位|责任部门)[：:]")
_TARGET_HEADING = re.compile(r"^(?:主要|工作|总体|发展|年度)?目标(?:任务)?$|^主要指标$|^(?:主要|工作)目标[和与及]")
_TRAILING_PAREN = re.compile(r"^(?P<title>.+?)\s*[（]\s*(?P<units>[^（）]+(?:（[^（）]*）[^（）]*)*)\s*[）]\s*[。；]?$")
_DASH_LINE = re.compile(r"^[—－-]{1,2}\s*(?P<rest>.+)$")


def detect(lines: list[Line]) -> int:
    return 0  # the default: chosen when no other genre recognises the document


def default_short_name(title: str, year: int | None) -> str:
    return f"{year}年工作要点" if year else "工作要点"


def _has_unit_clause(s: str) -> bool:
    return bool(unit_clauses(s)[1])


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


def parse(all_lines: list[Line], ctx: Context) -> tuple[list[Item], list[Item]]:
    lines = [(ln.line, ln.text) for ln in all_lines]
    annex_at = next((i for i, (_n, s) in enumerate(lines) if _ANNEX.match(s)), len(lines))
    main, annex = lines[:annex_at], lines[annex_at + 1:]
    year = ctx.year
    year_deadline = Deadline(f"{year}年度（年度工作要点，年底前完成）", date(year, 12, 31), False) if year \
        else Deadline("", None, False, understood=False)
    task_style = _task_style(main)
    items: list[Item] = []
    targets: list[Item] = []
    group, section = "", ""
    target_rank: int | None = None  # inside 主要目标 (the rank of its heading)
    cur: Item | None = None

    def finish() -> None:
        nonlocal cur
        if cur is not None:
            _finish_task(cur, ctx)
        cur = None

    for n, s in main:
        mk = marker_of(s)
        heading = mk is not None and RANK[mk.style] < RANK[task_style]
        if heading and target_rank is not None and RANK[mk.style] <= target_rank:
            target_rank = None
        if heading and _TARGET_HEADING.match(mk.rest.rstrip("。")):
            finish()
            target_rank = RANK[mk.style]
            continue
        if target_rank is not None:
            dash = _DASH_LINE.match(s)
            if mk or dash:
                text = mk.rest if mk else dash.group("rest")
                t = Item(mk.number if mk else None, first_sentence(text), "target", line=n, page=ctx.pages.get(n))
                t.body = text
                t.ref = f"{ctx.short}目标{mk.number if mk else len(targets) + 1}"
                targets.append(t)
            elif targets and not _has_unit_clause(s):
                targets[-1].body += s
            continue
        if mk and mk.style == task_style:
            finish()
            cur = Item(mk.number, "", "task", line=n, group=group, part="main", page=ctx.pages.get(n))
            cur.number = f"（{mk.number}）" if mk.style in ("cn_paren", "num_paren") else mk.number
            cur.section = section
            cur.body = mk.rest
            cur.deadline, cur.deadline_inherited = year_deadline, True
            cur.ref = f"{ctx.short}{cur.number}" if cur.number.startswith("（") else f"{ctx.short}第{cur.number}项"
            items.append(cur)
            continue
        if heading:
            finish()  # a section heading: 一、… / （一）… above the tasks
            group = mk.rest.rstrip("。")
            section = f"（{mk.number}）" if mk.style == "cn_paren" else f"{mk.number}、"
            continue
        if cur is None:
            if _has_unit_clause(s) or _UNIT_FIELD.match(s):
                ctx.warn(n, s, "含责任单位但不在任何编号任务下，已忽略")
            continue
        if _UNIT_FIELD.match(s) or s.startswith("配合单位"):
            # 牵头单位：A；配合单位：B — both are units the task is assigned to
            cur.units = merge_units(cur.units, ctx.units(s, n))
            continue
        if mk:  # lower-rank marker: a sub-item of the task
            sub = Item(mk.number, mk.rest.rstrip("；;。"), "sub", line=n, group=group, page=ctx.pages.get(n))
            sub.deadline, sub.deadline_inherited = cur.deadline, True
            sub.ref = f"{cur.ref}（{mk.number}）"
            cur.children.append(sub)
            continue
        cur.body += s  # the task's text continued (line or page break)
    finish()
    items += _parse_annex(annex, ctx, year_deadline)
    return items, targets


def _parse_annex(lines: list[tuple[int, str]], ctx: Context, deadline: Deadline) -> list[Item]:
    """The annex of 主要事项: `1. 事项（责任科室）` under `一、` headings. A note making every
    county responsible for every task speaks of the tasks, not of these matters."""
    items: list[Item] = []
    group, section = "", ""
    for n, s in lines:
        mk = marker_of(s)
        if mk and mk.style == "cn_dun":
            group, section = mk.rest, f"{mk.number}、"
            continue
        if mk and mk.style == "num_dot":
            body = mk.rest
            m = _TRAILING_PAREN.match(body)
            title, unit_text = (m.group("title"), m.group("units")) if m else (body, None)
            rest, clause = split_unit_clause(body)
            if clause is not None:
                title, unit_text = rest, clause
            it = Item(mk.number, title.strip(), "matter", line=n, group=group, part="annex", page=ctx.pages.get(n))
            it.section = section
            it.body = title.strip()
            it.deadline, it.deadline_inherited = deadline, True
            it.ref = f"{ctx.short}附件第{mk.number}项"
            if unit_text:
                it.units = ctx.units(unit_text, n)
            if not it.units:
                ctx.warn(n, s, f"{it.ref} 没有写明责任单位")
            items.append(it)
            continue
        if items and not re.match(r"^[（(]?共\s*\d+\s*项", s) and not s.startswith(("《", "附件")):
            ctx.warn(n, s, "附件中未能识别的行，已忽略")
    return items


_OWN_DEADLINE = re.compile(r"（(?:完成时限|完成时间|时限)：(?P<d>[^（）]+)）")
# `完成时限：2026年9月底前` as a field inside the unit brackets (`（责任单位：A；完成时限：…）`)
_FIELD_DEADLINE = re.compile(r"[；;，,]?\s*(?:完成时限|完成时间|时限)\s*[：:]\s*(?P<d>[^（）；;。，,]+?)\s*(?=[）)；;。，,]|$)")
# a deadline written in the task's text: `2026年6月底前完成`, `9月底前`, `2026年底前`
_CN_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_PHRASE_DEADLINE = re.compile(rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?P<when>{_CN_MONTH}\s*月\s*(?:底|末|上旬|中旬|下旬)?"
                              r"|上半年|第?[一二三四1-4]季度(?:末)?)\s*(?:以)?前"
                              r"|(?P<y2>\d{4})\s*年?\s*(?:底|末)\s*(?:以)?前")


def _own_deadline(body: str, ctx: Context, line: int) -> tuple[Deadline | None, str]:
    """The task's own deadline, which wins over the year-end default: a 完成时限 field
    (dropped from the text, it is a field) or the latest dated phrase of the text (kept as
    written). A phrase without a year (`9月底前`) is in the document's year."""
    for pattern in (_OWN_DEADLINE, _FIELD_DEADLINE):
        m = pattern.search(body)
        if m:
            d = parse_deadline(_with_year(m.group("d"), ctx.year))
            if d.understood:
                return Deadline(m.group("d").strip(), d.date, d.ongoing), (body[: m.start()] + body[m.end():]).strip()
            ctx.warn(line, m.group(0), f"完成时限“{m.group('d')}”无法识别为日期，已保留原文")
            return None, body
    best: Deadline | None = None
    for m in _PHRASE_DEADLINE.finditer(normalise(body)):
        d = parse_deadline(_with_year(m.group(0), ctx.year))
        if d.date is not None and (best is None or d.date > best.date):
            best = Deadline(m.group(0), d.date, d.ongoing)
    return best, body


_YEARLESS = re.compile(rf"^(?:到|至|于|在)?(?:{_CN_MONTH}\s*月|年\s*(?:底|末|内)|[上下]半年|第?[一二三四1-4]季度)")


def _with_year(phrase: str, year: int | None) -> str:
    """`9月底前` in a document of 2026 → `2026年9月底前`; anything else as written."""
    p = normalise(phrase)
    m = _YEARLESS.match(p)
    if not m or year is None:
        return p
    p = p[m.end() - len(m.group(0).lstrip("到至于在")):]
    return f"{year}{p}" if p.startswith("年") else f"{year}年{p}"


def _finish_task(t: Item, ctx: Context) -> None:
    own, body = _own_deadline(t.body.strip(), ctx, t.line)  # a table's 完成时限 column, a field, a phrase
    if own is not None:
        t.deadline, t.deadline_inherited = own, False
    rest, units = item_units(ctx, body, t.line)
    if units is not None:
        t.units = merge_units(units, t.units)
    if ctx.doc_wide:
        t.units = merge_units(t.units, ctx.doc_wide)
    if not t.units:
        ctx.warn(t.line, body, f"{t.ref} 没有写明责任单位")
    # Title: the bold lead sentence, else the first sentence.
    t.title = first_sentence(rest)
    t.body = rest
    for sub in t.children:
        r2, u2 = item_units(ctx, sub.title, sub.line)
        sub.title = sub.body = r2
        sub.units = u2 if u2 else list(t.units)
        d, _ = leading_deadline(r2)
        if d is not None:
            sub.deadline, sub.deadline_inherited = d, False
