"""Task ledgers (台账) from XLSX/CSV: one row per problem, task or measure.

Columns (Chinese headers, as clerks write them; the XLSX export uses the same):
来源文件, 编号, 上级编号, 问题/任务, 整改目标, 整改时限, 时限日期, 责任单位, 验收单位, 类别, 关联点位.
Only 编号 and 问题/任务 are required. Status columns are not imported: status is
the event history, recorded through the closing procedure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from domain.categories import category_names, classify
from domain.deadlines import Deadline, parse_deadline
from domain.tasktree import Item, ParsedDoc, first_sentence
from domain.units import UnitParser, parse_acceptance
from ingest.docparse.meta import detect_year
from ingest.report import Report
from ingest.sites import read_table
from onemap import settings

COLUMNS = {
    "document": ("来源文件", "来源", "文件"),
    "number": ("编号", "序号", "问题编号", "任务编号"),
    "parent": ("上级编号", "所属问题", "父编号"),
    "title": ("问题/任务", "问题", "任务", "问题描述", "任务内容", "整改任务", "措施"),
    "target": ("整改目标", "目标"),
    "deadline": ("整改时限", "时限", "完成时限"),
    "deadline_date": ("时限日期",),
    "units": ("责任单位", "牵头单位"),
    "acceptance": ("验收单位",),
    "category": ("类别", "领域"),
    "sites": ("关联点位", "点位", "涉及点位"),
    "level": ("层级",),
}
STATUS_COLUMNS = ("状态", "整改状态", "当前状态")
LEVELS = {"问题": "problem", "措施": "measure", "任务": "task", "事项": "matter", "子项": "sub"}


@dataclass
class LedgerImport:
    docs: list[ParsedDoc]
    site_links: dict[tuple[str, str], list[str]]  # (document, number path) → site ids
    report: Report


def _col(df: pd.DataFrame, key: str) -> str | None:
    for name in COLUMNS[key]:
        if name in df.columns:
            return name
    return None


def _date_cell(v: str) -> date | None:
    s = str(v or "").strip()
    if not s:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y.%m.%d"):
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(s)


def _field_lengths(df: pd.DataFrame, report: Report) -> None:
    """A cell longer than the limit (ONEMAP_LIMIT_FIELD_CHARS) is refused by row and column, never cut."""
    limit = settings.limits().field_chars
    first = df.attrs.get("header_row", 1) + 1
    for j, c in enumerate(df.columns):
        col = df.iloc[:, j].astype(str)
        for pos in (col.str.len() > limit).to_numpy().nonzero()[0][:20]:
            v = col.iloc[pos]
            report.error(int(pos) + first, str(c), v[:20] + "…", f"内容过长（{len(v)} 字，上限 {limit} 字）",
                         "请精简该单元格内容")


def read_ledger(path: Path, units: UnitParser, site_lookup: dict[str, str], *, default_document: str) -> LedgerImport:
    """site_lookup: site id / name / alias → site id."""
    report = Report()
    df = read_table(Path(path), report)
    if df is None:
        return LedgerImport([], {}, report)
    number_col, title_col = _col(df, "number"), _col(df, "title")
    if number_col is None or title_col is None:
        missing = "、".join(n for n, c in (("编号", number_col), ("问题/任务", title_col)) if c is None)
        report.error("", missing, "", "缺少必需的列", f"台账需要“编号”和“问题/任务”列；现有列：{'、'.join(df.columns)}")
        return LedgerImport([], {}, report)
    for c in STATUS_COLUMNS:
        if c in df.columns:
            report.warn("", c, "", "状态列未导入：状态以销号流程中的变更记录为准", "导入后在台账中逐项登记状态")
    cols = {k: _col(df, k) for k in COLUMNS}
    _field_lengths(df, report)
    cats = set(category_names())
    by_doc: dict[str, list[tuple[int, pd.Series]]] = {}
    for i, r in df.iterrows():
        if not any(str(v).strip() for v in r.values):
            continue
        doc = str(r[cols["document"]]).strip() if cols["document"] else ""
        by_doc.setdefault(doc or default_document, []).append((int(i) + df.attrs.get("header_row", 1) + 1, r))
    docs: list[ParsedDoc] = []
    links: dict[tuple[str, str], list[str]] = {}
    for doc_name, rows in by_doc.items():
        nodes: dict[str, Item] = {}
        parents: dict[str, str] = {}
        inferred: set[str] = set()  # rows without a 层级 column value
        order: list[str] = []
        for row, r in rows:
            def val(key: str, r=r) -> str:
                c = cols[key]
                return str(r[c]).strip() if c else ""
            number, title = val("number"), val("title")
            if not number:
                report.error(row, number_col, "", "编号为空", "每行都需要编号，如（三）或 3")
                continue
            if not title:
                report.error(row, title_col, "", "问题/任务为空", "请填写问题或任务内容")
            if number in nodes:
                report.error(row, number_col, number, f"编号在“{doc_name}”中重复", "同一来源文件内编号必须唯一")
                continue
            deadline = parse_deadline(val("deadline")) if val("deadline") else Deadline("", None, False)
            if val("deadline") and not deadline.understood and not val("deadline_date"):
                report.error(row, cols["deadline"], val("deadline"), "整改时限无法识别",
                             "请写成“2024年6月底前”“2025年底”“立行立改，长期坚持”或 2024-06-30")
            if val("deadline_date"):
                try:
                    d = _date_cell(val("deadline_date"))
                    deadline = Deadline(val("deadline") or d.isoformat(), d, deadline.ongoing)
                except ValueError:
                    report.error(row, cols["deadline_date"], val("deadline_date"), "时限日期格式不对", "请写成 2024-06-30")
            category = val("category")
            if category and category not in cats:
                report.error(row, cols["category"], category, "未知类别", f"可用类别：{'、'.join(sorted(cats))}")
            level = LEVELS.get(val("level"), "")
            part, short_no = split_number(number)
            item = Item(short_no, title if level in ("measure", "sub") else first_sentence(title),
                        level or "task", line=row)
            item.part = part
            item.body = title
            item.target = val("target")
            item.deadline = deadline
            item.units = units.parse(val("units"))
            acc, _per, note = parse_acceptance(val("acceptance"), units)
            item.acceptance_units, item.acceptance_text, item.acceptance_note = acc, val("acceptance"), note
            item.category = category or classify(f"{title} {item.target}")
            item.ref = _root_ref(doc_name, part, short_no)
            site_ids = []
            for name in (x.strip() for x in val("sites").replace("；", "、").replace(",", "、").replace("，", "、").split("、")):
                if not name:
                    continue
                sid = site_lookup.get(name)
                if sid is None:
                    report.error(row, cols["sites"], name, "关联点位不存在", "请先导入该点位，或核对名称/编号")
                else:
                    site_ids.append(sid)
            nodes[number] = item
            if not level:
                inferred.add(number)
            order.append(number)
            if val("parent"):
                parents[number] = val("parent")
            if site_ids:
                links[(doc_name, number)] = site_ids
        roots: list[Item] = []
        for number in order:
            item = nodes[number]
            parent_no = parents.get(number)
            if parent_no:
                parent = nodes.get(parent_no)
                if parent is None:
                    report.error(item.line, cols["parent"], parent_no, "上级编号不存在", "上级编号须是同一来源文件中另一行的编号")
                    continue
                if number in inferred:
                    item.level = "measure" if parent.level == "problem" else "sub"
                    item.title = item.body
                item.ref = f"{parent.ref}第{short_no_of(number)}条" if short_no_of(number) else f"{parent.ref}措施"
                if item.deadline.text == "":
                    item.deadline, item.deadline_inherited = parent.deadline, True
                parent.children.append(item)
            else:
                if number in inferred and item.target:
                    item.level = "problem"  # a root with a 整改目标 is a rectification problem
                roots.append(item)
        year = detect_year(doc_name, [])
        genre = "整改清单" if any(i.level == "problem" for i in roots) else "工作要点"
        docs.append(ParsedDoc(doc_name, genre, doc_name, year, roots, []))
    return LedgerImport(docs, links, report)


def split_number(number: str) -> tuple[str, str | None]:
    """Ledger 编号 → (part, item number). `（十六）/3` is measure 3 of problem （十六）;
    `附件/5` is annex item 5; `#2` stands for an unnumbered item."""
    part = "main"
    if number.startswith("附件"):
        part, number = "annex", number[2:].lstrip("/")
    last = number.rsplit("/", 1)[-1]
    return part, (None if last.startswith("#") else last)


def short_no_of(number: str) -> str | None:
    return split_number(number)[1]


def _root_ref(doc: str, part: str, number: str | None) -> str:
    if part == "annex":
        return f"{doc}附件第{number}项"
    if number and number.startswith("（"):
        return f"{doc}{number}"
    return f"{doc}第{number}项"


def ledger_number(uid: str) -> str:
    """Task uid (`document|part|path`) → the ledger's 编号."""
    _doc, part, path = uid.split("|", 2)
    return f"附件/{path}" if part == "annex" else path

