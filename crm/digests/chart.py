"""A picture of a digest: calls per rep per day, stacked by outcome, as a PNG.

One small panel per rep (a bar per local day of the period, stacked by outcome; over
`MAX_BAR_DAYS` a stacked step per day) on a shared scale, so ten reps over seven days stay
readable where seventy bars side by side would not.
Reps without a call in the period get no panel. A digest without any call gives None: there is
nothing to draw, and the chat sends the text alone.

Drawn on a `matplotlib.figure.Figure` with its own Agg canvas, never through pyplot (global
state, not thread-safe). Every word on the picture comes in as an argument."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from crm.digests.model import Digest
from crm.digests.periods import days
from storage.models import Outcome

__all__ = ["OUTCOME_COLOURS", "ChartData", "Panel", "calls_chart", "chart_data"]

DPI = 100
PANEL_WIDTH, PANEL_HEIGHT = 3.6, 2.3  # inches per rep
MAX_COLUMNS = 5
MAX_DAY_LABELS = 7  # per panel; longer periods label every n-th day
MAX_BAR_DAYS = 62  # longer periods are drawn as stacked steps, not bars

# Stacked bottom to top in this order; calls logged without an outcome on top.
OUTCOME_COLOURS: dict[Outcome | None, str] = {
    Outcome.talked: "#2e9e5b",
    Outcome.call_back: "#3b7dd8",
    Outcome.busy: "#f0a030",
    Outcome.no_answer: "#9aa3ad",
    Outcome.wrong_number: "#d9534f",
    None: "#c9b8e0",
}


@dataclass(frozen=True)
class Panel:
    """One rep's bars: for each outcome drawn, the calls of each day of the period."""

    member_id: int
    name: str
    calls: dict[Outcome | None, list[int]]

    @property
    def total(self) -> int:
        return sum(sum(per_day) for per_day in self.calls.values())


@dataclass(frozen=True)
class ChartData:
    days: list[date]  # every local day of the period, with calls or not
    outcomes: list[Outcome | None]  # those with any call, in stacking order
    panels: list[Panel]  # reps with a call, in the digest's order


def chart_data(digest: Digest, *, names: Mapping[int, str] | None = None) -> ChartData:
    """What the chart draws: a panel per rep of the digest who called, named by `names` (by
    member id) or else by the digest."""
    calls: dict[tuple[int, date, Outcome | None], int] = {}
    for row in digest.calls_per_day:
        key = (row.member_id, row.day, row.outcome)
        calls[key] = calls.get(key, 0) + row.calls
    dates = [day for day, _, _ in days(digest.period)]
    outcomes = [o for o in OUTCOME_COLOURS if any(key[2] == o for key in calls)]
    callers = {member_id for member_id, _, _ in calls}
    panels = [
        Panel(
            member_id=rep.member_id,
            name=(names or {}).get(rep.member_id, rep.name),
            calls={o: [calls.get((rep.member_id, d, o), 0) for d in dates] for o in outcomes},
        )
        for rep in digest.reps
        if rep.member_id in callers
    ]
    return ChartData(days=dates, outcomes=outcomes, panels=panels)


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
    data = chart_data(digest, names=names)
    if not data.panels:
        return None
    columns = min(MAX_COLUMNS, math.ceil(math.sqrt(len(data.panels))))
    rows = math.ceil(len(data.panels) / columns)
    width = max(columns * PANEL_WIDTH, 6)
    figure = Figure(figsize=(width, rows * PANEL_HEIGHT + 1.2), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself as figure.canvas
    grid = figure.subplots(rows, columns, sharey=True, squeeze=False).flatten()
    step = math.ceil(len(data.days) / MAX_DAY_LABELS)
    positions = list(range(len(data.days)))
    for axes, panel in zip(grid, data.panels, strict=False):
        if len(data.days) > MAX_BAR_DAYS:
            _stacked_steps(axes, positions, panel, outcome_labels)
        else:
            _stacked_bars(axes, positions, panel, outcome_labels)
        # a name is anything a user typed: "$...$" must not be read as a formula
        axes.set_title(f"{panel.name} · {panel.total}", fontsize="medium", parse_math=False)
        axes.set_xticks(positions[::step], [day_format(d) for d in data.days[::step]])
        axes.tick_params(axis="x", labelsize="x-small")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(True, axis="y", color="#dddddd", linewidth=0.8)
        axes.set_axisbelow(True)
        axes.set_xlim(-0.6, len(data.days) - 0.4)
    for axes in grid[len(data.panels) :]:
        axes.set_visible(False)
    handles, labels = grid[0].get_legend_handles_labels()
    legend_columns = len(data.outcomes) if width >= 9 else 3  # narrow pictures: two rows
    figure.legend(handles, labels, loc="outside lower center", ncols=legend_columns)
    figure.suptitle(title, parse_math=False)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _stacked_bars(axes, positions: list[int], panel: Panel, labels) -> None:
    bottom = [0] * len(positions)
    for outcome, heights in panel.calls.items():
        axes.bar(
            positions,
            heights,
            bottom=bottom,
            width=0.8,
            color=OUTCOME_COLOURS[outcome],
            label=_label(outcome, labels),
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]


def _stacked_steps(axes, positions: list[int], panel: Panel, labels) -> None:
    """The same stack as one shape per outcome, a step a day: a bar per day of a long period
    would be thousands of shapes per panel and minutes of drawing for a big team."""
    axes.stackplot(
        positions,
        *panel.calls.values(),
        colors=[OUTCOME_COLOURS[outcome] for outcome in panel.calls],
        labels=[_label(outcome, labels) for outcome in panel.calls],
        step="mid",
        linewidth=0,
    )


def _label(outcome: Outcome | None, labels: Mapping[Outcome | None, str]) -> str:
    if outcome in labels:
        return labels[outcome]
    return outcome.value if outcome is not None else "—"
