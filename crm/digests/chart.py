"""A picture of a digest: calls per rep per day, stacked by outcome, as a PNG.

One small panel per rep (a bar per local day of the period, stacked by outcome) on a shared
scale, so ten reps over seven days stay readable where seventy bars side by side would not.
Reps without a call in the period get no panel. A digest without any call gives None: there is
nothing to draw, and the chat sends the text alone.

Drawn on a `matplotlib.figure.Figure` with its own Agg canvas, never through pyplot (global
state, not thread-safe). Every word on the picture comes in as an argument."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date
from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from crm.digests.model import Digest
from crm.digests.periods import days
from storage.models import Outcome

__all__ = ["OUTCOME_COLOURS", "calls_chart"]

DPI = 100
PANEL_WIDTH, PANEL_HEIGHT = 3.6, 2.3  # inches per rep
MAX_COLUMNS = 5
MAX_DAY_LABELS = 7  # per panel; longer periods label every n-th day

# Stacked bottom to top in this order; calls logged without an outcome on top.
OUTCOME_COLOURS: dict[Outcome | None, str] = {
    Outcome.talked: "#2e9e5b",
    Outcome.call_back: "#3b7dd8",
    Outcome.busy: "#f0a030",
    Outcome.no_answer: "#9aa3ad",
    Outcome.wrong_number: "#d9534f",
    None: "#c9b8e0",
}


def calls_chart(
    digest: Digest,
    *,
    names: Mapping[int, str] | None = None,
    outcome_labels: Mapping[Outcome | None, str],
    title: str,
    day_format: Callable[[date], str],
) -> bytes | None:
    """PNG bytes of the digest's calls per rep per day by outcome, or None when no rep made a
    call. `names` overrides the reps' names by member id; `outcome_labels` names the legend's
    outcomes (a missing one shows its code); `day_format` writes a day under the bars."""
    calls: dict[tuple[int, date, Outcome | None], int] = {}
    for row in digest.calls_per_day:
        key = (row.member_id, row.day, row.outcome)
        calls[key] = calls.get(key, 0) + row.calls
    callers = {member_id for member_id, _, _ in calls}
    reps = [rep for rep in digest.reps if rep.member_id in callers]
    if not reps:
        return None
    dates = [day for day, _, _ in days(digest.period)]
    outcomes = [o for o in OUTCOME_COLOURS if any(key[2] == o for key in calls)]

    columns = min(MAX_COLUMNS, math.ceil(math.sqrt(len(reps))))
    rows = math.ceil(len(reps) / columns)
    width = max(columns * PANEL_WIDTH, 6)
    figure = Figure(
        figsize=(width, rows * PANEL_HEIGHT + 1.2),
        dpi=DPI,
        layout="constrained",
    )
    FigureCanvasAgg(figure)  # attaches itself as figure.canvas
    panels = figure.subplots(rows, columns, sharey=True, squeeze=False).flatten()
    step = math.ceil(len(dates) / MAX_DAY_LABELS)
    positions = range(len(dates))
    for axes, rep in zip(panels, reps, strict=False):
        bottom = [0] * len(dates)
        for outcome in outcomes:
            heights = [calls.get((rep.member_id, day, outcome), 0) for day in dates]
            axes.bar(
                positions,
                heights,
                bottom=bottom,
                width=0.8,
                color=OUTCOME_COLOURS[outcome],
                label=_label(outcome, outcome_labels),
            )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        name = (names or {}).get(rep.member_id, rep.name)
        axes.set_title(f"{name} · {sum(bottom)}", fontsize="medium")
        axes.set_xticks(list(positions)[::step], [day_format(d) for d in dates[::step]])
        axes.tick_params(axis="x", labelsize="x-small")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(True, axis="y", color="#dddddd", linewidth=0.8)
        axes.set_axisbelow(True)
        axes.set_xlim(-0.6, len(dates) - 0.4)
    for axes in panels[len(reps) :]:
        axes.set_visible(False)
    handles, labels = panels[0].get_legend_handles_labels()
    legend_columns = len(outcomes) if width >= 9 else 3  # narrow pictures: two rows
    figure.legend(handles, labels, loc="outside lower center", ncols=legend_columns)
    figure.suptitle(title)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _label(outcome: Outcome | None, labels: Mapping[Outcome | None, str]) -> str:
    if outcome in labels:
        return labels[outcome]
    return outcome.value if outcome is not None else "—"
