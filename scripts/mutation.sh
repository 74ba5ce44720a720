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

"$PY" -m mutmut results --all true | "$PY" scripts/mutation_score.py "${patterns[@]%.\*}"
