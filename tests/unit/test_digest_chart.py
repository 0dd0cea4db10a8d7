"""The digest's chart: a PNG with a panel per calling rep, or None when nobody called."""

from __future__ import annotations

import asyncio
import struct
import threading
from dataclasses import replace
from datetime import date

from matplotlib.axes import Axes

from crm.digests import periods
from crm.digests.chart import Panel, calls_chart, chart_data
from crm.digests.model import Counts, DayCalls, Digest, RepSummary
from crm.i18n import Catalogs
from handlers.digest_chart import chart_png
from storage.models import Outcome

WEEK = periods.week_of(date(2026, 10, 21), "Europe/Vilnius")
LABELS = {Outcome.talked: "Talked", Outcome.busy: "Busy", None: "No outcome"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _digest(reps: int, calls: list[DayCalls], period=WEEK) -> Digest:
    return Digest(
        period=period,
        previous=periods.previous(period),
        reps=tuple(RepSummary(i, f"Rep {i}", Counts()) for i in range(reps)),
        totals=Counts(),
        previous_totals=Counts(),
        calls_per_day=tuple(calls),
    )


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def _chart(digest: Digest, seen: list[date] | None = None, **kwargs) -> bytes | None:
    def day_format(day: date) -> str:
        if seen is not None:
            seen.append(day)
        return day.strftime("%a %d")

    return calls_chart(
        digest, outcome_labels=LABELS, title="Calls", day_format=day_format, **kwargs
    )


def _busy_week(reps: int) -> list[DayCalls]:
    return [
        DayCalls(day, rep, outcome, 1 + (rep + day.day) % 4)
        for day, _, _ in periods.days(WEEK)
        for rep in range(reps)
        for outcome in (Outcome.talked, Outcome.busy, Outcome.wrong_number, None)
    ]


def test_ten_reps_over_a_week_make_a_grid_of_panels():
    seen: list[date] = []
    png = _chart(_digest(10, _busy_week(10)), seen)
    assert _size(png) == (1440, 810)  # 4 columns x 3 rows of panels, a title and a legend
    assert sorted(set(seen)) == [d for d, _, _ in periods.days(WEEK)]  # every day labelled


def test_one_rep_and_names_given_by_the_caller():
    png = _chart(_digest(1, _busy_week(1)), names={0: "Rimas"})
    assert _size(png) == (600, 350)


def test_the_bars_drawn():
    monday, sunday = date(2026, 10, 19), date(2026, 10, 25)
    digest = _digest(
        3,
        [
            DayCalls(sunday, 2, None, 1),
            DayCalls(monday, 2, Outcome.busy, 2),
            DayCalls(monday, 2, Outcome.talked, 3),
            DayCalls(sunday, 0, Outcome.talked, 4),
        ],
    )
    data = chart_data(digest, names={2: "Rimas"})
    assert data.days == [d for d, _, _ in periods.days(WEEK)]  # days without calls too
    assert data.outcomes == [Outcome.talked, Outcome.busy, None]  # stacking order, used ones
    zero = [0] * 7
    assert data.panels == [
        Panel(0, "Rep 0", {Outcome.talked: [*zero[:6], 4], Outcome.busy: zero, None: zero}),
        Panel(
            2,
            "Rimas",
            {Outcome.talked: [3, *zero[1:]], Outcome.busy: [2, *zero[1:]], None: [*zero[:6], 1]},
        ),
    ]  # Rep 1 made no call: no panel
    assert [panel.total for panel in data.panels] == [4, 6]


def test_reps_without_calls_get_no_panel():
    calls = [DayCalls(date(2026, 10, 25), 3, Outcome.talked, 2)]
    assert _size(_chart(_digest(5, calls))) == (600, 350)  # one panel, as for one rep


def test_a_digest_without_calls_draws_nothing():
    assert _chart(_digest(3, [])) is None
    # calls of someone outside the digest's reps are not drawn either
    assert _chart(_digest(2, [DayCalls(date(2026, 10, 20), 7, Outcome.talked, 1)])) is None


def test_a_long_period_labels_some_days_only():
    month = periods.custom(date(2026, 10, 1), date(2026, 10, 31), "Europe/Vilnius")
    seen: list[date] = []
    png = _chart(_digest(1, [DayCalls(date(2026, 10, 5), 0, Outcome.talked, 3)], month), seen)
    assert png[:8] == PNG_SIGNATURE
    assert 4 <= len(set(seen)) <= 7 and min(seen) == date(2026, 10, 1)


def test_names_with_dollar_signs_are_drawn_as_they_are_not_as_formulas():
    # a Telegram name is anything; "$...$" would be parsed as mathtext and a bad formula
    # would break the whole digest
    calls = [DayCalls(date(2026, 10, 20), 0, Outcome.talked, 1)]
    for name in ("Rimas $\\frac$ $", "$$", "Ivan $^$", "a_b $x_1$ ^"):
        assert _chart(_digest(1, calls), names={0: name})[:8] == PNG_SIGNATURE, name


async def test_a_rep_who_left_is_drawn_under_the_same_label_as_in_the_text(monkeypatch):
    drawn: dict = {}

    def spy(*args, **kwargs):
        drawn.update(kwargs)
        return calls_chart(*args, **kwargs)

    monkeypatch.setattr("handlers.digest_chart.calls_chart", spy)
    digest = _digest(2, _busy_week(2))
    digest = replace(digest, reps=(digest.reps[0], replace(digest.reps[1], left_team=True)))
    png = await chart_png(digest, Catalogs().translator("en", "Europe/Vilnius"))
    assert png[:8] == PNG_SIGNATURE
    assert drawn["names"] == {1: "Rep 1 (left the team)"}
    data = chart_data(digest, names=drawn["names"])
    assert [panel.name for panel in data.panels] == ["Rep 0", "Rep 1 (left the team)"]


async def test_one_round_draws_a_picture_once_for_every_manager_who_gets_it(monkeypatch):
    drawn: list[Digest] = []

    def counting(digest, **kwargs):
        drawn.append(digest)
        return calls_chart(digest, **kwargs)

    monkeypatch.setattr("handlers.digest_chart.calls_chart", counting)
    en = Catalogs().translator("en", "Europe/Vilnius")
    ru = Catalogs().translator("ru", "Europe/Vilnius")
    week = _digest(3, _busy_week(3))
    charts: dict = {}
    first = await chart_png(week, en, charts)
    again = await chart_png(_digest(3, _busy_week(3)), en, charts)  # built anew, the same
    assert again == first and len(drawn) == 1
    # another language, other calls, a rep shown as gone, other days: each drawn afresh
    assert await chart_png(week, ru, charts) != first
    await chart_png(_digest(3, _busy_week(3)[1:]), en, charts)
    gone = replace(week, reps=(*week.reps[:2], replace(week.reps[2], left_team=True)))
    await chart_png(gone, en, charts)
    other_zone = periods.week_of(date(2026, 10, 21), "America/New_York")
    await chart_png(replace(week, period=other_zone), en, charts)
    assert len(drawn) == 5
    # without the round's cache (on demand) every call draws
    await chart_png(week, en)
    await chart_png(week, en)
    assert len(drawn) == 7


async def test_drawing_leaves_the_event_loop_free_for_other_chats(monkeypatch):
    # The drawing waits until another chat's task has run on the event loop: drawn on the
    # loop's own thread it could never see that, and the wait would give up.
    loop_thread = threading.get_ident()
    other_chat_served = threading.Event()
    drawn_on: list[int] = []

    def drawing_that_needs_the_loop(*args, **kwargs):
        drawn_on.append(threading.get_ident())
        assert other_chat_served.wait(timeout=30), "the event loop was stalled by the drawing"
        return calls_chart(*args, **kwargs)

    async def other_chat() -> None:
        other_chat_served.set()

    monkeypatch.setattr("handlers.digest_chart.calls_chart", drawing_that_needs_the_loop)
    drawing = asyncio.ensure_future(
        chart_png(_digest(3, _busy_week(3)), Catalogs().translator("en", "Europe/Vilnius"))
    )
    await asyncio.sleep(0)  # the drawing starts first
    await asyncio.create_task(other_chat())
    png = await drawing
    assert png[:8] == PNG_SIGNATURE
    assert drawn_on and drawn_on[0] != loop_thread


def test_a_year_is_drawn_as_stacked_steps_not_thousands_of_bars(monkeypatch):
    year = periods.custom(date(2026, 1, 1), date(2026, 12, 31), "Europe/Vilnius")
    calls = [
        DayCalls(day, rep, outcome, 1 + day.day % 3)
        for day, _, _ in periods.days(year)
        for rep in range(3)
        for outcome in (Outcome.talked, None)
    ]
    bars: list[int] = []  # days per call of Axes.bar
    draw_bars = Axes.bar

    def counted(self, x, *args, **kwargs):
        bars.append(len(x))
        return draw_bars(self, x, *args, **kwargs)

    monkeypatch.setattr(Axes, "bar", counted)
    assert _chart(_digest(3, calls, year))[:8] == PNG_SIGNATURE
    assert bars == []
    _chart(_digest(3, _busy_week(3)))
    assert bars and set(bars) == {7}
