"""The digest's chart (calls per rep per day, stacked by outcome) with labels in the reader's
language."""

from __future__ import annotations

from crm.digests.chart import calls_chart
from crm.digests.model import Digest
from crm.i18n import Translator
from handlers.digest_text import outcome_label, short_day
from storage.models import Outcome


def chart_png(digest: Digest, _: Translator) -> bytes | None:
    """PNG bytes, or None when nobody made a call."""
    if not digest.calls_per_day:
        return None
    return calls_chart(
        digest,
        outcome_labels={outcome: outcome_label(outcome, _) for outcome in [*Outcome, None]},
        title=_("Calls per rep per day"),
        day_format=lambda day: short_day(day, _),
    )
