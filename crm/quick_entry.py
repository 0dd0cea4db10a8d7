"""One-message logging: `/call <who> <note>`, where <who> is a phone in any format or a name
fragment, and the note may end with when to follow up ("call back tomorrow 10:00")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm import phones
from crm.dates import extract_when
from crm.search import SearchResult, search
from storage.models import Outcome

MAX_NAME_WORDS = 4
PHONE_TOKEN = re.compile(r"^[+\d()\-.]+$")

# Words that say how a call went, in en/ru/lt; matched at the start of the note.
OUTCOME_WORDS: dict[Outcome, tuple[str, ...]] = {
    Outcome.no_answer: (
        "no answer",
        "didn't answer",
        "did not answer",
        "не ответил",
        "не ответила",
        "не дозвонился",
        "не дозвонилась",
        "не берет",
        "не берёт",
        "neatsiliepė",
        "neatsiliepia",
    ),
    Outcome.busy: ("busy", "занято", "занят", "занята", "užimta", "užimtas"),
    Outcome.wrong_number: (
        "wrong number",
        "не тот номер",
        "ошиблись номером",
        "neteisingas numeris",
        "ne tas numeris",
    ),
    Outcome.call_back: (
        "call back",
        "callback",
        "перезвонить",
        "перезвонит",
        "перезвоню",
        "perskambinti",
        "perskambins",
        "perskambinsiu",
    ),
    # Only when it stands alone ("talked, prices ok"): "spoke to the CFO" is a note.
    Outcome.talked: (
        "talked",
        "spoke",
        "поговорили",
        "говорили",
        "разговаривали",
        "kalbėjome",
        "pakalbėjome",
        "kalbėjomės",
    ),
}
SEPARATORS = " ,.;:-—"


@dataclass
class QuickEntry:
    who: str
    matches: SearchResult
    note: str
    outcome: Outcome | None  # None when asked not to read one (meetings and notes)
    follow_up_at: datetime | None


def _phone_prefix(tokens: list[str]) -> int:
    """How many leading tokens form a phone number ("+7 912 345-67-89 talked" -> 4)."""
    count = 0
    while count < len(tokens) and PHONE_TOKEN.match(tokens[count]):
        count += 1
    while count and len(phones.digits(" ".join(tokens[:count]))) < 5:
        count -= 1
    return count


def detect_outcome(note: str) -> tuple[Outcome, str]:
    """How the call went, from the words the note starts with, and the rest of the note.

    Whole words only: "call backs" or "занятия" say nothing about the outcome."""
    lowered = note.casefold()
    for outcome, words in OUTCOME_WORDS.items():
        for word in words:
            tail = note[len(word) :]
            if not lowered.startswith(word) or tail[:1].isalnum() or tail[:1] == "_":
                continue
            if outcome == Outcome.talked and tail.strip()[:1] not in ("", *SEPARATORS):
                continue
            return outcome, tail.lstrip(SEPARATORS)
    return Outcome.talked, note


async def parse(
    session: AsyncSession,
    *,
    workspace_id: int,
    text: str,
    region: str,
    now: datetime,
    tz: str,
    outcomes: bool = True,
) -> QuickEntry:
    """`outcomes=False` for meetings and notes: "busy" there is part of the note, not a result."""
    tokens = text.split()
    phone_tokens = _phone_prefix(tokens)
    who, rest, matches = "", text, SearchResult()
    if phone_tokens:
        who = " ".join(tokens[:phone_tokens])
        rest = " ".join(tokens[phone_tokens:])
        matches = await search(session, workspace_id=workspace_id, query=who, region=region)
    else:
        for size in range(min(MAX_NAME_WORDS, len(tokens)), 0, -1):
            candidate = " ".join(tokens[:size]).rstrip(",;:")
            found = await search(session, workspace_id=workspace_id, query=candidate, region=region)
            if found.count:
                who, rest, matches = candidate, " ".join(tokens[size:]), found
                break
        else:
            # nothing matched: the name is what stands before the first comma, or one word
            head, comma, tail = text.partition(",")
            who, rest = (
                (head.strip(), tail.strip())
                if comma
                else (tokens[0] if tokens else "", " ".join(tokens[1:]))
            )
    rest = rest.lstrip(" ,;:-—")
    follow_up_at, rest = extract_when(rest, now=now, tz=tz)
    outcome: Outcome | None = None
    if outcomes:
        outcome, rest = detect_outcome(rest)
        if follow_up_at is not None and outcome == Outcome.talked and not rest:
            outcome = Outcome.call_back
    return QuickEntry(
        who=who, matches=matches, note=rest, outcome=outcome, follow_up_at=follow_up_at
    )
