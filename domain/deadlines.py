"""Deadline wording (整改时限) → a date and an 'ongoing' (长期坚持) flag.

Official documents write deadlines in words: `2023年9月底前`, `2024底前` (sic),
`到2030年`, `立行立改，长期坚持`, `2024年9月，并长期坚持`. The date is the last day
on which the work is still on time. The original wording is always kept.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

ONGOING_WORDS = ("长期坚持", "持续推进", "常态化", "长期", "持续开展", "持续")
IMMEDIATE_WORDS = ("立行立改", "立即整改", "即知即改")


@dataclass(frozen=True)
class Deadline:
    text: str
    date: date | None
    ongoing: bool
    understood: bool = True  # False: wording not recognised (caller reports a warning)

    def as_dict(self) -> dict:
        return {"text": self.text, "date": self.date.isoformat() if self.date else None,
                "ongoing": self.ongoing}


def _cn_number(s: str) -> int | None:
    """Small Chinese numerals (一 … 十二, 十, 二十) and Arabic digits."""
    if s.isdigit():
        return int(s)
    if not s or s.count("十") > 1 or any(ch not in CN_DIGITS and ch != "十" for ch in s):
        return None  # 十十 is no number (and would crash below)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)
    value = 0
    for ch in s:
        value = value * 10 + CN_DIGITS[ch]
    return value


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def normalise(text: str) -> str:
    """NFKC (full-width digits → ASCII) and no inner spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


_NUM = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_YEAR = r"(\d{4})"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(_YEAR + r"[-/.]" + r"(\d{1,2})[-/.](\d{1,2})"), "ymd"),
    (re.compile(_YEAR + r"年" + _NUM + r"月" + _NUM + r"[日号]"), "ymd"),
    (re.compile(_YEAR + r"年" + _NUM + r"月(上旬|中旬|下旬)"), "ym_part"),
    (re.compile(_YEAR + r"年" + _NUM + r"月(底|末)"), "ym_end"),
    (re.compile(_YEAR + r"年" + _NUM + r"月(以)?前"), "ym_before"),
    (re.compile(_YEAR + r"年" + _NUM + r"月"), "ym_end"),
    (re.compile(_YEAR + r"[-/.](\d{1,2})(?!\d)"), "ym_end"),
    (re.compile(_YEAR + r"年?(第?[一二三四1-4])季度"), "quarter"),
    (re.compile(_YEAR + r"年?(上半年|下半年)"), "half"),
    (re.compile(_YEAR + r"年?(底|末|年底|年末|内|年内|全年)"), "year_end"),
    (re.compile(r"(?:到|至)" + _YEAR + r"年?"), "year_end"),
    (re.compile(_YEAR + r"年(以)?前"), "year_before"),
    (re.compile(_YEAR + r"年"), "year_end"),
]


def _match_date(s: str) -> tuple[date | None, bool]:
    """Return (date, found) for the first dated phrase in normalised text."""
    for pattern, kind in _PATTERNS:
        m = pattern.search(s)
        if not m:
            continue
        year = int(m.group(1))
        try:
            if kind == "ymd":
                return date(year, _cn_number(m.group(2)) or 0, _cn_number(m.group(3)) or 0), True
            if kind == "ym_part":
                month = _cn_number(m.group(2)) or 0
                day = {"上旬": 10, "中旬": 20}.get(m.group(3))
                return (date(year, month, day) if day else _month_end(year, month)), True
            if kind == "ym_end":
                return _month_end(year, _cn_number(m.group(2)) or 0), True
            if kind == "ym_before":
                # "6月前" = before June: the last day of May.
                month = _cn_number(m.group(2)) or 0
                if month == 1:
                    return date(year - 1, 12, 31), True
                return _month_end(year, month - 1), True
            if kind == "quarter":
                q = _cn_number(m.group(2).lstrip("第")) or 0
                return _month_end(year, 3 * q), True
            if kind == "half":
                return (date(year, 6, 30) if m.group(2) == "上半年" else date(year, 12, 31)), True
            if kind == "year_end":
                return date(year, 12, 31), True
            if kind == "year_before":
                return date(year - 1, 12, 31), True
        except ValueError:
            return None, False
    return None, False


def parse_deadline(text: str | None) -> Deadline:
    """Parse a deadline phrase. Unknown wording → date None, understood False."""
    original = (text or "").strip().rstrip("。.;；")
    s = normalise(original)
    if not s:
        return Deadline(original, None, False, understood=False)
    ongoing = any(w in s for w in ONGOING_WORDS)
    start = re.search(r"(自|从)\d{4}年.*起", s)
    d, found = _match_date(s)
    if start:
        # "自2024年1月起…": a standing obligation from a date, not a deadline.
        return Deadline(original, None, True)
    if found:
        return Deadline(original, d, ongoing)
    if ongoing:
        return Deadline(original, None, True)
    if any(w in s for w in IMMEDIATE_WORDS):
        return Deadline(original, None, False)
    return Deadline(original, None, False, understood=False)


_LEADING = re.compile(
    r"^(?:(?:到|至|于|在)?(\d{4}(?:年|底|[-/.])[^，,；;。：:]{0,14}?(?:底前|以前|前|底|末|内|起)))[，,：:]?"
)


def leading_deadline(text: str) -> tuple[Deadline | None, str]:
    """A deadline written at the start of a measure (`2023年底前，完成…`).

    Returns (deadline or None, the text as written)."""
    s = unicodedata.normalize("NFKC", text or "").lstrip()
    m = _LEADING.match(s)
    if not m:
        return None, text
    phrase = m.group(1)
    if phrase.startswith(("自", "从")) or phrase.endswith("起"):
        return None, text
    deadline = parse_deadline(phrase)
    if deadline.date is None:
        return None, text
    return deadline, text
