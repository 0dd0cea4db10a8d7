#!/usr/bin/env bash
# The run command: sets up .venv if needed, brings the database schema up to date, starts the
# bot. Arguments go to `python -m bot`, e.g. scripts/run.sh sandbox
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "$#" -eq 0 ] || [ "$1" = "run" ]; then
    .venv/bin/python -m bot db upgrade
fi
exec .venv/bin/python -m bot "$@"
