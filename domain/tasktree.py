"""The task tree a document becomes: items (problems, measures, tasks, matters, sub-items)
with their deadlines and units, and the document's targets (主要目标 indicators).

Shared by the parser (ingest/docparse), the review table, the ledger reader and the
store: the store imports these types from here, never from ingest/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from domain.deadlines import Deadline
from domain.units import Unit

__all__ = ["Deadline", "Item", "ParsedDoc", "Unit", "duplicate_paths", "first_sentence", "item_path_keys"]


def first_sentence(text: str) -> str:
    m = re.match(r"^(.+?[。；])", text)
    return (m.group(1) if m else text).rstrip("。；")


@dataclass
class Item:
    number: str | None
    title: str
    level: str  # problem | measure | task | matter | sub | target
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
    page: int | None = None  # the page the item starts on (PDF)
    section: str = ""  # the heading it is under, as numbered (一、): part of the ref when numbering restarts

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
    targets: list[Item] = field(default_factory=list)  # 主要目标 indicators: not tasks
    doc_number: str = ""  # 文号, e.g. 景环字〔2021〕9号
    source_format: str = ""  # the reader that read it (.pdf, .docx …)
    other_city: str = ""  # the document names another city more than the active region's (上饶市)
    other_city_code: str = ""  # …and is that city's own (not a provincial one naming many): its code


    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "genre": self.genre,
            "short_name": self.short_name,
            "year": self.year,
            "doc_number": self.doc_number,
            "other_city": self.other_city,
            "items": [i.as_dict() for i in self.items],
            "targets": [t.as_dict() for t in self.targets],
            "warnings": self.warnings,
            "counts": {
                "items": len(self.items),
                "children": sum(len(i.children) for i in self.items),
                "targets": len(self.targets),
            },
        }


def item_path_keys(items: list[Item], prefix: str = "") -> list[str]:
    """Every item's path as in the store's task uid (`part|（十六）/3`, unnumbered `#2`), in order."""
    out: list[str] = []
    for pos, it in enumerate(items):
        key = f"{prefix}{it.number or f'#{pos + 1}'}"
        out.append(f"{it.part}|{key}")
        out.extend(f"{it.part}|{p.split('|', 1)[1]}" for p in item_path_keys(it.children, f"{key}/"))
    return out


def duplicate_paths(doc: ParsedDoc) -> list[str]:
    """Paths used by more than one item: the store cannot hold them (task uids are unique)."""
    seen: set[str] = set()
    dups: list[str] = []
    for p in item_path_keys(doc.items):
        if p in seen and p not in dups:
            dups.append(p)
        seen.add(p)
    return dups
