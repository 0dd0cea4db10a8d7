"""Which row holds the column names, and which column is which field.

Real files have title rows above the header (1C: "Контрагенты", "Дата: ...", an empty row),
and their column names vary by program and language. `detect_header(rows)` scores each of the
first rows by its cells' matches against `COLUMN_NAMES` (Russian, English, Lithuanian; 1C,
amoCRM/Kommo, Bitrix24, HubSpot, Pipedrive) and penalizes cells that look like data (numbers,
e-mails, long digit runs), then takes the best row.

A header text is compared in a folded form: case-folded, accents and "ё"/"й" folded
("Įmonė" = "imone"), punctuation and spaces removed ("E-mail" = "email" = "e mail"), a
trailing number dropped ("Телефон 2" = "Телефон"). Pipedrive's "Person - Phone - Work" loses
its entity prefix. When no name matches exactly, keywords decide for the fields that have
unambiguous ones (phone, e-mail, tax id, website, address, note, owner): "Телефон для связи",
"Адрес электронной почты" (e-mail, not address). A note column that names the contact
("Комментарий к контакту", "Contact note", "Person - Note") is the person's own note; a plain
note column is the organization's when the row names one, else the person's.

Several columns may be phones or e-mails; for any other field the best-ranked name wins (then
the leftmost column) and the other columns stay unmapped: their values are kept as extra data.
A plain "Name"/"Имя контакта" is the person's name unless the sheet looks like a list of
companies (a tax id or website column and no person columns).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from crm.importing.errors import ImportFileError, ImportProblem
from crm.importing.reading import HEAD_ROWS, Cell, SheetRow
from crm.phones import cell_text

__all__ = [
    "COLUMN_NAMES",
    "Field",
    "HeaderMatch",
    "apply_override",
    "detect_header",
    "dump_mapping",
    "header_key",
    "load_mapping",
    "mapping_key",
]


class Field(StrEnum):
    organization = "organization"
    tax_id = "tax_id"
    contact_name = "contact_name"
    first_name = "first_name"
    last_name = "last_name"
    middle_name = "middle_name"
    position = "position"
    phone = "phone"
    email = "email"
    address = "address"
    website = "website"
    note = "note"
    contact_note = "contact_note"  # the person's own note, beside the organization's
    owner = "owner"


MULTIPLE = frozenset({Field.phone, Field.email})  # fields that several columns may feed
KEY_FIELDS = frozenset(
    {
        Field.organization,
        Field.contact_name,
        Field.first_name,
        Field.last_name,
        Field.phone,
        Field.email,
        Field.tax_id,
    }
)

# Per field, best first: when two columns have names of one field, the better-ranked one wins.
COLUMN_NAMES: dict[Field, tuple[str, ...]] = {
    Field.organization: (
        "Наименование",
        "Краткое наименование",
        "Наименование организации",
        "Наименование контрагента",
        "Наименование компании",
        "Название компании",
        "Название организации",
        "Название",
        "Контрагент",
        "Организация",
        "Компания",
        "Компания контакта",
        "Юридическое лицо",
        "Клиент",
        "Покупатель",
        "Полное наименование",
        "Рабочее наименование",
        "Company",
        "Company name",
        "Associated company",
        "Organization",
        "Organisation",
        "Organization name",
        "Person - Organization",
        "Account",
        "Account name",
        "Business name",
        "Legal name",
        "Client",
        "Customer",
        "Įmonė",
        "Įmonės pavadinimas",
        "Pavadinimas",
        "Organizacija",
        "Klientas",
        "Juridinis asmuo",
    ),
    Field.tax_id: (
        "ИНН",
        "ИНН/КПП",
        "ИНН организации",
        "ИНН контрагента",
        "УНП",
        "БИН",
        "Tax ID",
        "TIN",
        "VAT",
        "VAT number",
        "VAT ID",
        "Company code",
        "Registration number",
        "Registration code",
        "Reg. No.",
        "Įmonės kodas",
        "Juridinio asmens kodas",
        "PVM kodas",
        "PVM mokėtojo kodas",
        "Kodas",
    ),
    Field.contact_name: (
        "Контактное лицо",
        "ФИО",
        "ФИО контакта",
        "Контакт",
        "Имя контакта",
        "Полное имя",
        "Полное имя контакта",
        "Основной контакт",
        "Представитель",
        "Contact",
        "Contact person",
        "Contact name",
        "Contact full name",
        "Full name",
        "Person",
        "Person name",
        "Kontaktinis asmuo",
        "Vardas Pavardė",
        "Vardas ir pavardė",
        "Asmuo",
        "Kontaktas",
    ),
    Field.first_name: ("Имя", "First name", "Given name", "Firstname", "Vardas"),
    Field.last_name: ("Фамилия", "Last name", "Surname", "Family name", "Lastname", "Pavardė"),
    Field.middle_name: ("Отчество", "Middle name", "Patronymic", "Tėvavardis"),
    Field.position: (
        "Должность",
        "Позиция",
        "Position",
        "Job title",
        "Title",
        "Job position",
        "Pareigos",
    ),
    Field.phone: (
        "Телефон",
        "Телефоны",
        "Тел.",
        "Мобильный",
        "Мобильный телефон",
        "Моб. тел.",
        "Сотовый",
        "Сотовый телефон",
        "Рабочий телефон",
        "Контактный телефон",
        "Номер телефона",
        "Phone",
        "Phones",
        "Phone number",
        "Mobile",
        "Mobile phone",
        "Mobile phone number",
        "Work phone",
        "Work direct phone",
        "Home phone",
        "Other phone",
        "Telephone",
        "Tel.",
        "Cell",
        "Cell phone",
        "Telefonas",
        "Mob. tel.",
        "Tel. nr.",
        "Mobilusis telefonas",
        "Mobilus telefonas",
    ),
    Field.email: (
        "E-mail",
        "Email",
        "Эл. почта",
        "Электронная почта",
        "Адрес электронной почты",
        "Почта",
        "Рабочий e-mail",
        "Личный e-mail",
        "Частный e-mail",
        "E-mail для рассылок",
        "Email address",
        "Work email",
        "Private email",
        "Other email",
        "Mail",
        "El. paštas",
        "El. pašto adresas",
        "Elektroninis paštas",
    ),
    Field.address: (
        "Адрес",
        "Фактический адрес",
        "Юридический адрес",
        "Почтовый адрес",
        "Адрес доставки",
        "Address",
        "Street address",
        "Office address",
        "Billing address",
        "Adresas",
        "Buveinės adresas",
        "Juridinis adresas",
    ),
    Field.website: (
        "Сайт",
        "Веб-сайт",
        "Корпоративный сайт",
        "Website",
        "Website URL",
        "Web site",
        "Web",
        "URL",
        "Company domain name",
        "Domain",
        "Svetainė",
        "Interneto svetainė",
    ),
    Field.note: (
        "Комментарий",
        "Комментарии",
        "Примечание",
        "Примечания",
        "Заметка",
        "Заметки",
        "Описание",
        "Note",
        "Notes",
        "Comment",
        "Comments",
        "Description",
        "Pastabos",
        "Pastaba",
        "Komentaras",
        "Komentarai",
        "Aprašymas",
    ),
    Field.contact_note: (
        "Комментарий к контакту",
        "Комментарий контакта",
        "Примечание к контакту",
        "Заметка о контакте",
        "Комментарий к контактному лицу",
        "Contact note",
        "Contact notes",
        "Contact comment",
        "Note on contact",
        "Person note",
        "Kontakto pastaba",
        "Kontakto pastabos",
        "Kontakto komentaras",
        "Kontaktinio asmens pastaba",
    ),
    Field.owner: (
        "Ответственный",
        "Ответственный менеджер",
        "Ответственный пользователь",
        "Менеджер",
        "Owner",
        "Contact owner",
        "Company owner",
        "Responsible",
        "Responsible user",
        "Assigned to",
        "Sales rep",
        "Atsakingas",
        "Atsakingas asmuo",
        "Vadybininkas",
    ),
}

# "Name" alone: a person's name, or the company's in a list of companies (resolved per sheet).
_AMBIGUOUS_NAMES = ("Name", "Имя и фамилия", "Vardas, pavardė")
_NAME = "name"

# Words (folded) that decide a field when no name matches exactly, in this order, so that
# "Адрес электронной почты" is an e-mail and "Контактный телефон" a phone. A trailing "*"
# matches any ending ("телефон*": "телефона", "телефоны"); other words match whole.
_KEYWORDS: tuple[tuple[Field, tuple[str, ...]], ...] = (
    (Field.email, ("email*", "mail", "почта", "почты", "pastas", "pasto")),
    (
        Field.phone,
        (
            "телефон*",
            "тел",
            "моб",
            "мобильн*",
            "сотов*",
            "phone*",
            "mobile*",
            "cell*",
            "tel",
            "telephone*",
            "telefon*",
            "mob",
        ),
    ),
    (Field.tax_id, ("инн", "vat", "tax", "tin", "pvm")),
    (Field.website, ("сайт*", "website*", "www", "url", "web", "svetain*")),
    (Field.address, ("адрес*", "address*", "adres*")),
    (
        Field.note,
        ("коммент*", "примечан*", "заметк*", "comment*", "note*", "pastab*", "komentar*"),
    ),
    (Field.owner, ("ответствен*", "owner*", "responsible", "atsaking*")),
)
# Words that make a note column the person's own note ("Заметки по контактному лицу").
_CONTACT_WORDS = ("контакт*", "contact*", "person*", "kontakt*", "asmen*")
# Words that keep a header away from the keywords: a Telegram login is not a phone number.
_NOT_CONTACT_DATA = ("telegram*", "телеграм*", "skype*", "факс*", "fax*", "viber*", "whatsapp*")
_ENTITY_PREFIXES = {"person", "contact", "organization", "organisation", "company", "deal", "lead"}
_ORGANIZATION_ENTITIES = {"organization", "organisation", "company"}

_NON_WORD = re.compile(r"[\W_]+")
_TRAILING_NUMBER = re.compile(r"(?:\s+|(?<=[^\W\d_]))\d{1,2}$")
_DIGITS = re.compile(r"\d")
_SCAN_ROWS = HEAD_ROWS


def _fold(text: str) -> str:
    """Case, accents, ё/й and punctuation folded: words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("№", " "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).split())


