"""Every user-facing string exists in English, Russian and Lithuanian."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from crm.i18n import SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z]+>")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """Extract from the source now, so a string added without running scripts/i18n.sh fails."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fp:
        return {m.id for m in read_po(fp) if m.id}


def _catalog(locale: str):
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=locale)


def test_source_has_strings(extracted):
    assert len(extracted) > 30


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_string_is_in_the_catalog(locale, extracted):
    catalog = _catalog(locale)
    missing = sorted(m for m in extracted if m not in catalog or catalog[m].fuzzy)
    assert missing == [], f"run scripts/i18n.sh and translate: {missing[:5]}"


@pytest.mark.parametrize("locale", [code for code in SUPPORTED_LOCALES if code != "en"])
def test_every_string_is_translated_with_the_same_placeholders(locale, extracted):
    catalog = _catalog(locale)
    problems = []
    for message in catalog:
        if not message.id or message.id not in extracted:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        for target in targets:
            if not target:
                problems.append(f"untranslated: {source!r}")
            elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
                problems.append(f"placeholders differ: {source!r} -> {target!r}")
            elif sorted(TAG.findall(source)) != sorted(TAG.findall(target)):
                problems.append(f"HTML tags differ: {source!r} -> {target!r}")
    assert problems == []
