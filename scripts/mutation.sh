#!/usr/bin/env bash
# Mutation testing (issue 18): how many small deliberate bugs the unit tests catch.
#
#   scripts/mutation.sh                 # every configured package (slow: hours on one core)
#   scripts/mutation.sh domain store    # only these packages
#   scripts/mutation.sh --score [pkg…]  # print the score of the last run, run nothing
#
# Configured in pyproject.toml [tool.mutmut] (mutmut 3, the `mutation` extra).
# Not run in CI: it is slow. Runs niced with MUTATION_WORKERS worker processes (default 1).
# Score = (killed + timeout) / mutants tested; "no tests" mutants (code no unit test reaches)
# count as not killed. Survivors: `mutmut results`, one diff: `mutmut show NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n "${PYTHON:-}" ]]; then PY=$PYTHON
elif [[ -x .venv/bin/python ]]; then PY=.venv/bin/python
else PY=python3; fi

score_only=0
if [[ "${1:-}" == "--score" ]]; then score_only=1; shift; fi
pkgs=("$@")
[[ ${#pkgs[@]} -eq 0 ]] && pkgs=(domain store ingest exports ui.filters)
patterns=()
for p in "${pkgs[@]}"; do
  p=${p%/}; p=${p%.py}; p=${p//\//.}
  patterns+=("$p.*")
done

if [[ $score_only -eq 0 ]]; then
  # mutmut exits non-zero when mutants survive; the score below is the result.
  nice -n 19 "$PY" -m mutmut run --max-children "${MUTATION_WORKERS:-1}" "${patterns[@]}" || true
fi

"$PY" -m mutmut results --all true | "$PY" -c '
import collections, sys
want = sys.argv[1:]
counts = collections.defaultdict(collections.Counter)
for line in sys.stdin:
    name, sep, status = line.strip().rpartition(": ")
    if not sep:
        continue
    pkg = next((p for p in want if name.startswith(p + ".")), None)
    if pkg:
        counts[pkg][status] += 1
print(f"{\"package\":<12} {\"mutants\":>7} {\"killed\":>6} {\"timeout\":>7} {\"survived\":>8} {\"no tests\":>8} {\"other\":>5}  score")
for pkg in want:
    c = counts[pkg]
    skipped = c["not checked"] + c["skipped"]
    tested = sum(c.values()) - skipped
    killed = c["killed"] + c["timeout"]
    other = tested - killed - c["survived"] - c["no tests"]
    score = f"{100 * killed / tested:.1f} %" if tested else "-"
    print(f"{pkg:<12} {tested:>7} {c[\"killed\"]:>6} {c[\"timeout\"]:>7} {c[\"survived\"]:>8} {c[\"no tests\"]:>8} {other:>5}  {score}")
' "${patterns[@]%.\*}"
