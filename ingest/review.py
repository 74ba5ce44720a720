"""Reviewing a parsed document before anything is written.

The task tree becomes a flat, editable table (one row per item, `上级` naming the
parent row); the user edits cells, merges or splits rows, accepts or rejects the
proposed links to places, creates sites for names that match none, and confirms new
units with their county/zone. `to_doc` turns the table back into a task tree for
the commit. Nothing here touches the store."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from domain.categories import classify
from domain.deadlines import Deadline, parse_deadline
from domain.tasktree import Item, ParsedDoc, first_sentence
from domain.units import UnitParser
from ingest.gazetteer import Gazetteer

LEVEL_CN = {"problem": "问题", "measure": "措施", "task": "任务", "matter": "事项", "sub": "子项"}
CN_LEVEL = {v: k for k, v in LEVEL_CN.items()}
PART_CN = {"main": "正文", "annex": "附件"}
CN_PART = {v: k for k, v in PART_CN.items()}
COLUMNS = ["行", "上级", "层级", "编号", "标题", "内容", "整改目标", "整改时限", "时限日期", "长期坚持", "时限推定",
           "责任单位", "验收单位", "类别", "分组", "部分"]
# `时限推定`: the document writes no deadline for this item; the one shown is the default (the
# year's end for work points), kept as inferred when written unless the clerk changes it


@dataclass
class Review:
    doc: ParsedDoc
    filename: str
    sha256: str
    rows: pd.DataFrame
    links: pd.DataFrame  # 行, 条目, 点位编号, 点位, 匹配文字, 置信度, 采纳
    candidates: pd.DataFrame  # 地名, 类型, 涉及行, 新建, 名称, 经度, 纬度, 坐标系
    units: pd.DataFrame  # 单位, 所属, 确认
    exists: bool = False
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- table ⇄ tree
def to_table(doc: ParsedDoc) -> pd.DataFrame:
    rows: list[dict] = []

    def walk(items: list[Item], parent: int | None) -> None:
        for it in items:
            rid = len(rows) + 1
            rows.append({
                "行": rid, "上级": parent or 0, "层级": LEVEL_CN.get(it.level, it.level), "编号": it.number or "",
                "标题": it.title, "内容": it.body, "整改目标": it.target,
                # a child's inherited deadline is shown blank (同上); a root's inferred one is kept
                "整改时限": "" if it.deadline_inherited and parent else it.deadline.text,
                "时限日期": None if it.deadline_inherited and parent else it.deadline.date,
                "长期坚持": bool(it.deadline.ongoing) and not (it.deadline_inherited and parent),
                "时限推定": bool(it.deadline_inherited) and not parent,
                "责任单位": "、".join(u.name for u in it.units),
                "验收单位": it.acceptance_text or "、".join(u.name for u in it.acceptance_units),
                "类别": it.category, "分组": it.group, "部分": PART_CN.get(it.part, it.part),
            })
            walk(it.children, rid)

    walk(doc.items, None)
    return pd.DataFrame(rows, columns=COLUMNS)


def column_labels(genre: str) -> dict[str, str]:
    """The table's columns as the genre's documents name them (a 工作要点 has 完成时限, not
    整改时限); the table keeps one set of column names for every genre."""
    from ingest.docparse import genres

    try:
        return dict(getattr(genres.by_name(genre), "FIELD_LABELS", {}))
    except KeyError:
        return {}


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


def to_doc(rows: pd.DataFrame, base: ParsedDoc, up: UnitParser) -> ParsedDoc:
    """The edited table back to a task tree (refs recomputed from the numbers)."""
    from domain.units import parse_acceptance

    items: dict[int, Item] = {}
    roots: list[Item] = []
    for r in rows.to_dict("records"):
        level = CN_LEVEL.get(_cell(r["层级"]), "task")
        body = _cell(r["内容"]) or _cell(r["标题"])
        title = _cell(r["标题"]) or (first_sentence(body) if level not in ("measure", "sub") else body)
        it = Item(_cell(r["编号"]) or None, title, level, body=body, target=_cell(r["整改目标"]),
                  group=_cell(r["分组"]), part=CN_PART.get(_cell(r["部分"]), _cell(r["部分"])) or "main", line=int(r["行"]))
        text, day = _cell(r["整改时限"]), r["时限日期"]
        parsed = parse_deadline(text) if text else Deadline("", None, False)
        if isinstance(day, pd.Timestamp):
            day = day.date()
        if not isinstance(day, date) or pd.isna(day):
            day = parsed.date
        it.deadline = Deadline(text, day, bool(r["长期坚持"]) or parsed.ongoing) if (text or day) else parsed
        it.deadline_inherited = bool(r.get("时限推定")) and not int(r["上级"] or 0) and bool(text or day)
        it.units = up.parse(_cell(r["责任单位"]))
        acc_text = _cell(r["验收单位"])
        it.acceptance_units, _per, it.acceptance_note = parse_acceptance(acc_text, up)
        # the wording is kept where documents write it: on the problem (measures get the names)
        it.acceptance_text = acc_text if not int(r["上级"] or 0) else ""
        it.category = _cell(r["类别"]) or classify(f"{it.group} {title} {body} {it.target}")
        items[int(r["行"])] = it
        parent = int(r["上级"] or 0)
        if parent and parent in items:
            items[parent].children.append(it)
        else:
            roots.append(it)
    doc = ParsedDoc(base.title, base.genre, base.short_name, base.year, roots, list(base.warnings),
                    targets=list(base.targets), doc_number=base.doc_number, source_format=base.source_format)
    _finish(doc)
    return doc


_SECTION_NUMBER = re.compile(r"^([一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）)(.+)$")


def warnings_table(doc: ParsedDoc) -> pd.DataFrame:
    """The parser's warnings for the review: where (line or page), the text, the message."""
    rows = [{"位置": f"第{w['page']}页" if w.get("page") else (f"第{w['line']}行" if w.get("line") else "全文"),
             "原文": w.get("text", ""), "提示": w["message"]} for w in doc.warnings]
    return pd.DataFrame(rows, columns=["位置", "原文", "提示"])


