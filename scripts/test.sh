#!/usr/bin/env bash
# Set up .venv with the dev tools and run lint and the whole test suite.
#
#   bash scripts/test.sh            # extra arguments go to pytest, e.g. -k loss
#
# Real-data tests run when ../shared/data/creditcard_real_rows.csv exists and skip
# otherwise; REQUIRE_REAL_DATA=1 makes them mandatory.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/venv.sh
install_into_venv '[dev]'

.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
