"""What users write stays out of the logs, at DEBUG too: ids are logged, names and phones not."""

from __future__ import annotations

import logging

import pytest

import crm.directory
from bot import logs


@pytest.fixture
def debug_logging(caplog):
    """DEBUG everywhere, as LOG_LEVEL=DEBUG sets it (the libraries capped as in production)."""
    saved = {name: logging.getLogger(name).level for name in logs.LIBRARY_LEVELS}
    caplog.set_level(logging.DEBUG)
    logs.quiet_libraries()
    yield caplog
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


async def test_names_phones_and_texts_stay_out_of_the_debug_log(bot, debug_logging, monkeypatch):
    admin = await bot.onboard(bot.user(1, "Olga", last_name="Zhemchuzhnikova"))
    await admin.send_contact("+7 912 345-67-89", "Innokenty", "Smoktunovsky")
    question = await admin.next_message()
    await admin.tap(question, "Private person")
    card = await admin.next_message()
    assert "Innokenty Smoktunovsky" in card.text
    await admin.send("Smoktunovsky 9123456789")
    await admin.next_message()

    def broken(*args, **kwargs):
        raise RuntimeError("search is down")

    monkeypatch.setattr(crm.directory, "find", broken, raising=False)
    monkeypatch.setattr("crm.search.search", broken, raising=False)
    await admin.send("/find Innokenty")
    await admin.next_message()

    logged = "\n".join(
        [record.getMessage() for record in debug_logging.records]
        + [record.exc_text or "" for record in debug_logging.records]
    )
    for private in ("Innokenty", "Smoktunovsky", "Zhemchuzhnikova", "912", "345-67", "Olga"):
        assert private not in logged, private
    assert bot.settings.telegram_bot_token not in logged
    assert "error while handling update" in logged  # the failure is there, by update id
