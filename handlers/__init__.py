"""Telegram-facing code: thin adapters that read an update, call the domain, render replies."""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    activities,
    cards,
    contact_import,
    costs,
    digests,
    directory,
    editing,
    errors,
    exports,
    flows,
    followups,
    gate,
    help,
    imports,
    language,
    licensing,
    offers,
    onboarding,
    search,
    settings,
    team,
    trash,
)

GATE_GROUP = -1
FEATURE_GROUP = 0
FALLBACK_GROUP = 1  # plain text that no flow took (the router stops handled updates): a
# question (licensing) first, else a search; one group, so only the first that fits runs


def register(application: Application) -> None:
    """Explicit order: the access gate first, then commands and buttons, then flows."""
    application.add_handler(gate.handler(), group=GATE_GROUP)
    for module in (
        onboarding,
        help,
        team,
        language,
        settings,
        cards,
        directory,
        editing,
        trash,
        contact_import,
        imports,  # after contact_import: .vcf files are its, every other file is ours
        exports,
        licensing,
        costs,
        search,
        activities,
        followups,
        digests,
        offers,
    ):
        for handler in module.handlers():
            application.add_handler(handler, group=FEATURE_GROUP)
    application.add_handler(flows.router(), group=FEATURE_GROUP)
    for handler in (*licensing.fallback_handlers(), *search.fallback_handlers()):
        application.add_handler(handler, group=FALLBACK_GROUP)
    application.add_error_handler(errors.on_error)
