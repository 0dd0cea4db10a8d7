"""Reply markup: validation like the Bot API does it, and finding buttons for fake users.

The real API rejects e.g. ``callback_data`` over 64 bytes (``BUTTON_DATA_INVALID``), a bug that
only shows up with long ids; catching it here keeps it out of production.
"""

from __future__ import annotations

from typing import Any

from emulator.state import bad_request

MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100  # a bigger inline keyboard: "reply markup is too long"
_INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)

ButtonSpec = str | int | tuple[int, int]


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Return the markup (``None`` for an empty inline keyboard) or raise ``ApiError``."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = _rows(markup, "inline_keyboard", "InlineKeyboardMarkup")
        if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return markup if any(rows) else None
    if "keyboard" in markup:
        for row in _rows(markup, "keyboard", "ReplyKeyboardMarkup"):
            for button in row:
                text = button if isinstance(button, str) else button.get("text")
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return markup
    if "remove_keyboard" in markup or "force_reply" in markup:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _rows(markup: dict[str, Any], key: str, kind: str) -> list[list[Any]]:
    rows = markup[key]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{key}" of the {kind} should be an Array of Arrays')
    return rows


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text must be a String")
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_INVALID")
    if not _INLINE_ACTIONS & button.keys():
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise bad_request("BUTTON_URL_INVALID")


def keyboard_rows(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """Buttons of an inline or reply keyboard as dicts (``[]`` for no keyboard)."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [[{"text": b} if isinstance(b, str) else b for b in row] for row in rows]


def button_texts(markup: dict[str, Any] | None) -> list[list[str]]:
    return [[button["text"] for button in row] for row in keyboard_rows(markup)]


def describe_buttons(markup: dict[str, Any] | None) -> str:
    lines = []
    for r, row in enumerate(keyboard_rows(markup)):
        for c, button in enumerate(row):
            action = next((f"{k}={button[k]!r}" for k in button if k != "text"), "")
            lines.append(f"  ({r}, {c}) {button['text']!r} {action}".rstrip())
    return "\n".join(lines) or "  (no buttons)"


def find_button(markup: dict[str, Any] | None, spec: ButtonSpec) -> dict[str, Any]:
    """Find a button by exact text, unique substring, ``(row, col)`` or flat index."""
    rows = keyboard_rows(markup)
    flat = [button for row in rows for button in row]
    found: dict[str, Any] | None = None
    if isinstance(spec, tuple):
        row, col = spec
        if 0 <= row < len(rows) and 0 <= col < len(rows[row]):
            found = rows[row][col]
    elif isinstance(spec, int):
        if 0 <= spec < len(flat):
            found = flat[spec]
    else:
        exact = [b for b in flat if b["text"] == spec]
        partial = [b for b in flat if spec in b["text"]]
        if exact:
            found = exact[0]
        elif len(partial) == 1:
            found = partial[0]
        elif len(partial) > 1:
            raise AssertionError(
                f"Button {spec!r} is ambiguous; available buttons:\n{describe_buttons(markup)}"
            )
    if found is None:
        raise AssertionError(
            f"Button {spec!r} not found; available buttons:\n{describe_buttons(markup)}"
        )
    return found
