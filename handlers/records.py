"""What the directory handlers share: kind codes in callback data, names, refusals, nonces.

Callback data names a record as `<k>:<id>` with k = "o" (organization) or "c" (contact)."""

from __future__ import annotations

import html
import secrets

from telegram import Update

from crm.directory import DirectoryError, DirectoryProblem, Kind, Record, kind_of
from handlers.callbacks import int_part
from handlers.context import CrmContext
from handlers.refusals import audit_problem

CODES = {Kind.organization: "o", Kind.contact: "c"}
KINDS = {code: kind for kind, code in CODES.items()}
ICONS = {Kind.organization: "🏢", Kind.contact: "👤"}
BUTTON_TEXT = 40  # characters of a name on a button


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code(kind: Kind | str) -> str:
    return kind if kind in KINDS else CODES[Kind(kind)]


def to_kind(kind: Kind | str) -> Kind:
    return KINDS[kind] if kind in KINDS else Kind(kind)


def record_ref(values: list[str], index: int) -> tuple[Kind, int] | None:
    """(kind, id) from `values[index]` and `values[index + 1]`, or None when they do not parse."""
    kind = KINDS.get(values[index]) if len(values) > index else None
    record_id = int_part(values, index + 1)
    return (kind, record_id) if kind is not None and record_id is not None else None


def name_of(record: Record) -> str:
    return record.name if kind_of(record) == Kind.organization else record.full_name


def label(record: Record) -> str:
    """Icon and name, for a button (plain text, shortened)."""
    name = name_of(record)
    if len(name) > BUTTON_TEXT:
        name = name[: BUTTON_TEXT - 1] + "…"
    return f"{ICONS[kind_of(record)]} {name}"


def bold_name(record: Record) -> str:
    return f"<b>{html.escape(name_of(record))}</b>"


def nonce() -> str:
    """Ties a flow's buttons to this run of the flow: a button from an earlier run is stale."""
    return secrets.token_hex(3)


def problem_text(ctx: CrmContext, problem: DirectoryProblem) -> str:
    _ = ctx.t
    return {
        DirectoryProblem.not_found: _("This card no longer exists: it may have been deleted."),
        DirectoryProblem.not_allowed: _(
            "Only the card's owner, a manager or an admin can change this card."
        ),
        DirectoryProblem.name_empty: _("The name cannot be empty. Please send a name."),
        DirectoryProblem.invalid_email: _(
            "That does not look like an e-mail address. Please send one like name@example.com."
        ),
        DirectoryProblem.invalid_phone: _(
            "I could not read that phone number. Please send it with the area code, "
            "e.g. +7 912 345-67-89."
        ),
    }.get(problem, _("This button is no longer valid. Please start again."))


def explain(update: Update, ctx: CrmContext, error: DirectoryError) -> None:
    """A refusal as an alert on a tapped button, or as a reply to a message."""
    text = problem_text(ctx, error.problem)
    audit_problem(ctx, "directory", error.problem)
    if update.callback_query:
        ctx.answer(text, alert=True)
    else:
        ctx.reply(text)


def region(ctx: CrmContext) -> str:
    return ctx.unit.workspace.default_region