def header_key(text: Cell) -> str:
    """The form a header text is compared in: folded, without spaces, no trailing number."""
    folded = _fold(cell_text(text))
    folded = _TRAILING_NUMBER.sub("", folded).strip() or folded
    return folded.replace(" ", "")


def _index() -> dict[str, tuple[Field | str, int]]:
    index: dict[str, tuple[Field | str, int]] = {}
    for field_, names in COLUMN_NAMES.items():
        for rank, name in enumerate(names):
            index.setdefault(header_key(name), (field_, rank))
    for name in _AMBIGUOUS_NAMES:
        index.setdefault(header_key(name), (_NAME, 0))
    return index


_INDEX = _index()


@dataclass(frozen=True)
class _Guess:
    field: Field | str
    rank: int  # lower is better; keyword matches rank after every exact name
    exact: bool


def _guess(text: Cell) -> _Guess | None:
    raw = cell_text(text)
    if not raw:
        return None
    parts = [part.strip() for part in re.split(r"\s[-–—:]\s|\s*::\s*", raw) if part.strip()]
    entity = None
    if len(parts) > 1 and _fold(parts[0]) in _ENTITY_PREFIXES:
        entity = _fold(parts[0])
        if entity in ("deal", "lead"):
            return None  # a deal's title or value is no contact data
        if len(parts) == 2 and header_key(parts[1]) in ("name", "название", "наименование"):
            field_ = Field.organization if entity in _ORGANIZATION_ENTITIES else Field.contact_name
            return _Guess(field_, 50, True)
        raw = " ".join(parts[1:2])  # "Person - Phone - Work" -> "Phone"
    key = header_key(raw)
    if key in _INDEX:
        field_, rank = _INDEX[key]
        if field_ == Field.note and entity in ("person", "contact"):
            field_ = Field.contact_note  # Pipedrive's "Person - Note"
        return _Guess(field_, rank, True)
    words = _fold(raw).split()
    if not words or len(words) > 6 or _has_keyword(words, _NOT_CONTACT_DATA):
        return None
    for field_, keywords in _KEYWORDS:
        if _has_keyword(words, keywords):
            if field_ == Field.note and _has_keyword(words, _CONTACT_WORDS):
                field_ = Field.contact_note  # "Комментарий по контакту"
            return _Guess(field_, 1000, False)
    return None


