"""One palette for the whole product (Okabe-Ito based: distinguishable with the
common colour-vision deficiencies), with the red-yellow-green meaning users expect."""

from __future__ import annotations

from domain.rollup import BUCKETS, CLOSED, DUE_SOON, NO_TASK, ONGOING, OPEN, OVERDUE

__all__ = ["BUCKETS", "COLORS", "LEGEND_TEXT"]
COLORS = {
    OVERDUE: "#D55E00",   # vermillion (red)
    DUE_SOON: "#E6A700",  # amber (yellow)
    OPEN: "#0072B2",      # blue
    ONGOING: "#8E5EA2",   # purple
    CLOSED: "#009E73",    # bluish green
    NO_TASK: "#8C8C8C",   # grey
}
LEGEND_TEXT = {
    OVERDUE: "有逾期任务", DUE_SOON: "有临期任务（{days}天内到期）", OPEN: "整改中（含未启动、申请销号、退回）",
    ONGOING: "长期坚持", CLOSED: "已全部销号", NO_TASK: "无关联任务",
}
COUNTY_LINE = "#4A5A6A"
COUNTY_FILL = "#F4F1EA"
