"""Score a parsed document (`ingest.docparse.ParsedDoc`) against the corpus's expected data.

Items are matched one to one by kind, section (the group heading they stand under), number
and title (first sentence, normalised); a measure only under its matched problem. Then, over
the matched items: units exact per role (responsible, acceptance), deadline right, body
intact (normalised text equal). Targets (主要目标 indicators) are looked for in
`doc.targets` — never among the tasks. A truth item that appears nowhere in the result and
is named by no warning is a silent loss.

The scorer reads only the documented fields of `Item` (level, number, group, title, body,
units, acceptance_units, deadline, children) and `ParsedDoc` (items, warnings, targets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.doc_corpus.model import first_sentence, norm

MEASURES = ("precision", "recall", "sections", "units", "deadlines", "bodies", "targets", "refs")


@dataclass
class Score:
    truth_items: int = 0
    parsed_items: int = 0
    matched: int = 0
    unit_checks: int = 0
    unit_right: int = 0
    deadline_checks: int = 0
    deadline_right: int = 0
    body_checks: int = 0
    body_right: int = 0
    section_checks: int = 0
    section_right: int = 0
    refs_total: int = 0
    refs_unique: int = 0
    targets: float = 1.0
    silent_losses: int = 0
    problems: list[str] = field(default_factory=list)  # the first failures, for the reader

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        if not self.parsed_items:  # nothing returned: nothing right either
            return 0.0 if self.truth_items else 1.0
        return self._ratio(self.matched, self.parsed_items)

    @property
    def recall(self) -> float:
        return self._ratio(self.matched, self.truth_items)

    @property
    def sections(self) -> float:
        return self._ratio(self.section_right, self.section_checks) if self.matched else 0.0

    @property
    def refs(self) -> float:
        """Items whose ref no other item has (the store keys tasks by it)."""
        return self._ratio(self.refs_unique, self.refs_total)

    @property
    def units(self) -> float:
        return self._ratio(self.unit_right, self.unit_checks) if self.matched else 0.0

    @property
    def deadlines(self) -> float:
        return self._ratio(self.deadline_right, self.deadline_checks) if self.matched else 0.0

    @property
    def bodies(self) -> float:
        return self._ratio(self.body_right, self.body_checks) if self.matched else 0.0

    def measures(self) -> dict[str, float]:
        return {m: getattr(self, m) for m in MEASURES}

    def note(self, text: str) -> None:
        if len(self.problems) < 12:
            self.problems.append(text)


def number_of(raw) -> int | None:
    """'（十三）' / '13' / '第13项' / '⑬' / '（二）3' (section + number) → the item's own number,
    the last one written."""
    if raw is None:
        return None
    s = norm(str(raw))
    circled = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
    tokens = re.findall(r"\d+|[一二三四五六七八九十]+|[" + circled + "]", s)
    if not tokens:
        return None
    t = tokens[-1]
    if t.isdigit():
        return int(t)
    if t in circled:
        return circled.index(t) + 1
    d = {c: i + 1 for i, c in enumerate("一二三四五六七八九")}
    if t.count("十") > 1:
        return None
    if "十" in t:
        a, _, b = t.partition("十")
        return (d.get(a, 0) if a else 1) * 10 + (d.get(b, 0) if b else 0)
    return d[t] if len(t) == 1 else None


def _deadline(item) -> str | None:
    d = getattr(item, "deadline", None)
    if d is None:
        return None
    if getattr(d, "date", None):
        return d.date.isoformat()
    return "ongoing" if getattr(d, "ongoing", False) else None


def _title_key(text: str) -> str:
    return norm(first_sentence(norm(text)))


def _section_ok(truth_section: str, group: str) -> bool:
    t, g = norm(truth_section), norm(group or "")
    g = re.sub(r"^[-*•]+", "", g)
    return bool(t) and (g == t or g.endswith(t))


def _names(units) -> set[str]:
    return {norm(getattr(u, "name", u)) for u in units or []}


def _text_of(target) -> str:
    """A target as text: a string, or an object's text/title and body (an `Item` of level target)."""
    if isinstance(target, str):
        return target
    parts = [str(getattr(target, a, "") or "") for a in ("text", "title", "body", "name")]
    return "|".join(p for p in parts if p) or str(target)


def _walk(items):
    for it in items:
        yield it
        yield from _walk(getattr(it, "children", []) or [])


