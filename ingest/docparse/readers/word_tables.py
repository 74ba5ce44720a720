"""A task list laid out as a Word table → the labelled text form the genres read.

Layouts seen in published documents: title rows above the header (the document's or
the annex's title in a merged row), merged group rows (`一、大气污染防治…` spanning
the table) between problems, a problem spanning several rows (vertically merged) with
one measure per row, units and deadlines in their own columns."""

from __future__ import annotations

from ingest.docparse.readers.word_numbering import W, paragraph_numbering
from ingest.docparse.text import canon, int_to_cn, marker_of, split_run_together, unit_cell

HEADERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("no", ("序号", "编号")),
    ("target", ("整改目标", "目标任务", "目标")),
    ("deadline", ("整改时限", "完成时限", "时限", "完成时间")),
    ("measures", ("整改措施", "主要措施", "措施")),
    ("support", ("配合单位", "协办单位")),
    ("acceptance", ("验收单位", "验收部门")),
    ("units", ("责任单位", "牵头单位", "责任部门", "责任科室", "主责单位")),
    ("problem", ("存在问题", "反馈问题", "问题", "重点任务", "工作任务", "任务", "事项", "内容")),
)


def _cells(tr, numbering, styles) -> list[tuple[str, bool]]:
    """Grid cells of a row: (text, continues the cell above); a merged cell repeats."""
    from ingest.docparse.readers.word import paragraph_text

    out: list[tuple[str, bool]] = []
    for tc in tr.findall(f"{W}tc"):
        tcpr = tc.find(f"{W}tcPr")
        span, cont = 1, False
        if tcpr is not None:
            gs = tcpr.find(f"{W}gridSpan")
            if gs is not None and (gs.get(f"{W}val") or "1").isdigit():
                span = int(gs.get(f"{W}val"))
            vm = tcpr.find(f"{W}vMerge")
            cont = vm is not None and vm.get(f"{W}val", "continue") != "restart"
        paras = []
        for p in tc.findall(f"{W}p"):
            text = paragraph_text(p)
            num = paragraph_numbering(p, styles)
            if num is not None and text.strip():
                text = numbering.label(*num) + text.lstrip()
            if text.strip():
                paras.append(text.strip())
        out.extend([("\n".join(paras), cont)] * span)
    return out


def _columns(row: list[tuple[str, bool]]) -> dict[str, int]:
    col: dict[str, int] = {}
    for i, (text, _c) in enumerate(row):
        h = canon(text).replace(" ", "")
        if not h or len(h) > 12:
            continue
        for key, names in HEADERS:
            if any(n in h for n in names):
                if key not in col:
                    col[key] = i
                break
    return col


def _measures(text: str) -> list[str]:
    """A cell's paragraphs → measures: a paragraph without a number continues the one before;
    measures run together in one paragraph (`（1）…。（2）…`) are split where the next number
    of the same style follows."""
    out: list[str] = []
    for para in text.splitlines():
        s = para.strip()
        if not s:
            continue
        for part in split_run_together(s):
            if out and not marker_of(canon(part)):
                out[-1] += part
            else:
                out.append(part)
    return out


def _flat(text: str, sep: str = "") -> str:
    """A cell's paragraphs as one line (a field's text broken into paragraphs goes on); `sep`
    goes between two paragraphs where the first does not end with punctuation."""
    out = ""
    for x in (x.strip() for x in text.splitlines()):
        if x:
            out += (sep if out and sep and out[-1] not in "，、；。：,;" else "") + x
    return out


