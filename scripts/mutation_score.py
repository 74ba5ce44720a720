"""Kill score per package and module from `mutmut results --all true` (read on stdin).

    python -m mutmut results --all true | python scripts/mutation_score.py domain store
    python -m mutmut results --all true | python scripts/mutation_score.py --sample 10 store

With --sample N only the fixed one-in-N sample of mutation_sample.py is counted.

Score = (killed + timeout) / mutants tested. Mutants no unit test reaches ("no tests")
count as not killed; "not checked"/"skipped" (not run yet) are left out."""

from __future__ import annotations

import collections
import re
import sys

from mutation_sample import in_sample


def module_of(name: str) -> str:
    """`domain.status.x_derived_flag__mutmut_3` / `store.repo.xǁClassǁmethod__mutmut_1` → module."""
    return re.split(r"\.x[_ǁ]", name, maxsplit=1)[0]


def tally(lines, packages: list[str], sample: int = 1) -> dict[str, collections.Counter]:
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in lines:
        name, sep, status = line.strip().rpartition(": ")
        if not sep or not in_sample(name, sample):
            continue
        pkg = next((p for p in packages if name.startswith(p + ".")), None)
        if pkg:
            counts[pkg][status] += 1
            counts["  " + module_of(name)][status] += 1
    return counts


def row(label: str, c: collections.Counter) -> str:
    tested = sum(c.values()) - c["not checked"] - c["skipped"]
    killed = c["killed"] + c["timeout"]
    other = tested - killed - c["survived"] - c["no tests"]
    score = f"{100 * killed / tested:.1f} %" if tested else "-"
    return (f"{label:<30} {tested:>7} {c['killed']:>6} {c['timeout']:>7} {c['survived']:>8} {c['no tests']:>8} "
            f"{other:>5}  {score}")


def main(argv: list[str]) -> None:
    sample = 1
    if argv[:1] == ["--sample"]:
        sample, argv = int(argv[1]), argv[2:]
    packages = argv or ["domain", "store", "ingest", "exports", "ui.filters"]
    counts = tally(sys.stdin, packages, sample)
    print(f"{'package / module':<30} {'mutants':>7} {'killed':>6} {'timeout':>7} {'survived':>8} {'no tests':>8} "
          f"{'other':>5}  score")
    for pkg in packages:
        print(row(pkg, counts[pkg]))
        for label in sorted(k for k in counts if k.startswith("  " + pkg + ".")):
            print(row(label, counts[label]))


if __name__ == "__main__":
    main(sys.argv[1:])
