"""Word .docx: paragraphs in order, with Word's own list numbering rendered in front of
the text (see word_numbering), and tables turned into the labelled text the genres read
(see word_tables)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.docparse.blocks import Block, DocParseError
from ingest.docparse.readers.word_numbering import Numbering, W, paragraph_numbering
from ingest.docparse.readers.word_tables import table_lines


def paragraph_text(p) -> str:
    parts: list[str] = []
    for el in p.iter():
        if el.tag == f"{W}t":
            parts.append(el.text or "")
        elif el.tag == f"{W}tab":
            parts.append(" ")
    return "".join(parts)


def read(path: Path) -> list[Block]:
    import docx  # python-docx

    if not zipfile.is_zipfile(path):
        raise DocParseError("无法读取 Word 文档：文件不是有效的 .docx，或已损坏（旧版 .doc 请另存为 .docx）")
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - any unreadable docx gets the same message
        raise DocParseError("无法读取 Word 文档：文件不是有效的 .docx，或已损坏（旧版 .doc 请另存为 .docx）") from exc
    numbering = Numbering.from_document(document)
    styles = {}
    try:
        for st in document.styles.element.findall(f"{W}style"):
            styles[st.get(f"{W}styleId")] = st
    except (AttributeError, KeyError):
        pass
    blocks: list[Block] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{W}p":
            text = paragraph_text(child)
            num = paragraph_numbering(child, styles)
            level = None
            if num is not None:
                label = numbering.label(*num)
                if label and text.strip():
                    text = label + text.lstrip()
                    level = num[1]
            blocks.append(Block(text, line=len(blocks) + 1, level=level))
        elif child.tag == f"{W}tbl":
            for line in table_lines(child, numbering, styles):
                blocks.append(Block(line, line=len(blocks) + 1))
    return blocks
