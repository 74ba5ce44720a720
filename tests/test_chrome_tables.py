"""Table cells never show the English "None" (nor nan/NaT): Streamlit draws a missing value
as the word "None" on its canvas grid, where a browser's text cannot see it — so the
frames handed to st.dataframe are checked here (AppTest)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from onemap import settings
from store import models as m
from store.db import reader
from tests.conftest import page_test, sign_in
from ui.common import table

APP = str(settings.REPO_ROOT / "app.py")


def _missing(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if df[c].map(lambda v: v is None or v is pd.NaT or v != v).any()]


def test_table_helper_blanks_missing_values_only():
    df = pd.DataFrame({"a": ["x", None], "d": pd.to_datetime([date(2026, 1, 2), None]), "n": [1.5, float("nan")],
                       "k": [1, 2]})
    out = table(df)
    assert out.to_dict("list") == {"a": ["x", ""], "d": ["2026-01-02", ""], "n": ["1.5", ""], "k": [1, 2]}


def test_an_import_report_mixing_the_file_and_row_numbers_is_one_text_column():
    """An import report's 行/位置 holds "" (the whole file) and 3 (a row): Arrow refused the mix
    and Streamlit logged a traceback before redrawing it (a user trial). Text throughout now;
    a column of row numbers alone stays numbers."""
    import pyarrow as pa

    df = pd.DataFrame({"行/位置": ["", 3, 4], "值": ["200.0, 95.0", "", "x"], "只有行号": [3, 4, 5]})
    out = table(df)
    assert out.to_dict("list") == {"行/位置": ["", "3", "4"], "值": ["200.0, 95.0", "", "x"], "只有行号": [3, 4, 5]}
    pa.Table.from_pandas(out)  # what st.dataframe does with it


def test_ledger_cells_have_no_missing_values(demo_dir):
    with reader() as s:  # the demo has tasks without a deadline and tasks with no 逾期/临期 flag
        undated = s.scalar(select(m.Task.id).where(m.Task.deadline.is_(None), m.Task.parent_id.is_(None)))
    assert undated is not None
    at = page_test("ledger_view").run()
    assert not at.exception
    grid = at.dataframe[0].value
    assert len(grid) > 0 and _missing(grid) == []
    assert set(grid["逾期/临期"]) <= {"", "逾期", "临期"}
    assert "" in set(grid["时限日期"])  # the undated ones: an empty cell


def test_map_panel_measures_table_has_no_missing_values(demo_dir):
    at = sign_in(AppTest.from_file(APP, default_timeout=180))
    at.session_state["site_id"] = "SEC-01"
    at.run()
    assert not at.exception
    assert len(at.dataframe) >= 1
    for grid in at.dataframe:
        assert _missing(grid.value) == []