def _has_keyword(words: list[str], keywords: tuple[str, ...]) -> bool:
    for keyword in keywords:
        if keyword.endswith("*"):
            stem = _fold(keyword[:-1])
            if any(word.startswith(stem) for word in words):
                return True
        elif _fold(keyword) in words:
            return True
    return False


def _looks_like_data(value: Cell) -> bool:
    if value is None:
        return False
    if isinstance(value, int | float | bool | datetime | date | time | timedelta):
        return True
    text = str(value)
    return "@" in text or len(_DIGITS.findall(text)) >= 5 or len(text) > 80


@dataclass(frozen=True)
class HeaderMatch:
    """The header row and what each column is.

    row_index: position of the header in the rows given to `detect_header`; row_number: its
    1-based number in the sheet. mapping: column (0-based) -> field; unmapped: column -> header
    text for the named columns that map to nothing (their values are kept as extra data).
    confidence: 0..1, how much of the header was recognized by exact names (ask the user to
    check the mapping when it is low). headers: every header cell's text, by column.
    """

    row_index: int
    row_number: int
    mapping: dict[int, Field]
    unmapped: dict[int, str]
    confidence: float
    headers: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """`mapping_key` of this header: remember a confirmed mapping under it."""
        return mapping_key(self.headers)

    def remap(self, mapping: Mapping[int, Field | str]) -> HeaderMatch:
        """The same header with another mapping (a remembered or edited one)."""
        clean = {
            column: Field(value)
            for column, value in mapping.items()
            if 0 <= column < len(self.headers) and value
        }
        unmapped = {
            column: text for column, text in enumerate(self.headers) if text and column not in clean
        }
        return replace(self, mapping=dict(sorted(clean.items())), unmapped=unmapped)