def table_lines(tbl, numbering, styles) -> list[str]:
    rows = [_cells(tr, numbering, styles) for tr in tbl.findall(f"{W}tr")]
    rows = [r for r in rows if r]
    if not rows:
        return []
    head_at = next((i for i, r in enumerate(rows) if len(_columns(r)) >= 2 and "problem" in _columns(r)), None)
    if head_at is None:  # not a task table: its rows as lines, cells separated
        return [" ".join(dict.fromkeys(t for t, _c in r if t)) for r in rows]
    out: list[str] = []
    for r in rows[:head_at]:  # title rows above the header
        out.extend(dict.fromkeys(t for t, _c in r if t))
    col = _columns(rows[head_at])
    rect = any(k in col for k in ("measures", "target"))
    problems: list[dict] = []
    groups = 0
    above: list[str] = [""] * max(len(r) for r in rows)

    def cell(r: list[tuple[str, bool]], key: str) -> tuple[str, bool]:
        i = col.get(key)
        if i is None or i >= len(r):
            return "", False
        text, cont = r[i]
        return (above[i] if cont else text).strip(), cont

    for r in rows[head_at + 1:]:
        texts = [t for t, c in r if t and not c]
        distinct = list(dict.fromkeys(texts))
        problem, pcont = cell(r, "problem")
        mk = marker_of(canon(distinct[0])) if len(distinct) == 1 else None
        if len(distinct) == 1 and (len(texts) >= 2 or (len(r) > 2 and not problem)
                                   or (mk is not None and mk.style == "cn_dun")):
            # a group row spanning the table: 一、大气污染防治不到位
            text = canon(distinct[0])
            if not mk:
                groups += 1
                text = f"{int_to_cn(groups)}、{text}"
            problems.append({"group": text})
            continue
        if all(not t for t, _c in r):
            continue
        row = {k: cell(r, k)[0] for k in ("no", "target", "deadline", "measures", "units", "support",
                                          "acceptance")}
        if (pcont or not problem) and problems and "problem" in problems[-1]:
            problems[-1]["rows"].append(row)
        elif problem:
            problems.append({"problem": problem, "no": row["no"], "target": row["target"],
                             "deadline": row["deadline"], "rows": [row]})
        for i, (t, c) in enumerate(r):
            if not c:
                above[i] = t
    ordinal = 0
    for p in problems:
        if "group" in p:
            out.append(p["group"])
            continue
        ordinal += 1
        if rect:
            out.extend(_rectification(p, ordinal))
        else:
            out.append(_work_point(p))
    return out


def _number(no: str, fallback: int) -> str:
    s = canon(no)
    if s and marker_of(s + " x"):
        return s
    if s:
        return f"（{s}）"
    return f"（{fallback}）"


def _rectification(p: dict, fallback: int) -> list[str]:
    out = [f"{_number(p['no'], fallback)}{canon(_flat(p['problem']))}"]
    if p["target"]:
        out.append(f"整改目标：{_flat(p['target'])}")
    if p["deadline"]:
        out.append(f"整改时限：{_flat(p['deadline'], '，')}")
    out.append("整改措施：")
    acceptance: list[str] = []
    for row in p["rows"]:
        cell = unit_cell(row["units"])
        support = unit_cell(row["support"])
        units = "、".join(x for x in (cell["units"], cell["support"], support["units"], support["support"]) if x)
        for m in _measures(row["measures"]):
            out.append(m if not units or "责任单位" in m else f"{m}〔责任单位：{units}〕")
        if not row["measures"] and units:
            out.append(f"责任单位：{units}")
        for acc in (_flat(row["acceptance"], "、"), cell["acceptance"], support["acceptance"]):
            if acc and acc not in acceptance:
                acceptance.append(acc)
    if acceptance:
        out.append(f"验收单位：{'，'.join(acceptance)}")
    return out


def _work_point(p: dict) -> str:
    row = p["rows"][0]
    no = canon(p["no"])
    head = no if no and marker_of(no + " x") else (f"{no}." if no else "")
    text = canon(_flat(p["problem"]))
    cells = [unit_cell(x) for r in p["rows"] for x in (r["units"], r["support"])]
    units = "、".join(dict.fromkeys(x for c in cells for x in (c["units"], c["support"]) if x))
    deadline = f"（完成时限：{_flat(row['deadline'], '，')}）" if row["deadline"] else ""
    # a work point has no acceptance field: its 验收单位 stays in the text, where the clerk sees it
    acceptance = "、".join(dict.fromkeys(c["acceptance"] for c in cells if c["acceptance"]))
    text += f"（验收单位：{acceptance}）" if acceptance else ""
    return f"{head}{text}{deadline}" + (f"（责任单位：{units}）" if units else "")
