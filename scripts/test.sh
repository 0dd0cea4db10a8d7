#!/usr/bin/env bash
# The test command: sets up .venv if needed, lints, then runs every test.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/e2e -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --diff .; exit 1; }
exec .venv/bin/pytest "$@"
