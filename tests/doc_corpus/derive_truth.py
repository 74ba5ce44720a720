"""Derive the expected data (truth/*.json) from the clean source texts — run ONCE by hand:

    python -m tests.doc_corpus.derive_truth SOURCE…   (only these sources' truth files)

The output was then read item by item against the source texts and corrected where this
simple reading was wrong (see README.md, "How the truth was made"); the committed JSON is
the reference, not this script. Tests never run it. It does not use the project's parser.
"""

from __future__ import annotations

import json
import re

from tests.doc_corpus.model import (
    COUNTIES,
    HERE,
    SOURCES,
    YEARS,
    ZONES,
    Block,
    annex_start,
    first_sentence,
    problem_style,
    read_blocks,
)

_DATE = re.compile(r"^(\d{4})年(?:(\d{1,2})月)?底?前?")


def deadline_of(text: str, *, leading: bool = False) -> str | None:
    """'2025年底' → 2025-12-31; '2024年6月底' → 2024-06-30; 立行立改/长期坚持 → 'ongoing'."""
    import calendar

    m = _DATE.match(text)
    if m and (not leading or re.match(r"^\d{4}年(?:\d{1,2}月)?底?前", text)):
        y, mo = int(m.group(1)), int(m.group(2) or 12)
        return f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}"
    if not leading and ("长期坚持" in text or "立行立改" in text):
        return "ongoing"
    return None


def split_top(s: str) -> list[str]:
    out, buf, depth = [], "", 0
    for ch in s:
        depth += ch in "（(〔["
        depth -= ch in "）)〕]"
        if depth == 0 and ch in "、，,；":
            out.append(buf)
            buf = ""
        else:
            buf += ch
    out.append(buf)
    return [t.strip() for t in out if t.strip()]


def expand_units(text: str, city: str) -> list[str]:
    """A unit list as the document means it: 各县（市、区）X → every county's X; `A委、A政府`
    pairs and `甲区、乙区党工委、管委会` zone pairs are one authority each."""
    toks = split_top(text.replace("(", "（").replace(")", "）").strip().rstrip("。"))
    out: list[str] = []
    i = 0
    while i < len(toks):
        t, nxt = toks[i], toks[i + 1] if i + 1 < len(toks) else ""
        group = next((g for g in ("各县（市、区）", "各县（区）") if t.startswith(g)), None)
        if group:
            rest = t[len(group):]
            if rest == "党委" and nxt == "政府":
                out += [f"{c}委、{c[-1]}政府" for c in COUNTIES[city]]
                i += 2
                continue
            out += [c + rest for c in COUNTIES[city]]
        elif t.endswith("委") and nxt.endswith("政府"):
            out.append(f"{t}、{nxt}")
            i += 1
        elif t.endswith("党工委") and nxt == "管委会":
            while out and out[-1] in ZONES[city]:
                zone = out.pop()
                out.append(f"{zone}党工委、管委会")
            out.append(f"{t}、管委会")
            i += 1
        elif "（以下简称" in t:
            out.append(re.search(r"（以下简称(.+?)）", t).group(1))
        else:
            out.append(t)
        i += 1
    # zone pairs were appended out of order above; keep document order without duplicates
    seen: list[str] = []
    for u in out:
        if u not in seen:
            seen.append(u)
    return seen


def unit_clause(text: str) -> tuple[str, str | None]:
    """Text → (text without its last 责任单位 clause, the clause's unit list)."""
    m = list(re.finditer(r"[〔（(【]责任单位[：:]", text))
    if not m:
        return text, None
    start = m[-1].start()
    inner = text[m[-1].end():]
    depth, j = 1, 0
    while j < len(inner) and depth:
        depth += inner[j] in "（(〔【"
        depth -= inner[j] in "）)〕】"
        j += 1
    return (text[:start] + inner[j:]).strip(), inner[: j - 1]


def acceptance(text: str, city: str, measures: list[dict]) -> list[str]:
    text = text.rstrip("。")
    per = re.findall(r"([^，、；]+?)负责第?([0-9、\-]+)条", text)
    if per:
        units: list[str] = []
        for unit, spec in per:
            nums: list[int] = []
            for part in spec.split("、"):
                a, _, b = part.partition("-")
                nums += list(range(int(a), int(b or a) + 1))
            for m in measures:
                if m["number"] in nums:
                    m.setdefault("acceptance", [])
                    if unit not in m["acceptance"]:
                        m["acceptance"].append(unit)
            if unit not in units:
                units.append(unit)
        return units
    text = text.replace("按职责分工验收", "")
    return expand_units(text, city)


