"""Pages of buttons: every item on exactly one page, « » only where there is a page to go to,
a page number out of range clamped and said to be."""

from __future__ import annotations

from handlers.paging import nav_buttons, page_of


def test_every_item_is_on_one_page_and_the_last_page_holds_the_rest():
    items = list(range(45))
    pages = [page_of(items, n, size=20) for n in range(3)]
    assert [len(p.items) for p in pages] == [20, 20, 5]
    assert [i for p in pages for i in p.items] == items
    assert {p.count for p in pages} == {3} and not any(p.clamped for p in pages)


def test_the_buttons_lead_to_the_neighbouring_pages_numbered_from_one():
    items = list(range(45))
    assert page_of(items, 0, size=20).nav_row == [("2 »", 1)]
    assert page_of(items, 1, size=20).nav_row == [("« 1", 0), ("3 »", 2)]
    assert page_of(items, 2, size=20).nav_row == [("« 2", 1)]
    assert page_of(items[:20], 0, size=20).nav_row == []  # one page: no buttons
    buttons = nav_buttons(page_of(items, 1, size=20), lambda n: f"x:pg:{n}")
    assert [(b.text, b.callback_data) for b in buttons] == [("« 1", "x:pg:0"), ("3 »", "x:pg:2")]


def test_a_page_out_of_range_is_clamped_and_flagged():
    items = list(range(45))
    last = page_of(items, 7, size=20)
    assert (last.number, list(last.items), last.clamped) == (2, [40, 41, 42, 43, 44], True)
    first = page_of(items, -1, size=20)
    assert (first.number, first.clamped) == (0, True)
    empty = page_of([], 0, size=20)
    assert (empty.number, empty.count, list(empty.items), empty.clamped) == (0, 1, [], False)
