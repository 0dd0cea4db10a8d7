"""getUpdates: long polling with the real API's offset/limit/allowed_updates semantics."""

from __future__ import annotations

from typing import Any

from emulator.methods.base import Context, api_method
from emulator.state import ApiError

MAX_LIMIT = 100
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)


@api_method("getUpdates")
async def get_updates(ctx: Context) -> list[dict[str, Any]]:
    bot, params = ctx.bot, ctx.params
    if bot.webhook.get("url"):
        raise ApiError(409, CONFLICT_WEBHOOK)
    limit = min(max(int(params.get("limit") or MAX_LIMIT), 1), MAX_LIMIT)
    timeout = max(float(params.get("timeout") or 0), 0.0)
    if "allowed_updates" in params:
        bot.allowed_updates = list(params["allowed_updates"] or [])
    bot.confirm(params.get("offset"))
    # A newer getUpdates for the same token ends this one, as on Telegram.
    bot.poll_generation += 1
    generation = bot.poll_generation
    ctx.signal.fire()

    def ready() -> bool:
        return (
            bool(bot.updates)
            or generation != bot.poll_generation
            or bool(bot.webhook.get("url"))
            or ctx.closing()
        )

    await ctx.signal.wait_until(ready, timeout)
    if generation != bot.poll_generation:
        raise ApiError(409, CONFLICT_POLL)
    if bot.webhook.get("url"):
        raise ApiError(409, CONFLICT_WEBHOOK)
    return bot.take_updates(limit)
