"""Builders for documents as they are published: PDF (fpdf2 + Noto Sans CJK SC, with running
header and page-number footer), Word with Word's own list numbering (numbering.xml
definitions, restarts) and Word tables (title rows, merged group rows, vertically merged
problems). Used by the parser's tests; nothing here reads the seed documents."""

from __future__ import annotations

from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def pdf_from_lines(lines: list[str], path: Path, *, header: str = "", footer: str = "— {n} —",
                   width_mm: float = 0, font_size: int = 12, scanned_page: bool = False) -> Path:
    """A text PDF; each line a paragraph wrapped by fpdf2 at the text width."""
    from fpdf import FPDF

    from exports.fonts import cjk_sc_font

    class Doc(FPDF):
        def header(self):
            if header:
                self.set_font("cjk", size=9)
                self.cell(0, 8, header, align="C")
                self.ln(10)

        def footer(self):
            if footer:
                self.set_y(-15)
                self.set_font("cjk", size=10)
                self.cell(0, 10, footer.format(n=self.page_no()), align="C")

    font, index = cjk_sc_font()
    pdf = Doc(format="A4")
    pdf.add_font("cjk", "", str(font), collection_font_number=index)
    pdf.set_font("cjk", size=font_size)
    pdf.add_page()
    for line in lines:
        if line.strip():
            pdf.multi_cell(width_mm, font_size * 0.6, line, new_x="LMARGIN", new_y="NEXT")
    if scanned_page:  # a last page that is only a picture (a scanned attachment)
        from PIL import Image

        png = path.with_suffix(".scan.png")
        Image.new("RGB", (400, 300), "gray").save(png)
        header = footer = ""
        pdf.add_page()
        pdf.image(str(png), x=10, y=10, w=150)
    pdf.output(str(path))
    return path


def scanned_pdf(path: Path) -> Path:
    """A PDF page holding only a picture of text (no text layer), as a scanner makes it."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(img).rectangle((20, 20, 580, 60), fill="black")
    png = path.with_suffix(".png")
    img.save(png)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(str(png), x=10, y=10, w=180)
    pdf.output(str(path))
    return path


class NumberedDocx:
    """A .docx whose list numbers are Word numbering (w:numPr), not text."""

    def __init__(self):
        import docx

        self.doc = docx.Document()
        self.numbering = self.doc.part.numbering_part.element
        self._next_abstract = 100
        self._next_num = 100

    def abstract(self, levels: list[tuple[str, str]], *, keep_counting: tuple[int, ...] = ()) -> str:
        """levels: [(numFmt, lvlText)] for ilvl 0, 1, …; levels in keep_counting have w:lvlRestart 0
        (they count on across sections); returns the abstractNumId."""
        from docx.oxml import parse_xml

        aid = str(self._next_abstract)
        self._next_abstract += 1
        lvls = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            + ('<w:lvlRestart w:val="0"/>' if i in keep_counting else "")
            + f'<w:lvlText w:val="{text}"/></w:lvl>'
            for i, (fmt, text) in enumerate(levels))
        el = parse_xml(f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{aid}">{lvls}</w:abstractNum>')
        first_num = self.numbering.find(f"{{{W_NS}}}num")
        if first_num is not None:
            first_num.addprevious(el)
        else:
            self.numbering.append(el)
        return aid

    def num(self, abstract_id: str, *, restart: bool = False) -> str:
        """A list instance; with restart, its first level starts again at 1 (w:startOverride)."""
        from docx.oxml import parse_xml

        nid = str(self._next_num)
        self._next_num += 1
        override = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>' if restart else ""
        self.numbering.append(parse_xml(
            f'<w:num xmlns:w="{W_NS}" w:numId="{nid}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'))
        return nid

    def para(self, text: str, num: str | None = None, level: int = 0):
        from docx.oxml import parse_xml

        p = self.doc.add_paragraph(text)
        if num is not None:
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>'))
        return p

    def save(self, path: Path) -> Path:
        self.doc.save(str(path))
        return path
