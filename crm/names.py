"""Names, e-mails and tax ids reduced to one comparable form, for search and duplicates.

The normal form of a text is its words, case-folded, joined by single spaces: "ё" is "е",
quotes and punctuation are gone, Lithuanian letters keep their marks ("ž" is not "z"). An
apostrophe inside a word disappears without splitting it (O'Reilly -> oreilly); every other
quote or punctuation mark separates words (ООО"Ромашка" -> ооо ромашка).

Organization names additionally lose their legal form (ООО, UAB, LLC, "общество с
ограниченной ответственностью", ...) wherever it stands as a word of its own, so that
«ООО "Ромашка"», "Ромашка, ООО" and "ромашка" are one name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from crm.phones import cell_text

__all__ = [
    "LEGAL_FORMS",
    "SEARCH_SEPARATOR",
    "find_emails",
    "normalize_email",
    "normalize_org_name",
    "normalize_person_name",
    "normalize_tax_id",
    "normalize_text",
    "search_text",
]

# Joins the parts of a search document. Normalized text never contains "|", so a normalized
# query cannot match across two parts (a name's end and the next field's start).
SEARCH_SEPARATOR = " | "

_APOSTROPHES = "'`\u2018\u2019\u02bc\u02b9\u2032"  # ' ` ‘ ’ ʼ ʹ ′
_OTHER_QUOTES = '"«»\u201a\u201b\u201c\u201d\u201e\u201f\u2039\u203a\u2033\uff02\uff07'
_APOSTROPHE_IN_WORD = re.compile(rf"(?<=[^\W_])[{_APOSTROPHES}](?=[^\W_])")
_QUOTE = re.compile(rf"[{_APOSTROPHES}{_OTHER_QUOTES}]")
_WORD = re.compile(r"[^\W_]+")
_HYPHENS = "-\u2010\u2011"  # joining a compound ("Co-op"); dashes with spaces do not

LEGAL_FORMS: tuple[str, ...] = (
    # Russia and neighbours
    "ООО",
    "ОАО",
    "ЗАО",
    "ПАО",
    "АО",
    "НАО",
    "ИП",
    "ЧП",
    "ТОО",
    "НКО",
    "АНО",
    "ФГУП",
    "МУП",
    "ГУП",
    "OOO",  # the same in Latin letters, as in English documents
    "OAO",
    "ZAO",
    "PAO",
    "общество с ограниченной ответственностью",
    "товарищество с ограниченной ответственностью",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "публичное акционерное общество",
    "непубличное акционерное общество",
    "акционерное общество",
    "индивидуальный предприниматель",
    "автономная некоммерческая организация",
    "федеральное государственное унитарное предприятие",
    "государственное унитарное предприятие",
    "муниципальное унитарное предприятие",
    # Lithuania (also typed without the marks)
    "UAB",
    "AB",
    "MB",
    "IĮ",
    "VšĮ",
    "VsI",
    "TŪB",
    "TUB",
    "KŪB",
    "KUB",
    "uždaroji akcinė bendrovė",
    "uzdaroji akcine bendrove",
    "akcinė bendrovė",
    "akcine bendrove",
    "mažoji bendrija",
    "mazoji bendrija",
    "individuali įmonė",
    "individuali imone",
    "viešoji įstaiga",
    "viesoji istaiga",
    "tikroji ūkinė bendrija",
    "komanditinė ūkinė bendrija",
    # English and elsewhere in Europe
    "LLC",
    "L.L.C.",
    "Ltd",
    "Ltd.",
    "Inc",
    "Inc.",
    "Corp",
    "Corp.",
    "Co",
    "Co.",
    "GmbH",
    "LLP",
    "PLC",
    "SIA",
    "OÜ",
    "AS",
    "OY",
    "Sp. z o.o.",
    "limited liability company",
    "limited liability partnership",
    "public limited company",
    "private limited company",
    "limited",
    "incorporated",
    "corporation",
    "company",
)


# --- words ---------------------------------------------------------------------------------------


class _InvisibleTable(dict[int, int | str | None]):
    """`str.translate` table, filled as characters come: Cf and Mn dropped, "ё" -> "е"."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.category(chr(code)) in ("Cf", "Mn") else code
        if len(self) < 20_000:  # bounded: at most the characters of a few scripts
            self[code] = value
        return value


