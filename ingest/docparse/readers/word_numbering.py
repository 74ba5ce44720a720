"""Word's own list numbering (numbering.xml): the number a paragraph shows is list
formatting, not text, so it is rendered here from the definition — format (decimal,
chineseCounting, decimalEnclosedCircle …), level text (`（%1）`, `%1.`), start value,
restarts (a new w:num with w:startOverride) and levels (a shallower level restarts the
deeper ones unless w:lvlRestart says otherwise — 0: a level that counts on across sections). python-docx reads the XML but does not compute numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.docparse.text import CIRCLED, int_to_cn

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(el, tag: str) -> str | None:
    if el is None:
        return None
    child = el.find(f"{W}{tag}")
    return None if child is None else child.get(f"{W}val")


def fmt_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographDigital",
               "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand"):  # what LibreOffice writes for 一、二 after a .doc round trip
        return int_to_cn(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= len(CIRCLED):
        return CIRCLED[n - 1]
    if fmt == "decimalEnclosedParen":
        return f"（{n}）"
    if fmt in ("lowerLetter", "upperLetter"):
        s = chr(ord("a") + (n - 1) % 26)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        vals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, k = "", n
        for v, r in vals:
            while k >= v:
                out, k = out + r, k - v
        return out.upper() if fmt == "upperRoman" else out
    if fmt in ("bullet", "none"):
        return ""
    return str(n)  # decimal, decimalZero, decimalFullWidth …


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart: restart after levels shallower than this (1-based); 0 never


@dataclass
class Numbering:
    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId → {ilvl: start}
    counters: dict[str, dict[int, int]] = field(default_factory=dict)  # abstractNumId → {ilvl: value}
    started: set[str] = field(default_factory=set)  # numIds whose restart has been applied

    @classmethod
    def from_document(cls, document) -> Numbering:
        self = cls()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return self
        for an in root.findall(f"{W}abstractNum"):
            levels: dict[int, _Level] = {}
            for lvl in an.findall(f"{W}lvl"):
                ilvl = int(lvl.get(f"{W}ilvl", "0"))
                start = _val(lvl, "start")
                restart = _val(lvl, "lvlRestart")
                levels[ilvl] = _Level(_val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "",
                                      int(start) if start and start.lstrip("-").isdigit() else 1,
                                      int(restart) if restart and restart.isdigit() else None)
            self.abstract[an.get(f"{W}abstractNumId")] = levels
        for num in root.findall(f"{W}num"):
            nid = num.get(f"{W}numId")
            self.nums[nid] = _val(num, "abstractNumId") or ""
            for ov in num.findall(f"{W}lvlOverride"):
                so = _val(ov, "startOverride")
                if so is not None and so.isdigit():
                    self.overrides.setdefault(nid, {})[int(ov.get(f"{W}ilvl", "0"))] = int(so)
        return self

    def label(self, num_id: str, ilvl: int) -> str:
        """Advance the list's counter at this level and return the number as displayed."""
        aid = self.nums.get(num_id)
        levels = self.abstract.get(aid or "")
        if not levels or num_id == "0":
            return ""
        counters = self.counters.setdefault(aid, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for lv, start in self.overrides.get(num_id, {}).items():
                counters[lv] = start - 1
                for deeper in [k for k in counters if k > lv]:
                    del counters[deeper]
        # a level the definition lacks numbers itself ("%N." for level N), not with level 1's counter
        lvl = levels.get(ilvl) or _Level(text=f"%{ilvl + 1}.")
        counters[ilvl] = counters.get(ilvl, lvl.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            r = levels.get(deeper, _Level()).restart
            if r is None or ilvl < r:  # lvlRestart 0: this level keeps counting across sections
                del counters[deeper]
        if lvl.fmt in ("bullet", "none"):
            return ""
        out = lvl.text
        for k in range(9, -1, -1):
            token = f"%{k + 1}"
            if token in out:
                lv = levels.get(k, _Level())
                out = out.replace(token, fmt_number(counters.get(k, lv.start), lv.fmt))
        return out


def paragraph_numbering(p, styles) -> tuple[str, int] | None:
    """(numId, ilvl) of a w:p element, from its own properties or its style's."""
    ppr = p.find(f"{W}pPr")
    numpr = ppr.find(f"{W}numPr") if ppr is not None else None
    if numpr is not None:
        nid = _val(numpr, "numId")
        if nid is not None:
            return nid, int(_val(numpr, "ilvl") or 0)
    style_id = _val(ppr, "pStyle") if ppr is not None else None
    seen = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        st = styles.get(style_id)
        if st is None:
            break
        sppr = st.find(f"{W}pPr")
        snum = sppr.find(f"{W}numPr") if sppr is not None else None
        if snum is not None and _val(snum, "numId"):
            return _val(snum, "numId"), int(_val(snum, "ilvl") or 0)
        style_id = _val(st, "basedOn")
    return None
