"""The XLSX ledger (台账) a clerk reads: one row per task, tree order, Chinese
headers, dates as 2026年11月23日. Importing it back reproduces the tasks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from domain.dates import cn_date
from exports.cells import text_only
from ingest.ledger import ledger_number

LEVEL_CN = {"problem": "问题", "measure": "措施", "task": "任务", "matter": "事项", "sub": "子项"}
HEADERS = ["来源文件", "编号", "上级编号", "层级", "问题/任务", "整改目标", "整改时限", "时限日期", "长期坚持",
           "责任单位", "责任单位所属", "验收单位", "类别", "关联点位", "状态", "逾期/临期", "最新进展"]
WIDTHS = {"问题/任务": 60, "整改目标": 36, "责任单位": 30, "验收单位": 20, "最新进展": 30, "关联点位": 24}


def ledger_rows(tasks: pd.DataFrame, site_names: dict[str, str]) -> pd.DataFrame:
    by_id = tasks.set_index("id")
    rows = []
    for _, t in _tree_order(tasks).iterrows():
        parent_uid = by_id.loc[t["parent_id"], "uid"] if pd.notna(t["parent_id"]) else None
        rows.append({
            "来源文件": t["document"],
            "编号": ledger_number(t["uid"]),
            "上级编号": ledger_number(parent_uid) if parent_uid else "",
            "层级": LEVEL_CN.get(t["level"], t["level"]),
            "问题/任务": t["body"] or t["title"],
            "整改目标": t["target"],
            "整改时限": t["deadline_text"] if show_deadline(t) else "",
            "时限日期": t["deadline"].isoformat() if isinstance(t["deadline"], date) and show_deadline(t) else "",
            "长期坚持": "是" if t["ongoing"] else "",
            "责任单位": "、".join(t["units"]),
            "责任单位所属": "、".join(t["unit_places"]),
            "验收单位": t["acceptance_text"] or "、".join(t["acceptance_units"]),
            "类别": t["category"],
            "关联点位": "、".join(site_names.get(s, s) for s in t["site_ids"]),
            "状态": t["status"],
            "逾期/临期": t["flag"] or "",
            "最新进展": t["last_note"],
        })
    return pd.DataFrame(rows, columns=HEADERS)


def show_deadline(t: pd.Series) -> bool:
    """A deadline taken over from the parent is left blank (it reads as 同上)."""
    return not (t["deadline_inherited"] and pd.notna(t["parent_id"]))


def _tree_order(tasks: pd.DataFrame) -> pd.DataFrame:
    children: dict = {}
    for _, t in tasks.sort_values("position").iterrows():
        children.setdefault(t["parent_id"] if pd.notna(t["parent_id"]) else None, []).append(t)
    out = []

    def walk(parent):
        for t in children.get(parent, []):
            out.append(t)
            walk(t["id"])

    walk(None)
    ids_in_tree = {t["id"] for t in out}
    out.extend(t for _, t in tasks.iterrows() if t["id"] not in ids_in_tree)  # parents filtered out
    return pd.DataFrame(out, columns=tasks.columns)


TARGET_HEADERS = ["来源文件", "文件标题", "编号", "目标指标", "关联区县", "关联点位"]
TARGET_WIDTHS = {"文件标题": 36, "目标指标": 80, "关联区县": 20, "关联点位": 24}


def target_rows(targets: pd.DataFrame, site_names: dict[str, str]) -> pd.DataFrame:
    """The documents' 主要目标 indicators (store.queries.targets_frame), one row each."""
    return pd.DataFrame([{"来源文件": t["document"], "文件标题": t["document_title"], "编号": t["number"],
                          "目标指标": t["body"] or t["title"], "关联区县": "、".join(t["places"]),
                          "关联点位": "、".join(site_names.get(x, x) for x in t["site_ids"])}
                         for _, t in targets.iterrows()], columns=TARGET_HEADERS)


def _target_sheet(xw: pd.ExcelWriter, targets: pd.DataFrame, site_names: dict[str, str]) -> None:
    df = target_rows(targets, site_names)
    df.to_excel(xw, sheet_name="目标指标", index=False, startrow=2)
    ws = xw.sheets["目标指标"]
    ws["A1"] = "目标指标（文件“主要目标”所列指标，不是任务，不计入台账条数）"
    ws["A1"].font = Font(size=14, bold=True)
    for j, h in enumerate(TARGET_HEADERS, start=1):
        cell = ws.cell(row=3, column=j)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
        ws.column_dimensions[get_column_letter(j)].width = TARGET_WIDTHS.get(h, 12)
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    text_only(ws)


def _water_sheet(xw: pd.ExcelWriter, water: pd.DataFrame, as_of: date) -> None:
    """水质: the evaluated monthly series (onemap.water.evaluated_frame), as given."""
    water.to_excel(xw, sheet_name="水质", index=False, startrow=2)
    ws = xw.sheets["水质"]
    sample = "；含示例数据（按规则生成，非实测）" if water["数据性质"].astype(str).str.startswith("示例").any() else ""
    ws["A1"] = f"断面与水源地水质（GB 3838-2002 单因子评价，逐月，截至 {cn_date(as_of)}{sample}）"
    ws["A1"].font = Font(size=14, bold=True)
    for j, h in enumerate(water.columns, start=1):
        cell = ws.cell(row=3, column=j)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
        ws.column_dimensions[get_column_letter(j)].width = {"点位": 24, "超标因子（倍数）": 36, "数据性质": 18}.get(h, 12)
    ws.freeze_panes = "C4"
    text_only(ws)


def write_ledger_xlsx(tasks: pd.DataFrame, site_names: dict[str, str], path: Path, *, as_of: date,
                      title: str = "任务台账", targets: pd.DataFrame | None = None,
                      water: pd.DataFrame | None = None) -> Path:
    """The ledger sheet 台账; with `targets`, a second sheet 目标指标; with `water` (rows),
    a sheet 水质 (every string cell text, never a formula)."""
    df = ledger_rows(tasks, site_names)
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        df.to_excel(xw, sheet_name="台账", index=False, startrow=2)
        ws = xw.sheets["台账"]
        ws["A1"] = f"{title}（数据截至 {cn_date(as_of)}）"
        ws["A1"].font = Font(size=14, bold=True)
        head_fill = PatternFill("solid", fgColor="DDE7F0")
        for j, h in enumerate(HEADERS, start=1):
            cell = ws.cell(row=3, column=j)
            cell.font = Font(bold=True)
            cell.fill = head_fill
            ws.column_dimensions[get_column_letter(j)].width = WIDTHS.get(h, 12)
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "C4"
        text_only(ws)
        if targets is not None:
            _target_sheet(xw, targets, site_names)
        if water is not None and len(water):
            _water_sheet(xw, water, as_of)
    return Path(path)
