#!/usr/bin/env bash
# Install what is needed, build the demo data if the store is empty, start the app.
# The data directory is $ONEMAP_DATA_DIR (default: var/ in the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
# The bureau's clock: "today" (逾期/临期), the record's times and a lockout's end are local time.
# A server set to UTC (most containers) would show 08:00 as 00:00; TZ set by the host wins.
export TZ="${TZ:-Asia/Shanghai}"
scripts/setup.sh
.venv/bin/onemap demo --if-empty
exec .venv/bin/streamlit run app.py "$@"
