"""Structure stage: page numbers and running headers dropped (and reported), paragraphs
broken by hard wraps rebuilt — for any wrap width and footer pattern the items are those of
the clean text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.places import PlaceSet
from domain.units import UnitParser
from ingest.docparse import parse_lines
from ingest.docparse.blocks import numbered
from ingest.docparse.structure import clean, hard_wrap_width, is_page_number
from onemap import settings as app_settings

FIX = Path(__file__).parent / "fixtures"
DOCS = app_settings.DEMO_DIR / "docs"
UP = UnitParser(PlaceSet.from_region_json(app_settings.REGIONS_DIR / "360200" / "region.json"))
FOOTERS = ["— {n} —", "-{n}-", "- {n} -", "第 {n} 页", "第{n}页 共9页", "{n}", "{n}/9", "－ {n} －"]


@pytest.mark.parametrize("text", ["— 5 —", "-5-", "- 12 -", "第 3 页", "第3页 共12页", "7", "3/12", "Page 4",
                                  "－ 5 －", "—5—"])
def test_page_numbers(text):
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["1.", "（一）", "5、", "2025年", "一、总体要求", "3.加强巡查"])
def test_not_page_numbers(text):
    assert not is_page_number(text)


def test_hard_wrap_width_is_found_only_in_wrapped_text():
    para = "以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党的二十大精神，深入贯彻习近平生态文明思想。" * 4
    wrapped = [para[i:i + 36] for i in range(0, len(para), 36)] * 3
    assert hard_wrap_width(wrapped) == 36
    clean_text = (DOCS / "000_work_points_2026.txt").read_text(encoding="utf-8").splitlines()
    assert hard_wrap_width(clean_text) is None


def test_running_header_and_footers_are_dropped_with_one_warning_each():
    lines = ["景德镇市人民政府文件", "（一）问题甲。", "整改目标：目标。", "— 1 —", "景德镇市人民政府文件",
             "整改时限：2025年底前", "整改措施：", "— 2 —", "景德镇市人民政府文件", "1.措施一。〔责任单位：市住建局〕"]
    warnings: list[dict] = []
    out = clean(numbered(lines), warnings)
    assert [ln.text for ln in out] == ["（一）问题甲。", "整改目标：目标。", "整改时限：2025年底前", "整改措施：",
                                       "1.措施一。〔责任单位：市住建局〕"]
    assert [ln.line for ln in out] == [2, 3, 6, 7, 10]
    assert warnings == [
        {"line": 4, "text": "— 1 —", "message": "已去除页码 2 处（第4行、第8行）"},
        {"line": 1, "text": "景德镇市人民政府文件", "message": "已去除页眉/页脚 3 行：“景德镇市人民政府文件”"},
    ]


def test_a_bare_number_once_is_kept():
    warnings: list[dict] = []
    out = clean(numbered(["（一）问题甲。", "2025", "整改目标：目标。"]), warnings)
    assert [ln.text for ln in out] == ["（一）问题甲。", "2025", "整改目标：目标。"] and warnings == []


def test_wrapped_body_line_with_qingdan_is_not_the_annex():
    """A wrapped line that happens to hold 清单 must not be taken for the annex heading."""
    text = (FIX / "variant_rectification.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines.insert(6, "加强对问题清单")  # as a PDF-to-text line would look on its own … joined below
    doc = parse_lines(lines, UnitParser(_ganzhou()))
    assert len(doc.items) == 3


def _ganzhou() -> PlaceSet:
    return PlaceSet.from_dict({
        "adcode": "360700", "name": "赣州市",
        "counties": [{"adcode": "360702", "name": "章贡区"}, {"adcode": "360703", "name": "南康区"},
                     {"adcode": "360704", "name": "赣县区"}],
        "zones": [{"code": "360700-Z01", "name": "赣州经开区"}],
    })


def _signature(doc) -> list[tuple]:
    """Items compared as read: spaces are not compared (a wrap at a space loses it, as in PDF text)."""
    def t(s: str) -> str:
        return "".join(s.split())

    return [(n.ref, n.level, t(n.title), t(n.body), t(n.target), [u.name for u in n.units],
             [u.name for u in n.acceptance_units], n.deadline.text, n.deadline.date, n.group, n.part)
            for it in doc.items for n in it.walk()] + [(x.ref, t(x.body)) for x in doc.targets]


def _pieces(s: str, width: int, visual: bool) -> list[str]:
    from ingest.docparse.structure import visual_width

    if not visual:
        return [s[i:i + width] for i in range(0, len(s), width)]
    out, cur = [], ""
    for ch in s:
        if visual_width(cur + ch) > width:
            out.append(cur)
            cur = ""
        cur += ch
    return [*out, cur] if cur else out


def _wrap(text: str, width: int, page_len: int, footer: str, header: str, *, indent: bool = False,
          visual: bool = False) -> list[str]:
    """As PDF-to-text gives it: lines cut at a width (in characters, or as displayed), a
    two-character first-line indent when asked, footers (and a header) every page_len lines."""
    pieces: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            pieces.append("")
            continue
        lines = _pieces(("\u3000\u3000" if indent else "") + s, width, visual)
        pieces += lines
    out: list[str] = []
    page = 1
    for i, p in enumerate(pieces):
        out.append(p)
        if i % page_len == page_len - 1:
            out.append(footer.format(n=page))
            if header:
                out.append(header)
            page += 1
    return out


def _seed_text(name: str) -> str:
    # PDF-to-text gives no Markdown: the demo copies' markup is removed as a converter would
    from ingest.docparse.text import strip_markup

    return "\n".join(strip_markup(x) for x in (DOCS / name).read_text(encoding="utf-8").splitlines())


CLEAN = {name: _seed_text(name) for name in ("004_rectification_list_provincial_inspection.txt",
                                             "000_work_points_2026.txt")}
EXPECTED = {name: _signature(parse_lines(text.splitlines(), UP)) for name, text in CLEAN.items()}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(CLEAN)), width=st.integers(min_value=24, max_value=60),
       page_len=st.integers(min_value=12, max_value=45), footer=st.sampled_from(FOOTERS),
       header=st.sampled_from(["", "景德镇市人民政府文件", "景德镇市生态环境局"]), indent=st.booleans(),
       visual=st.booleans())
def test_any_hard_wrap_and_footer_gives_the_clean_items(name, width, page_len, footer, header, indent, visual):
    doc = parse_lines(_wrap(CLEAN[name], width, page_len, footer, header, indent=indent, visual=visual), UP)
    assert _signature(doc) == EXPECTED[name]
    messages = [w["message"] for w in doc.warnings]
    assert messages[0].startswith("已去除页码 ")
    assert all(m.startswith(("已去除页码", "已去除页眉/页脚")) for m in messages)
