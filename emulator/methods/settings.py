"""Bot-level methods: getMe, commands, webhook, descriptions, menu button, close/logOut."""

from __future__ import annotations

import json
import re
from typing import Any

from emulator.methods.base import Context, Handler, api_method
from emulator.state import bad_request
from emulator.webhooks import is_local_url

COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
MAX_COMMANDS = 100


@api_method("getMe")
async def get_me(ctx: Context) -> dict[str, Any]:
    return ctx.bot.me()


def _commands_key(ctx: Context) -> tuple[str, str]:
    scope = ctx.params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = str(ctx.params.get("language_code") or "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


@api_method("setMyCommands")
async def set_my_commands(ctx: Context) -> bool:
    commands = ctx.params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned = []
    for item in commands:
        if not isinstance(item, dict) or not COMMAND_RE.fullmatch(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(item.get("description", ""))
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": item["command"], "description": description})
    key = _commands_key(ctx)
    if cleaned:
        ctx.bot.commands[key] = cleaned
    else:
        ctx.bot.commands.pop(key, None)
    return True


@api_method("getMyCommands")
async def get_my_commands(ctx: Context) -> list[dict[str, Any]]:
    return list(ctx.bot.commands.get(_commands_key(ctx), []))


@api_method("deleteMyCommands")
async def delete_my_commands(ctx: Context) -> bool:
    ctx.bot.commands.pop(_commands_key(ctx), None)
    return True


@api_method("setWebhook")
async def set_webhook(ctx: Context) -> bool:
    url = str(ctx.params.get("url") or "")
    # http is allowed to this machine only, so tests can serve the webhook without TLS
    if (
        url
        and not url.startswith("https://")
        and not (url.startswith("http://") and is_local_url(url))
    ):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = ctx.params.get("secret_token")
    if secret is not None and not SECRET_TOKEN_RE.fullmatch(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    if ctx.params.get("drop_pending_updates"):
        ctx.bot.drop_pending_updates()
    keys = ("max_connections", "allowed_updates", "secret_token", "ip_address")
    ctx.bot.webhook = {"url": url, **{k: ctx.params[k] for k in keys if k in ctx.params}}
    if "allowed_updates" in ctx.params:
        ctx.bot.allowed_updates = list(ctx.params["allowed_updates"] or [])
    ctx.signal.fire()  # a pending getUpdates must now fail with a conflict
    return True


@api_method("deleteWebhook")
async def delete_webhook(ctx: Context) -> bool:
    if ctx.params.get("drop_pending_updates"):
        ctx.bot.drop_pending_updates()
    ctx.bot.webhook = {"url": ""}
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(ctx: Context) -> dict[str, Any]:
    info = {k: v for k, v in ctx.bot.webhook.items() if k != "secret_token"}
    return {**info, "has_custom_certificate": False, "pending_update_count": len(ctx.bot.updates)}


def _stored_setting(kind: str, field: str, max_length: int) -> tuple[Handler, Handler]:
    async def setter(ctx: Context) -> bool:
        value = str(ctx.params.get(field) or "")
        if len(value) > max_length:
            raise bad_request(f"{kind.upper()}_INVALID")
        ctx.bot.settings[(kind, str(ctx.params.get("language_code") or ""))] = value
        return True

    async def getter(ctx: Context) -> dict[str, str]:
        language = str(ctx.params.get("language_code") or "")
        value = ctx.bot.settings.get((kind, language)) or ctx.bot.settings.get((kind, ""), "")
        return {field: value}

    return setter, getter


for _name, _field, _limit in (
    ("MyName", "name", 64),
    ("MyDescription", "description", 512),
    ("MyShortDescription", "short_description", 120),
):
    _setter, _getter = _stored_setting(_name, _field, _limit)
    api_method(f"set{_name}")(_setter)
    api_method(f"get{_name}")(_getter)


@api_method("setChatMenuButton")
async def set_chat_menu_button(ctx: Context) -> bool:
    button = ctx.params.get("menu_button") or {"type": "default"}
    ctx.bot.settings[("menu_button", ctx.params.get("chat_id"))] = button
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(ctx: Context) -> dict[str, Any]:
    chat_id = ctx.params.get("chat_id")
    settings = ctx.bot.settings
    return settings.get(("menu_button", chat_id)) or settings.get(
        ("menu_button", None), {"type": "commands"}
    )


@api_method("close")
async def close(ctx: Context) -> bool:
    return True


@api_method("logOut")
async def log_out(ctx: Context) -> bool:
    return True
