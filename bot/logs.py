"""Logging set-up. Secrets (the token, the webhook secret, the database password) must never
reach a log line, so they are masked wherever they appear, tracebacks included;
and what users write (names, phones, messages) stays out of the logs: our own lines carry ids
only, and the libraries that would print whole requests and updates are kept quieter."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import make_url

# The most these libraries may say, whatever LOG_LEVEL is. At DEBUG, python-telegram-bot logs
# every update and every request with its parameters (names, phone numbers, message texts),
# httpx every URL (with the token), SQLAlchemy every statement with its values.
LIBRARY_LEVELS = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "telegram": logging.INFO,
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.INFO,
    "asyncpg": logging.INFO,
}


def secrets_of(settings: Any) -> list[str]:
    """What the logs must never show: the token, the webhook secret, the database password."""
    password = make_url(settings.database_url).password
    found = [settings.telegram_bot_token, settings.webhook_secret, password]
    return [str(secret) for secret in found if secret]


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: list[str]):
        super().__init__()
        self._secrets = [s for s in secrets if s]
        self._formatter = logging.Formatter()

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            record.msg, record.args = self._redact(message), None
        # An exception's text may hold a URL with the token: format the traceback here (the
        # handler's formatter then uses this text as it is) and mask it too.
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True


def quiet_libraries() -> None:
    for name, level in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(level)


def configure(level: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    quiet_libraries()
