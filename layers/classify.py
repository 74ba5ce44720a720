"""One classifier for every choropleth (the web overview and the slides): Fisher–Jenks natural
breaks from mapclassify (deterministic, unlike k-means NaturalBreaks) on the positive values,
with zero and "no value" as classes of their own, so a leader reads "0 / 1–2 / 3–5" and never
"3–4, 4–5" for whole-number counts.

For counts the classes are integer ranges that meet without overlap: a class runs from one
more than the previous class's upper bound to its own upper bound (a data value, as Fisher–Jenks
bounds are). For fractional values (e.g. open tasks per site) a class runs from the smallest
value in it to the largest, two decimals."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import mapclassify
import numpy as np

ZERO_COLOR = "#EDEDED"  # a count of 0: light grey, distinct from the lightest orange
MISSING_COLOR = "#FFFFFF"  # no value (e.g. per-site figure of a place without sites)
# oranges for 1..4 positive classes (ColorBrewer Oranges), spread so few classes stay distinct
RAMPS = {1: ["#E6550D"], 2: ["#FDAE6B", "#A63603"], 3: ["#FDBE85", "#FD8D3C", "#A63603"],
         4: ["#FDD0A2", "#FD8D3C", "#E6550D", "#7F2704"]}
MAX_CLASSES = 4


@dataclass(frozen=True)
class Klass:
    lo: float | None
    hi: float | None
    label: str
    color: str


@dataclass(frozen=True)
class Classification:
    classes: tuple[Klass, ...]  # missing, zero, then positive classes in ascending order (those present)
    integer: bool

    def of(self, value) -> Klass:
        """The class a value falls in."""
        if _missing(value):
            return next((k for k in self.classes if k.lo is None), Klass(None, None, "无", MISSING_COLOR))
        v = float(value)
        for k in self.classes:
            if k.lo is not None and k.hi is not None and k.lo - 1e-9 <= v <= k.hi + 1e-9:
                return k
        positive = [k for k in self.classes if k.lo is not None and k.hi is not None and k.hi > 0]
        if v > 0 and positive:  # between two fractional classes: the upper one
            return next((k for k in positive if v <= k.hi), positive[-1])
        return Klass(v, v, _fmt(v, self.integer), ZERO_COLOR)

    def color(self, value) -> str:
        return self.of(value).color


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _fmt(v: float, integer: bool) -> str:
    return str(int(round(v))) if integer else f"{v:.2f}"


def _range(lo: float, hi: float, integer: bool) -> str:
    a, b = _fmt(lo, integer), _fmt(hi, integer)
    return a if a == b else f"{a}–{b}"


def classify(values: Iterable, k: int = MAX_CLASSES, missing_label: str = "无") -> Classification:
    """Classes for the values (None/NaN = missing). Negative values are not expected (counts,
    rates) and are treated as zero."""
    raw = list(values)
    present = [max(0.0, float(v)) for v in raw if not _missing(v)]
    integer = all(float(v).is_integer() for v in present)
    out: list[Klass] = []
    if len(present) < len(raw):
        out.append(Klass(None, None, missing_label, MISSING_COLOR))
    if any(v == 0 for v in present):
        out.append(Klass(0.0, 0.0, "0", ZERO_COLOR))
    pos = np.array(sorted(v for v in present if v > 0))
    if len(pos):
        n = min(k, len(np.unique(pos)))
        with warnings.catch_warnings():  # "Numba not installed": the pure-Python path is fast enough here
            warnings.simplefilter("ignore", UserWarning)
            bins = [float(pos.max())] if n == 1 else [float(b) for b in mapclassify.FisherJenks(pos, k=n).bins]
        ramp = RAMPS[len(bins)]
        prev = None
        for i, hi in enumerate(bins):
            if integer:
                lo = 1.0 if prev is None else prev + 1
            else:
                inside = pos[(pos <= hi) & (pos > (prev if prev is not None else -np.inf))]
                lo = float(inside.min()) if len(inside) else hi
            out.append(Klass(lo, hi, _range(lo, hi, integer), ramp[i]))
            prev = hi
    return Classification(tuple(out), integer)
