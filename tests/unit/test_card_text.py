"""A card's text stays within Telegram's message limit, cut at whole lines."""

from __future__ import annotations

from handlers.cards import MAX_CARD_TEXT, _fit


def test_short_cards_are_untouched():
    assert (
        _fit(["🏢 <b>Romashka</b>", "📞 +7 912 345-67-89"])
        == "🏢 <b>Romashka</b>\n📞 +7 912 345-67-89"
    )


def test_long_cards_lose_whole_lines_from_the_end():
    lines = [f"• <b>{number:03}</b> " + "x" * 90 for number in range(100)]
    text = _fit(lines)
    assert len(text) <= MAX_CARD_TEXT
    assert text.endswith("\n…")
    kept = text.splitlines()[:-1]
    assert kept == lines[: len(kept)] and len(kept) > 30
