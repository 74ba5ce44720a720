"""The app's one error boundary (architecture notes §4): a refusal the user can act on
(`ServiceError`, `ImportFailed`, `DocParseError`, …) is shown as its Chinese message; anything
else is written with its traceback to the data directory's log file (onemap/logs.py) and the
user reads "系统错误 … 已记录" — never a traceback. Pages run inside `run`; button callbacks
(which Streamlit calls before the page, outside `run`) are wrapped by `guarded`."""

from __future__ import annotations

import functools
import logging

import streamlit as st

from onemap import logs

log = logging.getLogger("onemap.ui")
PENDING = "_boundary_error"  # a callback's failure, shown on the page run that follows it


def _user_errors() -> tuple[type[BaseException], ...]:
    from domain.status import TransitionError
    from geo.region import RegionError
    from ingest.docparse import DocParseError
    from ingest.report import ImportFailed
    from onemap.services import ServiceError
    from onemap.settings import SettingError
    from store.backup import BackupError
    from store.repo import StoreError

    return (ServiceError, ImportFailed, DocParseError, RegionError, SettingError, BackupError, TransitionError,
            StoreError)


def message(exc: Exception, what: str) -> str:
    """The user's Chinese message for an exception being handled (unexpected ones are logged)."""
    from ingest.report import ImportFailed

    if isinstance(exc, ImportFailed):
        return f"未写入任何数据：\n{exc.report.text()}"
    if isinstance(exc, _user_errors()):
        return str(exc)
    return logs.unexpected(log, what)


def show_pending() -> None:
    """A callback's failure or refusal, shown once on the page run that follows it."""
    pending = st.session_state.pop(PENDING, None)
    if pending:
        st.error(pending)


def run(page) -> None:
    """Run a page (st.Page) inside the boundary."""
    show_pending()
    try:
        page.run()
    except Exception as exc:  # noqa: BLE001 - the boundary: Streamlit's rerun/stop are BaseExceptions and pass
        st.error(message(exc, f"页面“{getattr(page, 'title', '')}”的操作"))


def guarded(what: str):
    """Wrap a widget callback: a failure is kept for the page to show (the typed text stays in
    the session state, since only a success clears it)."""
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - the boundary for callbacks
                st.session_state[PENDING] = message(exc, what)
                return None
        return inner
    return wrap
