"""The meeting deck: slides, titles, table contents equal to the store, nothing off the slide;
converted with LibreOffice and rasterised where LibreOffice is installed (CI)."""

import shutil
import subprocess
from datetime import date

import pytest
from pptx import Presentation

from domain import overview as ov
from domain import status as st
from exports.deck import ROWS_PER_SLIDE, shapes_inside
from onemap import services
from onemap.cli import main
from store import queries
from store.db import reader

AS_OF = date(2026, 11, 23)


def _texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text]


def test_deck_contents_match_the_store(demo_dir, tmp_path):
    path = services.meeting_deck(tmp_path / "deck.pptx", as_of=AS_OF, title="11月调度会")
    prs = Presentation(str(path))
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)  # 16:9
    titles = [_texts(s)[0].split("\n")[0] for s in prs.slides]
    with reader() as s:
        tasks = queries.tasks_frame(s, AS_OF)
    top = ov.top_level(tasks)
    overdue = top[top["flag"] == st.OVERDUE]
    pages = max(1, -(-len(overdue) // ROWS_PER_SLIDE))
    assert titles[:4] == ["11月调度会", "全市总览", "各区县情况", "区县排名"]
    assert titles.count("逾期问题清单") == 1 and titles.count("逾期问题清单（续）") == pages - 1
    assert titles[-1] == "重点区域"
    assert "数据截至 2026年11月23日" in _texts(prs.slides[0])[-1]
    # figures and tables equal the store's
    overview = "\n".join(_texts(prs.slides[1]))
    assert f"{len(top)} 项" in overview and f"{len(overdue)} 项" in overview
    table_rows = []
    for sl in prs.slides:
        if _texts(sl)[0].startswith("逾期问题清单"):
            t = next(sh.table for sh in sl.shapes if sh.has_table)
            assert len(t.rows) <= ROWS_PER_SLIDE + 1
            table_rows += [t.cell(i, 0).text for i in range(1, len(t.rows))]
    assert sorted(table_rows) == sorted(r[:17] + "…" if len(r) > 18 else r for r in overdue["ref"])
    rank = next(sh.table for sh in prs.slides[3].shapes if sh.has_table)
    names = {p.code: p.name for p in services.active_region().places.all()}
    want = ov.by_place(tasks, names, {})
    assert [rank.cell(i, 0).text for i in range(1, len(rank.rows))] == list(want["地区"])
    assert [int(rank.cell(i, 1).text) for i in range(1, len(rank.rows))] == list(want["逾期"])
    assert shapes_inside(path) == []
    assert sum(1 for s in prs.slides for sh in s.shapes if sh.shape_type == 13) == 3  # three maps


def test_cli_deck_and_views(demo_dir, tmp_path):
    assert main(["deck", str(tmp_path / "a.pptx"), "--as-of", "2026-11-23", "--views", "全市总览,逾期问题清单"]) == 0
    titles = [_texts(s)[0].split("\n")[0] for s in Presentation(str(tmp_path / "a.pptx")).slides]
    assert titles[1] == "全市总览" and titles[2].startswith("逾期问题清单") and "各区县情况" not in titles
    assert main(["deck", str(tmp_path / "b.pptx"), "--views", "不存在"]) == 1


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice (libreoffice-impress) and poppler-utils needed")
def test_deck_converts_and_renders(demo_dir, tmp_path):
    path = services.meeting_deck(tmp_path / "deck.pptx", as_of=AS_OF)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "deck.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "slide")], check=True)
    n = len(Presentation(str(path)).slides)
    assert len(list(tmp_path.glob("slide*.png"))) == n
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "全市总览" in text and "逾期问题清单" in text and "数据截至" in text


def test_one_slide_per_saved_view(demo_dir, tmp_path):
    import json

    from store import repo
    from store.db import transaction

    views = [{"title": "乐平市矿山", "page": "map", "params": {"place": "360281", "kind": "矿山修复点"},
              "center": [28.9, 117.3], "zoom": 11},
             {"title": "各区县逾期", "page": "overview", "params": {}},
             {"title": "乐平市逾期清单", "page": "ledger", "params": {"place": "360281", "flag": "逾期"}}]
    with transaction() as s:
        repo.set_meta(s, "views", json.dumps(views, ensure_ascii=False))
    path = services.meeting_deck(tmp_path / "v.pptx", as_of=AS_OF)  # saved views are the default
    prs = Presentation(str(path))
    titles = [_texts(s)[0].split("\n")[0] for s in prs.slides]
    assert titles[1:5] == ["乐平市矿山", "各区县逾期", "区县排名", "乐平市逾期清单"]
    mines = "\n".join(_texts(prs.slides[1]))
    with reader() as s:
        sites = queries.sites_frame(s)
    n = int(((sites["county_code"] == "360281") & (sites["kind"] == "矿山修复点")).sum())
    assert f"{n} 个" in mines
    table = next(sh.table for sh in prs.slides[4].shapes if sh.has_table)
    assert all("逾期" in table.cell(i, 4).text for i in range(1, len(table.rows)))
    assert shapes_inside(path) == []
    # by name on the command line
    assert main(["deck", str(tmp_path / "w.pptx"), "--views", "各区县逾期,逾期问题清单"]) == 0
    titles = [_texts(s)[0].split("\n")[0] for s in Presentation(str(tmp_path / "w.pptx")).slides]
    assert titles[1] == "各区县逾期" and titles[2] == "区县排名" and titles[3].startswith("逾期问题清单")
