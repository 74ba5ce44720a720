"""Row-level import reports in Chinese: row, column, value, what is wrong, how to fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Problem:
    row: int | str  # spreadsheet row number (header is row 1) or feature number; "" for the file
    column: str
    value: str
    problem: str
    fix: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, row, column: str, value, problem: str, fix: str) -> None:
        self.errors.append(Problem(row, column, _show(value), problem, fix))

    def warn(self, row, column: str, value, problem: str, fix: str = "") -> None:
        self.warnings.append(Problem(row, column, _show(value), problem, fix))

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        lines = []
        if self.errors:
            lines.append(f"导入失败：发现 {len(self.errors)} 处错误，未写入任何数据。")
            lines.extend(f"  - {_line(p)}" for p in self.errors)
        lines.extend(f"  提示：{_line(p)}" for p in self.warnings)
        return "\n".join(lines)


def _line(p: Problem) -> str:
    where = f"第{p.row}行" if isinstance(p.row, int) else (p.row or "文件")
    col = f"“{p.column}”列" if p.column else ""
    val = f"，值“{p.value}”" if p.value else ""
    text = f"{where}{col}{val}：{p.problem}"
    return f"{text}。{p.fix}" if p.fix else text


def _show(value) -> str:
    if value is None:
        return ""
    s = str(value)
    return s if len(s) <= 60 else s[:57] + "…"


class ImportFailed(Exception):
    """Raised with the report when an import has errors; nothing was written."""

    def __init__(self, report: Report):
        super().__init__(report.text())
        self.report = report
