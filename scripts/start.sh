#!/usr/bin/env bash
# Install what is needed, build the demo data if the store is empty, start the app.
# The data directory is $ONEMAP_DATA_DIR (default: var/ in the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/onemap demo --if-empty
exec .venv/bin/streamlit run app.py "$@"
