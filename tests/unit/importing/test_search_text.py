"""The import's own search-text builder gives exactly what crm.names.search_text gives."""

from __future__ import annotations

import pytest

from crm import names
from crm.importing import service

PARTS = [
    None,
    "",
    "79161234567",
    "7701234567",
    "Ivan.Petrov@Mail.RU",
    "o'neil@example.com",
    'He said "hi"',
    "https://www.Example-Site.com/path_1?q=2",
    "tab\there",
    "snake_case_word",
    "ООО «Ромашка»",
    "Пётр О'Нил-Сёмин",
    "Straße",
    "İstanbul",
    "soft\u00adhyphen",
    "zero\u200bwidth",
    "Менеджер по продажам",
    "Co-op",
    "x\x00y",
]


@pytest.mark.parametrize("part", PARTS)
def test_normalize_text_quick_path_is_the_full_one(part):
    full = names._normalize_text.__wrapped__(part) if part else ""
    assert names.normalize_text(part) == full


@pytest.mark.parametrize(
    "name", ["ООО «Ромашка»", "ROMASHKA LLC", "Straße GmbH", "İpek", "Пётр Сёмин", "AS"]
)
def test_search_text_same_as_names(name):
    emails = ["Ivan@Mail.ru", "ivan@mail.ru"]
    e164s = ["+79161234567", "+79161234567"]
    org = {"name": name, "tax_id": "7701234567", "website": "Example.com"}
    expected = names.search_text(
        names.normalize_org_name(name), name, "7701234567", "Example.com", *emails,
        "79161234567", "79161234567",
    )  # fmt: skip
    assert service._org_search_text(org, emails, e164s) == expected
    person = {"full_name": name, "position": "Sales Manager"}
    expected = names.search_text(
        names.normalize_person_name(name), "Sales Manager", *emails, "79161234567"
    )
    assert service._contact_search_text(person, emails, e164s) == expected


def test_owner_finder_same_owner_for_repeated_texts():
    class M:
        def __init__(self, id_, display_name, username=None):
            self.id, self.display_name, self.username = id_, display_name, username

    owner_of = service._owner_finder([M(2, "Anna  Petrova", "anna")], default=1)
    assert [owner_of(t) for t in ("anna petrova", "anna petrova", "@anna", "Bob", None)] == [
        2,
        2,
        2,
        1,
        1,
    ]
