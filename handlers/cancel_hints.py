"""How a question of a multi-message flow tells the user that /cancel leaves it.

One place for the hint, so every flow says it the same way and the catalogs hold one
translation of it instead of a copy inside each question."""

from __future__ import annotations

from crm.i18n import Translator


def cancel_hint(_: Translator) -> str:
    return _("(Send /cancel to stop.)")


def with_cancel_hint(_: Translator, question: str, separator: str = "\n") -> str:
    """`question` (already translated) followed by the hint; `separator` is " " where the
    hint continues the question's line."""
    return question + separator + cancel_hint(_)


def tap_a_button(_: Translator) -> str:
    """The reply to typed text at a step that only takes a button."""
    return _("Please tap one of the buttons (or send /cancel to stop).")
