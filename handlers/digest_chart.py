"""The digest's chart (calls per rep per day, stacked by outcome) with labels in the reader's
language, drawn in a worker thread: a big team's picture takes seconds of CPU, which on the
event loop would stall every other chat meanwhile.

Several managers of a team often get the same digest in the same round of the digest job;
the job hands in a `RoundCharts` so that such a picture is drawn once. It is keyed by
everything the picture is drawn from, so two digests share a picture only if it would come
out the same, and it lives for one round only."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Hashable

from crm.digests.chart import calls_chart
from crm.digests.model import Digest
from crm.i18n import Translator
from handlers.digest_text import outcome_label, rep_label, short_day
from storage.models import Outcome

# matplotlib promises no thread safety, even for separate figures: one picture at a time
_DRAWING = threading.Lock()

RoundCharts = dict[Hashable, bytes | None]


async def chart_png(
    digest: Digest, _: Translator, charts: RoundCharts | None = None
) -> bytes | None:
    """PNG bytes, or None when nobody made a call; taken from `charts` if drawn already."""
    if not digest.calls_per_day:
        return None
    # a panel is titled as the text's section is: "Ausra (left the team)"
    names = {rep.member_id: rep_label(rep, _) for rep in digest.reps if rep.left_team}
    key = _key(digest, names, _)
    if charts is not None and key in charts:
        return charts[key]
    labels = {outcome: outcome_label(outcome, _) for outcome in [*Outcome, None]}
    png = await asyncio.to_thread(_draw, digest, names, labels, _("Calls per rep per day"), _)
    if charts is not None:
        charts[key] = png
    return png


def _key(digest: Digest, names: dict[int, str], _: Translator) -> Hashable:
    """What the picture depends on: the language, the period's days (in its time zone), the
    calls and who is drawn under which name."""
    reps = tuple((rep.member_id, names.get(rep.member_id, rep.name)) for rep in digest.reps)
    return _.locale, digest.period, digest.calls_per_day, reps


def _draw(digest: Digest, names, labels, title: str, _: Translator) -> bytes | None:
    with _DRAWING:
        return calls_chart(
            digest,
            names=names,
            outcome_labels=labels,
            title=title,
            day_format=lambda day: short_day(day, _),
        )
