from __future__ import annotations

import pytest

from handlers.command_text import CommandLine, is_command, parse_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", CommandLine("start", None, ())),
        ("/start@CrmBot", CommandLine("start", "CrmBot", ())),
        ("/start@OtherBot", CommandLine("start", "OtherBot", ())),
        ("/start@", CommandLine("start", None, ())),
        ("/start inv-abc123", CommandLine("start", None, ("inv-abc123",))),
        ("/find@CrmBot  Ivan   Petrov ", CommandLine("find", "CrmBot", ("Ivan", "Petrov"))),
        ("/digest\nsettings", CommandLine("digest", None, ("settings",))),
    ],
)
def test_a_command_its_addressee_and_its_arguments(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", [None, "", "   ", "start", "Petrov /start", "hello/start"])
def test_text_that_does_not_start_with_a_command(text):
    assert parse_command(text) is None
    assert not is_command(text, "start")


def test_is_command_matches_the_name_whoever_it_is_addressed_to():
    # the gate lets these through; CommandHandler then ignores the one for another bot
    for text in ("/license", "/license@CrmBot", "/license@OtherBot", "/license vat"):
        assert is_command(text, "license")
    assert not is_command("/licenses", "license")
    assert not is_command("/lic", "license")
    assert is_command("/LICENSE", "license")  # as CommandHandler reads it
    assert is_command("/Start@CrmBot", "start")
