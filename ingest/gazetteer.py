"""Place names in task text → sites, by the sites' names and aliases.

A longer match wins over a shorter one inside it (`江西乐平工业园区` over
`乐平工业园`). Generic suffixes (断面, 饮用水水源地, 工业园区…) are also dropped to
catch variants such as `南河河口断面` for the site `南河河口`."""

from __future__ import annotations

from dataclasses import dataclass

GENERIC_SUFFIXES = ("饮用水水源保护区", "饮用水水源地", "水厂水源地", "水源地", "断面", "工业园区", "产业园区",
                    "工业园", "产业园", "园区", "采石场", "煤矿")
MIN_CORE = 3
ADMIN_ENDINGS = ("乡", "镇", "村", "街道", "县", "市", "区")


@dataclass(frozen=True)
class Match:
    site_id: str
    text: str
    confidence: float
    start: int


class Gazetteer:
    def __init__(self, sites: list[tuple[str, str, list[str]]]):
        """sites: (id, name, aliases)."""
        terms: dict[str, tuple[str, float]] = {}
        for sid, name, aliases in sites:
            for n in (name, *aliases):
                n = n.strip()
                if len(n) >= 2:
                    terms.setdefault(n, (sid, 1.0))
                for suf in GENERIC_SUFFIXES:
                    core = n[: -len(suf)]
                    # a bare township/village name (西湖乡, 高家镇) names a place, not this site
                    if n.endswith(suf) and len(core) >= MIN_CORE and not core.endswith(ADMIN_ENDINGS):
                        terms.setdefault(core, (sid, 0.8))
        self.terms = sorted(terms.items(), key=lambda kv: -len(kv[0]))

    def find(self, text: str) -> list[Match]:
        taken = [False] * len(text)
        found: dict[str, Match] = {}
        for term, (sid, conf) in self.terms:
            start = text.find(term)
            while start != -1:
                end = start + len(term)
                if not any(taken[start:end]):
                    for i in range(start, end):
                        taken[i] = True
                    if sid not in found or found[sid].confidence < conf:
                        found[sid] = Match(sid, term, conf, start)
                start = text.find(term, end)
        return sorted(found.values(), key=lambda m: m.start)
