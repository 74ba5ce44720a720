"""Official task documents → a task tree, in three stages:

1. reading (`readers/`, one module per format, registered by suffix): file → blocks
   (.pdf with a text layer, .docx with Word numbering and tables, .txt; .doc/.wps via
   LibreOffice; .ofd refused with what to do);
2. structure (`structure.py`): blocks → logical lines — page numbers and running
   headers/footers dropped, paragraphs broken by layout rebuilt;
3. genre (`genres/`, one module per genre): lines → items and targets, the genre chosen
   from labelled fields at the start of lines (整改目标：, 整改时限：).

Written for documents not seen before: half- and full-width punctuation, `[]`, `〔〕`, `【】`
brackets, list markers `1.` `1．` `1、` `(1)` `（1）` `①` `- 1.` `- （二）`, spaced labels,
lines broken by layout or page breaks, nested sub-items. Anything that cannot be placed
becomes a warning with its line or page, never silently dropped.

The task-tree types live in domain/tasktree.py; they are re-exported here.
"""

from __future__ import annotations

from pathlib import Path

from domain.categories import classify
from domain.tasktree import Item, ParsedDoc, duplicate_paths, first_sentence
from domain.units import UnitParser
from ingest.docparse import genres as _genres
from ingest.docparse.blocks import Block, DocParseError, numbered
from ingest.docparse.genres.common import DOC_WIDE, Context, find_doc_wide, qualify_restarts
from ingest.docparse.meta import detect_doc_number, detect_title, detect_year
from ingest.docparse.readers import READERS, formats_help, read_blocks, suffixes
from ingest.docparse.structure import Line, clean, drop_signature
from ingest.docparse.text import canon, cn_to_int, marker_of, split_unit_clause, strip_markup
from ingest.docparse.whose import other_city, places_of

RECTIFICATION = "整改清单"
WORK_POINTS = "工作要点"

__all__ = ["READERS", "RECTIFICATION", "WORK_POINTS", "Block", "DocParseError", "Item", "ParsedDoc", "canon",
           "cn_to_int", "detect_title", "detect_year", "first_sentence", "formats_help", "marker_of",
           "parse_blocks", "parse_document", "parse_lines", "split_unit_clause", "strip_markup", "suffixes"]

SHORTFALL = 0.8  # fewer items than this share of the numbered lines is worth a warning


def parse_document(path: Path, units: UnitParser, *, short_name: str | None = None) -> ParsedDoc:
    doc = parse_blocks(read_blocks(Path(path)), units, short_name=short_name)
    doc.source_format = Path(path).suffix.lower()
    return doc


def parse_lines(lines: list[str], units: UnitParser, *, short_name: str | None = None) -> ParsedDoc:
    return parse_blocks(numbered(lines), units, short_name=short_name)


def parse_blocks(blocks: list[Block], units: UnitParser, *, short_name: str | None = None) -> ParsedDoc:
    warnings: list[dict] = []
    lines = clean(blocks, warnings)
    genre = _genres.choose(lines)
    title = detect_title(lines)
    year = detect_year(title, lines)
    short = short_name or genre.default_short_name(title, year)
    active = units.places.city.name
    whose = other_city("\n".join(ln.text for ln in lines), title, units.places)
    if whose is not None and whose.sole and (theirs := places_of(whose)).counties:
        units = UnitParser(theirs)  # its units are its own: 各县（市、区） are its counties
    ctx = Context(units, short, year, warnings, pages={ln.line: ln.page for ln in lines})
    ctx.doc_wide = find_doc_wide(lines, units)
    signed = drop_signature(lines)
    kept = {id(ln) for ln in signed}
    dropped = [ln for ln in lines if id(ln) not in kept]
    if dropped:
        shown = "".join(f"“{ln.text}”" for ln in dropped[:4])
        ctx.warn(dropped[0].line, dropped[0].text, f"已去除落款 {len(dropped)} 行（不属于任何条目）：{shown}")
    body = [ln for ln in signed if not _doc_wide_note(ln)]  # year above may be the signature's
    items, targets = genre.parse(body, ctx)
    _check_sequence(items, ctx)
    qualify_restarts(items, short)
    for it in items:
        for node in it.walk():
            node.category = classify(" ".join([it.group, it.title, it.body, node.title, node.target]))
    if not items:
        ctx.warn(0, "", "没有识别出任何条目：请确认文件是整改清单或工作要点")
    else:
        _check_coverage(body, items, targets, ctx)
    for dup in duplicate_paths(ParsedDoc(title, genre.NAME, short, year, items, [])):
        ctx.warn(0, dup, f"编号“{dup.split('|', 1)[1]}”重复出现，无法分别导入：请在核对表中改正编号")
    if whose is not None:  # first: it decides whether the rest matters
        warnings.insert(0, {"line": 0, "text": "", "message": whose.message(active)})
    return ParsedDoc(title, genre.NAME, short, year, items, warnings, targets=targets,
                     doc_number=detect_doc_number(lines), other_city=whose.name if whose else "",
                     other_city_code=whose.code if whose and whose.sole else "")


def _doc_wide_note(ln: Line) -> bool:
    """A line that only says every county is responsible for every task (a note)."""
    m = DOC_WIDE.search(ln.text)
    return bool(m) and not marker_of(ln.text) and len(ln.text) < 60


def _check_sequence(items: list[Item], ctx: Context) -> None:
    """Numbers of the top-level items run 1…N (per section where numbering restarts): a
    gap means items were not recognised (e.g. taken into the item before)."""
    roots = [it for it in items if it.number and it.level != "sub"]
    nums = [(it.part, it.number) for it in roots]
    restart = len(nums) != len(set(nums))
    groups: dict[tuple, list[Item]] = {}
    for it in roots:
        groups.setdefault((it.part, it.section if restart else ""), []).append(it)
    for (_part, section), its in groups.items():
        values = [cn_to_int(it.number.strip("（）")) for it in its]
        values = [v for v in values if v is not None]
        if not values:
            continue
        top = max(values)
        missing = [n for n in range(min(1, top), top + 1) if n not in values]
        if missing:
            where = "、".join(f"第{n}项" for n in missing[:8]) + ("等" if len(missing) > 8 else "")
            ctx.warn(its[0].line, section, f"{section}编号不连续：缺少{where}。编号显示应有 {top} 条，只识别出 "
                                           f"{len(values)} 条，请核对是否漏识别")


def _check_coverage(lines: list[Line], items: list[Item], targets: list[Item], ctx: Context) -> None:
    """Numbered lines after the first item that became no item, target or heading: each is a
    warning with its line; many of them is a warning that the document was not fully read."""
    used = {n.line for it in items for n in it.walk()} | {t.line for t in targets}
    styles = {marker_of(ln.text).style for ln in lines if ln.line in {it.line for it in items}
              and marker_of(ln.text)}
    first = min(it.line for it in items)
    missed = [ln for ln in lines if ln.line > first and ln.line not in used
              and (mk := marker_of(ln.text)) and mk.style in styles]
    groups = {it.group for it in items}
    missed = [ln for ln in missed if marker_of(ln.text).rest.rstrip("。") not in groups]
    for ln in missed[:20]:
        ctx.warn(ln.line, ln.text, "带编号的行未识别为条目，已忽略")
    expected = len(missed) + len(items)
    if missed and len(items) < SHORTFALL * expected:
        ctx.warn(0, "", f"编号显示约有 {expected} 条，只识别出 {len(items)} 条：请核对是否有遗漏")