def rectification(blocks: list[Block], city: str) -> dict:
    items: list[dict] = []
    group = ""
    cur: dict | None = None
    in_measures = False
    pstyle = problem_style(blocks)
    for b in blocks[annex_start(blocks, "整改清单"):]:
        if b.kind == "num" and b.style == "cn_dun":
            group, cur = b.text, None
        elif b.kind == "num" and b.style == pstyle:
            cur = {"kind": "problem", "section": group, "number": b.number, "title": first_sentence(b.text),
                   "body": b.text, "children": []}
            items.append(cur)
            in_measures = False
        elif cur is None:
            continue
        elif b.kind == "field":
            if b.marker == "整改目标":
                cur["target"] = b.text
            elif b.marker == "整改时限":
                cur["deadline"] = deadline_of(b.text)
            elif b.marker == "整改措施":
                in_measures = True
                if b.text:
                    add_measure(cur, None, b.text, city)
            elif b.marker == "验收单位":
                in_measures = False
                cur["acceptance"] = acceptance(b.text, city, cur["children"])
        elif in_measures:
            add_measure(cur, b.number if b.kind == "num" else None, b.text, city)
    for p in items:
        units: list[str] = []
        for m in p["children"]:
            m.setdefault("acceptance", list(p["acceptance"]))
            m["deadline"] = m["deadline"] or p["deadline"]
            units += [u for u in m["units"] if u not in units]
        p["units"] = units
    return {"genre": "整改清单", "year": None, "targets": [], "items": items}


def add_measure(problem: dict, number: int | None, text: str, city: str) -> None:
    rest, clause = unit_clause(text)
    problem["children"].append({
        "kind": "measure", "number": number or len(problem["children"]) + 1, "title": first_sentence(rest),
        "body": rest, "units": expand_units(clause or "", city), "deadline": deadline_of(rest, leading=True)})


def work_points(blocks: list[Block], city: str, year: int) -> dict:
    items: list[dict] = []
    targets: list[str] = []
    top, section, annex = "", "", False
    end = f"{year}-12-31"
    for b in blocks:
        if b.kind == "para" and re.match(r"^《.*明确的主要事项$", b.text.replace(" ", "")):
            annex, section = True, ""
            continue
        if b.kind == "num" and b.style == "cn_dun":
            top = b.text
            section = b.text if annex else ""
        elif b.kind == "num" and b.style == "cn_paren" and not annex and top in ("重点任务", "重点工作"):
            section = b.text
        elif top == "主要目标" and not annex and (b.kind == "num" or b.text.startswith("——")):
            targets.append(b.text.lstrip("—"))
        elif b.kind == "num" and b.style == "num_dot" and section:
            rest, clause = unit_clause(b.text)
            if annex:
                m = re.match(r"^(.*?)\s*[（(]([^（()）]+)[)）]$", b.text)
                rest, clause = m.group(1), m.group(2)
            items.append({"kind": "matter" if annex else "task", "section": section, "number": b.number,
                          "title": first_sentence(rest), "body": rest, "units": expand_units(clause or "", city),
                          "deadline": end, "children": []})
    return {"genre": "工作要点", "year": year, "targets": targets, "items": items}


def main(only: list[str] | None = None) -> None:
    (HERE / "truth").mkdir(exist_ok=True)
    for name, (path, genre, city) in SOURCES.items():
        if only and name not in only:
            continue  # a committed truth (corrected by hand) is never overwritten by accident
        blocks = read_blocks(path)
        truth = rectification(blocks, city) if genre == "整改清单" else work_points(blocks, city, YEARS[name])
        truth["source"] = str(path.relative_to(HERE.parents[1]))
        out = HERE / "truth" / f"{name}.json"
        out.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        n = len(truth["items"]) + sum(len(i["children"]) for i in truth["items"])
        print(name, len(truth["items"]), n, len(truth["targets"]))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
