"""Reading "/command@botname args" out of a message's text, for the code that must know the
command before python-telegram-bot's CommandHandler sees it (the access gate).

The addressee ("@botname") is split off but not checked: the gate only decides whether a
stranger may get as far as the command handlers, and CommandHandler itself ignores a command
addressed to another bot. Names are compared ignoring case, as CommandHandler compares them
("/Start" is /start): a stranger is not refused what the handler would answer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandLine:
    name: str  # without the slash: "start"
    addressee: str | None  # "CrmBot" in "/start@CrmBot", else None
    args: tuple[str, ...]  # the words after the command


def parse_command(text: str | None) -> CommandLine | None:
    """The command a message starts with, or None when it starts with no command."""
    words = (text or "").split()
    if not words or not words[0].startswith("/"):
        return None
    name, _, addressee = words[0][1:].partition("@")
    return CommandLine(name, addressee or None, tuple(words[1:]))


def is_command(text: str | None, name: str) -> bool:
    """Whether the text is /name (to any addressee, with or without arguments, in any case)."""
    command = parse_command(text)
    return command is not None and command.name.lower() == name.lower()
