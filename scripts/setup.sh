#!/usr/bin/env bash
# Create .venv and install the project with pinned versions (constraints.txt), then
# fetch the front-end assets from the npm registry (pinned, sha512-checked).
# Re-running is cheap: nothing is reinstalled while pyproject.toml and constraints.txt are unchanged.
# Usage: scripts/setup.sh [extras]   e.g. scripts/setup.sh dev
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.onemap-installed"
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)-${extras}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  spec="."
  [ -n "$extras" ] && spec=".[${extras}]"
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e "$spec"
  echo "$want" > "$stamp"
fi
.venv/bin/python -m onemap.assets
