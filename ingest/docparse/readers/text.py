"""Plain text: UTF-8 (with or without BOM) or GB18030, one block per line."""

from __future__ import annotations

from pathlib import Path

from ingest.docparse.blocks import Block, DocParseError, numbered


def decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DocParseError("文件编码无法识别：请另存为 UTF-8 或 GBK 编码的文本，或 .docx 文档")


def read(path: Path) -> list[Block]:
    text = decode(Path(path).read_bytes())
    if "\x00" in text:
        raise DocParseError("文件不是文本文件（含二进制内容）：请上传 .txt、.docx 或 .pdf")
    blocks = numbered(text.splitlines())
    for b in blocks:  # a paragraph's first line indented by two characters, as published
        lead = len(b.text) - len(b.text.lstrip(" \u3000\t"))
        b.indent = lead > 0 and (b.text[:lead].count("\u3000") >= 1 or "\t" in b.text[:lead] or lead >= 2) \
            if b.text.strip() else None
    return blocks
