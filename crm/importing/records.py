"""One spreadsheet row turned into an organization and/or a person, with its problems.

`normalize_rows(rows, match, region)` yields an `ImportRow` per data row after the header. A
row's values are read through the header's mapping:

- phones: every phone column through `crm.phones.parse_phone_cell` (several numbers in a cell,
  extensions, Excel's numbers); a piece that is no valid number stays, with its raw text and
  `e164=None`, and gives a warning;
- e-mails: `crm.names.find_emails`; a piece with "@" that is no address, or a cell with no
  address at all, gives a warning;
- tax id: `normalize_tax_id` (1C's "ИНН/КПП" cell keeps the INN); one without digits is a
  warning and is dropped;
- names: display text with blanks collapsed, plus the normalized key for matching
  (`normalize_org_name`, `normalize_person_name`); the person's name is the "contact name"
  column, or else the name parts (Russian headers: "Фамилия Имя Отчество"; others: "First
  Middle Last");
- texts longer than the database keeps are cut, with a warning.

Whose are the phones and e-mails? The person's when the row names a person, otherwise the
organization's. Address, website and tax id are the organization's; with no organization
name they stay in `extra` with a warning. The note is the organization's when there is one;
a contact-note column ("Комментарий к контакту") is the person's (with no person in the row
it stays in `extra`).

`extra` keeps every unmapped column by header text (nothing in the file is lost). The plan
gives it to the organization when the sheet is a list of organizations (a tax id column, or no
person columns) and to the person otherwise (amoCRM, HubSpot and Pipedrive contact exports, and
any sheet with a contact-note column, such as the bot's own export of contacts).

Errors (the row is not imported): no organization name, person name, phone or e-mail
(`no_name`); a formula without a cached value in a mapped column (`formula_without_value`,
the value is unknown). Everything else is a warning and the row is imported. Rows that repeat
the header (page breaks in printed 1C reports) and 1C's row of column numbers under the
header ("1 2 3 ...") are skipped without a word.

Speed: phones are most of the time (phonenumbers' parse and validation, ~35 us a new number;
`crm.phones` parses each digit string once and a cell that is one number without its general
splitting). `normalize_rows(..., workers=2)` spreads large files over worker processes
(`crm.importing.parallel`); it reads ahead, so it is opt-in (see its docstring).
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from crm.importing.headers import Field, HeaderMatch
from crm.importing.reading import Cell, SheetRow
from crm.names import find_emails, normalize_email, normalize_org_name, normalize_person_name
from crm.names import normalize_tax_id as _normalize_tax_id
from crm.phones import Phone, cell_text, parse_phone_cell

__all__ = [
    "ExtraTarget",
    "ImportRow",
    "IssueCode",
    "OrgData",
    "PersonData",
    "RowIssue",
    "RowNormalizer",
    "normalize_rows",
]

# What the database keeps (storage.models); longer texts are cut with a warning.
MAX_NAME = 300
MAX_TAX_ID = 32
MAX_ADDRESS = 500
MAX_WEBSITE = 300
MAX_POSITION = 200
MAX_NOTE = 4000
MAX_PHONE_RAW = 100
MAX_EXTENSION = 20
MAX_EXTRA = 1000

# normalize_rows(..., workers=N): the smallest file worth the workers' round trips.
PARALLEL_MIN_ROWS = 5000


class IssueCode(StrEnum):
    """A row problem; the UI explains it with the column and the raw value."""

    # errors: the row is not imported
    no_name = "no_name"  # no organization, person name, phone or e-mail
    formula_without_value = "formula_without_value"  # error in a mapped column, else warning
    # warnings: the row is imported
    invalid_phone = "invalid_phone"  # detail: crm.phones.PhoneProblem; raw text kept
    invalid_email = "invalid_email"
    invalid_tax_id = "invalid_tax_id"  # no digits in it: dropped
    no_organization_name = "no_organization_name"  # tax id/address/website without a name
    truncated = "truncated"  # detail: the length kept


@dataclass(frozen=True, slots=True)
class RowIssue:
    code: IssueCode
    column: int | None = None  # 0-based; None for the row as a whole
    header: str | None = None
    value: str | None = None  # the raw text of the cell
    detail: str | None = None


@dataclass(slots=True)
class OrgData:
    name: str  # as written, blanks collapsed
    name_key: str  # normalize_org_name(name): for matching
    tax_id: str | None = None
    phones: list[Phone] = field(default_factory=list)  # invalid ones have e164=None
    emails: list[str] = field(default_factory=list)
    address: str | None = None
    website: str | None = None
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class PersonData:
    name: str  # display name; "" for a row that only has a phone or an e-mail
    name_key: str  # normalize_person_name(name)
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    position: str | None = None
    phones: list[Phone] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ImportRow:
    row_number: int  # 1-based, as in Excel
    organization: OrgData | None
    contact: PersonData | None
    extra: dict[str, Any]  # unmapped columns: header text -> value (JSON-friendly)
    warnings: list[RowIssue]
    errors: list[RowIssue]
    owner: str | None = None  # the "responsible" column's text; storage maps it to a member

    @property
    def ok(self) -> bool:
        return not self.errors


class ExtraTarget(StrEnum):
    organization = "organization"
    contact = "contact"


_PERSON_FIELDS = frozenset(
    {Field.contact_name, Field.first_name, Field.last_name, Field.middle_name, Field.position}
)
_CACHE_SIZE = 4096
_INTERN_LENGTH = 100
_CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")
_NOTHING = frozenset({"-", "—", "–", ".", "?", "нет", "none", "n/a", "na", "null", "nan"})
_NOTHING_LENGTH = max(map(len, _NOTHING))  # longer names need no casefold to tell
_INN_KPP = re.compile(r"\s*\d{10,12}\s*[/\\]\s*\d{9}\s*")
_SLASH = re.compile(r"[/\\]")
_EMAIL_PIECES = re.compile(r"[\s,;]+")


def _json_value(value: Cell) -> Any:
    if value.__class__ is str and len(value) <= MAX_EXTRA:  # the usual extra cell
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, str) and len(value) > MAX_EXTRA:
        return value[:MAX_EXTRA]
    return value


def _says_nothing(text: str) -> bool:
    """ "-", "нет", "N/A": a placeholder where a name should be."""
    return len(text) <= _NOTHING_LENGTH and text.casefold() in _NOTHING


class RowNormalizer:
    """Turns `SheetRow`s into `ImportRow`s for one header mapping and workspace region."""

    def __init__(self, match: HeaderMatch, region: str):
        self.match = match
        self.region = region
        headers = match.headers
        self.header_row = match.row_number
        self.header_texts = tuple(text.casefold() for text in headers)
        by_field: dict[Field, list[int]] = {}
        for column, value in sorted(match.mapping.items()):
            by_field.setdefault(value, []).append(column)
        self.by_field = by_field
        self.columns = {value: columns[0] for value, columns in by_field.items()}
        # The column of each text field (None: not in the file), looked up once.
        self._col_org = self.columns.get(Field.organization)
        self._col_address = self.columns.get(Field.address)
        self._col_website = self.columns.get(Field.website)
        self._col_note = self.columns.get(Field.note)
        self._col_contact_note = self.columns.get(Field.contact_note)
        self._col_position = self.columns.get(Field.position)
        self._col_owner = self.columns.get(Field.owner)
        self._col_first = self.columns.get(Field.first_name)
        self._col_last = self.columns.get(Field.last_name)
        self._col_middle = self.columns.get(Field.middle_name)
        self._col_full = self.columns.get(Field.contact_name)
        self.phone_columns = tuple(by_field.get(Field.phone, ()))
        self.email_columns = tuple(by_field.get(Field.email, ()))
        self.headers = headers
        self.mapped = frozenset(match.mapping)
        # Extra columns keep their header text; repeated texts get " (2)", " (3)".
        extra_names: dict[int, str] = {}
        seen: dict[str, int] = {}
        for column, text in enumerate(headers):
            if column in match.mapping:
                continue
            if not text:
                extra_names[column] = f"#{column + 1}"  # a value under no header
                continue
            count = seen.get(text, 0) + 1
            seen[text] = count
            extra_names[column] = text if count == 1 else f"{text} ({count})"
        self.extra_names = extra_names
        name_part_headers = " ".join(
            headers[column]
            for value in (Field.first_name, Field.last_name, Field.middle_name)
            for column in by_field.get(value, ())
            if column < len(headers)
        )
        self.russian_order = bool(_CYRILLIC.search(name_part_headers))
        fields = set(by_field)
        self._phone_cache: dict[Cell, list[Phone]] = {}
        self._org_cache: dict[str, str] = {}
        self.extra_target = (
            ExtraTarget.organization
            if Field.contact_note not in fields
            and (Field.tax_id in fields or not (fields & _PERSON_FIELDS))
            else ExtraTarget.contact
        )

    # --- cells -------------------------------------------------------------------------------

    def _text(
        self, values: Any, column: int | None, limit: int, issues: list[RowIssue]
    ) -> str | None:
        if column is None or column >= len(values):
            return None
        value = values[column]
        if value is None:
            return None
        # Text fields need no Excel number forms undone: only numbers go through cell_text.
        text = " ".join((value if value.__class__ is str else cell_text(value)).split())
        if not text:
            return None
        if len(text) <= _INTERN_LENGTH:
            # Rows repeat names, positions, owners: one string each for the whole plan.
            text = sys.intern(text)
        if len(text) > limit:
            issues.append(
                RowIssue(IssueCode.truncated, column, self._header(column), text, str(limit))
            )
            text = text[:limit]
        return text

    def _header(self, column: int) -> str | None:
        return self.headers[column] if column < len(self.headers) else None

    def _field_text(
        self, values: Any, field_: Field, limit: int, issues: list[RowIssue]
    ) -> str | None:
        return self._text(values, self.columns.get(field_), limit, issues)

    def _parse_phones(self, value: Cell) -> list[Phone]:
        """parse_phone_cell, remembered per cell text (repeated rows, an office's number)."""
        cache = self._phone_cache
        phones = cache.get(value)
        if phones is None:
            phones = parse_phone_cell(value, self.region)
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[value] = phones
        return phones

    def _org_key(self, name: str) -> str:
        cache = self._org_cache
        key = cache.get(name)
        if key is None:
            key = normalize_org_name(name)
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[name] = key
        return key

    def _phones(self, values: Any, warnings: list[RowIssue]) -> list[Phone]:
        found: list[Phone] = []
        width = len(values)
        for column in self.phone_columns:
            if column >= width or values[column] is None:
                continue
            for phone in self._parse_phones(values[column]):
                if phone.e164 is None:
                    warnings.append(
                        RowIssue(
                            IssueCode.invalid_phone,
                            column,
                            self._header(column),
                            phone.raw,
                            phone.problem,
                        )
                    )
                if len(phone.raw) > MAX_PHONE_RAW or len(phone.extension or "") > MAX_EXTENSION:
                    phone = Phone(
                        raw=phone.raw[:MAX_PHONE_RAW],
                        e164=phone.e164,
                        extension=(phone.extension or "")[:MAX_EXTENSION] or None,
                        problem=phone.problem,
                    )
                if (
                    not found
                    or phone.e164 is None
                    or all((p.e164, p.extension) != (phone.e164, phone.extension) for p in found)
                ):
                    found.append(phone)
        return found

    def _emails(self, values: Any, warnings: list[RowIssue]) -> list[str]:
        found: list[str] = []
        width = len(values)
        for column in self.email_columns:
            if column >= width or values[column] is None:
                continue
            text = cell_text(values[column])
            emails = find_emails(text)
            for email in emails:
                if email not in found:
                    found.append(email)
            bad = []
            if text.count("@") > len(emails):
                bad = [
                    piece
                    for piece in _EMAIL_PIECES.split(text)
                    if "@" in piece and normalize_email(piece.strip(".<>()[]\"'")) is None
                ]
            if bad or not emails:
                warnings.append(
                    RowIssue(
                        IssueCode.invalid_email,
                        column,
                        self._header(column),
                        ", ".join(bad) if bad else text,
                    )
                )
        return found

    def _tax_id(self, values: Any, warnings: list[RowIssue]) -> str | None:
        column = self.columns.get(Field.tax_id)
        if column is None or column >= len(values) or values[column] is None:
            return None
        value = values[column]
        if value.__class__ is str and value.isdigit() and value.isascii():
            tax_id = raw = value  # the usual cell: nothing to undo or remove
            if len(tax_id) <= MAX_TAX_ID:
                return tax_id
        raw = cell_text(value)
        if isinstance(value, str) and _INN_KPP.fullmatch(value):
            value = _SLASH.split(value)[0]  # 1C's "ИНН/КПП"
        tax_id = _normalize_tax_id(value)
        if tax_id is None:
            return None
        if not any(ch.isdigit() for ch in tax_id):
            warnings.append(RowIssue(IssueCode.invalid_tax_id, column, self._header(column), raw))
            return None
        if len(tax_id) > MAX_TAX_ID:
            warnings.append(
                RowIssue(IssueCode.truncated, column, self._header(column), raw, str(MAX_TAX_ID))
            )
            tax_id = tax_id[:MAX_TAX_ID]
        return tax_id

    # --- a row ------------------------------------------------------------------------------

    def is_header_repeat(self, row: SheetRow) -> bool:
        """The header again (printed reports repeat it on every page): same texts, same places."""
        texts = self.header_texts
        matched = 0
        for column, value in enumerate(row.values):
            if value is None:
                continue
            if (
                column >= len(texts)
                or value.__class__ is not str
                or value.casefold() != texts[column]
            ):
                return False
            matched += 1
        return matched >= 2

    @staticmethod
    def is_column_numbers(row: SheetRow) -> bool:
        """1C's printed forms number the columns in a row under the header: 1, 2, 3..."""
        count = 0
        for column, value in enumerate(row.values):
            if value is None:
                continue
            if value.__class__ is str and not value.lstrip()[:1].isdigit():
                return False  # the usual first cell: a name, not a number
            if value.__class__ is bool or cell_text(value) != str(column + 1):
                return False
            count += 1
        return count >= 3

    def __call__(self, row: SheetRow) -> ImportRow | None:
        """The row as an `ImportRow`; None for rows to skip without a word (header repeats,
        1C's row of column numbers)."""
        values = row.values
        if self.is_header_repeat(row) or self.is_column_numbers(row):
            return None
        warnings: list[RowIssue] = []
        errors: list[RowIssue] = []

        for column in row.uncalculated:
            issue = RowIssue(IssueCode.formula_without_value, column, self._header(column))
            (errors if column in self.mapped else warnings).append(issue)

        org_name = self._text(values, self._col_org, MAX_NAME, warnings)
        if org_name is not None and _says_nothing(org_name):
            org_name = None
        org_key = self._org_key(org_name) if org_name else ""
        if not org_key:
            org_name = None

        person_name, first, last, middle = self._person_name(values, warnings)
        person_key = normalize_person_name(person_name) if person_name else ""
        if not person_key:
            person_name = None

        phones = self._phones(values, warnings) if self.phone_columns else []
        emails = self._emails(values, warnings) if self.email_columns else []
        tax_id = self._tax_id(values, warnings)
        address = self._text(values, self._col_address, MAX_ADDRESS, warnings)
        website = self._text(values, self._col_website, MAX_WEBSITE, warnings)
        note = self._text(values, self._col_note, MAX_NOTE, warnings)
        contact_note = self._text(values, self._col_contact_note, MAX_NOTE, warnings)
        position = self._text(values, self._col_position, MAX_POSITION, warnings)
        owner = self._text(values, self._col_owner, MAX_NAME, warnings)

        extra: dict[str, Any] = {}
        width = len(values)
        for column, name in self.extra_names.items():
            if column < width and values[column] is not None:
                extra[name] = _json_value(values[column])
        # Columns beyond the header's width (a value with no header) are kept too.
        for column in range(len(self.headers), width):
            if values[column] is not None:
                extra[f"#{column + 1}"] = _json_value(values[column])

        organization: OrgData | None = None
        contact: PersonData | None = None
        has_person = person_name is not None or (org_name is None and (phones or emails))
        if org_name is not None:
            organization = OrgData(
                name=org_name,
                name_key=org_key,
                tax_id=tax_id,
                address=address,
                website=website,
                note=note,
            )
            if not has_person:
                organization.phones = phones
                organization.emails = emails
        else:
            orphans = {
                Field.tax_id: tax_id,
                Field.address: address,
                Field.website: website,
            }
            for field_, value in orphans.items():
                if value is not None:
                    column = self.columns[field_]
                    extra.setdefault(self.headers[column] or field_.value, value)
                    warnings.append(
                        RowIssue(
                            IssueCode.no_organization_name, column, self._header(column), value
                        )
                    )
        if has_person:
            contact = PersonData(
                name=person_name or "",
                name_key=person_key,
                first_name=first,
                last_name=last,
                middle_name=middle,
                position=position,
                phones=phones,
                emails=emails,
                note=_person_note(note if organization is None else None, contact_note),
            )
        elif contact_note is not None:
            column = self._col_contact_note
            extra.setdefault(self.headers[column] or Field.contact_note.value, contact_note)
        if organization is None and contact is None:
            if any(v is not None for v in values) or not errors:
                errors.append(RowIssue(IssueCode.no_name))
        if extra:
            if self.extra_target is ExtraTarget.organization and organization is not None:
                organization.extra = extra
            elif contact is not None:
                contact.extra = extra
            elif organization is not None:
                organization.extra = extra
        return ImportRow(
            row_number=row.number,
            organization=organization,
            contact=contact,
            extra=extra,
            warnings=warnings,
            errors=errors,
            owner=owner,
        )

    def _person_name(
        self, values: Any, warnings: list[RowIssue]
    ) -> tuple[str | None, str | None, str | None, str | None]:
        first = self._text(values, self._col_first, MAX_NAME, warnings)
        last = self._text(values, self._col_last, MAX_NAME, warnings)
        middle = self._text(values, self._col_middle, MAX_NAME, warnings)
        full = self._text(values, self._col_full, MAX_NAME, warnings)
        if full is not None and _says_nothing(full):
            full = None
        if full is None:
            parts = (last, first, middle) if self.russian_order else (first, middle, last)
            joined = " ".join(part for part in parts if part)
            full = joined[:MAX_NAME] or None
        return full, first, last, middle


def _person_note(plain: str | None, own: str | None) -> str | None:
    """A private person's plain note and their own note, both kept."""
    if plain and own and plain != own:
        return f"{plain}\n{own}"[:MAX_NOTE]
    return own or plain


def normalize_rows(
    rows: Iterable[SheetRow],
    match: HeaderMatch,
    region: str,
    *,
    workers: int = 1,
    min_parallel_rows: int = PARALLEL_MIN_ROWS,
) -> Iterator[ImportRow]:
    """`ImportRow`s for the rows below the header (rows above it and header repeats skipped).

    `workers=1` (the default) normalizes here and yields each row as soon as its `SheetRow`
    is read. With `workers` > 1, a file of more than `min_parallel_rows` rows is normalized by
    a shared pool of that many processes (`crm.importing.parallel`, `CHUNK` rows per task):
    the same rows in the same order, but read ahead of what is yielded, by up to
    max(min_parallel_rows + 1, (2 * workers + 1) * CHUNK) rows. A caller that pairs each
    yielded row with the `SheetRow` just read must keep that many.
    """
    if workers <= 1:
        yield from _normalize_serial(rows, match, region)
        return
    below = (row for row in rows if row.number > match.row_number)
    head = list(itertools.islice(below, min_parallel_rows + 1))
    if len(head) <= min_parallel_rows:
        yield from _normalize_serial(head, match, region)
        return
    yield from _normalize_parallel(itertools.chain(head, below), match, region, workers)


def _normalize_parallel(
    rows: Iterable[SheetRow], match: HeaderMatch, region: str, workers: int
) -> Iterator[ImportRow]:
    from crm.importing.parallel import normalize_in_workers  # it imports this module

    return normalize_in_workers(rows, match, region, workers)


def _normalize_serial(
    rows: Iterable[SheetRow], match: HeaderMatch, region: str
) -> Iterator[ImportRow]:
    normalizer = RowNormalizer(match, region)
    header_row = match.row_number
    for row in rows:
        if row.number <= header_row:
            continue
        result = normalizer(row)
        if result is not None:
            yield result
