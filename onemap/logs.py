"""Logging: module loggers everywhere, and one file in the data directory
(`logs/onemap.log`, rotated) where unexpected errors are written with their traceback —
so the administrator can see what the user was spared (the user gets a Chinese message
and the log file's name, never a traceback)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from onemap import settings

_handler: logging.Handler | None = None


def log_file() -> Path:
    return settings.data_dir() / "logs" / "onemap.log"


def setup() -> Path:
    """Point the process's one rotating log file at the current data directory (idempotent;
    a process that changes data directory, like the test suite, moves the file with it)."""
    global _handler
    path = log_file()
    if _handler is None or Path(_handler.baseFilename) != path:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8",
                                                       delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        if _handler is not None:
            root.removeHandler(_handler)
            _handler.close()
        root.addHandler(handler)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
        # migrations' and font subsetting's chatter is not news (a deck wrote 300 lines per font)
        for noisy in ("alembic", "fontTools"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        _handler = handler
    return path


def unexpected(logger: logging.Logger, what: str) -> str:
    """Log the exception being handled with its traceback; return the user's Chinese message."""
    path = setup()
    logger.exception("unexpected error during %s", what)
    return f"系统错误：{what}未完成，未写入任何数据。详细信息已记录在日志 {path}，请联系系统管理员。"
