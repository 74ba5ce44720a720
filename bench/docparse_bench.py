"""Document-import benchmark (issue 12, "Measured, not hoped"): prints, for every source ×
variant of the corpus in tests/doc_corpus/, item precision and recall, units exact, deadlines
right, bodies intact, targets told apart, and the count of silent losses. Asserts nothing.

  python bench/docparse_bench.py [--only jj_work_points] [--details] [--markdown | --summary]

--summary prints variant × source, each cell the lowest measure (and which), for README.md.
--legacy reads every source's Word-numbered variant saved as .doc by LibreOffice (needs LibreOffice
Writer) through the .doc reader, timing the conversion, and scores it.

The parser measured is whatever `ingest.docparse` is first on the path, so another branch's
parser can be measured with this corpus:
  PYTHONPATH=../other-checkout:. python bench/docparse_bench.py   (measure another checkout's parser)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH: a parser given there is the one measured


def _corpus():
    """Import the corpus from this tree even when another tree's `tests` package is first."""
    import tests

    if str(ROOT / "tests") not in list(tests.__path__):
        tests.__path__.append(str(ROOT / "tests"))
    from tests.doc_corpus import run
    from tests.doc_corpus.score import MEASURES

    return run, MEASURES


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="", help="only cases whose 'source/variant' contains this")
    ap.add_argument("--details", action="store_true", help="print the first failures of each case")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--summary", action="store_true", help="variant × source, lowest measure per cell (Markdown)")
    ap.add_argument("--legacy", action="store_true", help="the Word-numbered variant as .doc, through LibreOffice")
    args = ap.parse_args()
    run, measures = _corpus()
    if args.legacy:
        _legacy(run, measures, args.only)
        return
    import ingest.docparse as parser_module

    out = Path(tempfile.mkdtemp(prefix="onemap-doccorpus-"))
    print(f"parser: {Path(parser_module.__file__).resolve()}")
    head = ["source", "variant", *measures, "silent", "items"]
    if args.summary:
        _summary(run, measures, out, args.only)
        return
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
    else:
        print(f"{'source':18} {'variant':15} " + " ".join(f"{m[:9]:>9}" for m in measures) + "    silent  items")
    worst = {m: 1.0 for m in measures}
    silent_total = 0
    t0 = time.perf_counter()
    for source, variant in run.cases():
        if args.only and args.only not in f"{source}/{variant}":
            continue
        sc, err = run.evaluate(source, variant, out / source)
        values = sc.measures()
        for m in measures:
            worst[m] = min(worst[m], values[m])
        silent_total += sc.silent_losses
        items = f"{sc.matched}/{sc.truth_items}"
        if args.markdown:
            cells = [f"{values[m] * 100:.0f} %" for m in measures]
            print(f"| {source} | {variant} | " + " | ".join(cells) + f" | {sc.silent_losses} | {items} |")
        else:
            print(f"{source:18} {variant:15} " + " ".join(f"{values[m] * 100:8.1f}%" for m in measures)
                  + f" {sc.silent_losses:7d}  {items}" + (f"  ! {err}" if err else ""))
        if args.details:
            for p in sc.problems:
                print(f"      {p}")
    print("worst: " + ", ".join(f"{m} {v * 100:.1f} %" for m, v in worst.items())
          + f"; silent losses {silent_total}; {time.perf_counter() - t0:.1f} s (generation included)")


def _summary(run, measures, out: Path, only: str) -> None:
    grid: dict[str, dict[str, str]] = {}
    sources: list[str] = []
    for source, variant in run.cases():
        if only and only not in f"{source}/{variant}":
            continue
        sc, _err = run.evaluate(source, variant, out / source)
        values = sc.measures()
        low = min(measures, key=lambda m: values[m])
        cell = "100" if values[low] >= 0.995 else f"{values[low] * 100:.0f} {low}"
        if sc.silent_losses:
            cell += f", {sc.silent_losses} silent"
        grid.setdefault(variant, {})[source] = cell
        if source not in sources:
            sources.append(source)
    print("| variant | " + " | ".join(sources) + " |")
    print("|---|" + "---|" * len(sources))
    for variant, row in grid.items():
        print(f"| {variant} | " + " | ".join(row.get(s, "–") for s in sources) + " |")


def _legacy(run, measures, only: str) -> None:
    """.doc (written by LibreOffice from the docx_numbering variant) → the project's .doc reader
    (LibreOffice converts it back to .docx): seconds per read, and the measures."""
    import subprocess

    from ingest.docparse import parse_document
    from ingest.docparse.readers import legacy
    from tests.doc_corpus.generate import build
    from tests.doc_corpus.model import SOURCES
    from tests.doc_corpus.score import score

    exe = legacy.soffice()
    if exe is None or not legacy.writer_installed(exe):
        print("LibreOffice Writer is not installed: nothing measured")
        return
    out = Path(tempfile.mkdtemp(prefix="onemap-legacy-"))
    print(f"{'source':18} {'read .doc':>9} " + " ".join(f"{m[:9]:>9}" for m in measures) + "    silent  items")
    for source in SOURCES:
        if only and only not in source:
            continue
        path, truth = build(source, "docx_numbering", out / source)
        subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{out}/profile", "--convert-to", "doc",
                        "--outdir", str(path.parent), str(path)], check=True, capture_output=True, timeout=300)
        t0 = time.perf_counter()
        doc = parse_document(path.with_suffix(".doc"), run.unit_parser(SOURCES[source][2]))
        took = time.perf_counter() - t0
        sc = score(doc, truth)
        values = sc.measures()
        print(f"{source:18} {took:8.1f}s " + " ".join(f"{values[m] * 100:8.1f}%" for m in measures)
              + f" {sc.silent_losses:7d}  {sc.matched}/{sc.truth_items}")


if __name__ == "__main__":
    main()
