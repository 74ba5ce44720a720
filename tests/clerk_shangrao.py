"""The second clerk's trial document (a 上饶 整改清单: 4 problems × 2 measures, one deadline
长期坚持, 责任单位 and 验收单位 per problem, signed at the end), written here in the forms they
tried: the text file, and the same list as a Word table with the measures in one cell —
as separate paragraphs or run together in one — and a `验收单位：…` line inside the
责任单位 cell. Built with python-docx in the test; nothing is read from outside tests/."""

from __future__ import annotations

from pathlib import Path

TITLE = "上饶市第二轮省生态环境保护督察反馈问题整改清单"
SIGNER = "上饶市生态环境保护督察整改工作领导小组办公室"
SIGNED = "2026年3月5日"

# (problem, target, measures, deadline, responsible units, acceptance units)
PROBLEMS = [
    ("信州区城区餐饮油烟扰民问题突出，群众反映强烈。", "城区餐饮油烟污染得到有效治理，群众投诉明显减少。",
     ["全面排查城区餐饮单位油烟净化设施安装运行情况，建立问题台账。",
      "2026年9月底前，依法查处油烟超标排放行为，督促整改到位。"],
     "2026年12月底前", "信州区委、区政府", "市生态环境局"),
    ("广丰区部分工业企业挥发性有机物无组织排放问题突出。", "重点企业挥发性有机物无组织排放得到有效管控。",
     ["完成重点企业挥发性有机物治理设施升级改造。", "开展挥发性有机物专项执法检查，依法查处违法行为。"],
     "2026年10月底前", "广丰区委、区政府，市生态环境局", "市生态环境局"),
    ("鄱阳湖上饶段部分入湖河流水质不稳定。", "入湖河流水质稳定达到考核要求。",
     ["落实河湖长制，加强入湖河流日常巡查。", "开展入河排污口排查整治，建立长效监管机制。"],
     "立行立改，长期坚持", "鄱阳县委、县政府，余干县委、县政府", "市生态环境局、市水利局"),
    ("德兴市部分废弃矿山生态修复进展缓慢。", "废弃矿山生态修复任务按期完成。",
     ["制定废弃矿山生态修复实施方案，明确修复责任和时序。", "2027年3月底前，完成首批废弃矿山治理复绿。"],
     "2027年6月底前", "德兴市委、市政府", "市自然资源局"),
]
CN = "一二三四"


def text_lines(*, one_line_units: bool = False) -> list[str]:
    out = [TITLE, ""]
    for i, (prob, target, measures, deadline, units, acc) in enumerate(PROBLEMS):
        out += [f"（{CN[i]}）{prob}", f"整改目标：{target}", f"整改时限：{deadline}", "整改措施："]
        out += [f"（{k}）{m}" for k, m in enumerate(measures, 1)]
        out += [f"责任单位：{units}；验收单位：{acc}"] if one_line_units else [f"责任单位：{units}", f"验收单位：{acc}"]
    return [*out, "", SIGNER, SIGNED]


def write_text(path: Path, **kw) -> Path:
    path.write_text("\n".join(text_lines(**kw)) + "\n", encoding="utf-8")
    return path


def write_table(path: Path, *, measures: str = "paragraphs", acceptance: str = "paragraph",
                problem_paragraphs: bool = False) -> Path:
    """序号 | 问题 | 整改目标 | 整改措施 | 整改时限 | 责任单位, one row per problem. measures:
    'paragraphs' (one paragraph per measure in the cell) or 'run_together' (one paragraph);
    acceptance: 'paragraph' (`验收单位：…` as the cell's second paragraph) or 'inline'
    (`…；验收单位：…` in one paragraph). problem_paragraphs: the problem cell broken into two
    paragraphs after its first comma (as a clerk presses Enter in a narrow cell)."""
    import docx

    d = docx.Document()
    d.add_paragraph(TITLE)
    t = d.add_table(rows=1, cols=6)
    t.style = "Table Grid"
    for c, h in zip(t.rows[0].cells, ["序号", "问题", "整改目标", "整改措施", "整改时限", "责任单位"], strict=True):
        c.text = h
    for i, (prob, target, ms, deadline, units, acc) in enumerate(PROBLEMS, 1):
        r = t.add_row().cells
        r[0].text, r[2].text, r[4].text = str(i), target, deadline
        head, comma, tail = prob.partition("，")
        _fill(r[1], [head + comma, tail] if problem_paragraphs and tail else [prob])
        numbered = [f"（{k}）{m}" for k, m in enumerate(ms, 1)]
        _fill(r[3], numbered if measures == "paragraphs" else ["".join(numbered)])
        _fill(r[5], [units, f"验收单位：{acc}"] if acceptance == "paragraph" else [f"{units}；验收单位：{acc}"])
    d.add_paragraph("")
    d.add_paragraph(SIGNER)
    d.add_paragraph(SIGNED)
    d.save(str(path))
    return path


def _fill(cell, paragraphs: list[str]) -> None:
    cell.text = paragraphs[0]
    for p in paragraphs[1:]:
        cell.add_paragraph(p)
