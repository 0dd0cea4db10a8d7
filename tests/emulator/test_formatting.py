"""parse_mode handling: visible text, entities with UTF-16 offsets, Telegram's rejections."""

from __future__ import annotations

import pytest

from emulator.formatting import (
    EntityParseError,
    format_text,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
)
from emulator.state import ApiError


def test_html_entities_and_escapes() -> None:
    text, entities = parse_html(
        '<b>Bold <i>both</i></b> &amp; <a href="https://x.io">link</a> 1 &lt; 2 AT&T'
    )
    assert text == "Bold both & link 1 < 2 AT&T"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
        {"type": "text_link", "offset": 12, "length": 4, "url": "https://x.io"},
    ]


def test_html_offsets_count_utf16_units() -> None:
    text, entities = parse_html("👍 <u>ok</u>")
    assert text == "👍 ok"
    assert entities == [{"type": "underline", "offset": 3, "length": 2}]


def test_html_pre_with_language_and_spoiler() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><tg-spoiler>s</tg-spoiler>'
    )
    assert text == "x = 1s"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 5, "length": 1},
    ]


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("Ü <b", "Unclosed start tag at byte offset 3"),
        ('<span class="x">y</span>', 'Unsupported start tag "span"'),
    ],
)
def test_html_errors(html: str, error: str) -> None:
    with pytest.raises(EntityParseError, match=error.replace("(", r"\(")):
        parse_html(html)


def test_markdown_v2() -> None:
    text, entities = parse_markdown_v2(
        r"*bold _it_* __u__ ~s~ ||sp|| `c\`` [l](https://x.io/a\)b) 5\.00"
    )
    assert text == "bold it u s sp c` l 5.00"
    kinds = [(e["type"], e["offset"], e["length"]) for e in entities]
    assert kinds == [
        ("bold", 0, 7),
        ("italic", 5, 2),
        ("underline", 8, 1),
        ("strikethrough", 10, 1),
        ("spoiler", 12, 2),
        ("code", 15, 2),
        ("text_link", 18, 1),
    ]
    assert entities[-1]["url"] == "https://x.io/a)b"


def test_markdown_v2_pre_and_blockquote() -> None:
    text, entities = parse_markdown_v2("```sql\nSELECT 1.0;\n```\n>quoted\\.\nafter")
    assert text == "SELECT 1.0;\n\nquoted.\nafter"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 12, "language": "sql"},
        {"type": "blockquote", "offset": 13, "length": 7},
    ]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("Price: 5.00", "Character '.' is reserved"),
        ("a-b", "Character '-' is reserved"),
        ("(note)", "Character '(' is reserved"),
        ("*open", "Can't find end of Bold entity at byte offset 0"),
        ("[link]", "Can't find end of TextUrl entity"),
        ("x|y", "Character '|' is reserved"),
    ],
)
def test_markdown_v2_errors(source: str, error: str) -> None:
    with pytest.raises(EntityParseError, match=error.replace("(", r"\(").replace("[", r"\[")):
        parse_markdown_v2(source)


def test_legacy_markdown() -> None:
    text, entities = parse_markdown(r"*b* _i_ `c` [l](http://x) a\_b")
    assert text == "b i c l a_b"
    assert [e["type"] for e in entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(EntityParseError, match="Can't find end of the entity"):
        parse_markdown("snake_case")


def test_format_text_trims_and_checks_limits() -> None:
    assert format_text("  <b>hi</b>\n", "HTML", None) == (
        "hi",
        [{"type": "bold", "offset": 0, "length": 2}],
    )
    given = [{"type": "bold", "offset": 0, "length": 2}]
    assert format_text("hi", "HTML", given) == ("hi", given)  # entities win over parse_mode
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        format_text("x", "BBCode", None)
    with pytest.raises(ApiError, match="message caption is too long"):
        format_text("x" * 1025, None, None, caption=True)
    assert format_text("<b>" + "x" * 4096 + "</b>", "HTML", None)[0] == "x" * 4096
