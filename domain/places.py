"""The administrative places work is aggregated by: the city, its county-level
divisions and its management zones (开发区/新区, which are responsible units but not
administrative districts). Loaded from a region's `region.json`; no geometry here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

CITY, COUNTY, ZONE = "city", "county", "zone"


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str  # city | county | zone
    aliases: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """浮梁县 → 浮梁; 乐平市 → 乐平; 高新区 stays (zones keep their name)."""
        if self.level == COUNTY and len(self.name) > 2 and self.name[-1] in "县市区旗":
            return self.name[:-1]
        return self.name

    @property
    def authority(self) -> str:
        """The local Party committee and government as written in documents:
        浮梁县委、县政府 / 乐平市委、市政府 / 高新区党工委、管委会 / 市委、市政府."""
        if self.level == ZONE:
            return f"{self.name}党工委、管委会"
        if self.level == CITY:
            return "市委、市政府"
        suffix = self.name[-1]
        return f"{self.name}委、{suffix}政府"


@dataclass(frozen=True)
class PlaceSet:
    city: Place
    counties: tuple[Place, ...]
    zones: tuple[Place, ...] = field(default=())

    @classmethod
    def from_region_json(cls, path: Path) -> PlaceSet:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def from_dict(cls, d: dict) -> PlaceSet:
        city = Place(str(d["adcode"]), d["name"], CITY, tuple(d.get("aliases", [])))
        counties = tuple(Place(str(c["adcode"]), c["name"], COUNTY, tuple(c.get("aliases", [])))
                         for c in d.get("counties", []))
        zones = tuple(Place(str(z["code"]), z["name"], ZONE, tuple(z.get("aliases", [])))
                      for z in d.get("zones", []))
        return cls(city, counties, zones)

    def all(self) -> tuple[Place, ...]:
        return (self.city, *self.counties, *self.zones)

    def by_code(self, code: str) -> Place | None:
        return next((p for p in self.all() if p.code == str(code)), None)

    def local_places(self) -> tuple[Place, ...]:
        """Counties and zones: the places a unit name can start with."""
        return (*self.counties, *self.zones)

    def place_of_text(self, text: str) -> Place | None:
        """The county/zone a unit or place name starts with (longest name first)."""
        candidates: list[tuple[str, Place]] = []
        for p in self.local_places():
            for n in (p.name, *p.aliases, p.short):
                if n:
                    candidates.append((n, p))
        for n, p in sorted(candidates, key=lambda c: -len(c[0])):
            if text.startswith(n):
                # "昌江" alone is also a river: require the full name for counties
                # whose short form is a common word unless followed by an organ suffix.
                if p.level == COUNTY and n == p.short and n != p.name and not _organ_follows(text[len(n):]):
                    continue
                return p
        return None


    def places_named(self, text: str) -> list[Place]:
        """Every county/zone the text names, in the order they first appear — the same rule
        as a unit's place (`place_of_text`), tried at each position: 浮梁县, 乐平市 (昌江 alone,
        a river, is no place unless an organ follows)."""
        out: list[Place] = []
        for i in range(len(text)):
            p = self.place_of_text(text[i:])
            if p is not None and p not in out:
                out.append(p)
        return out


def _organ_follows(rest: str) -> bool:
    return rest.startswith(("县", "市", "区", "生态环境", "分局", "人民", "政府", "党委"))
