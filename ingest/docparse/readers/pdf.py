"""PDF with a text layer, read with pypdfium2 (PDFium's bindings; Apache-2.0/BSD-3). It is
chosen over pdfminer.six because pdfminer reads no text at all from CID-keyed CJK fonts as
fpdf2 and several office suites embed them; PDFium (the engine of Chrome's viewer) does.

Each visual line becomes a block with its page. The layout says where a paragraph goes
on: a line reaching the right edge of the text column continues in the next one unless
that one is indented. The first and last line of each page are flagged as margin lines
(candidates for page numbers and running headers/footers). A PDF without any text (a
scan) is refused: it needs OCR first."""

from __future__ import annotations

from pathlib import Path

from ingest.docparse.blocks import Block, DocParseError

MAX_PAGES = 500


def read(path: Path) -> list[Block]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise DocParseError("PDF 文件已加密：请先解除密码保护（或另存为不加密的 PDF）后再导入") from exc
        raise DocParseError("无法读取 PDF：文件不是有效的 PDF，或已损坏") from exc
    try:
        if len(pdf) > MAX_PAGES:
            raise DocParseError(f"PDF 共 {len(pdf)} 页，超过 {MAX_PAGES} 页的上限：请拆分后再导入")
        pages: list[list[dict]] = []
        images = 0
        scanned: list[int] = []  # pages with pictures and no text: a scan inside a text PDF
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                pages.append(_lines(page.get_textpage()))
                pictures = sum(1 for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
                images += pictures
                if pictures and not pages[-1]:
                    scanned.append(i + 1)
            except pdfium.PdfiumError as exc:
                raise DocParseError(f"无法读取 PDF 第{i + 1}页的文字：文件可能已损坏") from exc
    finally:
        pdf.close()
    if not any(pages):
        if images:
            raise DocParseError("这是扫描件 PDF（只有图片，没有文字层）：请先做文字识别（OCR），"
                                "另存为带文字的 PDF 或 Word 后再导入")
        raise DocParseError("PDF 中没有可读取的文字：请确认文件内容，或另存为 Word 后再导入")
    blocks = _blocks(pages)
    for pno in scanned:
        blocks.append(Block("", line=len(blocks) + 1, page=pno,
                            note=f"第{pno}页是扫描图片，没有文字层，该页内容未读取：请先做文字识别（OCR）"))
    return blocks


def _lines(tp) -> list[dict]:
    """The page's text lines with their boxes (PDF units, y upwards)."""
    n = tp.count_chars()
    text = tp.get_text_range(0, n) if n else ""
    out: list[dict] = []
    if len(text) != n:  # characters outside the BMP: no per-character boxes, text only
        return [{"text": t, "x0": None, "x1": None, "top": None, "h": None} for t in text.splitlines() if t.strip()]
    cur: list[int] = []

    def flush() -> None:
        chars = [i for i in cur if text[i] not in "\r\n"]
        s = "".join(text[i] for i in chars)
        if s.strip():
            boxes = [tp.get_charbox(i) for i in chars if not text[i].isspace()]
            boxes = [b for b in boxes if b[2] > b[0]] or [(0.0, 0.0, 0.0, 0.0)]
            out.append({"text": s, "x0": min(b[0] for b in boxes), "x1": max(b[2] for b in boxes),
                        "top": max(b[3] for b in boxes), "h": max(b[3] - b[1] for b in boxes)})
        cur.clear()

    for i, ch in enumerate(text):
        if ch == "\n":
            flush()
        else:
            cur.append(i)
    flush()
    return out


def _blocks(pages: list[list[dict]]) -> list[Block]:
    body = [ln for lines in pages for ln in lines[1:-1] if ln["x1"] is not None] or \
        [ln for lines in pages for ln in lines if ln["x1"] is not None]
    right = max((ln["x1"] for ln in body), default=None)
    left = min((ln["x0"] for ln in body), default=None)
    blocks: list[Block] = []
    for pno, lines in enumerate(pages, start=1):
        for i, ln in enumerate(lines):
            geo = right is not None and ln["x1"] is not None
            em = max(ln["h"] or 0.0, 1.0) if geo else 0.0
            blocks.append(Block(ln["text"], line=len(blocks) + 1, page=pno,
                                continues=(ln["x1"] >= right - 1.6 * em) if geo else None,
                                indent=(ln["x0"] > left + 1.2 * em) if geo else None,
                                margin=(i == 0 or i == len(lines) - 1) and len(lines) > 2))
    return blocks
