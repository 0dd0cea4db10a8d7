from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crm.i18n import Catalogs, load_catalog, negotiate


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ru", "ru"), ("en-US", "en"), ("lt", "lt"), ("LT-lt", "lt"), ("de", "en"), (None, "en")],
)
def test_telegram_language_codes_map_to_our_locales(code, expected):
    assert negotiate(code, "en") == expected


def test_unknown_language_falls_back_to_the_configured_default():
    assert negotiate("pl", "ru") == "ru"


def test_money_numbers_and_dates_follow_the_locale():
    catalogs = Catalogs()
    en = catalogs.translator("en", "Europe/Vilnius")
    ru = catalogs.translator("ru", "Europe/Moscow")
    lt = catalogs.translator("lt", "Europe/Vilnius")
    amount = Decimal("1234567.5")
    assert en.money(amount, "EUR") == "€1,234,567.50"
    assert ru.money(amount, "RUB").replace("\xa0", " ") == "1 234 567,50 ₽"
    assert lt.money(amount, "EUR").replace("\xa0", " ") == "1 234 567,50 €"
    assert ru.number(Decimal("0.5")) == "0,5"
    moment = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)
    assert en.date(moment) == "Jan 1, 2027"  # already the next day in Vilnius
    assert "2027" in lt.date(moment) and "янв" in ru.date(moment)


def test_translation_is_loaded_from_the_po_when_no_mo_was_compiled(tmp_path):
    messages = tmp_path / "ru" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "messages.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Cancelled."\nmsgstr "Отменено."\n',
        encoding="utf-8",
    )
    assert load_catalog("ru", tmp_path).gettext("Cancelled.") == "Отменено."


def test_every_locale_translates_a_known_string():
    catalogs = Catalogs()
    texts = {code: catalogs.translator(code).gettext("Cancelled.") for code in ("en", "ru", "lt")}
    assert texts["en"] == "Cancelled."
    assert texts["ru"] != texts["en"] and texts["lt"] != texts["en"]
