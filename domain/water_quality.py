"""Water quality judged by the national standard (pure: no store, no files, no settings).

The limits are data (`data/config/gb3838_2002.json`: GB 3838-2002 Table 1, classes Ⅰ–Ⅴ);
the rules are those of 《地表水环境质量评价办法（试行）》(环办〔2011〕22号):

- single factor: a value's class is the best class whose limit it keeps (≤ an upper limit,
  ≥ the 溶解氧 minimum, pH inside 6–9 for every class, else 劣Ⅴ). Where classes share a
  limit the best of them is taken (从优不从劣): 0.05 mg/L 石油类 is Ⅰ类. Values are compared
  as delivered (rounding is the laboratory's job, not this module's).
- a sample (or a period's mean) takes the class of its worst evaluated factor. Rivers: the
  Table 1 factors except 水温、总氮、粪大肠菌群. Lakes and reservoirs: the same, with the
  湖库 limits of 总磷; 总氮 is classified separately and reported, never part of the class.
- 超标因子: evaluated factors worse than the target class; 超标倍数 = (value − the target
  class's limit) / that limit, rounded to 2 decimals, not given for 水温、pH、溶解氧.
- below detection (`ND`, `未检出`, `<0.01`, `0.01L`) — the 办法 does not say; the rule here:
  a single value counts as its detection limit (the true value is at most that, so it is
  class Ⅰ whenever the limit is at or below the Ⅰ limit, and never better than the limit
  proves). Without a stated limit it counts as class Ⅰ. In means it contributes half its
  detection limit; one without a stated limit is left out of the mean (means are taken to 12
  significant digits, so float noise never moves a value across a limit). A factor below
  detection in every month stays below detection (with the largest limit) in the mean.
  A below-detection factor worse than the target is named as 超标因子 with no 倍数 (its
  value is unknown).
- period means: a month's value per factor is the mean of that month's samples; the annual
  value is the mean of the monthly values per factor; each is then classified as above.
- 达标 = class no worse than the target; 水质优良 = Ⅰ–Ⅲ类.

Hand-written (no library classifies by GB 3838); the tests type the standard's table in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

CLASS_LABELS = ("Ⅰ类", "Ⅱ类", "Ⅲ类", "Ⅳ类", "Ⅴ类", "劣Ⅴ类")
WORSE_THAN_V = 6  # 劣Ⅴ类
RIVER, LAKE = "river", "lake"
ND_WORDS = ("ND", "N.D.", "未检出", "未检", "<DL", "低于检出限")


class StandardError(ValueError):
    """The limits file is inconsistent (named in Chinese)."""


@dataclass(frozen=True)
class Factor:
    name: str
    unit: str
    direction: str  # max | min | range | none
    limits: tuple[float, ...] = ()  # Ⅰ..Ⅴ
    lake_limits: tuple[float, ...] = ()
    value_range: tuple[float, float] | None = None
    aliases: tuple[str, ...] = ()
    lakes_only: bool = False

    def limits_for(self, water: str) -> tuple[float, ...]:
        return self.lake_limits if water == LAKE and self.lake_limits else self.limits


@dataclass(frozen=True)
class Standard:
    factors: dict[str, Factor]
    excluded: dict[str, frozenset[str]]  # water type → factors not in the class
    separate: frozenset[str]  # lakes: classified and reported apart (总氮)
    no_multiple: frozenset[str]
    water_source_target: int
    source: str = ""

    def factor(self, name_or_alias: str) -> Factor | None:
        key = _norm(name_or_alias)
        for f in self.factors.values():
            if key == _norm(f.name) or key in (_norm(a) for a in f.aliases):
                return f
        return None

    def evaluated(self, water: str) -> list[str]:
        return [n for n, f in self.factors.items() if f.direction != "none" and n not in self.excluded[water]]


def _norm(s: str) -> str:
    return "".join(str(s).split()).replace("（", "(").replace("）", ")").lower()


def standard_from_dict(cfg: Mapping) -> Standard:
    factors: dict[str, Factor] = {}
    for f in cfg["factors"]:
        lim = tuple(float(x) for x in f.get("limits", ()))
        lake = tuple(float(x) for x in f.get("lake_limits", ()))
        rng = tuple(float(x) for x in f["range"]) if "range" in f else None
        if f["direction"] in ("max", "min") and len(lim) != 5:
            raise StandardError(f"标准限值文件中“{f['name']}”应有Ⅰ–Ⅴ类共 5 个限值")
        ordered = sorted(lim) if f["direction"] == "max" else sorted(lim, reverse=True)
        if list(lim) != ordered or (lake and list(lake) != sorted(lake)):
            raise StandardError(f"标准限值文件中“{f['name']}”的限值没有按Ⅰ→Ⅴ类由严到宽排列")
        if f["direction"] == "range" and (rng is None or rng[0] >= rng[1]):
            raise StandardError(f"标准限值文件中“{f['name']}”缺少有效的区间")
        factors[f["name"]] = Factor(f["name"], f["unit"], f["direction"], lim, lake, rng,
                                    tuple(f.get("aliases", ())), bool(f.get("lakes_only", False)))
    rules = cfg["rules"]
    return Standard(factors, {RIVER: frozenset(rules["river_excluded"]), LAKE: frozenset(rules["lake_excluded"])},
                    frozenset(rules.get("lake_separate", ())), frozenset(rules["no_exceedance_multiple"]),
                    class_number(rules["water_source_target"]), cfg.get("source", ""))


def class_number(label: str | int | None) -> int | None:
    """'Ⅲ类' / 'Ⅲ' / 3 → 3; '劣Ⅴ类' → 6; None or unknown → None."""
    if label is None or label == "":
        return None
    if isinstance(label, int):
        return label if 1 <= label <= 6 else None
    s = str(label).strip().removesuffix("类").replace("V", "Ⅴ").replace("I", "Ⅰ")
    s = s.replace("ⅠⅠⅠ", "Ⅲ").replace("ⅠⅠ", "Ⅱ").replace("ⅠⅤ", "Ⅳ")
    table = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "劣Ⅴ": 6}
    return table.get(s)


def class_label(n: int | None) -> str:
    return CLASS_LABELS[n - 1] if n else "—"


# ----------------------------------------------------------------------------- one value
@dataclass(frozen=True)
class Measurement:
    """A delivered value: `value` (number) or below detection (`nd`, with `dl` if stated)."""

    value: float | None = None
    nd: bool = False
    dl: float | None = None

    @staticmethod
    def of(v: float) -> Measurement:
        return Measurement(float(v))


def parse_value(text) -> Measurement | None:
    """'0.52' → 0.52; 'ND' / '未检出' → below detection; '<0.01' / '0.01L' → below detection
    0.01. None for anything else (the importer reports it). Negative numbers parse: the
    importer refuses them by name."""
    s = "".join(str(text).split()).replace("＜", "<").replace("，", ".")
    if not s:
        return None
    if s.upper() in (w.upper() for w in ND_WORDS):
        return Measurement(nd=True)
    dl_text = s[1:] if s.startswith("<") else s[:-1] if s[-1:] in ("L", "l") else None
    if dl_text is not None:
        dl = _number(dl_text)
        return Measurement(nd=True, dl=dl) if dl is not None and dl > 0 else None
    v = _number(s)
    return None if v is None else Measurement(v)


def _number(s: str) -> float | None:
    try:
        v = float(s)
    except ValueError:
        return None
    return v if v == v and v not in (float("inf"), float("-inf")) else None


def value_class(f: Factor, v: float, water: str = RIVER) -> int | None:
    """The class (1..6) of one numeric value of one factor; None for 水温 (not graded)."""
    if f.direction == "none":
        return None
    if f.direction == "range":
        lo, hi = f.value_range
        return 1 if lo <= v <= hi else WORSE_THAN_V
    limits = f.limits_for(water)
    for k, lim in enumerate(limits, start=1):
        if (v <= lim) if f.direction == "max" else (v >= lim):
            return k
    return WORSE_THAN_V


def measurement_class(f: Factor, m: Measurement, water: str = RIVER) -> int | None:
    if m.nd:
        return 1 if m.dl is None or f.direction == "none" else value_class(f, m.dl, water)
    return value_class(f, m.value, water)


def exceedance(f: Factor, m: Measurement, target: int, water: str, std: Standard) -> float | None:
    """超标倍数 against the target class's limit; None where not computed (水温、pH、溶解氧,
    below detection, a target of 劣Ⅴ)."""
    if f.name in std.no_multiple or m.nd or f.direction != "max" or not 1 <= target <= 5:
        return None
    lim = f.limits_for(water)[target - 1]
    return round((m.value - lim) / lim, 2)


# ----------------------------------------------------------------------------- a sample
@dataclass(frozen=True)
class SampleValue:
    """One delivered value of one site, time and factor: the importer's and the demo's record,
    stored by store.water."""

    site_id: str
    sampled_at: datetime
    factor: str
    value_text: str
    value: float | None
    below_detection: bool
    detection_limit: float | None
    unit: str

    @property
    def key(self) -> tuple[str, datetime, str]:
        return (self.site_id, self.sampled_at, self.factor)


@dataclass(frozen=True)
class Exceed:
    factor: str
    value: Measurement
    factor_class: int
    multiple: float | None


@dataclass(frozen=True)
class Verdict:
    water_class: int | None  # None: no evaluated factor delivered
    factor_classes: dict[str, int]  # evaluated factors only
    worst: tuple[str, ...]  # the factors that decide the class
    target: int | None
    exceeding: tuple[Exceed, ...]  # worst first, then by 倍数
    separate: dict[str, int] = field(default_factory=dict)  # lakes: 总氮's class, reported apart

    @property
    def label(self) -> str:
        return class_label(self.water_class)

    @property
    def compliant(self) -> bool | None:
        if self.water_class is None or self.target is None:
            return None
        return self.water_class <= self.target

    @property
    def good(self) -> bool | None:
        return None if self.water_class is None else self.water_class <= 3


def evaluate(values: Mapping[str, Measurement], std: Standard, *, water: str = RIVER,
             target: int | None = None) -> Verdict:
    """The single-factor verdict of one sample or one period's means (keys: factor names)."""
    considered = set(std.evaluated(water))
    classes: dict[str, int] = {}
    separate: dict[str, int] = {}
    for name, m in values.items():
        f = std.factors.get(name)
        if f is None:
            continue
        if water == LAKE and name in std.separate:
            c = measurement_class(f, m, water)
            if c is not None:
                separate[name] = c
            continue
        if name not in considered:
            continue
        c = measurement_class(f, m, water)
        if c is not None:
            classes[name] = c
    wc = max(classes.values()) if classes else None
    worst = tuple(n for n in std.factors if classes.get(n) == wc) if wc else ()
    exceeding: list[Exceed] = []
    if target is not None and wc is not None:
        for n in std.factors:
            if n in classes and classes[n] > target:
                exceeding.append(Exceed(n, values[n], classes[n],
                                        exceedance(std.factors[n], values[n], target, water, std)))
        exceeding.sort(key=lambda e: (-e.factor_class, -(e.multiple if e.multiple is not None else -1)))
    return Verdict(wc, classes, worst, target, tuple(exceeding), separate)


