"""Responsible-unit text (责任单位/验收单位) → a list of normalised units, each
resolved to the place (city, county or zone) it belongs to.

Handles the ways documents write them: lists split by 、 and ，; pairs naming one
authority (`浮梁县委、县政府`, `乐平市委、市政府`, `高新区、昌南新区党工委、管委会`);
groups (`各县（市、区）党委、政府`, `各县（市、区）生态环境局`) expanded to every
county-level division; `X（以下简称Y）` definitions; per-measure acceptance
(`市整改办负责第1-4条，市住建局负责第5-8条`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from domain.places import Place, PlaceSet

_OPEN = "（([〔【"
_CLOSE = "）)]〕】"
# 各县（市、区）; a city without county-level cities writes 各县（区） (抚州市), one without districts 各县（市）
_GROUP = re.compile(r"^各县[（(](?:市[、,，]?区|区|市)[)）]")
# A role written after a unit's name (`市生态环境局（牵头）`) is a note, not part of the name.
_ROLE_NOTE = re.compile(r"（(?:牵头|配合|负责|主责|协助|牵头单位|配合单位|责任单位)）$")
# a clause that assigns every task to the counties: 各县（市、区）[政府]为各项任务（的）责任单位/责任主体
_EVERY_TASK = re.compile(r"^(?P<unit>[^为]*?)为(?:各项|全部|所有)?(?:任务|工作|整改任务)?(?:的)?(?:责任单位|责任主体|实施主体)")
_ABBREV = re.compile(r"^(?P<full>.+?)[（(]以下简称[“\"]?(?P<short>[^”\")）]+)[”\"]?[)）]$")


@dataclass(frozen=True)
class Unit:
    name: str
    place_code: str
    place_name: str
    level: str
    alias_of: str | None = None  # the full name when `name` is a defined short form

    def as_dict(self) -> dict:
        return {"name": self.name, "place_code": self.place_code, "place_name": self.place_name,
                "level": self.level}


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "")
    # NFKC turns （）into (); keep Chinese brackets for display consistency.
    s = s.replace("(", "（").replace(")", "）").replace(",", "，").replace(";", "；").replace(":", "：")
    s = re.sub(r"\s+", "", s)
    s = s.strip("〔〕[]【】。；;")
    s = re.sub(r"^(责任单位|牵头单位|配合单位|验收单位|责任部门)[：]?", "", s)
    return s.strip("〔〕[]【】。；;")


def _split_top(s: str) -> list[str]:
    """Split on 、，；/ outside brackets."""
    out, buf, depth = [], [], 0
    for ch in s:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in "、，；/":
            if buf:
                out.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    if buf:
        out.append("".join(buf))
    return [t for t in (t.strip() for t in out) if t]


def _is_gov(tok: str) -> bool:
    return tok in ("政府", "县政府", "市政府", "区政府", "人民政府", "县人民政府", "市人民政府", "区人民政府")


class UnitParser:
    def __init__(self, places: PlaceSet):
        self.places = places

    def resolve(self, name: str) -> Unit:
        alias_of = None
        m = _ABBREV.match(name)
        if m:
            name, alias_of = m.group("short"), m.group("full")
        p: Place | None = self.places.place_of_text(name)
        if p is None:
            p = self.places.city
        return Unit(name, p.code, p.name, p.level, alias_of)

    def parse(self, text: str) -> list[Unit]:
        """Parse a unit list; the result keeps document order without duplicates."""
        s = _clean(text)
        if not s:
            return []
        tokens = [_ROLE_NOTE.sub("", t) for t in _split_top(s)]
        names: list[str] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if _GROUP.match(tok):
                rest = _GROUP.sub("", tok)
                clause = _EVERY_TASK.match(rest)
                if clause:
                    # 各县（市、区）为各项任务责任单位: every county (its government) is responsible, not
                    # a unit called "XX区为各项任务责任单位" (issue 19); 各县（市、区）生态环境局为… names that unit
                    head = clause.group("unit")
                    names.extend(c.authority if head in ("", "政府", "人民政府", "党委、政府", "党委政府")
                                 else f"{c.name}{head}" for c in self.places.counties)
                    i += 1
                    continue
                if rest.endswith("党委") and _is_gov(nxt):
                    names.extend(c.authority for c in self.places.counties)
                    i += 2
                    continue
                names.extend(f"{c.name}{rest}" for c in self.places.counties)
                i += 1
                continue
            if tok.endswith("委") and _is_gov(nxt):
                # 浮梁县委、县政府 / 乐平市委、市政府 / 市委、市政府
                names.append(f"{tok}、{nxt}")
                i += 2
                continue
            if tok.endswith("党工委") and nxt == "管委会":
                zone = tok[: -len("党工委")]
                # bare zone names written before it share the suffix: 高新区、昌南新区党工委、管委会
                while names and self._bare_zone(names[-1]):
                    names[-1] = f"{names[-1]}党工委、管委会"
                    if len(names) < 2 or not self._bare_zone(names[-2]):
                        break
                names.append(f"{zone}党工委、管委会")
                i += 2
                continue
            names.append(tok)
            i += 1
        seen: dict[str, Unit] = {}
        for n in names:
            u = self.resolve(n)
            seen.setdefault(u.name, u)
        return list(seen.values())

    def _bare_zone(self, name: str) -> bool:
        return any(name == z.name or name in z.aliases for z in self.places.zones)


_RESP = re.compile(r"(?P<unit>[^，,；;。]+?)负责(?:第)?(?P<nums>[0-9０-９、,，\-－—~～至和及第条]+)条(?:措施)?")


def _expand_numbers(spec: str) -> list[int]:
    s = unicodedata.normalize("NFKC", spec).replace("第", "").replace("条", "")  # 第5-6条及第8条
    out: list[int] = []
    for part in re.split(r"[、,，和及]", s):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^(\d+)\s*[-—~至－]\s*(\d+)$", part)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            out.extend(range(min(a, b), max(a, b) + 1))
        elif part.isdigit():
            out.append(int(part))
    return out


def parse_acceptance(text: str, parser: UnitParser) -> tuple[list[Unit], dict[int, list[Unit]], str]:
    """Acceptance text → (units for the whole item, {measure number: units}, note).

    `市整改办负责第1、2、3、8条措施，市住建局负责第4-6条措施` assigns per measure;
    `市住建局、市生态环境局按职责分工验收` gives both units with the note `按职责分工`."""
    s = _clean(text)
    note = ""
    if "按职责分工" in s:
        note = "按职责分工验收"
        s = s.replace("按职责分工验收", "").replace("按职责分工", "")
    per: dict[int, list[Unit]] = {}
    matches = list(_RESP.finditer(s))
    if matches:
        all_units: list[Unit] = []
        for m in matches:
            unit_text = m.group("unit").lstrip("、，,")
            units = parser.parse(unit_text)
            for n in _expand_numbers(m.group("nums")):
                per.setdefault(n, [])
                per[n].extend(u for u in units if u not in per[n])
            all_units.extend(u for u in units if u not in all_units)
        return all_units, per, note
    s = s.removesuffix("验收").removesuffix("负责")
    return parser.parse(s), per, note


def _abbreviations() -> list[tuple[str, str]]:
    from functools import lru_cache

    @lru_cache(maxsize=1)
    def load() -> tuple[tuple[str, str], ...]:
        from onemap import config

        pairs = config.load("unit_abbreviations.json")["long_to_short"]
        return tuple(sorted(((a, b) for a, b in pairs), key=lambda p: -len(p[0])))

    return list(load())


def unit_key(name: str) -> str:
    """A unit's name with the usual long forms shortened (市发展和改革委员会, 市发展改革委 → 市发改委):
    two names with the same key are probably one unit written two ways (the user decides)."""
    s = _clean(name)
    for long, short in _abbreviations():
        s = s.replace(long, short)
    return s

