#!/usr/bin/env bash
# Mutation testing (issue 18): how many small deliberate bugs the unit tests catch.
#
#   scripts/mutation.sh                 # every configured package (slow: hours on one core)
#   scripts/mutation.sh domain store    # only these packages
#   scripts/mutation.sh --score [pkg…]  # print the score of the last run, run nothing
#
# Scoped and sampled runs (what the README figures are; a whole run takes hours on this machine):
#   MUTATION_TESTS="tests/test_units.py tests/test_places_dates.py" MUTATION_SAMPLE=4 \
#     scripts/mutation.sh domain/units.py domain/places.py
# MUTATION_TESTS: run in a scratch copy (MUTATION_DIR, default /tmp/onemap-mutation-<packages>)
# that mutates only the named packages/modules and runs only these test files.
# MUTATION_SAMPLE=N: run and score only the fixed one-in-N sample of mutants (scripts/mutation_sample.py).
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

scripts=$PWD/scripts
if [[ -n "${MUTATION_TESTS:-}" ]]; then
  only=()
  for p in "${pkgs[@]}"; do
    p=${p%/}; p=${p%.py}; p=${p//.//}
    if [[ -f "$p.py" ]]; then only+=("$p.py"); else only+=("$p/*"); fi
  done
  dir=${MUTATION_DIR:-/tmp/onemap-mutation-$(IFS=-; echo "${pkgs[*]//\//_}")}
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # MUTATION_TESTS is a list of test files
  [[ $score_only -eq 1 ]] || "$PY" scripts/mutation_scope.py "$dir" "${only[@]}" -- $MUTATION_TESTS
  cd "$dir"
fi

names=("${patterns[@]}")
sample=()
if [[ -n "${MUTATION_SAMPLE:-}" ]]; then
  sample=(--sample "$MUTATION_SAMPLE")
  if [[ $score_only -eq 0 ]]; then
    # mutmut lists its mutants once they exist: generate them (and the coverage stats) first
    nice -n 19 "$PY" -m mutmut run --max-children "${MUTATION_WORKERS:-1}" "__none__" >/dev/null 2>&1 || true
    mapfile -t names < <("$PY" -m mutmut results --all true \
      | "$PY" "$scripts/mutation_sample.py" "$MUTATION_SAMPLE" "${patterns[@]%.\*}")
  fi
fi

if [[ $score_only -eq 0 && ${#names[@]} -eq 0 ]]; then
  echo "no mutant in the sample" >&2
elif [[ $score_only -eq 0 ]]; then
  # mutmut exits non-zero when mutants survive; the score below is the result.
  nice -n 19 "$PY" -m mutmut run --max-children "${MUTATION_WORKERS:-1}" "${names[@]}" || true
fi

"$PY" -m mutmut results --all true | "$PY" "$scripts/mutation_score.py" "${sample[@]}" "${patterns[@]%.\*}"