def targets_table(doc: ParsedDoc) -> pd.DataFrame:
    """The document's 主要目标 indicators: shown apart from the tasks, not imported as tasks."""
    rows = [{"编号": t.number or "", "目标": t.title, "内容": t.body} for t in doc.targets]
    return pd.DataFrame(rows, columns=["编号", "目标", "内容"])


def _finish(doc: ParsedDoc) -> None:
    """Refs from numbers; children without a deadline or units take their parent's."""
    def root_ref(it: Item) -> str:
        n = it.number or ""
        m = _SECTION_NUMBER.match(n)  # numbering restarted per section: 一、3 / （二）3
        sec, n = (m.group(1), m.group(2)) if m else ("", n)
        if it.part == "annex":
            return f"{doc.short_name}附件{sec}第{n}项"
        return f"{doc.short_name}{sec}{n}" if n.startswith("（") else f"{doc.short_name}{sec}第{n}项"

    def walk(items: list[Item], parent: Item | None) -> None:
        for pos, it in enumerate(items):
            if parent is None:
                it.ref = root_ref(it)
            else:
                it.ref = f"{parent.ref}第{it.number}条" if it.number else f"{parent.ref}措施{pos + 1}"
                if not it.deadline.text and it.deadline.date is None:
                    it.deadline, it.deadline_inherited = parent.deadline, True
                if not it.units:
                    it.units = list(parent.units)
                if not it.acceptance_units:
                    it.acceptance_units = list(parent.acceptance_units)
            walk(it.children, it)

    walk(doc.items, None)


# ----------------------------------------------------------------------------- edits
def set_cell(rows: pd.DataFrame, row: int, column: str, value: str) -> pd.DataFrame:
    """One field of one row changed; a changed 整改时限 re-derives its date."""
    df = rows.copy()
    idx = df.index[df["行"] == row]
    if not len(idx) or column not in df.columns:
        raise ValueError("行号或字段不存在")
    i = idx[0]
    df[column] = df[column].astype(object)
    df.at[i, column] = value.strip()
    if column == "整改时限":
        d = parse_deadline(value) if value.strip() else Deadline("", None, False)
        if value.strip() and not d.understood:
            raise ValueError(f"整改时限“{value}”无法识别为日期：请写成“2025年6月底前”“2025年底”或“立行立改，长期坚持”")
        df["时限日期"] = df["时限日期"].astype(object)
        df.at[i, "时限日期"], df.at[i, "长期坚持"] = d.date, d.ongoing
    if column in ("整改时限", "时限日期"):
        df.at[i, "时限推定"] = False  # the clerk wrote it
    return df


