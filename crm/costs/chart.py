"""A picture of a comparison: the cumulative cost of each offer, year by year, as a PNG.

Drawn on a `matplotlib.figure.Figure` with its own Agg canvas, never through pyplot: pyplot
keeps every figure in a global registry (a leak unless closed) and is not thread-safe, while
a bare Figure is garbage like any object. Every word on the picture comes in as an argument
(the chat translates them); money is plotted as floats, which is fine for pixels, and every
tick label is written by the caller's `format_money` from a Decimal.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from crm.costs.model import Comparison

__all__ = ["cumulative_chart", "legend_label"]

WIDTH, HEIGHT, DPI = 9, 5, 100  # 900 x 500 pixels


def cumulative_chart(
    comparison: Comparison,
    *,
    title: str,
    year_label: str,
    money_label: str,
    format_money: Callable[[Decimal], str],
) -> bytes:
    """The cumulative cost of every offer by year (1..horizon), cheapest first in the legend
    and drawn thicker; returns PNG bytes of 900 x 500 pixels."""
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # attaches itself as figure.canvas: PNG through Agg explicitly
    axes = figure.add_subplot()
    years = list(range(1, comparison.years + 1))
    for rank, cost in enumerate(comparison.offers):
        axes.plot(
            years,
            [float(value) for value in cost.cumulative],
            label=legend_label(cost.offer.name),
            marker="o",
            markersize=4,
            linewidth=2.6 if rank == 0 else 1.5,
            zorder=3 if rank == 0 else 2,
        )
    axes.set_title(title)
    axes.set_xlabel(year_label)
    axes.set_ylabel(money_label)
    axes.set_xticks(years)
    axes.set_xlim(0.7, comparison.years + 0.3)
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=6))
    axes.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _position: format_money(_tick_money(value)))
    )
    axes.grid(True, color="#dddddd", linewidth=0.8)
    axes.legend(loc="upper left", fontsize="small", framealpha=0.9)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def legend_label(name: str) -> str:
    """An offer's name as the legend shows it literally: matplotlib reads text between two "$"
    as math ("Pro $49 / $59") and leaves out a label starting with "_"."""
    label = name.replace("$", r"\$")
    return f" {label}" if label.startswith("_") else label


def _tick_money(value: float) -> Decimal:
    """A tick position as money: whole when it is, else to the cent (float noise such as
    0.30000000000000004 never reaches a label)."""
    cents = round(value, 2)
    return Decimal(int(cents)) if cents == int(cents) else Decimal(f"{cents:.2f}")
