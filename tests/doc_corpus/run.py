"""Generate one variant, parse it with the project's parser, score it (used by the test and
by bench/docparse_bench.py, so both report the same figures)."""

from __future__ import annotations

from pathlib import Path

from tests.doc_corpus.generate import build, variants_for
from tests.doc_corpus.model import CITIES, SOURCES
from tests.doc_corpus.score import Score, score


def unit_parser(city: str):
    from domain.places import PlaceSet
    from domain.units import UnitParser

    if CITIES[city] is None:
        from geo.region import load_region

        return UnitParser(load_region("360200").places)
    return UnitParser(PlaceSet.from_dict(CITIES[city]))


def cases() -> list[tuple[str, str]]:
    return [(s, v) for s in SOURCES for v in variants_for(s)]


def evaluate(source: str, variant: str, out_dir: Path) -> tuple[Score, str]:
    """(score, error) — a parser exception scores zero and is reported, not raised."""
    from ingest.docparse import parse_document

    path, truth = build(source, variant, out_dir)
    try:
        doc = parse_document(path, unit_parser(SOURCES[source][2]))
    except Exception as exc:  # noqa: BLE001 - the bench reports any failure of the parser
        sc = Score(truth_items=sum(1 + len(t["children"]) for t in truth["items"]), targets=0.0)
        sc.note(f"{type(exc).__name__}: {exc}")
        return sc, f"{type(exc).__name__}: {str(exc)[:80]}"
    return score(doc, truth), ""
