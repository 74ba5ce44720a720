"""The app's pages by name, so one page can send the user to another."""

from __future__ import annotations

import streamlit as st

_pages: dict[str, st.Page] = {}


def register(name: str, page) -> None:
    _pages[name] = page


def has(name: str) -> bool:
    return name in _pages


def go(name: str) -> None:
    """Switch to a page; where it is not part of the app (a page run on its own), rerun."""
    if name in _pages:
        st.switch_page(_pages[name])
    st.rerun()


def name_of(page) -> str | None:
    return next((n for n, p in _pages.items() if p is page), None)
