"""A fixed sample of mutant names, for packages too slow to run whole (issue 18).

    python -m mutmut results --all true | python scripts/mutation_sample.py 10 store ingest.sites

Prints the names of the mutants of the given packages/modules whose CRC-32 is 0 modulo N: about one
in N, chosen by name only, so the same sample comes back on every machine and run. Pass the names to
`mutmut run NAME …`, and the same sample to `mutation_score.py --sample N` for its score."""

from __future__ import annotations

import sys
import zlib


def in_sample(name: str, n: int) -> bool:
    return zlib.crc32(name.encode()) % n == 0


def main(argv: list[str]) -> None:
    n, prefixes = int(argv[0]), tuple(p + "." for p in argv[1:])
    for line in sys.stdin:
        name, sep, _ = line.strip().rpartition(": ")
        if sep and name.startswith(prefixes) and in_sample(name, n):
            print(name)


if __name__ == "__main__":
    main(sys.argv[1:])
