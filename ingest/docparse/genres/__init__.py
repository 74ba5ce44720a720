"""Document genres: one module each with `NAME`, `detect(lines) -> int` (how strongly the
labelled fields at the start of lines say it is this genre; 0 = not), `parse(lines, ctx)
-> (items, targets)` and `default_short_name(title, year)`. The first genre with the
highest positive score wins; the last one is the default. A new genre is one module and
one entry here."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from ingest.docparse.structure import Line

GENRE_MODULES = ("rectification", "work_points")  # the last is the default


def genres() -> list[ModuleType]:
    return [import_module(f"{__name__}.{m}") for m in GENRE_MODULES]


def names() -> list[str]:
    return [g.NAME for g in genres()]


def choose(lines: list[Line]) -> ModuleType:
    all_ = genres()
    scored = [(g.detect(lines), -i, g) for i, g in enumerate(all_)]
    best = max(scored, key=lambda x: (x[0], x[1]))
    return best[2] if best[0] > 0 else all_[-1]


def by_name(name: str) -> ModuleType:
    for g in genres():
        if name == g.NAME:
            return g
    raise KeyError(name)
