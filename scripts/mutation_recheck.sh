#!/usr/bin/env bash
# Re-run surviving mutants of a finished (scoped) mutation run against test files written since
# (issue 18). mutmut only runs the tests its coverage stats name for a mutant, so a new test file
# is never tried on the old survivors; this runs it on each, one at a time, niced.
#
#   scripts/mutation_recheck.sh /tmp/onemap-mutation-exports tests/test_mut_exports.py [more test files]
#
# The survivors are those `mutmut results` lists as "survived" or "no tests" in that scratch copy.
# The named test files are first copied from this work tree into its mutants/ folder (the source
# there must be unchanged since the run). Prints "killed NAME" or "survived NAME" per mutant and the
# count; a test that fails with the mutant in place kills it. RECHECK_ARGS: more pytest arguments
# (e.g. RECHECK_ARGS=--deselect=tests/x.py::test_y to leave out a test of code changed since the run).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=$1; shift
PY=${PYTHON:-python3}
for t in "$@"; do cp "$root/$t" "$dir/mutants/$t"; done
mapfile -t names < <(cd "$dir" && "$PY" -m mutmut results --all true 2>/dev/null \
  | awk -F': ' '$2 == "survived" || $2 == "no tests" {gsub(/^ +/, "", $1); print $1}')
# the unmutated code must pass them, or every "kill" below would mean nothing
if ! (cd "$dir/mutants" && MUTANT_UNDER_TEST=none PYTHONPATH=. timeout 600 nice -n 10 "$PY" -m pytest -x -q \
        -p no:cacheprovider ${RECHECK_ARGS:-} "$@" >/dev/null 2>&1); then
  echo "the test files fail without a mutant: fix them first" >&2; exit 1
fi
killed=0
for n in "${names[@]}"; do
  if (cd "$dir/mutants" && MUTANT_UNDER_TEST=$n PYTHONPATH=. timeout 600 nice -n 10 "$PY" -m pytest -x -q \
        -p no:cacheprovider ${RECHECK_ARGS:-} "$@" >/dev/null 2>&1); then
    echo "survived $n"
  else
    echo "killed $n"; killed=$((killed + 1))
  fi
done
echo "re-checked ${#names[@]}: killed $killed, survived $(( ${#names[@]} - killed ))"