def inferred_rows(rows: pd.DataFrame) -> list[int]:
    """Rows whose deadline the document does not write (the default was taken)."""
    return [int(r["行"]) for r in rows.to_dict("records") if bool(r.get("时限推定"))]


def deadline_edits(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Rows whose 整改时限 or 时限日期 the clerk changed in the table are no longer inferred."""
    df = after.copy()
    old = before.set_index("行")
    for i, r in df.iterrows():
        rid = r["行"]
        if rid in old.index and bool(r["时限推定"]) and any(
                _cell(r[c]) != _cell(old.at[rid, c]) for c in ("整改时限", "时限日期")):
            df.at[i, "时限推定"] = False
    return df


# ----------------------------------------------------------------------------- merge / split
def merge_rows(rows: pd.DataFrame, source: int, target: int) -> pd.DataFrame:
    """Row `source` merged into row `target`: texts appended, children moved, row removed."""
    if source == target:
        raise ValueError("不能把一行合并到它自己")
    df = rows.copy()
    ids = list(df["行"])
    if source not in ids or target not in ids:
        raise ValueError("行号不存在")
    s = df[df["行"] == source].iloc[0]
    t = df.index[df["行"] == target][0]
    for col in ("内容", "整改目标"):
        df.at[t, col] = "".join(x for x in (_cell(df.at[t, col]), _cell(s[col])) if x)
    df.loc[df["上级"] == source, "上级"] = target
    return df[df["行"] != source].reset_index(drop=True)


def split_row(rows: pd.DataFrame, row: int, at_text: str) -> pd.DataFrame:
    """Row `row` split where `at_text` begins: the rest becomes a new row right after it,
    with the same parent and level (its number to be filled in)."""
    df = rows.copy()
    idx = df.index[df["行"] == row]
    if not len(idx):
        raise ValueError("行号不存在")
    i = idx[0]
    body = _cell(df.at[i, "内容"])
    k = body.find(at_text) if at_text else -1
    if k <= 0:
        raise ValueError("在该行内容中找不到拆分位置的文字（须在开头之后）")
    new = df.loc[i].copy()
    new["行"] = int(df["行"].max()) + 1
    new["编号"] = f"{_cell(df.at[i, '编号'])}之二" if _cell(df.at[i, "编号"]) else ""
    new["内容"] = body[k:]
    new["标题"] = first_sentence(body[k:]) if df.at[i, "层级"] not in ("措施", "子项") else body[k:]
    df.at[i, "内容"] = body[:k]
    if df.at[i, "层级"] in ("措施", "子项"):
        df.at[i, "标题"] = body[:k]
    return pd.concat([df.iloc[: i + 1], new.to_frame().T, df.iloc[i + 1:]], ignore_index=True)


# ----------------------------------------------------------------------------- links, units
def propose(rows: pd.DataFrame, gaz: Gazetteer, site_names: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Proposed task↔site links and unmatched place names, from the rows' text."""
    links, cands = [], {}
    for r in rows.to_dict("records"):
        text = " ".join(_cell(r[c]) for c in ("标题", "内容", "整改目标"))
        matches, candidates = gaz.analyse(text)
        label = f"{_cell(r['编号'])} {_cell(r['标题'])[:24]}".strip()
        for mt in matches:
            links.append({"行": r["行"], "条目": label, "点位编号": mt.site_id, "点位": site_names.get(mt.site_id, ""),
                          "匹配文字": mt.text, "置信度": mt.confidence, "采纳": mt.confidence >= 0.8})
        for c in candidates:
            key = gaz.core(c.text)[0]  # 乐平市礼林镇王雌涧水库 and 礼林镇王雌涧水库: one place
            entry = cands.setdefault(key, {"地名": c.text, "类型": c.kind_code, "涉及行": []})
            if len(c.text) < len(entry["地名"]):
                entry["地名"] = c.text
            if int(r["行"]) not in entry["涉及行"]:
                entry["涉及行"].append(int(r["行"]))
    cand_df = pd.DataFrame([{**c, "涉及行": "、".join(map(str, c["涉及行"])), "新建": False, "名称": c["地名"],
                             "经度": None, "纬度": None, "坐标系": "EPSG:4326"} for c in cands.values()],
                           columns=["地名", "类型", "涉及行", "新建", "名称", "经度", "纬度", "坐标系"])
    return pd.DataFrame(links, columns=["行", "条目", "点位编号", "点位", "匹配文字", "置信度", "采纳"]), cand_df


def _unit_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


# a unit name holding a field label, a colon or a sentence's punctuation, or two organs run
# together (`市生态环境局市水利局`), is a string the parser joined: never proposed ticked
# (a label ending the name is a group's name: 各相关责任单位)
_GARBLED = re.compile(r"[：:；;，,。]|(?:责任单位|验收单位|验收部门|配合单位|牵头单位|协办单位|责任部门|整改时限|整改目标"
                      r"|整改措施|责任人)(?=.)|(?:局|政府|管委会|委员会|办公室)(?=[市县区][^，、]{2,})")


def unit_doubt(name: str) -> str:
    """Why a proposed unit name looks garbled (Chinese, for the page), or ''."""
    if _GARBLED.search(name):
        return "像是几个字段或几个单位连在一起"
    if len(name) > 30:
        return "名称过长，像是一段文字"
    return ""


def unit_place(u, up: UnitParser, other_city_code: str = "") -> str:
    """Where a new unit belongs, never claimed for the active city by default: a name starting
    with another city or its county (信州区委、区政府, 上饶市水利局) belongs there; a name that
    only defaults to the city (市水利局) belongs to the city the document is of when that is
    another one (the text says which city it means; the clerk can still choose)."""
    from geo.china_names import place_starting

    city = up.places.city.code
    if u.place_code != city:
        return u.place_code  # a county or zone of the active city, named in the text
    named = place_starting(u.name)
    if named is not None and named.city_code != city:
        return named.code
    if other_city_code and other_city_code != city:
        return other_city_code
    return city


def new_units(rows: pd.DataFrame, up: UnitParser, known: set[str], *, revision: bool = False,
              other_city_code: str = "") -> pd.DataFrame:
    """Units named in the rows that the store does not know, with the place they resolve to.
    For a first import they are proposed ticked (a new document brings its units). In a
    revision of a document already imported a new unit is rare and more often a misread note
    (`主要负责人由市领导兼任的`): it is ticked only when it resolves to a known unit (the same
    name written differently, or the short form of a known full name); the clerk ticks the rest.
    Never ticked: a name that looks garbled (`unit_doubt`). A unit of another city (the
    document names another city, or the unit's name does) is proposed with that city's place,
    not the active one's (`unit_place`); the review's warning names the city."""
    from domain.units import parse_acceptance

    known_keys = {_unit_key(k) for k in known}
    seen: dict[str, tuple[str, bool]] = {}
    for r in rows.to_dict("records"):
        acceptance, _per, _note = parse_acceptance(_cell(r["验收单位"]), up)
        for u in (*up.parse(_cell(r["责任单位"])), *acceptance):
            if u.name not in known:
                resolves = _unit_key(u.name) in known_keys or (u.alias_of is not None and
                                                               _unit_key(u.alias_of) in known_keys)
                ok = (resolves or not revision) and not unit_doubt(u.name)
                seen.setdefault(u.name, (unit_place(u, up, other_city_code), ok))
    return pd.DataFrame([{"单位": n, "所属": p, "确认": ok} for n, (p, ok) in seen.items()],
                        columns=["单位", "所属", "确认"])


MANUAL = "手动关联"  # the 匹配文字 of a link the clerk added by hand (kept when the proposals are recomputed)


def add_manual_link(links: pd.DataFrame, rows: pd.DataFrame, row: int, site_id: str, site_name: str) -> pd.DataFrame:
    """A link the text did not propose (issue 19: 50 tasks came in with 0 links to 13 sites):
    row `row` of the table to the site, accepted. Linking again what is already linked
    re-accepts it; an unknown row is refused."""
    match = rows[rows["行"] == row]
    if match.empty:
        raise ValueError(f"没有第 {row} 行")
    r = match.iloc[0]
    same = (links["行"] == row) & (links["点位编号"] == site_id)
    if same.any():
        out = links.copy()
        out.loc[same, "采纳"] = True
        return out
    label = f"{_cell(r['编号'])} {_cell(r['标题'])[:20]}".strip()
    new = pd.DataFrame([{"行": row, "条目": label, "点位编号": site_id, "点位": site_name, "匹配文字": MANUAL,
                         "置信度": 1.0, "采纳": True}], columns=links.columns)
    return pd.concat([links, new], ignore_index=True) if len(links) else new
