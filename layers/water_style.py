"""Colours of the 水质 map mode: classes as the ministry's publications draw them (Ⅰ–Ⅱ blue,
Ⅲ green, Ⅳ yellow, Ⅴ orange, 劣Ⅴ red) and 达标 / 不达标; sites without values for the period
grey, and the other kinds faded (drawn, clickable, not part of the reading)."""

from __future__ import annotations

from dataclasses import dataclass

from domain import water_quality as wq

CLASS, COMPLIANCE = "wq", "wqok"  # the URL's color=…
NO_DATA = "无数据"
FADED = "#D9D9D9"  # other kinds in a water mode: lighter than 无数据
CLASS_BINS = (("Ⅰ–Ⅱ类", "#1E6FD9"), ("Ⅲ类", "#2E9E4F"), ("Ⅳ类", "#F2C500"), ("Ⅴ类", "#F28C28"),
              ("劣Ⅴ类", "#D7261E"), (NO_DATA, "#8C8C8C"))
COMPLIANCE_BINS = (("达标", "#2E9E4F"), ("不达标", "#D7261E"), (NO_DATA, "#8C8C8C"))


@dataclass(frozen=True)
class Colouring:
    """Per-site category index into labels/colors (sites absent: the last, 无数据)."""

    title: str  # the tooltip's line, e.g. 水质类别
    labels: tuple[str, ...]
    colors: tuple[str, ...]
    index: dict[str, int]

    def counts(self, site_ids) -> dict[str, int]:
        out = dict.fromkeys(self.labels, 0)
        for sid in site_ids:
            out[self.labels[self.index.get(sid, len(self.labels) - 1)]] += 1
        return out


def bins(mode: str) -> tuple[tuple[str, str], ...]:
    return CLASS_BINS if mode == CLASS else COMPLIANCE_BINS


def category(mode: str, verdict: wq.Verdict | None) -> int:
    """The bin of one verdict (None: 无数据)."""
    last = len(bins(mode)) - 1
    if verdict is None or verdict.water_class is None:
        return last
    if mode == CLASS:
        return max(0, verdict.water_class - 2)
    c = verdict.compliant
    return last if c is None else 0 if c else 1


def colouring(mode: str, verdicts: dict[str, wq.Verdict]) -> Colouring:
    b = bins(mode)
    return Colouring("水质类别" if mode == CLASS else "水质达标", tuple(x[0] for x in b), tuple(x[1] for x in b),
                     {sid: category(mode, v) for sid, v in verdicts.items()})
