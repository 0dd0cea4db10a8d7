"""A digest as text: totals with their change, reps, busiest organizations, inactive reps,
imports; HTML escaped; split between reps under Telegram's limit."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from crm.digests import periods
from crm.digests.model import (
    BusyOrganization,
    Change,
    Counts,
    Digest,
    ImportMade,
    RepSummary,
)
from crm.i18n import Catalogs
from handlers.digest_text import change_text, period_text, render_digest
from handlers.message_split import MESSAGE_LIMIT, split_messages
from storage.models import Outcome

CATALOGS = Catalogs()
EN = CATALOGS.translator("en", "Europe/Vilnius")
RU = CATALOGS.translator("ru", "Europe/Vilnius")
WEEK = periods.week_of(date(2026, 11, 16), "Europe/Vilnius")


NOTHING = Counts()


def _digest(reps, totals=NOTHING, previous=NOTHING, **more) -> Digest:
    return Digest(
        period=WEEK,
        previous=periods.previous(WEEK),
        reps=tuple(reps),
        totals=totals,
        previous_totals=previous,
        **more,
    )


def test_changes_read_as_arrows_and_percent():
    assert change_text(Change(112, 100), EN) == "↑ 12%"
    assert change_text(Change(95, 100), EN) == "↓ 5%"
    assert change_text(Change(7, 7), EN) == "→ 0%"
    assert change_text(Change(3, 0), EN) == "new"
    assert change_text(Change(0, 0), EN) == ""


def test_periods_are_written_in_the_readers_language():
    assert period_text(WEEK, EN) == "Nov 16\u2009–\u200922, 2026"
    assert "нояб" in period_text(WEEK, RU)
    day = periods.day_of(date(2026, 11, 25), "Europe/Vilnius")
    assert period_text(day, EN) == "Wed, Nov 25, 2026"


def test_a_digest_shows_totals_reps_organizations_idle_reps_and_imports():
    anna = RepSummary(
        1,
        "Anna <Sales>",
        Counts(calls=5, meetings=1, new_contacts=2, followups_overdue=1),
        {Outcome.talked: 3, Outcome.no_answer: 1, None: 1},
    )
    boris = RepSummary(2, "Boris", Counts(followups_overdue=2))
    digest = _digest(
        [anna, boris],
        totals=Counts(calls=5, meetings=1, new_contacts=2, followups_overdue=3),
        previous=Counts(calls=4, meetings=2, followups_overdue=3),
        busiest_organizations=(BusyOrganization(7, "Romashka & Co", 4),),
        imports=(
            ImportMade(3, "Anna", "clients.xlsx", 10, 20, datetime(2026, 11, 17, tzinfo=UTC)),
        ),
    )
    [text] = render_digest(digest, EN, title="📊 <b>Weekly digest</b>")
    assert text.startswith("📊 <b>Weekly digest</b>\nNov 16\u2009–\u200922, 2026")
    assert "Calls: 5 (↑ 25%)" in text
    assert "Meetings: 1 (↓ 50%)" in text
    assert "New contacts: 2 (new)" in text
    assert "Overdue follow-ups: 3 (→ 0%)" in text
    assert "New organizations" not in text  # zero both times
    assert "👤 <b>Anna &lt;Sales&gt;</b>" in text
    assert "Calls: 5 (talked 3, no answer 1, outcome not given 1) · Meetings: 1" in text
    assert "🏢 Romashka &amp; Co — 4" in text
    assert "<b>No activity:</b> Boris" in text
    assert "👤 <b>Boris</b>" not in text  # an overdue follow-up alone is not work done
    assert "📥 clients.xlsx (Anna): new organizations 10, new contacts 20" in text


def test_a_rep_who_left_shows_their_work_marked_and_is_never_idle():
    ausra = RepSummary(3, "Ausra", Counts(calls=2), {Outcome.talked: 2}, left_team=True)
    gone_idle = RepSummary(4, "Jonas", Counts(followups_overdue=1), left_team=True)
    boris = RepSummary(2, "Boris", Counts())
    digest = _digest([ausra, boris, gone_idle], totals=Counts(calls=2, followups_overdue=1))
    [text] = render_digest(digest, EN, title="Digest")
    assert "👤 <b>Ausra (left the team)</b>\nCalls: 2 (talked 2)" in text
    assert "<b>No activity:</b> Boris" in text and "Jonas" not in text
    assert digest.inactive_reps == (boris,)
    [text] = render_digest(digest, RU, title="Digest")
    assert "👤 <b>Ausra (больше не в команде)</b>" in text


def test_an_empty_period_says_so():
    [text] = render_digest(_digest([]), EN, title="Digest")
    assert "Nothing was logged in this period." in text


def test_sixty_reps_split_cleanly_between_reps_under_the_limit():
    reps = [
        RepSummary(
            n,
            f"Representative number {n:02d} with a long name",
            Counts(calls=n, meetings=1, new_organizations=2, new_contacts=3, followups_done=4),
            {Outcome.talked: n, Outcome.busy: 1, Outcome.wrong_number: 2},
        )
        for n in range(1, 61)
    ]
    messages = render_digest(_digest(reps, totals=Counts(calls=1830)), RU, title="Дайджест")
    assert len(messages) > 1
    assert all(len(message) <= MESSAGE_LIMIT for message in messages)
    joined = "\n\n".join(messages)
    names = re.findall(r"number (\d\d)", joined)
    assert names == [f"{n:02d}" for n in range(1, 61)]  # each rep once, in order
    for message in messages[1:]:
        assert message.startswith("👤 <b>")  # a message begins with a whole rep
    assert messages[0].startswith("Дайджест")


def test_an_oversized_block_is_cut_at_line_ends():
    block = "\n".join("x" * 100 for _ in range(100))
    messages = split_messages(["head", block], limit=1000)
    assert all(len(m) <= 1000 for m in messages)
    assert "".join(messages).count("x") == 100 * 100


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_a_long_list_of_idle_people_is_split_between_names_none_lost():
    reps = [RepSummary(n, f"Idle person number {n:03d}", NOTHING) for n in range(1, 401)]
    messages = render_digest(_digest(reps), EN, title="Digest")
    assert all(_utf16(m) <= MESSAGE_LIMIT for m in messages)
    assert all(m.count("<b>") == m.count("</b>") for m in messages)  # valid markup each
    names = re.findall(r"number (\d{3})", "\n\n".join(messages))
    assert names == [f"{n:03d}" for n in range(1, 401)]  # each once, whole, in order


def test_the_limit_is_counted_as_telegram_does_in_utf_16_units():
    # an emoji is one Python character but two UTF-16 units, as Telegram counts
    reps = [
        RepSummary(n, "😀" * 60 + f" {n:02d}", Counts(calls=1), {Outcome.talked: 1})
        for n in range(1, 61)
    ]
    messages = render_digest(_digest(reps, totals=Counts(calls=60)), EN, title="Digest")
    assert all(_utf16(m) <= MESSAGE_LIMIT for m in messages)
