"""Legacy Word (.doc) and WPS (.wps) documents: converted to .docx by LibreOffice
(`soffice --headless --convert-to docx`) when it is installed, then read as Word.
No Python library reads these binary formats reliably, so conversion is the honest path.
Measured here (2 shared cores, LibreOffice 7.4): 3–5 s per document of the seed's size
(80 KB .doc, 164 items), most of it LibreOffice starting; see bench/docparse_bench.py --legacy."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ingest.docparse.blocks import Block, DocParseError

TIMEOUT = 120


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def writer_installed(exe: str) -> bool:
    """LibreOffice converts text documents only with its Writer component (libswlo); a
    minimal install (core + draw/impress) has soffice but cannot open a .doc."""
    program = Path(os.path.realpath(exe)).parent
    return any(program.glob("libswlo.so*")) or any(program.glob("swlo.dll")) or any(program.glob("libswlo.dylib"))


def read(path: Path) -> list[Block]:
    exe = soffice()
    kind = "WPS" if path.suffix.lower() == ".wps" else "旧版 Word（.doc）"
    if exe is None:
        raise DocParseError(f"无法读取{kind}文件：本机未安装 LibreOffice。请在 Word/WPS 中另存为 .docx 或 PDF 后再导入")
    if not writer_installed(exe):
        raise DocParseError(f"无法读取{kind}文件：本机的 LibreOffice 未安装文字处理组件（Writer），无法转换。"
                            "请在 Word/WPS 中另存为 .docx 或 PDF 后再导入")
    from ingest.docparse.readers import word

    with tempfile.TemporaryDirectory(prefix="onemap-doc-") as tmp:
        src = Path(tmp) / f"source{path.suffix.lower()}"
        shutil.copyfile(path, src)
        try:
            subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "docx",
                            "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=TIMEOUT)
        except (subprocess.SubprocessError, OSError) as exc:
            raise DocParseError(f"{kind}文件转换失败：文件可能已损坏。请在 Word/WPS 中另存为 .docx 后再导入") from exc
        out = Path(tmp) / "source.docx"
        if not out.is_file():
            raise DocParseError(f"{kind}文件转换失败：文件可能已损坏。请在 Word/WPS 中另存为 .docx 后再导入")
        blocks = word.read(out)
    if any(b.level is not None for b in blocks):
        # LibreOffice does not keep Word's lvlRestart 0 (numbers that go on counting across
        # sections): its conversion numbers such lists anew in each section
        blocks.insert(0, Block("", line=0, note=f"{kind}文件经 LibreOffice 转换：Word 自动编号如跨章节连续计数，"
                                                 "转换后会按章节重新编号，请对照原文核对编号"))
    return blocks