_INVISIBLE = _InvisibleTable({ord("ё"): "е"})
# Letters, digits, blanks, ASCII punctuation and common quotes and dashes: never Cf or Mn, so
# a text of only these needs no (slow, per character) `_INVISIBLE` translation.
_VISIBLE = re.compile(r"[\w\s\x21-\x7e«»№–—“”„‘’]*")
_QUOTE_CHARS = frozenset(_APOSTROPHES + _OTHER_QUOTES)
_APOSTROPHE_CHARS = frozenset(_APOSTROPHES)
_HYPHEN_CHARS = frozenset(_HYPHENS)
_CACHE_SIZE = 4096


def _prepare(text: str) -> str:
    """NFC, case-folded, "ё" as "е", no invisible characters, quotes handled."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = unicodedata.normalize("NFC", text)  # casefold can decompose ("İ" -> "i̇")
    # Cf: soft hyphens, zero-width spaces, BOMs; Mn: accents that did not compose
    if _VISIBLE.fullmatch(text):
        text = text.replace("ё", "е")
    else:
        text = text.translate(_INVISIBLE)
    if _QUOTE_CHARS.isdisjoint(text):
        return text
    if not _APOSTROPHE_CHARS.isdisjoint(text):
        text = _APOSTROPHE_IN_WORD.sub("", text)
    return _QUOTE.sub(" ", text)


def _words(text: str) -> list[tuple[str, bool, bool]]:
    """(word, joined to the previous by a hyphen, joined to the next by a hyphen)."""
    words = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        before = start > 0 and text[start - 1] in _HYPHENS
        after = end < len(text) and text[end] in _HYPHENS
        words.append((match.group(), before, after))
    return words


def normalize_text(text: str | None) -> str:
    """The normal form of any text: words, case-folded, "ё" -> "е", single spaces."""
    if not text:
        return ""
    if text.isascii() and text.isprintable() and _ASCII_QUOTES.isdisjoint(text):
        # digits, e-mails, tax ids, websites: only lowercase words of letters and digits (no
        # Unicode normalization, invisible characters or quotes to handle), several times faster
        return text if text.isdigit() else " ".join(_ASCII_WORD.findall(text.lower()))
    return _normalize_text(text)


_ASCII_QUOTES = frozenset(c for c in _QUOTE_CHARS if c.isascii())  # ' ` "
_ASCII_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=_CACHE_SIZE)
def _normalize_text(text: str) -> str:
    return " ".join(_WORD.findall(_prepare(text)))


def normalize_person_name(name: str | None) -> str:
    """A person's name in normal form: "Пётр  О'Нил-Сёмин" -> "петр онил семин"."""
    return normalize_text(name)


# --- organizations -------------------------------------------------------------------------------


