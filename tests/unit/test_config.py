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


def test_polling_unless_a_webhook_url_is_set(monkeypatch):
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_PORT", "PORT"):
        monkeypatch.delenv(name, raising=False)
    s = settings()
    assert s.webhook_url is None and s.webhook_secret is None
    assert (s.webhook_listen, s.webhook_port) == ("0.0.0.0", 8080)


def test_webhook_settings_and_the_path_taken_from_the_url():
    s = settings(webhook_url="https://bot.example.com/tg/hook", webhook_secret="Ab_-09")
    assert s.webhook_route == "/tg/hook"
    assert settings(webhook_url="https://bot.example.com", webhook_secret="x").webhook_route == "/"
    behind_a_proxy = settings(
        webhook_url="https://bot.example.com/tg/hook", webhook_secret="x", webhook_path="/hook"
    )
    assert behind_a_proxy.webhook_route == "/hook"


def test_webhook_port_comes_from_port_when_not_given(monkeypatch):
    monkeypatch.delenv("WEBHOOK_PORT", raising=False)
    monkeypatch.setenv("PORT", "5000")
    assert settings().webhook_port == 5000
    monkeypatch.setenv("WEBHOOK_PORT", "7000")
    assert settings().webhook_port == 7000


def test_blank_webhook_variables_mean_unset(monkeypatch):
    monkeypatch.setenv("WEBHOOK_URL", "")
    monkeypatch.setenv("WEBHOOK_SECRET", " ")
    assert settings().webhook_url is None


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"webhook_url": "https://bot.example.com/hook"}, "WEBHOOK_SECRET: is required"),
        ({"webhook_url": "http://bot.example.com/hook", "webhook_secret": "x"}, "WEBHOOK_URL"),
        ({"webhook_url": "bot.example.com/hook", "webhook_secret": "x"}, "WEBHOOK_URL"),
        ({"webhook_secret": "has space"}, "WEBHOOK_SECRET: must be 1 to 256"),
        ({"webhook_secret": "ключ"}, "WEBHOOK_SECRET: must be 1 to 256"),
        ({"webhook_secret": "x" * 257}, "WEBHOOK_SECRET: must be 1 to 256"),
        ({"webhook_port": 0}, "WEBHOOK_PORT"),
        ({"webhook_port": 65536}, "WEBHOOK_PORT"),
        ({"webhook_path": "hook"}, "WEBHOOK_PATH: must start with /"),
        ({"webhook_path": "/healthz"}, "WEBHOOK_PATH: /healthz is the health endpoint"),
    ],
)
def test_bad_webhook_settings_are_named(values, problem):
    with pytest.raises(ConfigError) as error:
        settings(**values)
    assert len(error.value.problems) == 1 and error.value.problems[0].startswith(problem)


def test_the_longest_secret_telegram_allows_is_accepted():
    assert len(settings(webhook_secret="a" * 256).webhook_secret) == 256


def test_plain_http_is_allowed_to_this_machine_only():
    s = settings(webhook_url="http://127.0.0.1:8443/hook", webhook_secret="x")
    assert s.webhook_url == "http://127.0.0.1:8443/hook"
