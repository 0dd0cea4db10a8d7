#!/usr/bin/env bash
# Refresh the gettext catalogs after changing user-facing strings:
#   scripts/i18n.sh          extract strings and merge them into en/ru/lt catalogs
# then translate the new entries in locales/{ru,lt}/LC_MESSAGES/messages.po (en stays as is).
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
"$PYBABEL" extract -F babel.cfg -k N_ --no-wrap --sort-by-file \
    --project=crm-bot --copyright-holder="crm-bot authors" -o locales/messages.pot .
for lang in en ru lt; do
    if [ -f "locales/$lang/LC_MESSAGES/messages.po" ]; then
        "$PYBABEL" update -i locales/messages.pot -d locales -l "$lang" --no-wrap --no-fuzzy-matching
    else
        "$PYBABEL" init -i locales/messages.pot -d locales -l "$lang" --no-wrap
    fi
done
