#!/usr/bin/env bash
# The main job on a fresh machine: create .venv, install, train, then serve.
#
#   bash scripts/run.sh
#
# Trains on data/creditcard.csv when it exists, otherwise on the labelled SYNTHETIC
# demo set, writes the bundle to artifacts/ and serves it on http://127.0.0.1:8000.
# HOST, PORT and WORKERS override where and how it serves.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/venv.sh
install_into_venv

.venv/bin/python -m training --data data/creditcard.csv --demo-if-missing --out artifacts

exec .venv/bin/python -m service --artifacts artifacts \
    --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" ${WORKERS:+--workers "$WORKERS"}
