"""The digest's chart (calls per rep per day, stacked by outcome) with labels in the reader's
language, drawn in a worker thread: a big team's picture takes seconds of CPU, which on the
event loop would stall every other chat meanwhile."""

from __future__ import annotations

import asyncio
import threading

from crm.digests.chart import calls_chart
from crm.digests.model import Digest
from crm.i18n import Translator
from handlers.digest_text import outcome_label, rep_label, short_day
from storage.models import Outcome

# matplotlib promises no thread safety, even for separate figures: one picture at a time
_DRAWING = threading.Lock()


async def chart_png(digest: Digest, _: Translator) -> bytes | None:
    """PNG bytes, or None when nobody made a call."""
    if not digest.calls_per_day:
        return None
    labels = {outcome: outcome_label(outcome, _) for outcome in [*Outcome, None]}
    # a panel is titled as the text's section is: "Ausra (left the team)"
    names = {rep.member_id: rep_label(rep, _) for rep in digest.reps if rep.left_team}
    return await asyncio.to_thread(_draw, digest, names, labels, _("Calls per rep per day"), _)


def _draw(digest: Digest, names, labels, title: str, _: Translator) -> bytes | None:
    with _DRAWING:
        return calls_chart(
            digest,
            names=names,
            outcome_labels=labels,
            title=title,
            day_format=lambda day: short_day(day, _),
        )
