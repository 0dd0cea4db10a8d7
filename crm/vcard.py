"""Reading contact cards (vCard 2.1, 3.0 and 4.0) that reps share from their phones.

Only what a contact needs is read: the name (FN, else N), phones (TEL), e-mails (EMAIL), the
organization (ORG, its first part) and the position (TITLE, else ROLE). Address books write
vCards in many dialects, so the parser is forgiving: folded lines, "item1." groups, bare
2.1 parameters ("TEL;CELL:"), quoted-printable values in any charset with soft line breaks
(Android's export of Cyrillic names), backslash escapes and "tel:" URIs. Unknown lines and
broken cards are skipped, never raised on.
"""

from __future__ import annotations

import codecs
import quopri
import re
from dataclasses import dataclass, field

__all__ = ["VCard", "decode", "parse"]

MAX_VALUE = 1000  # longer values are photos or garbage, not names or numbers


@dataclass
class VCard:
    name: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    organization: str | None = None
    title: str | None = None


@dataclass
class _Line:
    name: str
    params: dict[str, str]
    value: str


def decode(data: bytes) -> str:
    """The text of a .vcf file: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1251."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def parse(text: str) -> list[VCard]:
    """Every card in the text, in order; cards with neither a name nor a phone are dropped."""
    cards: list[VCard] = []
    current: VCard | None = None
    for line in _lines(text):
        if line.name == "BEGIN" and line.value.strip().upper() == "VCARD":
            current = VCard()
        elif line.name == "END" and line.value.strip().upper() == "VCARD":
            if current is not None and (current.name or current.phones):
                cards.append(current)
            current = None
        elif current is not None:
            _apply(current, line)
    return cards


# --- lines ----------------------------------------------------------------------------------

_PROPERTY = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$", re.DOTALL)


def _physical_lines(text: str) -> list[str]:
    """Lines with RFC folding undone (a line starting with a space or tab continues the last),
    and quoted-printable soft breaks ("=" at the end) joined."""
    lines: list[str] = []
    for raw in re.split(r"\r\n|\r|\n", text):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif lines and _continues_quoted_printable(lines[-1]):
            lines[-1] = lines[-1][:-1] + raw
        else:
            lines.append(raw)
    return lines


def _continues_quoted_printable(line: str) -> bool:
    head = line.split(":", 1)[0].upper()
    return line.endswith("=") and "QUOTED-PRINTABLE" in head


def _lines(text: str) -> list[_Line]:
    found = []
    for raw in _physical_lines(text):
        match = _PROPERTY.match(raw)
        if match is None:
            continue  # base64 photo data of 2.1 cards, blank lines, garbage
        name, params, value = match.groups()
        found.append(_Line(name.upper(), _params(params), value))
    return found


def _params(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in filter(None, text.split(";")):
        key, sep, value = part.partition("=")
        if sep:
            params[key.strip().upper()] = value.strip().strip('"')
        else:  # vCard 2.1: "TEL;CELL;QUOTED-PRINTABLE:..."
            bare = key.strip().upper()
            if bare in ("QUOTED-PRINTABLE", "BASE64", "B"):
                params["ENCODING"] = bare
            else:
                params.setdefault("TYPE", bare)
    return params


# --- values ---------------------------------------------------------------------------------


def _raw_value(line: _Line) -> str:
    value = line.value
    if line.params.get("ENCODING", "").upper() == "QUOTED-PRINTABLE":
        charset = line.params.get("CHARSET", "utf-8")
        try:
            codecs.lookup(charset)
        except LookupError:
            charset = "utf-8"
        value = quopri.decodestring(value.encode("ascii", errors="ignore")).decode(
            charset, errors="replace"
        )
    return value[:MAX_VALUE]


def _components(value: str) -> list[str]:
    """A structured value ("Petrov;Ivan;;;") split on unescaped semicolons, unescaped."""
    parts, current, escaped = [], "", False
    for ch in value:
        if escaped:
            current += "\\" + ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ";":
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [_unescape(part) for part in parts]


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _unescape(value: str) -> str:
    text = _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
    return " ".join(text.split())


def _phone(value: str) -> str:
    """A TEL value as a person would type it: "tel:+1-555-0100;ext=12" -> "+1-555-0100 ext. 12"."""
    value = value.strip()
    if value.lower().startswith("tel:"):
        number, _, rest = value[4:].partition(";")
        extension = re.search(r"(?:^|;)ext=([0-9]+)", rest, re.IGNORECASE)
        return number + (f" ext. {extension.group(1)}" if extension else "")
    return value


def _apply(card: VCard, line: _Line) -> None:
    if line.params.get("ENCODING", "").upper() in ("BASE64", "B"):
        return
    value = _raw_value(line)
    if line.name == "FN":
        card.name = _unescape(value) or card.name
    elif line.name == "N" and not card.name:
        family, given, additional, *_ = [*_components(value), "", "", ""]
        card.name = " ".join(part for part in (given, additional, family) if part)
    elif line.name == "TEL":
        phone = _unescape(_phone(value))
        if phone and phone not in card.phones:
            card.phones.append(phone)
    elif line.name == "EMAIL":
        email = _unescape(value.removeprefix("mailto:"))
        if email and email not in card.emails:
            card.emails.append(email)
    elif line.name == "ORG":
        card.organization = next((part for part in _components(value) if part), None)
    elif line.name == "TITLE" or (line.name == "ROLE" and not card.title):
        card.title = _unescape(value) or card.title
