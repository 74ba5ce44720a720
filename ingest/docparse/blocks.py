"""What a reader hands to the structure stage: the document as a sequence of text
blocks (a paragraph, a line of a page, a table row turned into text), each with
where it came from, so a warning can name its line or page."""

from __future__ import annotations

from dataclasses import dataclass


class DocParseError(ValueError):
    """A document that cannot be read; the message is Chinese and says what to do."""


@dataclass
class Block:
    text: str
    line: int = 0  # 1-based position in the reader's output (a text file's line number)
    page: int | None = None  # PDF page
    level: int | None = None  # Word list level (w:ilvl) when the number is list formatting
    continues: bool | None = None  # the layout says the paragraph goes on in the next block
    indent: bool | None = None  # the layout shows the line indented (a paragraph's first line)
    margin: bool = False  # in a page's top or bottom margin (running header/footer, page number)
    note: str = ""  # not text: what the reader could not read here (becomes a warning)

    def where(self) -> str:
        return f"第{self.page}页" if self.page else f"第{self.line}行"


def numbered(texts: list[str]) -> list[Block]:
    return [Block(t, line=i) for i, t in enumerate(texts, start=1)]
