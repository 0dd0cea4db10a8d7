"""The /cancel hint is one translated sentence appended to each flow's question; the split
questions must read exactly as the whole sentences they replaced did in every language."""

from __future__ import annotations

import pytest

from crm.i18n import Catalogs
from handlers.cancel_hints import cancel_hint, tap_a_button, with_cancel_hint

CATALOGS = Catalogs()


def test_the_hint_goes_on_its_own_line_unless_told_otherwise():
    en = CATALOGS.translator("en")
    assert with_cancel_hint(en, "How many users?") == "How many users?\n(Send /cancel to stop.)"
    assert with_cancel_hint(en, "Send the name.", " ") == "Send the name. (Send /cancel to stop.)"


@pytest.mark.parametrize(
    ("locale", "hint", "tap"),
    [
        (
            "en",
            "(Send /cancel to stop.)",
            "Please tap one of the buttons (or send /cancel to stop).",
        ),
        (
            "ru",
            "(Чтобы прервать, отправьте /cancel.)",
            "Нажмите одну из кнопок (или отправьте /cancel, чтобы прервать).",
        ),
        (
            "lt",
            "(Norėdami nutraukti, nusiųskite /cancel.)",
            "Bakstelėkite vieną iš mygtukų (arba nusiųskite /cancel, kad nutrauktumėte).",
        ),
    ],
)
def test_the_hints_are_translated(locale, hint, tap):
    _ = CATALOGS.translator(locale)
    assert cancel_hint(_) == hint
    assert tap_a_button(_) == tap


@pytest.mark.parametrize(
    ("locale", "question", "separator", "whole"),
    [
        (
            "ru",
            "Send the organization's name.",
            " ",
            "Отправьте название организации. (Чтобы прервать, отправьте /cancel.)",
        ),
        (
            "lt",
            "What should I find? Send part of a name, a phone number, a tax id or an e-mail.",
            " ",
            "Ką rasti? Nusiųskite vardo ar pavadinimo dalį, telefono numerį, įmonės kodą arba "
            "el. pašto adresą. (Norėdami nutraukti, nusiųskite /cancel.)",
        ),
        (
            "ru",
            "Hello! I keep your team's customers, calls and follow-ups.\n\n"
            "Let's set up your company. What is your company's name?",
            "\n",
            "Здравствуйте! Я помогаю вашей команде вести клиентов, звонки и повторные контакты.\n\n"
            "Давайте настроим рабочее пространство для вашей компании. Как она называется?\n"
            "(Чтобы прервать, отправьте /cancel.)",
        ),
    ],
)
def test_split_questions_read_as_the_whole_sentences_they_replaced(
    locale, question, separator, whole
):
    _ = CATALOGS.translator(locale)
    assert with_cancel_hint(_, _(question), separator) == whole
