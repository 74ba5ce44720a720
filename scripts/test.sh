#!/usr/bin/env bash
# Install (with test tools), lint, run the whole test suite.
# Browser tests need /usr/bin/chromium (Debian: chromium, fonts-noto-cjk); they are skipped
# without it unless ONEMAP_REQUIRE_BROWSER=1, which CI sets.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
