from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings, load_settings


def settings(**values) -> Settings:
    return load_settings(_env_file=None, **values)


def test_defaults_are_a_local_sqlite_file_and_the_public_api():
    s = settings(telegram_bot_token="1:a")
    assert s.database_url == "sqlite+aiosqlite:///data/crm.db"
    assert s.bot_api_url == "https://api.telegram.org"
    assert (s.default_locale, s.allow_new_workspaces, s.invite_ttl_days) == ("en", False, 7)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example:5432/crm", "postgresql+asyncpg://u:p@db.example:5432/crm"),
        ("postgresql://u@h/crm", "postgresql+asyncpg://u@h/crm"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_hosting_platform_database_urls_are_accepted(given, expected):
    assert settings(database_url=given).database_url == expected


def test_every_problem_is_named_on_its_own_line():
    with pytest.raises(ConfigError) as error:
        settings(
            database_url="mysql://x/y",
            default_locale="de",
            default_region="XX",
            default_timezone="Mars/Olympus",
            bot_api_url="ftp://nowhere",
        )
    names = sorted(p.split(":")[0] for p in error.value.problems)
    assert names == [
        "BOT_API_URL",
        "DATABASE_URL",
        "DEFAULT_LOCALE",
        "DEFAULT_REGION",
        "DEFAULT_TIMEZONE",
    ]


def test_missing_token_is_a_clear_problem():
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        settings().require_token()


def test_environment_is_read(monkeypatch):
    monkeypatch.setenv("ALLOW_NEW_WORKSPACES", "true")
    monkeypatch.setenv("DEFAULT_LOCALE", "LT")
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:8081/")
    s = settings()
    assert s.allow_new_workspaces is True and s.default_locale == "lt"
    assert s.bot_api_url == "http://127.0.0.1:8081"
