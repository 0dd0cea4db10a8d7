"""Reading how a call went from the start of a one-message note."""

from __future__ import annotations

import pytest

from crm.quick_entry import detect_outcome
from storage.models import Outcome


@pytest.mark.parametrize(
    ("note", "outcome", "rest"),
    [
        ("no answer", Outcome.no_answer, ""),
        ("Busy, call later", Outcome.busy, "call later"),
        ("не ответила, оставила сообщение", Outcome.no_answer, "оставила сообщение"),
        ("neatsiliepė", Outcome.no_answer, ""),
        ("wrong number.", Outcome.wrong_number, ""),
        ("talked, prices ok", Outcome.talked, "prices ok"),
        ("talked", Outcome.talked, ""),
        ("поговорили — ждут КП", Outcome.talked, "ждут КП"),
        ("kalbėjome", Outcome.talked, ""),
        # whole words only
        ("call backs are annoying", Outcome.talked, "call backs are annoying"),
        ("занятия начнутся в мае", Outcome.talked, "занятия начнутся в мае"),
        ("busybody", Outcome.talked, "busybody"),
        # "talked" is an outcome only when it stands alone
        ("spoke to the CFO", Outcome.talked, "spoke to the CFO"),
        ("talked about prices", Outcome.talked, "talked about prices"),
        ("", Outcome.talked, ""),
    ],
)
def test_outcome_words_at_the_start_of_the_note(note, outcome, rest):
    assert detect_outcome(note) == (outcome, rest)
