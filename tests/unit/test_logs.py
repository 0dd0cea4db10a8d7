from __future__ import annotations

import logging
import sys

from bot.config import load_settings
from bot.logs import RedactSecrets, secrets_of


def test_the_token_is_masked_in_log_lines():
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST %s", ("https://x/bot123:SECRET/getMe",), None
    )
    RedactSecrets(["123:SECRET"]).filter(record)
    assert record.getMessage() == "POST https://x/bot***/getMe"


def _formatted(record: logging.LogRecord, secrets: list[str]) -> str:
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets(secrets))
    assert handler.filter(record)
    return handler.format(record)


def test_the_token_is_masked_in_a_logged_traceback_too():
    try:
        raise RuntimeError("GET https://x/bot123:SECRET/sendMessage failed")
    except RuntimeError:
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "error", None, sys.exc_info())
    line = _formatted(record, ["123:SECRET"])
    assert "RuntimeError: GET https://x/bot***/sendMessage failed" in line
    assert "123:SECRET" not in line


def test_the_secrets_are_the_token_the_webhook_secret_and_the_database_password():
    settings = load_settings(
        _env_file=None,
        telegram_bot_token="123:TOKEN",
        webhook_url="https://bot.example.com/hook",
        webhook_secret="hook-secret",
        database_url="postgresql://crm:pa55word@db:5432/crm",
    )
    assert set(secrets_of(settings)) == {"123:TOKEN", "hook-secret", "pa55word"}
    sqlite = load_settings(_env_file=None, telegram_bot_token="1:T", database_url="sqlite:///x.db")
    assert secrets_of(sqlite) == ["1:T"]
