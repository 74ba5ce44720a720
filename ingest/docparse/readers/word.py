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


def within_limits(path: Path) -> None:
    """A .docx is a zip: its declared sizes are checked before python-docx inflates anything
    (a 418 KB file can inflate to 160 MB; zipfile never reads past a declared size)."""
    from onemap.settings import limits

    lim = limits()
    size = path.stat().st_size
    if size > lim.upload_bytes:
        raise DocParseError(f"文档“{path.name}”过大（{size / 2**20:.0f} MB，上限 {lim.upload_bytes / 2**20:.0f} MB）")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocParseError("无法读取 Word 文档：文件不是有效的 .docx，或已损坏（旧版 .doc 请另存为 .docx）") from exc
    if len(infos) > lim.doc_entries:
        raise DocParseError(f"文档“{path.name}”内部文件过多（{len(infos)} 个，上限 {lim.doc_entries}），未读取")
    total = sum(i.file_size for i in infos)
    if total > lim.doc_unzipped_bytes:
        raise DocParseError(f"文档“{path.name}”解压后过大（{total / 2**20:.0f} MB，上限 {lim.doc_unzipped_bytes / 2**20:.0f} MB），"
                            "未读取：请确认文件来源，或把附件图片另存后删除再导入")
    if any(i.flag_bits & 0x1 for i in infos):
        raise DocParseError(f"文档“{path.name}”已加密：请在 Word/WPS 中取消密码后再导入")


def read(path: Path) -> list[Block]:
    import docx  # python-docx

    if not zipfile.is_zipfile(path):
        raise DocParseError("无法读取 Word 文档：文件不是有效的 .docx，或已损坏（旧版 .doc 请另存为 .docx）")
    within_limits(path)
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
