"""Translations (gettext catalogs in `locales/`) and locale-aware formatting with babel."""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

SUPPORTED_LOCALES = ("en", "ru", "lt")
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "lt": "Lietuvių"}
DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


def negotiate(language_code: str | None, default: str = "en") -> str:
    """Telegram sends IETF tags such as "ru", "en-US" or "lt"; we keep the language part."""
    if language_code:
        language = language_code.replace("_", "-").split("-")[0].lower()
        if language in SUPPORTED_LOCALES:
            return language
    return default


def load_catalog(locale: str, locales_dir: Path = LOCALES_DIR) -> gettext.NullTranslations:
    """The compiled .mo when it is up to date, else the .po compiled in memory, so a checkout
    that skipped the compile step still speaks every language."""
    messages = locales_dir / locale / "LC_MESSAGES"
    po_path, mo_path = messages / f"{DOMAIN}.po", messages / f"{DOMAIN}.mo"
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if po_path.exists():
        with po_path.open("rb") as fp:
            catalog = read_po(fp, locale=locale, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    return gettext.NullTranslations()


@dataclass
class Translator:
    """Everything a piece of user-facing output needs to speak one locale."""

    locale: str
    catalog: gettext.NullTranslations = field(repr=False)
    timezone: str = "UTC"

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    __call__ = gettext

    @cached_property
    def babel_locale(self) -> Locale:
        return Locale.parse(self.locale)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.babel_locale)

    def money(self, amount: Decimal | int, currency: str) -> str:
        return format_currency(amount, currency, locale=self.babel_locale)

    def date(self, value: date | datetime, format: str = "medium") -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        return format_date(value, format=format, locale=self.babel_locale)

    def datetime(self, value: datetime, format: str = "medium") -> str:
        return format_datetime(value, format=format, tzinfo=self.tz, locale=self.babel_locale)

    def moment(self, value: datetime) -> str:
        """A day and time as people say it: "Thu, Nov 26, 10:00 AM", "чт, 26 нояб., 10:00"."""
        day = format_skeleton("MMMEd", value, tzinfo=self.tz, locale=self.babel_locale)
        clock = format_time(value, "short", tzinfo=self.tz, locale=self.babel_locale)
        return self.babel_locale.datetime_formats["short"].format(clock, day)

    def time(self, value: datetime) -> str:
        return format_time(value, "short", tzinfo=self.tz, locale=self.babel_locale)

    def with_timezone(self, timezone: str) -> Translator:
        return Translator(self.locale, self.catalog, timezone)


class Catalogs:
    """All catalogs, loaded once per process."""

    def __init__(self, locales_dir: Path = LOCALES_DIR, default_locale: str = "en"):
        self.default_locale = default_locale
        self._catalogs = {code: load_catalog(code, locales_dir) for code in SUPPORTED_LOCALES}

    def translator(self, locale: str | None, timezone: str = "UTC") -> Translator:
        code = locale if locale in self._catalogs else self.default_locale
        return Translator(code, self._catalogs[code], timezone)

    def for_member(self, member, workspace) -> Translator:
        """A member's own language and time zone, else their workspace's."""
        return self.translator(
            member.locale or workspace.locale, member.timezone or workspace.timezone
        )
