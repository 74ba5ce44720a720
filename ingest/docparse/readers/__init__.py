"""Document readers by file suffix: one module per format, each `read(path) -> list[Block]`.

The registry is what the uploader accepts, what `onemap import-doc --help` lists, what
an unsupported file's message names, and what the tests iterate — one list for all.
A new format is one module plus one entry here."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from ingest.docparse.blocks import Block, DocParseError


@dataclass(frozen=True)
class Reader:
    suffixes: tuple[str, ...]
    module: str  # ingest.docparse.readers.<module>, with read(path) -> list[Block]
    label: str  # Chinese, for the uploader and the CLI help
    note: str = ""  # what the user should know (conditions, e.g. LibreOffice)


READERS: tuple[Reader, ...] = (
    Reader((".pdf",), "pdf", "PDF（含文字层）", "扫描件需先做文字识别（OCR）"),
    Reader((".docx",), "word", "Word 文档 .docx", "含 Word 自动编号与表格"),
    Reader((".txt", ".md", ".text"), "text", "纯文本 .txt", "UTF-8 或 GBK 编码"),
    Reader((".doc", ".wps"), "legacy", "旧版 Word/WPS 文档 .doc/.wps", "需安装 LibreOffice 自动转换"),
    Reader((".ofd",), "ofd", "OFD 版式文件", "暂不能直接读取，请导出为 PDF"),
)


def reader_for(suffix: str) -> Reader | None:
    s = suffix.lower()
    return next((r for r in READERS if s in r.suffixes), None)


def suffixes() -> list[str]:
    """Every suffix a reader is registered for, without the dot (for st.file_uploader)."""
    return [s.lstrip(".") for r in READERS for s in r.suffixes]


def formats_help() -> str:
    """One line listing the formats, for the CLI help and the uploader caption."""
    return "；".join(f"{r.label}（{'/'.join(r.suffixes)}）" + (f"：{r.note}" if r.note else "") for r in READERS)


def read_blocks(path: Path) -> list[Block]:
    path = Path(path)
    reader = reader_for(path.suffix)
    if reader is None:
        names = "、".join(s for r in READERS for s in r.suffixes)
        raise DocParseError(f"不支持的文件类型“{path.suffix or '（无扩展名）'}”：请使用 {names}")
    if not path.is_file():
        raise DocParseError(f"找不到文件“{path.name}”")
    return import_module(f"{__name__}.{reader.module}").read(path)
