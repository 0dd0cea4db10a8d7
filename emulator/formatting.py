"""Text formatting the way the Bot API applies it: ``parse_mode`` parsing, trimming, limits.

The real API turns ``<b>Hi</b>`` into text ``Hi`` plus a bold entity and rejects malformed
markup with ``400 Bad Request: can't parse entities: ...``. Unescaped ``<``/``&`` in HTML and
unescaped ``.``/``-``/``!`` in MarkdownV2 are the classic production bugs, so the emulator
parses strictly enough to catch them (a simplified port of TDLib's parsers, not byte-exact).
"""

from __future__ import annotations

import re
from typing import Any

from emulator.state import bad_request

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024


class EntityParseError(ValueError):
    pass


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of all entity offsets in the Bot API."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Builder:
    """Collects visible text and entities with UTF-16 offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.offset += utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.offset > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.offset - start, **extra}
            )

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


# -- HTML ---------------------------------------------------------------------------------------

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    stack: list[tuple[str, str, int, dict[str, str]]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY.match(text, i)
            if match:
                name = match.group(1)
                if name.startswith("#x"):
                    out.add(chr(int(name[2:], 16)))
                elif name.startswith("#"):
                    out.add(chr(int(name[1:])))
                else:
                    out.add(_NAMED[name])
                i = match.end()
            else:
                out.add("&")  # TDLib keeps a bare '&' as is
                i += 1
            continue
        if char != "<":
            out.add(char)
            i += 1
            continue
        if text.startswith("</", i):
            close = text.find(">", i)
            if close == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, i)}")
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            tag, kind, start, attrs = stack.pop()
            if name and name != tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            _close_html(out, stack, tag, kind, start, attrs)
        else:
            tag, attrs, close = _start_tag(text, i)
            stack.append((tag, _HTML_TAGS[tag], out.offset, attrs))
        i = close + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _start_tag(text: str, index: int) -> tuple[str, dict[str, str], int]:
    """Parse ``<name attr="...">`` at ``index``: (name, attributes, index of ``>``)."""
    match = re.compile(r"[^\s>]*").match(text, index + 1)
    assert match is not None
    name = match.group(0).rstrip("/").lower()
    close = text.find(">", match.end())
    if match.end() >= len(text):
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, index)}")
    unsupported = EntityParseError(
        f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, index)}'
    )
    if name not in _HTML_TAGS:
        raise unsupported
    if close == -1:
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, index)}")
    attrs = {
        m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
        for m in _ATTR.finditer(text[match.end() : close].rstrip("/"))
        if m.group(1)
    }
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise unsupported
    return name, attrs, close


def _close_html(out: _Builder, stack: list, tag: str, kind: str, start: int, attrs: dict) -> None:
    if kind == "text_link":
        if attrs.get("href"):
            out.entity("text_link", start, url=attrs["href"])
    elif kind == "code" and stack and stack[-1][1] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][3]["language"] = language.removeprefix("language-")
        else:
            out.entity("code", start)
    elif kind == "pre":
        extra = {"language": attrs["language"]} if attrs.get("language") else {}
        out.entity("pre", start, **extra)
    elif kind == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attrs else "blockquote", start)
    elif kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
    else:
        out.entity(kind, start)


# -- MarkdownV2 ---------------------------------------------------------------------------------

_RESERVED_V2 = set("_*[]()~`>#+-=|{}.!")
_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}
_V2_MARKERS = [
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
]


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    stack: list[tuple[str, str, int, int]] = []  # marker, kind, utf16 start, source index
    quote_start: int | None = None
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        top = stack[-1][1] if stack else None
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        if top in ("code", "pre"):
            fence = "```" if top == "pre" else "`"
            if text.startswith(fence, i):
                marker, kind, start, _ = stack.pop()
                language = {"language": marker[3:]} if kind == "pre" and marker[3:] else {}
                out.entity(kind, start, **language)
                i += len(fence)
            elif char == "`":
                raise _reserved(char)
            else:
                out.add(char)
                i += 1
            continue
        at_line_start = i == 0 or text[i - 1] == "\n"
        if char == "\n" and quote_start is not None and not text.startswith(">", i + 1):
            out.entity("blockquote", quote_start)
            quote_start = None
        if char not in _RESERVED_V2:
            out.add(char)
            i += 1
            continue
        if char == ">" and at_line_start:
            quote_start = out.offset if quote_start is None else quote_start
            i += 1
            continue
        if text.startswith("```", i):
            end_of_line = text.find("\n", i + 3)
            language = text[i + 3 : end_of_line].strip() if end_of_line != -1 else ""
            stack.append(("```" + language, "pre", out.offset, i))
            i = end_of_line + 1 if language else i + 3
            continue
        if char == "`":
            stack.append(("`", "code", out.offset, i))
            i += 1
            continue
        if char == "[" or text.startswith("![", i):
            kind = "custom_emoji" if char == "!" else "text_link"
            stack.append(("[", kind, out.offset, i))
            i += 2 if char == "!" else 1
            continue
        if char == "]" and top in ("text_link", "custom_emoji"):
            i = _close_link(text, i, out, stack)
            continue
        marker = next((m for m, _ in _V2_MARKERS if text.startswith(m, i)), None)
        if marker is None:
            raise _reserved(char)
        kind = dict(_V2_MARKERS)[marker]
        if stack and stack[-1][0] == marker:
            _, kind, start, _ = stack.pop()
            out.entity(kind, start)
        else:
            stack.append((marker, kind, out.offset, i))
        i += len(marker)
    if stack:
        _, kind, _, index = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_V2_NAMES[kind]} entity at byte offset {_byte_offset(text, index)}"
        )
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.result()


def _close_link(text: str, i: int, out: _Builder, stack: list) -> int:
    _, kind, start, index = stack.pop()
    if not text.startswith("(", i + 1):
        raise EntityParseError(
            f"Can't find end of {_V2_NAMES[kind]} entity at byte offset {_byte_offset(text, index)}"
        )
    j, url = i + 2, []
    while j < len(text) and text[j] != ")":
        if text[j] == "\\" and j + 1 < len(text):
            j += 1
        url.append(text[j])
        j += 1
    if j >= len(text):
        raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")
    target = "".join(url)
    if kind == "custom_emoji":
        out.entity(kind, start, custom_emoji_id=target.rsplit("id=", 1)[-1])
    else:
        out.entity(kind, start, url=target)
    return j + 1


def _reserved(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


# -- legacy Markdown ----------------------------------------------------------------------------

_LEGACY = [("```", "pre"), ("`", "code"), ("*", "bold"), ("_", "italic")]
_LEGACY_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char == "[":
            match = _LEGACY_LINK.match(text, i)
            if not match:
                raise _legacy_unclosed(text, i)
            start = out.offset
            out.add(match.group(1))
            out.entity("text_link", start, url=match.group(2))
            i = match.end()
            continue
        marker, kind = next(((m, k) for m, k in _LEGACY if text.startswith(m, i)), (None, ""))
        if marker is None:
            out.add(char)
            i += 1
            continue
        end = text.find(marker, i + len(marker))
        if end == -1:
            raise _legacy_unclosed(text, i)
        start = out.offset
        out.add(text[i + len(marker) : end])
        out.entity(kind, start)
        i = end + len(marker)
    return out.result()


def _legacy_unclosed(text: str, index: int) -> EntityParseError:
    return EntityParseError(
        f"Can't find end of the entity starting at byte offset {_byte_offset(text, index)}"
    )


# -- entry point --------------------------------------------------------------------------------

_PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading/trailing whitespace; entity offsets shift accordingly."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    fixed = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return stripped, fixed


def format_text(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and entities of a message, or ``ApiError`` like the real API."""
    if entities:
        plain, found = text, [dict(e) for e in entities]
    elif parse_mode:
        parser = _PARSERS.get(parse_mode.lower())
        if parser is None:
            raise bad_request("unsupported parse_mode")
        try:
            plain, found = parser(text)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    else:
        plain, found = text, []
    plain, found = _trim(plain, found)
    limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
    if len(plain) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return plain, found