def _legal_form_index(forms: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for form in forms:
        words = tuple(normalize_text(form).split())
        if words and words not in index.setdefault(words[0], []):
            index[words[0]].append(words)
    for candidates in index.values():
        candidates.sort(key=len, reverse=True)  # longest first
    return index


_LEGAL_FORMS = _legal_form_index(LEGAL_FORMS)


def _legal_form_at(words: list[tuple[str, bool, bool]], index: int) -> int:
    """How many words from `index` on are a legal form standing on its own (0: none)."""
    word, joined_before, _ = words[index]
    if joined_before:
        return 0
    for form in _LEGAL_FORMS.get(word, ()):
        end = index + len(form)
        if end <= len(words) and not words[end - 1][2]:
            if all(words[index + i][0] == form[i] for i in range(len(form))):
                return len(form)
    return 0


def normalize_org_name(name: str | None) -> str:
    """An organization's name for duplicates and search: normal form without legal forms.

    'ООО «Ромашка»', 'Ромашка ООО', 'ромашка, ООО' and 'ROMASHKA LLC'/'Romashka' pair up;
    'UAB "Žalia giria"' == 'Žalia Giria, UAB'. A legal form is removed only as a separate word
    ("Co-op" keeps its "co"). When a name is nothing but legal forms ("AS", "Company Ltd"), the
    first of them stays: the company is called that.
    """
    if not name:
        return ""
    return _normalize_org_name(name)


@lru_cache(maxsize=_CACHE_SIZE)
def _normalize_org_name(name: str) -> str:
    text = _prepare(name)
    plain = _WORD.findall(text)
    if _LEGAL_FORMS.keys().isdisjoint(plain):  # no word starts a legal form
        return " ".join(plain)
    if _HYPHEN_CHARS.isdisjoint(text):  # no word is joined to another
        words = [(word, False, False) for word in plain]
    else:
        words = _words(text)
    kept: list[str] = []
    first_form: list[str] = []
    index = 0
    while index < len(words):
        length = _legal_form_at(words, index)
        if length:
            if not first_form:
                first_form = [word for word, _, _ in words[index : index + length]]
            index += length
        else:
            kept.append(words[index][0])
            index += 1
    return " ".join(kept or first_form)


# --- e-mails -------------------------------------------------------------------------------------

_EMAIL_LOCAL = re.compile(r"[^\s@<>()\[\]\\,;:\"]+")
_DOMAIN_LABEL = re.compile(r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?")
_EMAIL_DELIMITERS = re.compile(r"[\s,;:<>()\[\]{}\"«»“”„|/\\]+")
_EMAIL_TRIM = ".!?'`‘’*"


def normalize_email(text: str | None) -> str | None:
    """The address in lower case, or None when it is no address.

    " Ivan.Petrov@Romashka.RU " -> "ivan.petrov@romashka.ru".

    Accepts "mailto:" and "<...>" around it. Checks the basics only: one "@", something before
    it, a domain with a dot whose labels are letters, digits and inner hyphens (also Cyrillic:
    "почта.рф"), a top-level domain that is not all digits, no spaces.
    """
    if not text:
        return None
    email = text.strip()
    if email[:7].lower() == "mailto:":
        email = email[7:]
    if email.startswith("<") and email.endswith(">"):
        email = email[1:-1]
    email = email.strip().lower()
    if len(email) > 254 or email.count("@") != 1:
        return None
    local, domain = email.split("@")
    if not _EMAIL_LOCAL.fullmatch(local) or len(local) > 64:
        return None
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    labels = domain.split(".")
    if len(labels) < 2 or not all(
        len(label) <= 63 and _DOMAIN_LABEL.fullmatch(label) for label in labels
    ):
        return None
    if len(labels[-1]) < 2 or labels[-1].isdigit():
        return None
    return email


def find_emails(text: str | None) -> list[str]:
    """Every e-mail address in a message or a cell, normalized, in order, without repeats."""
    if not text:
        return []
    found: list[str] = []
    for chunk in _EMAIL_DELIMITERS.split(text):
        if "@" not in chunk:
            continue
        email = normalize_email(chunk.strip(_EMAIL_TRIM))
        if email is not None and email not in found:
            found.append(email)
    return found


# --- tax ids -------------------------------------------------------------------------------------

_TAX_ID_NOISE = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2212]+")


def normalize_tax_id(text: str | int | float | None) -> str | None:
    """An INN, KPP, OGRN, Lithuanian company code or VAT number without spaces and dashes.

    "7701 234-567" -> "7701234567", "lt 100001234567" -> "LT100001234567". Excel's forms are
    undone: 7701234567.0 and "7,701234567E+09" -> "7701234567". Leading zeros of text are kept
    ("0123456789"); a number that Excel already stored without them cannot get them back.
    None, "" and blanks give None.
    """
    if text is None or isinstance(text, bool):
        return None
    tax_id = _TAX_ID_NOISE.sub("", cell_text(text)).upper()
    return tax_id or None


# --- search documents ----------------------------------------------------------------------------


def search_text(*parts: str | None) -> str:
    """One lowercase document for substring search over a record's fields.

    Each part is put in normal form (`normalize_text`); empty parts and repeats are dropped;
    the rest are joined with `SEARCH_SEPARATOR`. Search it with `normalize_text(query)` (or
    `normalize_org_name(query)` for organizations). Pass phones as digits (`digits(e164)`), so
    that any run of their digits is a substring.
    """
    normalized = (normalize_text(part) for part in parts)
    return SEARCH_SEPARATOR.join(dict.fromkeys(part for part in normalized if part))
