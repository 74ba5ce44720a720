"""Site kinds from `data/config/site_kinds.json` (extensible without code edits)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from onemap import config


@dataclass(frozen=True)
class Attribute:
    key: str
    label: str
    type: str  # text | integer | number | choice
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteKind:
    code: str
    name: str
    aliases: tuple[str, ...]
    geometry: tuple[str, ...]
    marker: str
    attributes: tuple[Attribute, ...]

    def attribute(self, header: str) -> Attribute | None:
        h = header.strip()
        return next((a for a in self.attributes if h in (a.key, a.label)), None)


@lru_cache(maxsize=1)
def site_kinds() -> tuple[SiteKind, ...]:
    cfg = config.load("site_kinds.json")
    return tuple(
        SiteKind(
            k["code"], k["name"], tuple(k.get("aliases", [])), tuple(k["geometry"]), k.get("marker", "circle"),
            tuple(Attribute(a["key"], a["label"], a["type"], tuple(a.get("choices", []))) for a in k.get("attributes", [])),
        )
        for k in cfg["kinds"]
    )


def kind_by_any(value: str | None) -> SiteKind | None:
    v = (value or "").strip()
    return next((k for k in site_kinds() if v in (k.code, k.name, *k.aliases)), None)


def kind_names() -> list[str]:
    return [k.name for k in site_kinds()]
