"""Streamlit uploads as files on disk, for the store to copy (content-addressed)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def uploaded_files(files) -> Iterator[list[Path]]:
    """Each upload written under its own name (kept for the record), removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, f in enumerate(files or []):
            p = Path(tmp) / str(i) / Path(f.name).name
            p.parent.mkdir()
            p.write_bytes(f.getvalue())
            paths.append(p)
        yield paths
