"""OFD (GB/T 33190). No well-kept, permissively licensed Python reader exists today (the
PyPI packages are unmaintained or render to images only), so the file is refused with
what to do instead; an OFD is a zip of XML, recognised here so the message is specific."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.docparse.blocks import Block, DocParseError


def read(path: Path) -> list[Block]:
    if not zipfile.is_zipfile(path):
        raise DocParseError("文件不是有效的 OFD 版式文件（可能已损坏）")
    raise DocParseError("暂不支持直接读取 OFD 版式文件：请用数科/福昕等 OFD 阅读器“另存为/导出”PDF（保留文字）"
                        "或 Word 后再导入")
