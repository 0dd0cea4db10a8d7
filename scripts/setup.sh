#!/usr/bin/env bash
# Everything a fresh machine needs, done once and then skipped while nothing changed:
# a virtualenv in .venv, the package with its dev tools, compiled translation catalogs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
    touch "$stamp"
fi
.venv/bin/pybabel compile --domain messages --directory locales --use-fuzzy >/dev/null
