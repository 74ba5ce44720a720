"""Streamlit's own chrome in Chinese.

Streamlit (1.67) does not localise the file uploader ("Upload", "200MB per file • DOCX,
TXT", "Drag and drop files here") nor the keyboard hints under text inputs ("Press
Enter to apply", "Press Ctrl+Enter to submit form") nor a multiselect's "Select all"
option, and offers no option for them. Multiselect placeholders are set per widget
(`placeholder=`); for the rest, one stylesheet, served inline with the page (no outside request), hides the English text
and shows the Chinese through `::after`. The selectors are Streamlit's `data-testid`
attributes, plus the styled-component class of the drag hint (no test id in 1.67)."""

from __future__ import annotations

import streamlit as st

UPLOAD = "选择文件"
DRAG = "松开鼠标即可上传"
SELECT_ALL = "全选"
SELECT_MATCHES = "选择全部匹配项"


def upload_hint() -> str:
    try:
        mb = int(st.get_option("server.maxUploadSize"))
    except (TypeError, ValueError, RuntimeError):
        mb = 200
    return f"可将文件拖放到此处 · 单个文件不超过 {mb} MB"


def css() -> str:
    drop = '[data-testid="stFileUploaderDropzone"]'
    return f"""
/* keyboard hints under inputs ("Press Enter to apply", "Press Ctrl+Enter to submit form") */
[data-testid="InputInstructions"] {{ display: none !important; }}
/* file uploader: the button's label */
{drop} button [data-testid="stMarkdownContainer"] p {{ display: none; }}
{drop} button [data-testid="stMarkdownContainer"]::after {{ content: "{UPLOAD}"; }}
/* the size and type line */
[data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: "{upload_hint()}"; font-size: 0.875rem; opacity: 0.7; }}
/* a multiselect's bulk options ("Select all", "Select N matches") */
/* the English text hidden (out of the page's text too) and the Chinese drawn over it, in its own box
   (hiding the box and drawing after the option put 全选 half over the next option) */
[data-key="__select_all__"] > [data-item-hl], [data-key="__select_matches__"] > [data-item-hl] {{
  visibility: hidden; position: relative; }}
[data-key="__select_all__"] > [data-item-hl]::after, [data-key="__select_matches__"] > [data-item-hl]::after {{
  visibility: visible; position: absolute; left: 0; top: 0; white-space: nowrap; }}
[data-key="__select_all__"] > [data-item-hl]::after {{ content: "{SELECT_ALL}"; }}
[data-key="__select_matches__"] > [data-item-hl]::after {{ content: "{SELECT_MATCHES}"; }}
/* the hint while a file is dragged over the drop zone */
{drop} > div.euud7oh1 > span {{ display: none; }}
{drop} > div.euud7oh1::after {{ content: "{DRAG}"; }}
/* a metric's label wraps instead of being cut ("全部…" beside its help icon at 1280 px wide) */
[data-testid="stMetricLabel"] * {{ overflow: visible !important; white-space: normal !important;
  text-overflow: clip !important; }}
"""


def apply() -> None:
    """Once per page run, before any widget."""
    st.html(f"<style>{css()}</style>")
