"""Place names in task text → sites.

Three passes over a text:
1. a site's name or alias written as is (confidence 1.0);
2. place-like phrases (…工业园/…水源地/…断面/…采石场…) compared by their *core*: the name
   without province/city/county prefix, bracketed qualifiers and the generic suffix, and
   only against sites of the matching kind — so `乐平工业园`, `江西乐平工业园区` and
   `乐平化工园区` all reach the same park (0.8), and a core contained in a site's core is
   proposed at 0.6 (`南河国控断面` → 南河河口);
3. place-like phrases that match no site are returned as candidates for new sites.

A bare township, river or county name never matches a site on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# generic suffix → site kind code (longest first when matching)
SUFFIX_KIND = {
    "饮用水水源保护区": "water_source", "饮用水水源地": "water_source", "饮用水源地": "water_source",
    "水厂水源地": "water_source", "水源保护区": "water_source", "水源地": "water_source", "水库": "water_source",
    "国控断面": "section", "省控断面": "section", "市控断面": "section", "断面": "section",
    "化工园区": "park", "工业园区": "park", "产业园区": "park", "工业园": "park", "产业园": "park",
    "工业基地": "park", "工业平台": "park", "工业集聚区": "park", "开发区": "park",
    "采石场": "mine", "煤矿": "mine", "矿山": "mine", "非法开采点": "mine", "机制砂场": "mine", "钙业": "mine",
}
SUFFIXES = sorted(SUFFIX_KIND, key=len, reverse=True)
KEEP_SUFFIX = {"水库", "煤矿", "钙业"}  # part of the proper name: 幸福水库 is not 幸福
QUALIFIERS = ("国控", "省控", "市控", "县控", "国考", "省考", "陶瓷", "医药", "化工", "集中式", "县级以上")
# words that describe rather than name: 废弃矿山, 持证矿山, 重点园区 are not places
GENERIC_LEADS = ("历史遗留", "废弃", "持证", "非法", "集中式", "重点", "相关", "部分", "全部", "所有", "其他", "上述",
                 "有关", "各类", "各", "该", "本", "新建", "已建", "在建", "全市", "全县", "城区", "乡镇", "农村", "县级",
                 "规模以上", "绿色", "涉重", "涉危", "国家级", "省级", "市级", "智慧", "生态")
ADMIN_ENDINGS = ("乡", "镇", "村", "街道", "县", "市", "区", "省")
STOP_CHARS = set("，。；：、（）()“”《》 的在和及与对从向由为将把于等及其")
CLASSIFIERS = set("家个处座条项年月日")  # end a phrase only right after a number: 5家废弃矿山, 2022年国考断面
STOP_WORDS = ("完成", "推进", "加强", "开展", "督促", "责令", "实施", "建设", "推动", "做好", "落实", "整治", "位于",
              "包括", "涉及", "全市", "全县", "各地", "上游", "下游", "周边", "沿线", "附近", "所在", "仍有", "规范",
              "掌握", "拆除", "发现", "存在", "打击", "关闭", "取缔", "恢复", "治理", "修复", "排查", "监管", "管理",
              "保护", "划定", "设立", "清理", "加快", "提升", "指导", "督查", "检查", "破坏", "强化", "完善", "指出",
              "未到", "曾经", "难点", "问题", "要求", "情况",
              # verbs and function words of a sentence, not of a name (issue 19: 内通过绿色矿山, 以上水源地,
              # 实现饮用水水源保护区, 所有涉重工业园区 were offered as new places)
              "通过", "实现", "达到", "确保", "持续", "全面", "以上", "以下", "年内", "年底", "创建", "争创", "申报")
MIN_CORE = 2


@dataclass(frozen=True)
class Match:
    site_id: str
    text: str
    confidence: float
    start: int


@dataclass(frozen=True)
class Candidate:
    """A place-like phrase that matches no site: a site to create, perhaps."""

    text: str
    kind_code: str
    start: int


@dataclass(frozen=True)
class _Site:
    id: str
    kind_code: str | None
    names: tuple[str, ...]
    cores: tuple[str, ...]


class Gazetteer:
    def __init__(self, sites: list[tuple[str, str, list[str]]] | list[tuple[str, str, list[str], str | None]],
                 prefixes: tuple[str, ...] = ()):
        """sites: (id, name, aliases[, kind code]); prefixes: province/city/county names to strip."""
        self.prefixes = tuple(sorted({p for p in prefixes if p}, key=len, reverse=True))
        self.sites: list[_Site] = []
        for entry in sites:
            sid, name, aliases = entry[0], entry[1], entry[2]
            kind_code = entry[3] if len(entry) > 3 else None
            names = tuple(n.strip() for n in (name, *aliases) if n and len(n.strip()) >= 2)
            cores = tuple(dict.fromkeys(c for c in (self.core(n)[0] for n in names) if c))
            self.sites.append(_Site(sid, kind_code, names, cores))
        self._names = sorted(((n, s) for s in self.sites for n in s.names), key=lambda x: -len(x[0]))

    # ----------------------------------------------------------------- normalisation
    def core(self, phrase: str) -> tuple[str, str | None]:
        """(core, kind code of the suffix) of a place name or phrase."""
        s = re.sub(r"[（(][^）)]*[）)]", "", phrase).strip()
        changed = True
        while changed:
            changed = False
            for p in self.prefixes:
                if s.startswith(p) and len(s) > len(p) + 1:
                    s, changed = s[len(p):], True
                    break
        if s in SUFFIX_KIND:
            return "", SUFFIX_KIND[s]  # nothing but a generic word: 饮用水源地
        kind = None
        for suf in SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf):
                kind = SUFFIX_KIND[suf]
                if suf not in KEEP_SUFFIX:
                    s = s[: -len(suf)]
                break
        for q in QUALIFIERS:
            if s.endswith(q) and len(s) - len(q) >= MIN_CORE:
                s = s[: -len(q)]
            elif s == q:
                return "", kind
        lead = next((g for g in GENERIC_LEADS if s.startswith(g)), None)
        while lead:
            s = s[len(lead):]
            lead = next((g for g in GENERIC_LEADS if s.startswith(g)), None)
        if len(s) < MIN_CORE or (kind is not None and s.endswith(ADMIN_ENDINGS) and s not in self.prefixes
                                 and len(s) <= 3):
            return "", kind
        return s, kind

    def _county_named(self, phrase: str, kind: str | None) -> str:
        """The county-level name a phrase is made of with a generic suffix (信丰县 + 工业园区), short
        form without 县/市/区 (信丰), or "" — only for parks and water sources, which take it."""
        if kind not in ("park", "water_source"):
            return ""
        s = re.sub(r"[（(][^）)]*[）)]", "", phrase).strip()
        for p in self.prefixes:
            rest = s[len(p):]
            if s.startswith(p) and rest in SUFFIX_KIND and p.endswith(("县", "区", "市")) and len(p) >= 3:
                return p[:-1]
        return ""

    # ----------------------------------------------------------------- mentions
    @staticmethod
    def mentions(text: str) -> list[tuple[str, int]]:
        """Place-like phrases: a run of characters ending with a generic suffix."""
        out = []
        for m in re.finditer("|".join(map(re.escape, SUFFIXES)), text):
            end = m.end()
            start = m.start()
            i = start
            while i > 0 and start - i < 14:
                ch = text[i - 1]
                if ch in "）)":  # a bracketed qualifier inside a name: 樟树坑（昌江）饮用水水源地
                    j = max(text.rfind("（", 0, i - 1), text.rfind("(", 0, i - 1))
                    if j != -1 and i - 1 - j <= 6:
                        i = j
                        continue
                if ch in STOP_CHARS or ch.isdigit() or not ("\u4e00" <= ch <= "\u9fff" or ch in "（）()"):
                    break
                if ch in CLASSIFIERS and text[:i - 1].rstrip()[-1:].isdigit():
                    break
                i -= 1
            phrase = text[i:end]
            head = phrase[: -len(m.group())]  # stop words only count before the suffix (保护 in 水源保护区)
            cut = max((head.rfind(w) + len(w) for w in STOP_WORDS if w in head), default=0)
            phrase, i = phrase[cut:], i + cut
            if len(phrase) > len(m.group()):  # something besides the generic suffix
                out.append((phrase, i))
        return out

    # ----------------------------------------------------------------- matching
    def find(self, text: str) -> list[Match]:
        return self.analyse(text)[0]

    def analyse(self, text: str) -> tuple[list[Match], list[Candidate]]:
        taken = [False] * len(text)
        found: dict[str, Match] = {}

        def add(sid: str, term: str, conf: float, start: int) -> None:
            if sid not in found or found[sid].confidence < conf:
                found[sid] = Match(sid, term, conf, start)

        for name, site in self._names:
            start = text.find(name)
            while start != -1:
                end = start + len(name)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * (end - start)
                    add(site.id, name, 1.0, start)
                start = text.find(name, end)
        candidates: list[Candidate] = []
        for phrase, start in self.mentions(text):
            end = start + len(phrase)
            if all(taken[start:end]):
                continue
            core, kind = self.core(phrase)
            if not core:
                # 信丰县工业园区: a county's own park or source is named by the county alone — a place
                # to create when no site of that kind carries the county's name (fresh-eyes trial)
                named = self._county_named(phrase, kind)
                if named and not any(named in n for st in self.sites if st.kind_code in (None, kind)
                                     for n in st.names) and not any(c.text == phrase for c in candidates):
                    candidates.append(Candidate(phrase, kind, start))
                continue
            same_kind = [s for s in self.sites if s.kind_code in (None, kind)]
            exact = [s for s in same_kind if core in s.cores]
            if exact:
                for s in exact:
                    add(s.id, phrase, 0.8, start)
                taken[start:end] = [True] * (end - start)
                continue
            partial = [s for s in same_kind if any(core in c or c in core for c in s.cores if len(c) >= MIN_CORE)]
            if partial:
                for s in partial:
                    add(s.id, phrase, 0.6, start)
                taken[start:end] = [True] * (end - start)
                continue
            known = next((c for c in candidates if self.core(c.text)[0] == core), None)
            if kind and known is None:
                candidates.append(Candidate(phrase, kind, start))
            elif known is not None and len(phrase) < len(known.text):
                candidates[candidates.index(known)] = Candidate(phrase, kind, known.start)
        return sorted(found.values(), key=lambda m: m.start), candidates
