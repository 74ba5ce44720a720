"""PDF with a text layer, read with pdfplumber (MIT; pdfminer.six underneath, MIT).

Each visual line becomes a block with its page. The layout says where a paragraph goes
on: a line reaching the right edge of the text column continues in the next one unless
that one is indented — the structure stage joins them. The first and
last line of each page are flagged as margin lines (candidates for page numbers and
running headers/footers). A PDF without any text (a scan) is refused: it needs OCR."""

from __future__ import annotations

from pathlib import Path

from ingest.docparse.blocks import Block, DocParseError

MAX_PAGES = 500


def read(path: Path) -> list[Block]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(str(path))
    except PDFPasswordIncorrect as exc:
        raise DocParseError("PDF 文件已加密：请先解除密码保护（或另存为不加密的 PDF）后再导入") from exc
    except (PDFSyntaxError, Exception) as exc:  # noqa: BLE001 - pdfminer raises many types for broken files
        raise DocParseError("无法读取 PDF：文件不是有效的 PDF，或已损坏") from exc
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise DocParseError(f"PDF 共 {len(pdf.pages)} 页，超过 {MAX_PAGES} 页的上限：请拆分后再导入")
        pages: list[list[dict]] = []
        images = 0
        try:
            for page in pdf.pages:
                lines = [ln for ln in page.extract_text_lines(return_chars=False) if ln["text"].strip()]
                lines.sort(key=lambda ln: (round(ln["top"]), ln["x0"]))
                pages.append(lines)
                images += len(page.images)
        except Exception as exc:  # noqa: BLE001
            raise DocParseError("无法读取 PDF 的文字：文件可能已损坏") from exc
    if not any(pages):
        if images:
            raise DocParseError("这是扫描件 PDF（只有图片，没有文字层）：请先做文字识别（OCR），"
                                "另存为带文字的 PDF 或 Word 后再导入")
        raise DocParseError("PDF 中没有可读取的文字：请确认文件内容，或另存为 Word 后再导入")
    return _blocks(pages)


def _blocks(pages: list[list[dict]]) -> list[Block]:
    body = [ln for lines in pages for ln in lines[1:-1]] or [ln for lines in pages for ln in lines]
    right = max(ln["x1"] for ln in body)
    left = min(ln["x0"] for ln in body)
    blocks: list[Block] = []
    for pno, lines in enumerate(pages, start=1):
        for i, ln in enumerate(lines):
            em = max(ln["bottom"] - ln["top"], 1.0)
            blocks.append(Block(ln["text"], line=len(blocks) + 1, page=pno, continues=ln["x1"] >= right - 1.6 * em,
                                indent=ln["x0"] > left + 1.2 * em,
                                margin=(i == 0 or i == len(lines) - 1) and len(lines) > 2))
    return blocks
