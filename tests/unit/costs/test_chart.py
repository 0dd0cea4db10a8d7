"""The cumulative cost chart: a modest PNG, drawn for one offer or ten over ten years."""

from __future__ import annotations

import sys
from decimal import Decimal
from io import BytesIO

from PIL import Image  # matplotlib's own dependency

from crm.costs.calculator import compare
from crm.costs.chart import cumulative_chart, legend_label
from crm.costs.model import LicenseKind, Offer, PriceTier, Rollout

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def subscription(name: str, price: int) -> Offer:
    return Offer(name, LicenseKind.subscription, "EUR", tiers=(PriceTier(1, Decimal(price)),))


def draw(comparison, seen: list[Decimal] | None = None) -> bytes:
    def format_money(amount: Decimal) -> str:
        if seen is not None:
            seen.append(amount)
        return f"€{amount:,}"

    return cumulative_chart(
        comparison,
        title="Стоимость CRM",
        year_label="Metai",
        money_label="Cost",
        format_money=format_money,
    )


def dimensions(png: bytes) -> tuple[int, int]:
    with Image.open(BytesIO(png)) as image:
        assert image.format == "PNG"
        return image.size


def test_one_offer_for_one_year() -> None:
    comparison = compare([subscription("Cloud", 25)], users=3, years=1)
    png = draw(comparison)
    assert png.startswith(PNG_SIGNATURE)
    assert dimensions(png) == (900, 500)
    assert len(png) < 150_000


def test_ten_offers_over_ten_years() -> None:
    offers = [subscription(f"Plan number {n} with a long name", 10 + 7 * n) for n in range(9)]
    offers.append(Offer("Boxed ąčęėįšųūž", LicenseKind.perpetual, "EUR", flat_price=Decimal(9000)))
    rollout = Rollout(customization=Decimal(5000), support_per_month=Decimal(100))
    comparison = compare(offers, users=25, years=10, rollout=rollout)
    seen: list[Decimal] = []
    png = draw(comparison, seen)
    assert png.startswith(PNG_SIGNATURE)
    assert dimensions(png) == (900, 500)
    assert len(png) < 150_000
    # tick labels are written by the caller from exact Decimals, whole amounts here
    assert seen and all(isinstance(amount, Decimal) for amount in seen)
    assert all(amount == amount.to_integral_value() and amount >= 0 for amount in seen)


def test_the_chart_leaves_no_figure_behind() -> None:
    pyplot_before = "matplotlib.pyplot" in sys.modules
    draw(compare([subscription("Cloud", 25)], users=3, years=2))
    if not pyplot_before:
        assert "matplotlib.pyplot" not in sys.modules  # no global figure registry involved
    else:
        from matplotlib import pyplot

        assert pyplot.get_fignums() == []


def test_offer_names_reach_the_legend_as_typed() -> None:
    from matplotlib.figure import Figure

    names = ["Pro $49 / $59", "_trial", "Plain"]
    axes = Figure().add_subplot()
    for name in names:
        axes.plot([1, 2], [1, 2], label=legend_label(name))
    texts = axes.legend().get_texts()
    assert len(texts) == 3  # "_trial" is not left out
    # what is drawn: the name as typed, not math
    drawn = [text._preprocess_math(text.get_text()) for text in texts]
    assert drawn == [("Pro $49 / $59", False), (" _trial", False), ("Plain", False)]
    draw(compare([subscription(names[0], 10), subscription(names[1], 12)], users=2, years=2))