def detect_header(rows: Sequence[SheetRow] | Sequence[Sequence[Cell]]) -> HeaderMatch:
    """Find the header among the first rows (`Table.head()`), and map its columns.

    Accepts `SheetRow`s or plain lists of cells (then row_number = index + 1). Raises
    `ImportFileError(empty)` when there are no rows, `ImportFileError(no_header)` when no row
    names at least one of organization, person name, phone, e-mail or tax id.
    """
    sheet_rows = [
        row if isinstance(row, SheetRow) else SheetRow(index + 1, list(row))
        for index, row in enumerate(rows[:_SCAN_ROWS])
    ]
    if not sheet_rows:
        raise ImportFileError(ImportProblem.empty, "no rows")
    best: tuple[float, int, dict[int, _Guess]] | None = None
    for index, row in enumerate(sheet_rows):
        guesses: dict[int, _Guess] = {}
        score = 0.0
        for column, value in enumerate(row.values):
            if value is None:
                continue
            guess = _guess(value) if isinstance(value, str) else None
            if guess is not None:
                guesses[column] = guess
                score += 1.0 if guess.exact else 0.6
            elif _looks_like_data(value):
                score -= 1.0
        if not any(g.field in KEY_FIELDS or g.field == _NAME for g in guesses.values()):
            continue
        if best is None or score > best[0]:
            best = (score, index, guesses)
    if best is None or best[0] < 1.0:
        raise ImportFileError(ImportProblem.no_header, "no row names known columns")
    score, index, guesses = best
    row = sheet_rows[index]
    headers = tuple(cell_text(value) for value in row.values)
    mapping = _resolve(guesses)
    named = sum(1 for text in headers if text)
    exact = sum(1 for column in mapping if guesses[column].exact)
    confidence = round(min(1.0, (exact + 0.5 * (len(mapping) - exact)) / max(named, 1)), 2)
    unmapped = {
        column: text for column, text in enumerate(headers) if text and column not in mapping
    }
    return HeaderMatch(
        row_index=index,
        row_number=row.number,
        mapping=mapping,
        unmapped=unmapped,
        confidence=confidence,
        headers=headers,
    )


