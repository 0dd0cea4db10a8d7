"""Long answers as several Telegram messages: blocks joined into as few messages as fit under
the limit Telegram counts in UTF-16 units, a block never cut unless it alone is too long."""

from __future__ import annotations

from collections.abc import Iterable

MESSAGE_LIMIT = 4096


def message_length(text: str) -> int:
    """What Telegram counts against its limit is UTF-16 units of the text; counted on the
    HTML it is an upper bound (tags go, entities shrink)."""
    return len(text.encode("utf-16-le")) // 2


def split_messages(blocks: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks joined by blank lines into as few messages as fit; a block longer than a message
    on its own is cut at line ends, and a line longer than that (a long list of idle people)
    between the names."""
    return _pack((piece for block in blocks for piece in _fit(block, limit)), "\n\n", limit)


def _fit(block: str, limit: int) -> list[str]:
    if message_length(block) <= limit:
        return [block]
    parts = (part for line in block.split("\n") for part in _cut_line(line, limit))
    return _pack(parts, "\n", limit)


def _pack(pieces: Iterable[str], separator: str, limit: int) -> list[str]:
    """Pieces (each within `limit`) joined in order into as few texts within `limit` as fit."""
    packed: list[str] = []
    current = ""
    for piece in pieces:
        joined = f"{current}{separator}{piece}" if current else piece
        if message_length(joined) <= limit:
            current = joined
        else:
            if current:
                packed.append(current)
            current = piece
    return [*packed, current] if current else packed


def _cut_line(line: str, limit: int) -> list[str]:
    """A line in parts within `limit`, cut after a list's commas (where our markup has no tag
    open), or anywhere when there is no comma."""
    parts = []
    while message_length(line) > limit:
        head = _head(line, limit)
        comma = head.rfind(", ")
        cut = comma + 1 if comma > 0 else len(head)
        parts.append(line[:cut])
        line = line[cut:].lstrip()
    return [*parts, line]


def _head(text: str, limit: int) -> str:
    """The longest beginning of `text` within `limit`."""
    head = text[:limit]
    while (excess := message_length(head) - limit) > 0:
        head = head[: len(head) - max(1, excess // 2)]
    return head
