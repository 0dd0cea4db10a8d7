"""A long list of buttons shown a page at a time: Telegram refuses a message whose inline
keyboard has more than 100 buttons, so a list that grows with the team (one button a person)
is cut into pages with « » buttons that carry the page to show in their callback data.

Pages count from 0 in the data and from 1 on the buttons. A page number is clamped to the
pages there are (a stale button after the list shrank still lands somewhere sensible); the
caller learns whether it was, to refuse a made-up number if it wants to."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from telegram import InlineKeyboardButton

T = TypeVar("T")

PAGE_SIZE = 20  # a page of people, plus a few buttons around it, stays far below 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]  # those on this page
    number: int  # from 0, within range
    count: int  # pages in all, at least 1
    clamped: bool = False  # the page asked for does not exist

    @property
    def nav_row(self) -> list[tuple[str, int]]:
        """The « » buttons' labels and target pages; none on a single page."""
        row = []
        if self.number > 0:
            row.append((f"« {self.number}", self.number - 1))
        if self.number < self.count - 1:
            row.append((f"{self.number + 2} »", self.number + 1))
        return row


def page_of(items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    count = max(1, -(-len(items) // size))
    shown = min(max(number, 0), count - 1)
    return Page(items[shown * size : (shown + 1) * size], shown, count, clamped=shown != number)


def nav_buttons(page: Page, data: Callable[[int], str]) -> list[InlineKeyboardButton]:
    """The « » buttons of `page`, `data(n)` being the callback data that shows page n."""
    return [InlineKeyboardButton(label, callback_data=data(n)) for label, n in page.nav_row]