def _resolve(guesses: dict[int, _Guess]) -> dict[int, Field]:
    """One column per single-valued field (best rank, then leftmost); "Name" made definite."""
    fields = {g.field for g in guesses.values()}
    person = fields & {Field.contact_name, Field.first_name, Field.last_name, Field.position}
    companyish = fields & {Field.tax_id, Field.website}
    if Field.organization in fields or person or not companyish:
        name_field = Field.contact_name
    else:
        name_field = Field.organization
    definite = {
        column: replace(g, field=name_field, rank=500) if g.field == _NAME else g
        for column, g in guesses.items()
    }
    mapping: dict[int, Field] = {}
    taken: dict[Field, int] = {}
    for column, guess in sorted(definite.items(), key=lambda item: (item[1].rank, item[0])):
        field_ = Field(guess.field)
        if field_ in MULTIPLE:
            mapping[column] = field_
        elif field_ not in taken:
            taken[field_] = column
            mapping[column] = field_
    return dict(sorted(mapping.items()))


def mapping_key(headers: Sequence[Cell]) -> str:
    """A stable hash of the header texts (folded, by position): one key per file layout.

    Files whose headers differ only in case, spacing or punctuation share it; another column
    order or another column does not. 16 hex characters.
    """
    texts = [_fold(cell_text(value)).replace(" ", "") for value in headers]
    while texts and not texts[-1]:
        texts.pop()
    return hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()[:16]


def apply_override(
    mapping: HeaderMatch | Mapping[int, Field], column: int, value: Field | str | None
) -> HeaderMatch | dict[int, Field]:
    """The mapping with `column` set to `value` (None: the column is not imported).

    Choosing a single-valued field for a column takes it from the column that had it. Given a
    `HeaderMatch`, returns a new `HeaderMatch` (unmapped columns updated); given a dict, a dict.
    """
    current = mapping.mapping if isinstance(mapping, HeaderMatch) else mapping
    updated = {c: Field(f) for c, f in current.items() if c != column}
    if value:
        new_field = Field(value)
        if new_field not in MULTIPLE:
            updated = {c: f for c, f in updated.items() if f != new_field}
        updated[column] = new_field
    updated = dict(sorted(updated.items()))
    if isinstance(mapping, HeaderMatch):
        return mapping.remap(updated)
    return updated


def dump_mapping(mapping: Mapping[int, Field]) -> dict[str, str]:
    """The mapping as JSON-friendly strings, to remember it under `mapping_key`."""
    return {str(column): str(value) for column, value in sorted(mapping.items())}


def load_mapping(data: Mapping[str, str]) -> dict[int, Field]:
    """The inverse of `dump_mapping`; unknown fields (from an older version) are dropped."""
    known = {f.value for f in Field}
    return {int(column): Field(value) for column, value in data.items() if value in known}