def score(doc, truth: dict) -> Score:
    sc = Score()
    parsed_top = list(doc.items)
    sc.parsed_items = sum(1 for _ in _walk(parsed_top))
    sc.truth_items = sum(1 + len(t["children"]) for t in truth["items"])
    used: set[int] = set()
    matched_truth: set[int] = set()

    def check(p, t: dict, where: str) -> None:
        sc.matched += 1
        matched_truth.add(id(t))
        roles = [("units", "units", getattr(p, "units", []))]
        if "acceptance" in t:
            roles.append(("acceptance", "acceptance", getattr(p, "acceptance_units", [])))
        for key, label, got in roles:
            sc.unit_checks += 1
            if _names(got) == {norm(u) for u in t[key]}:
                sc.unit_right += 1
            else:
                sc.note(f"{where} {label}: {sorted(_names(got))} ≠ {sorted(t[key])}")
        sc.deadline_checks += 1
        if _deadline(p) == t["deadline"]:
            sc.deadline_right += 1
        else:
            sc.note(f"{where} deadline: {_deadline(p)} ≠ {t['deadline']}")
        sc.body_checks += 1
        if norm(getattr(p, "body", "")) == norm(t["body"]):
            sc.body_right += 1
        else:
            sc.note(f"{where} body differs: {norm(getattr(p, 'body', ''))[:40]}…")

    # Where numbering restarts per section, the section is part of an item's identity;
    # elsewhere an item in the wrong section is found but counts against `sections`.
    keys = [(t["kind"], t["number"]) for t in truth["items"]]
    for t in truth["items"]:
        where = f"{t['kind']} {t['section'][:10]}#{t['number']}"
        cand = [p for p in parsed_top if id(p) not in used and getattr(p, "level", "") == t["kind"]
                and number_of(getattr(p, "number", None)) == t["number"]
                and _title_key(getattr(p, "title", "")) == _title_key(t["title"])]
        in_section = [p for p in cand if _section_ok(t["section"], getattr(p, "group", ""))]
        if keys.count((t["kind"], t["number"])) > 1:
            cand = in_section
        if not cand:
            sc.note(f"{where} not found")
            continue
        p = (in_section or cand)[0]
        used.add(id(p))
        sc.section_checks += 1
        if _section_ok(t["section"], getattr(p, "group", "")):
            sc.section_right += 1
        else:
            sc.note(f"{where} section: {getattr(p, 'group', '')[:20]!r}")
        check(p, t, where)
        kids = list(getattr(p, "children", []) or [])
        for tc in t["children"]:
            cw = f"{where}.{tc['number']}"
            hit = None
            for i, pc in enumerate(kids):
                n = number_of(getattr(pc, "number", None)) or i + 1
                if (id(pc) not in used and getattr(pc, "level", "") == tc["kind"] and n == tc["number"]
                        and _title_key(getattr(pc, "title", "")) == _title_key(tc["title"])):
                    hit = pc
                    break
            if hit is None:
                sc.note(f"{cw} not found")
                continue
            used.add(id(hit))
            check(hit, tc, cw)

    refs = [norm(getattr(p, "ref", "") or "") for p in _walk(parsed_top)]
    sc.refs_total = len(refs)
    sc.refs_unique = sum(1 for r in refs if r and refs.count(r) == 1)
    if sc.refs_unique < sc.refs_total:
        sc.note(f"refs: {sc.refs_total - sc.refs_unique} of {sc.refs_total} not unique")

    # targets: told apart from tasks, found in doc.targets
    want = [norm(x).lstrip("-") for x in truth.get("targets", [])]
    got = [norm(_text_of(x)).lstrip("-") for x in (getattr(doc, "targets", None) or [])]
    found = sum(1 for w in want if any(w[:12] in g for g in got))
    sc.targets = found / max(len(want), len(got)) if (want or got) else 1.0
    if sc.targets < 1:
        sc.note(f"targets: {found} of {len(want)} found, {len(got)} given")

    # silent losses: truth items that appear nowhere and that no warning names
    all_text = [norm(getattr(p, "title", "")) + "|" + norm(getattr(p, "body", "")) for p in _walk(parsed_top)]
    warn_text = [norm(str(w.get("text", "")) + str(w.get("message", ""))) if isinstance(w, dict) else norm(str(w))
                 for w in doc.warnings]

    def lost(t: dict) -> bool:
        if id(t) in matched_truth:
            return False
        key = _title_key(t["title"])[:10]
        return not any(key in s for s in all_text)

    def warned(t: dict) -> bool:
        keys = {_title_key(t["title"])[:10], norm(t["body"])[:10]}
        return any(k and k in w for k in keys for w in warn_text)

    for t in truth["items"]:
        parent_warned = warned(t)
        if lost(t) and not parent_warned:
            sc.silent_losses += 1
        for tc in t["children"]:
            if lost(tc) and not (parent_warned or warned(tc)):
                sc.silent_losses += 1
    return sc
