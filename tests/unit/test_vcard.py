"""vCards as phones export them: iPhone 3.0, Android 2.1 with quoted-printable Cyrillic, 4.0."""

from __future__ import annotations

from crm.vcard import VCard, decode, parse

IPHONE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\n"
    "N:Petrov;Ivan;Sergeevich;;\r\n"
    "FN:Ivan Sergeevich Petrov\r\n"
    "ORG:Romashka LLC;Sales\r\n"
    "TITLE:Head of purchasing\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:ivan@romashka.ru\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+7 (912) 345-67-89\r\n"
    "TEL;type=WORK;type=VOICE:8 495 123 45 67\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n"
    " /2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8Q\r\n"
    "END:VCARD\r\n"
)

ANDROID = (
    "BEGIN:VCARD\n"
    "VERSION:2.1\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9F=D0=B5=D1=82=D1=80=D0=BE=D0=B2;"
    "=D0=98=D0=B2=D0=B0=D0=BD;;;\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=98=D0=B2=D0=B0=D0=BD =D0=9F=D0=B5=\n"
    "=D1=82=D1=80=D0=BE=D0=B2\n"
    "TEL;CELL:89123456789\n"
    "TEL;HOME:89123456789\n"
    "END:VCARD\n"
)


def test_iphone_card():
    [card] = parse(IPHONE)
    assert card == VCard(
        name="Ivan Sergeevich Petrov",
        phones=["+7 (912) 345-67-89", "8 495 123 45 67"],
        emails=["ivan@romashka.ru"],
        organization="Romashka LLC",
        title="Head of purchasing",
    )


def test_android_quoted_printable_cyrillic_with_soft_line_break():
    [card] = parse(ANDROID)
    assert card.name == "Иван Петров"
    assert card.phones == ["89123456789"]  # the same number twice is kept once


def test_name_from_n_when_there_is_no_fn():
    [card] = parse(
        "BEGIN:VCARD\nVERSION:3.0\nN:Kazlauskas;Jonas;;Dr.;\nTEL:+37061234567\nEND:VCARD"
    )
    assert card.name == "Jonas Kazlauskas"


def test_vcard_4_tel_uri_with_extension_escapes_and_folding():
    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\n"
        "FN:O'Neil\\, Mary\r\n"
        "TEL;VALUE=uri;TYPE=work:tel:+1-555-555-0100;ext=12\r\n"
        "EMAIL:mary@exam\r\n ple.com\r\n"
        "ORG:ACME\\; Sons;R&D\r\n"
        "ROLE:Buyer\r\n"
        "END:VCARD\r\n"
    )
    [card] = parse(text)
    assert card.name == "O'Neil, Mary"
    assert card.phones == ["+1-555-555-0100 ext. 12"]
    assert card.emails == ["mary@example.com"]
    assert card.organization == "ACME; Sons"
    assert card.title == "Buyer"


def test_several_cards_and_garbage_between_them():
    text = (
        IPHONE + "garbage line\n\n" + ANDROID + "BEGIN:VCARD\nVERSION:3.0\nNOTE:empty\nEND:VCARD\n"
    )
    assert [c.name for c in parse(text)] == ["Ivan Sergeevich Petrov", "Иван Петров"]


def test_nothing_to_read():
    assert parse("") == []
    assert parse("hello\nworld") == []
    assert parse("BEGIN:VCARD\nFN:Unfinished") == []


def test_decode_utf8_bom_utf16_and_cp1251():
    assert decode("\ufeffFN:Иван".encode()) == "FN:Иван"
    assert decode("FN:Иван".encode("utf-16")) == "FN:Иван"
    assert decode("FN:Иван".encode("cp1251")) == "FN:Иван"


def test_quoted_printable_in_windows_1251():
    text = "BEGIN:VCARD\nFN;CHARSET=WINDOWS-1251;ENCODING=QUOTED-PRINTABLE:=C8=E2=E0=ED\nEND:VCARD"
    assert parse(text)[0].name == "Иван"
