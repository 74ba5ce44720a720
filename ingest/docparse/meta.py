"""Title, year and 文号 of a document, from its first lines.

Year, in order: the title (`2021年…工作要点`), the 文号 (`景环字〔2021〕9号`), the
document's date (`2021年3月12日`, at the top or in the signature at the end)."""

from __future__ import annotations

import re

from ingest.docparse.structure import Line
from ingest.docparse.text import marker_of

DOC_NUMBER = re.compile(r"[\u4e00-\u9fa5]{1,10}[〔\[［【（(](?P<year>(?:19|20)\d{2})[〕\]］】）)]\s*\d{1,4}\s*号")
_ISSUED = re.compile(r"印发\s*《(?P<q>[^》]{4,80})》|印发\s*(?P<p>[^《》，。：]{4,60}?)\s*的\s*(?:通知|函)")
_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_ISSUER = re.compile(r"(?:局|人民政府|办公室|办公厅|委员会|领导小组|指挥部)$")
_LETTERHEAD = re.compile(r"^.{2,30}(?:文件|办公室|办公厅)$|^.{0,20}(?:函|发)?〔")


def detect_doc_number(lines: list[Line]) -> str:
    for ln in lines[:30]:
        m = DOC_NUMBER.search(ln.text)
        if m:
            return re.sub(r"\s+", "", m.group(0))
    return ""


def detect_title(lines: list[Line]) -> str:
    """`关于印发《X》的通知` / `关于印发X的通知` → X; else the leading title lines; else the first 《X》."""
    head = [ln.text for ln in lines[:40]]
    for line in head[:10]:
        m = _ISSUED.search(line)
        if m:
            return re.sub(r"\s+", "", m.group("q") or m.group("p"))
    first: list[str] = []
    for line in head[:6]:
        if DOC_NUMBER.search(line) or _LETTERHEAD.match(line) or "（此件" in line or (
                not first and len(line) <= 20 and _ISSUER.search(line)):
            if first:
                break
            continue
        if first and (_DATE.search(line) or _ISSUER.search(line)):
            break
        if marker_of(line) or line.startswith("附件") or len(line) > 40 or "。" in line or line.endswith(("：", ":")):
            break
        first.append(line)
        if len(first) == 3:
            break
    if first:
        return re.sub(r"\s+", "", "".join(first))
    for line in head:
        m = re.search(r"《([^》]{4,60}(?:要点|方案|清单|计划|规划|任务))》", line)
        if m:
            return re.sub(r"\s+", "", m.group(1))
    return "未命名文件"


def detect_year(title: str, lines: list[Line] | list[str]) -> int | None:
    texts = [x.text if isinstance(x, Line) else x for x in lines]
    m = re.search(r"((?:19|20)\d{2})\s*年", title)
    if m:
        return int(m.group(1))
    for line in texts[:30]:
        m = DOC_NUMBER.search(line)
        if m:
            return int(m.group("year"))
    for line in texts[:60] + texts[-30:]:
        m = _DATE.search(line)
        if m:
            return int(m.group(1))
    return None


_ISSUING_PLACE = re.compile(r"^(?P<p>[\u4e00-\u9fa5]{1,8}?(?:自治州|地区|[省市县区州盟旗]))(?=[\u4e00-\u9fa5]*?(?:19|20)\d{2}"
                            r"|[\u4e00-\u9fa5]*?(?:生态环境|人民政府|委员会))")


def distinct_short_name(title: str, short: str, taken: set[str]) -> str:
    """A short name not yet used by another document: the derived one (`2026年工作要点`)
    led by the place that issued it (`九江市2026年工作要点`), else the title, else with a
    number. An automatic name must never make an unrelated document a revision."""
    if short not in taken:
        return short
    m = _ISSUING_PLACE.match(title)
    candidates = ([f"{m.group('p')}{short}"] if m and not short.startswith(m.group("p")) else []) + [title[:60]]
    for c in candidates:
        if c and c not in taken:
            return c
    n = 2
    while f"{short}（{n}）" in taken:
        n += 1
    return f"{short}（{n}）"
