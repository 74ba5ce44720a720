"""Dates as users read them: 2026年11月23日."""

from __future__ import annotations

from datetime import date, datetime


def cn_date(d: date | datetime | None) -> str:
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"
