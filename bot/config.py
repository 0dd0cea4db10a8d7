"""Settings from the environment and an optional `.env` file, validated once at start."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_LOCALES = ("en", "ru", "lt")
DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///data/crm.db"
# What Telegram accepts as a webhook's secret_token.
WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Plain http is allowed only to this machine: the test emulator and local trials.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
HEALTH_PATHS = ("/healthz", "/health")


class ConfigError(Exception):
    """Raised with one human-readable line per configuration problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str | None = None
    database_url: str = DEFAULT_SQLITE_URL
    bot_api_url: str = "https://api.telegram.org"
    default_locale: Literal["en", "ru", "lt"] = "en"
    default_region: str = "RU"
    default_timezone: str = "Europe/Moscow"
    default_currency: str = "EUR"
    allow_new_workspaces: bool = False
    invite_ttl_days: int = Field(default=7, ge=1, le=365)
    reminder_interval_seconds: float = Field(default=30, gt=0, le=3600)
    reminder_lease_seconds: float = Field(default=600, gt=0, le=86400)
    digest_interval_seconds: float = Field(default=60, gt=0, le=3600)
    telegram_retries: int = Field(default=3, ge=0, le=10)
    telegram_rate_limit: bool = True
    telegram_timeout_seconds: float = Field(default=5, gt=0, le=300)
    db_connect_retries: int = Field(default=10, ge=0, le=1000)
    db_connect_interval_seconds: float = Field(default=2, gt=0, le=300)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Webhook mode (polling when WEBHOOK_URL is unset). The secret is checked after the URL.
    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, validate_default=True)
    webhook_listen: str = "0.0.0.0"
    # Heroku-style platforms tell the process its port in PORT.
    webhook_port: int = Field(
        default=8080, ge=1, le=65535, validation_alias=AliasChoices("webhook_port", "port")
    )
    webhook_path: str | None = None

    @field_validator("default_locale", "log_level", mode="before")
    @classmethod
    def _lower_or_upper(cls, value: object, info) -> object:
        if not isinstance(value, str):
            return value
        return value.lower() if info.field_name == "default_locale" else value.upper()

    @field_validator("default_region", "default_currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        import phonenumbers

        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {value!r}; use a country code like RU or LT")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use a name like Europe/Vilnius"
            ) from None
        return value

    @field_validator("bot_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("webhook_url", "webhook_secret", "webhook_path", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        if not parts.hostname:
            raise ValueError("must be a full URL like https://bot.example.com/telegram")
        if parts.scheme != "https" and not (
            parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
        ):
            raise ValueError("must start with https:// (Telegram posts only to HTTPS)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            if info.data.get("webhook_url"):
                raise ValueError("is required when WEBHOOK_URL is set")
            return None
        if not WEBHOOK_SECRET_RE.fullmatch(value):
            raise ValueError("must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _webhook_path(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value.startswith("/"):
            raise ValueError("must start with /")
        if value in HEALTH_PATHS:
            raise ValueError(f"{value} is the health endpoint; choose another path")
        return value

    @property
    def webhook_route(self) -> str:
        """The path the webhook server answers: WEBHOOK_PATH, else the path of WEBHOOK_URL."""
        if self.webhook_path:
            return self.webhook_path
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_token(self) -> str:
        if not self.telegram_bot_token:
            raise ConfigError(
                ["TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env"]
            )
        return self.telegram_bot_token


def normalize_database_url(value: str) -> str:
    """Accept the URL forms hosting platforms give and pick the async driver for each."""
    value = value.strip()
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg2://",
        "postgresql+psycopg://",
    ):
        if value.startswith(prefix):
            value = "postgresql+asyncpg://" + value[len(prefix) :]
    if value.startswith("sqlite://"):
        value = "sqlite+aiosqlite://" + value[len("sqlite://") :]
    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError(
            "is not a database URL (expected sqlite:///path or postgresql://...)"
        ) from None
    if url.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ValueError(f"unsupported database {url.drivername!r}; use SQLite or PostgreSQL")
    return value


def load_settings(**overrides: object) -> Settings:
    """Build settings or raise ConfigError naming each problem on its own line."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0]).upper() if item["loc"] else "configuration"
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise ConfigError(problems) from None


def sqlite_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        return Path(url.database)
    return None
