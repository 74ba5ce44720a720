"""Dates as users read them: 2026年11月23日."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd


def cn_date(d: date | datetime | None) -> str:
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


def deadline_words(row: pd.Series) -> str:
    """整改时限 in words with the date: `2024年6月底（2024年6月30日）`."""
    text = row["deadline_text"] or ""
    d = row["deadline"]
    if isinstance(d, date) and not pd.isna(d):  # NaT is a date too
        shown = f"{text}（{cn_date(d)}）" if text and cn_date(d) not in text else (text or cn_date(d))
    else:
        shown = text or "未定"
    if row.get("deadline_inherited"):
        shown += "〔同所属问题〕" if row.get("level") in ("measure", "sub") else ""
    return shown
