"""Structure stage: blocks → clean logical lines, before any genre is considered.

* page numbers (`— 5 —`, `-5-`, `第 5 页 共 12 页`, a bare `5`) are dropped;
* running headers/footers are dropped: a line repeated next to page breaks (the first or
  last line of PDF pages, or a line beside a page number in text);
* paragraphs broken by layout are rebuilt: in a PDF, a line that reaches the right edge
  of the text column goes on in the next unless that one is indented; in text, hard
  wraps are recognised from the line lengths (most lines end at the same width) and a
  full line goes on in the next unless that one starts with a number or a field label.

Everything dropped is reported (one warning per kind, with where it was)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ingest.docparse.blocks import Block
from ingest.docparse.text import canon, field_of, marker_of, strip_markup

PAGE_NO = re.compile(
    r"^[-—–－_~·•\s]*(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*[/／]\s*\d{1,3}|\s*[,，]?\s*共\s*\d{1,3}\s*页)?[-—–－_~·•\s]*$"
    r"|^[-—–－\s]*[Pp]age\s*\d{1,3}(?:\s*of\s*\d{1,3})?[-—–－\s]*$")
_HEADER_LIKE = re.compile(r"^[^，。；：、（）]{2,24}(?:局|人民政府|办公室|办公厅|委员会|领导小组|文件)$")
_TERMINAL = "。；：！？〕）】]"
_OPEN, _CLOSE = "（〔【[《“", "）〕】]》”"


@dataclass
class Line:
    text: str
    line: int
    page: int | None = None
    level: int | None = None

    def where(self) -> str:
        return f"第{self.page}页" if self.page else f"第{self.line}行"


def is_page_number(text: str) -> bool:
    return bool(PAGE_NO.match(text)) and not marker_of(text)


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _unbalanced(text: str) -> bool:
    return sum(text.count(c) for c in _OPEN) > sum(text.count(c) for c in _CLOSE)


def visual_width(text: str) -> float:
    """Width in Chinese characters: a Latin letter or digit is half as wide, as a wrap counts it."""
    return sum(0.5 if ord(c) < 0x2E80 and c not in "“”‘’" else 1.0 for c in text)


def hard_wrap_width(texts: list[str], measure=len) -> float | None:
    """The width text was hard-wrapped at, when most lines end at one width; else None.
    Measured in characters (`len`) or as displayed (`visual_width`): tools wrap either way."""
    lens = sorted(measure(t) for t in texts if len(t) >= 6)
    if len(lens) < 8:
        return None
    width = lens[int(len(lens) * 0.95) - 1 if len(lens) > 20 else -2]
    near = sum(width - 3 <= n <= width + 1 for n in lens)
    over = sum(n > width + 3 for n in lens)
    if width >= 12 and near >= 0.35 * len(lens) and over <= 0.05 * len(lens):
        return width
    return None


def clean(blocks: list[Block], warnings: list[dict]) -> list[Line]:
    for b in blocks:
        if b.note:
            _warn(warnings, b, "", b.note)
    rows = [(b, canon(strip_markup(b.text))) for b in _split_markup_closed(blocks) if not b.note]
    rows = [(b, s) for b, s in rows if s]
    # 1. page numbers
    pages = [i for i, (_b, s) in enumerate(rows) if is_page_number(s)]
    # a bare number is a page number only where page numbers are: at least two of them, or a PDF margin
    bare = {i for i in pages if rows[i][1].isdigit() and not rows[i][0].margin}
    if len(pages) - len(bare) < 2 and len(bare) < 3:
        pages = [i for i in pages if i not in bare]
    drop = set(pages)
    # 2. running headers/footers: repeated lines at page boundaries
    cand: dict[str, list[int]] = {}
    for i, (b, s) in enumerate(rows):
        if i in drop or marker_of(s) or field_of(s) or len(s) > 40:
            continue
        beside = b.margin or any(j in drop for j in (i - 1, i + 1))
        if beside:
            cand.setdefault(_shape(s), []).append(i)
    # on most pages, not twice by chance (a wrapped fragment such as `合科）` can stand beside two)
    n_pages = max(len(pages) + 1, len({b.page for b, _s in rows if b.page}))
    shapes = {shape for shape, idx in cand.items() if len(idx) >= max(2, n_pages // 2)}
    # a running header also stands at the top of the first page, beside no page number
    # an issuer's name or letterhead beside a page break is a running header even when a short
    # document shows it once
    shapes |= {shape for shape, idx in cand.items() if _HEADER_LIKE.search(rows[idx[0]][1])}
    running = [i for i, (_b, s) in enumerate(rows) if i not in drop and _shape(s) in shapes
               and not marker_of(s) and not field_of(s)]
    if pages:
        where = "、".join(rows[i][0].where() for i in pages[:5]) + ("等" if len(pages) > 5 else "")
        _warn(warnings, rows[pages[0]][0], rows[pages[0]][1], f"已去除页码 {len(pages)} 处（{where}）")
    if running:
        texts = "、".join(f"“{t}”" for t in dict.fromkeys(rows[i][1] for i in running))
        _warn(warnings, rows[running[0]][0], rows[running[0]][1], f"已去除页眉/页脚 {len(running)} 行：{texts}")
    drop.update(running)
    kept = [b for i, (b, _s) in enumerate(rows) if i not in drop]
    # 3. paragraphs broken by layout: joined as written, then normalised (markup split across
    # the break, such as `PM<sub>2.5</su` + `b>`, is removed from the whole)
    layout = any(b.continues is not None for b in kept)
    texts = [b.text.strip() for b in kept]
    widths = [] if layout else [(m, w) for m in (len, visual_width) if (w := hard_wrap_width(texts, m))]
    # paragraphs marked by a first-line indent (as published): an unindented line goes on
    flagged = [b for b in kept if b.indent is not None]
    indents = bool(flagged) and sum(bool(b.indent) for b in flagged) >= 0.15 * len(flagged)
    groups: list[list[Block]] = []
    for b in kept:
        if groups and _joins(groups[-1], b, widths, indents):
            groups[-1].append(b)
        else:
            groups.append([b])
    out = []
    for g in groups:
        text = canon(strip_markup("".join(b.text.strip() for b in g)))
        if text:
            out.append(Line(text, g[0].line, g[0].page, g[0].level))
    return out


_OPEN_BOOKMARK = re.compile(r"\[bookmark\s*[:：]?[^\]\[]*$")
_CLOSE_BOOKMARK = re.compile(r"^[^\[\]]*\]")


def _split_markup_closed(blocks: list[Block]) -> list[Block]:
    """Word's bookmark residue (`[bookmark: _GoBack]`) broken by a line wrap (`[bookmark:` |
    `_GoBack]责任人：…`) is removed from both lines, so the second is read as what it says
    (a labelled field) instead of being joined to the item above as text."""
    out = list(blocks)
    for i in range(len(out) - 1):
        m = _OPEN_BOOKMARK.search(out[i].text)
        n = _CLOSE_BOOKMARK.match(out[i + 1].text) if m else None
        if m and n:
            out[i] = dataclasses.replace(out[i], text=out[i].text[:m.start()])
            out[i + 1] = dataclasses.replace(out[i + 1], text=out[i + 1].text[n.end():])
    return out


def _joins(group: list[Block], cur: Block, widths: list, indents: bool) -> bool:
    prev = group[-1]
    prev_text = canon(strip_markup("".join(b.text.strip() for b in group)))
    cur_text = canon(strip_markup(cur.text))
    if cur.indent:
        return False
    full = bool(prev.continues) or any(measure(prev.text.strip()) >= w - 3 for measure, w in widths)
    if not full and not (indents and not prev_text.endswith(tuple(_TERMINAL))):
        return False
    if _unbalanced(prev_text):
        return True
    mk = marker_of(cur_text)
    if mk and _CONTINUES.match(mk.rest):  # 第 | 1、2、3条: a wrap before a number in a sentence
        return True
    if not (mk or field_of(cur_text) or cur.level is not None or cur_text.startswith(_STARTS)):
        return True
    # a numbered line after a full one: a new item, unless the sentence before is unfinished
    # (a heading or a labelled field is finished without punctuation)
    finished = (prev_text.endswith(tuple(_TERMINAL)) or marker_of(prev_text) or field_of(prev_text)
                or prev_text.startswith(_STARTS))
    return not finished


_STARTS = ("——", "附件", "注：")  # lines that open a new paragraph without a number
_CONTINUES = re.compile(r"^\d{1,2}(?:[、，,条\-—～~至]|$)|^条")


def _warn(warnings: list[dict], b: Block, text: str, message: str) -> None:
    w = {"line": b.line, "text": text[:120], "message": message}
    if b.page:
        w["page"] = b.page
    warnings.append(w)


_SIGN_DATE = re.compile(r"^(?:(?:19|20)\d{2}|二[〇零○Ｏ0O][一二三四五六七八九〇零○]{2})\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月"
                        r"\s*[\d一二三四五六七八九十]{1,3}\s*日$")
_SIGNER = re.compile(r"^[^，。；：、（）\d]{2,30}(?:局|厅|人民政府|政府|办公室|办公厅|委员会|领导小组|指挥部|小组|（[^（）]{1,10}）)$")
_ISSUE_NOTE = re.compile(r"^[（(]此件[^（）()]*[）)]$")


def drop_signature(lines: list[Line]) -> list[Line]:
    """The signature block (`九江市生态环境局` / `2026年2月10日`, with a `（此件公开发布）`
    note) at the end of the text — or just before the 附件 — is not part of the last item:
    a date alone on its line there, and the issuer lines right above it, are dropped."""
    drop: set[int] = set()
    for i, ln in enumerate(lines):
        if not _SIGN_DATE.match(ln.text):
            continue
        nxt = i + 1
        while nxt < len(lines) and _ISSUE_NOTE.match(lines[nxt].text):
            nxt += 1
        if nxt < len(lines) and not lines[nxt].text.startswith("附件"):
            continue
        drop.update(range(i, nxt))
        j = i - 1
        while j > 0 and i - j <= 3 and _SIGNER.match(lines[j].text) and not marker_of(lines[j].text):
            drop.add(j)
            j -= 1
    return [ln for i, ln in enumerate(lines) if i not in drop] if len(drop) < len(lines) else lines