# ----------------------------------------------------------------------------- periods
def mean_measurement(ms: Iterable[Measurement]) -> Measurement | None:
    """The arithmetic mean under the below-detection rule of the module docstring."""
    ms = list(ms)
    if not ms:
        return None
    if all(m.nd for m in ms):
        dls = [m.dl for m in ms if m.dl is not None]
        return Measurement(nd=True, dl=max(dls) if dls else None)
    nums = [m.value if not m.nd else m.dl / 2 for m in ms if not m.nd or m.dl is not None]
    # to 12 significant digits: twelve months of 7.5 average to 7.5, not 7.499999999999999 (Ⅱ类)
    return Measurement(float(f"{math.fsum(nums) / len(nums):.12g}"))


def period_means(samples: Iterable[Mapping[str, Measurement]]) -> dict[str, Measurement]:
    """Per factor, the mean over the samples that delivered it."""
    by: dict[str, list[Measurement]] = {}
    for smp in samples:
        for k, m in smp.items():
            by.setdefault(k, []).append(m)
    return {k: mean_measurement(v) for k, v in by.items()}


def monthly_values(samples: Iterable[tuple[str, Mapping[str, Measurement]]]) -> dict[str, dict[str, Measurement]]:
    """(month 'YYYY-MM', sample) pairs → month → the month's value per factor."""
    by: dict[str, list[Mapping[str, Measurement]]] = {}
    for month, smp in samples:
        by.setdefault(month, []).append(smp)
    return {mo: period_means(v) for mo, v in sorted(by.items())}


def annual_values(monthly: Mapping[str, Mapping[str, Measurement]]) -> dict[str, Measurement]:
    """The annual value per factor: the mean of its monthly values."""
    return period_means(monthly.values())


# ----------------------------------------------------------------------------- shares
@dataclass(frozen=True)
class Share:
    part: int
    total: int

    @property
    def percent(self) -> float | None:
        return None if not self.total else round(100 * self.part / self.total, 1)


def good_share(classes: Iterable[int | None]) -> Share:
    """水质优良比例: the share of Ⅰ–Ⅲ among the sections with a class."""
    cs = [c for c in classes if c is not None]
    return Share(sum(c <= 3 for c in cs), len(cs))


def compliance_share(pairs: Iterable[tuple[int | None, int | None]]) -> Share:
    """达标率 over (class, target) pairs where both are known."""
    ps = [(c, t) for c, t in pairs if c is not None and t is not None]
    return Share(sum(c <= t for c, t in ps), len(ps))
