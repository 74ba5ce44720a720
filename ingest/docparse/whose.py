"""Whose document is it: a document of another city (its title or its text names 上饶市 and
its counties while the app's region is 景德镇市) is worth a warning before anything is
written — the user decides, nothing is refused.

Counted: the other city's full name and its county-level names that belong to one city only
(鄱阳县, 德兴市 — not 城区 or 新华区, which several cities have), against the active city's
name (full or short), its counties and zones. Names come from geo/china_names."""

from __future__ import annotations

from dataclasses import dataclass

from domain.places import PlaceSet
from geo import china_names


@dataclass(frozen=True)
class OtherCity:
    code: str
    name: str
    mentions: int  # how often the text names it or its counties
    names: tuple[str, ...]  # the names found, most frequent first
    active_mentions: int  # how often it names the active city, its counties or zones
    in_title: bool

    own_names: tuple[str, ...] = ()  # the active city's names found
    # the document is that city's own (its title names it, or it names neither the active city nor
    # a second city half as often — not a provincial document naming many cities): its units are
    # read with that city's places
    sole: bool = False

    def message(self, active: str) -> str:
        """Names, not counts, are reported: a table repeats a unit in every measure's line."""
        counties = [n for n in self.names if n != self.name]
        shown = "、".join(counties[:4]) + ("等" if len(counties) > 4 else "")
        if not counties:
            found = self.name
        elif self.name in self.names:
            found = f"{self.name}及其所辖{shown} {len(counties)} 个县（市、区）"
        else:
            found = f"{self.name}的{shown} {len(counties)} 个县（市、区）"
        where = "标题和正文" if self.in_title else "正文"
        seen = (f"提到{active}本地地名（{'、'.join(self.own_names[:3])}）的次数更少" if self.own_names
                else f"没有提到{active}或其区县")
        return (f"这份文件看来是{self.name}的：{where}提到{found}，{seen}。当前区域是{active}：导入后，"
                f"与{active}已有单位同名的单位（如“市生态环境局”）会记为{active}的单位；新单位的所属按{self.name}"
                f"填写，请核对。如果选错了文件，请放弃本次导入。")


def other_city(text: str, title: str, places: PlaceSet) -> OtherCity | None:
    active = places.city
    own_names = {active.name, *active.aliases}
    short = active.name[:-1] if active.name.endswith("市") and len(active.name) > 2 else ""
    counted = {*own_names, *([short] if short else [])}
    for p in places.counties:
        counted.update(n for n in (p.name, *p.aliases) if n)
    # a zone's bare name (高新区) is every city's: counted only as its own full name or alias
    counted.update(n for p in places.zones for n in p.aliases if n)
    own_names |= counted | {p.name for p in places.zones}
    own_counts = {n: c for n in _innermost(counted) if (c := text.count(n))}
    own = sum(own_counts.values())
    counts: dict[str, dict[str, int]] = {}
    candidates = dict(china_names.unique_county_names())
    candidates.update(china_names.city_names())
    for name, p in candidates.items():
        if p.city_code == active.code or name in own_names or any(name in n for n in own_names):
            continue
        n = text.count(name)
        if n:
            counts.setdefault(p.city_code, {})[name] = n
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))
    code, found = ranked[0]
    second = sum(ranked[1][1].values()) if len(ranked) > 1 else 0
    city = china_names.by_code(code)
    total = sum(found.values())
    in_title = city is not None and city.name in title and not any(n in title for n in own_names)
    if city is None or total <= own or not (total >= 2 or in_title):
        return None
    names = tuple(sorted(found, key=lambda n: (n != city.name, -found[n])))
    own_found = tuple(sorted(own_counts, key=lambda n: -own_counts[n]))
    sole = in_title or (own == 0 and total >= 2 * second)
    return OtherCity(code, city.name, total, names, own, in_title, own_found, sole)


def _innermost(names: set[str]) -> list[str]:
    """Names that hold no shorter one of the set (景德镇市 and 景德镇高新区 are counted through
    景德镇 and 高新区), so one mention is counted once."""
    return [n for n in names if not any(m != n and m in n for m in names)]


def places_of(city: OtherCity) -> PlaceSet:
    """The other city's own places (its counties from the national list; no zones known), so
    its units resolve to its counties and `各县（市、区）` means its counties, not the active city's."""
    return PlaceSet.from_dict({"adcode": city.code, "name": city.name,
                               "counties": [{"adcode": c.code, "name": c.name}
                                            for c in china_names.counties_of(city.code)]})
