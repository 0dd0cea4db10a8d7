"""Turning Telegram users into the domain's `Person`, and members into display text."""

from __future__ import annotations

import html

from telegram import User

from crm.i18n import Translator, negotiate
from crm.team import Person
from storage.models import Member, Role


def person_of(user: User, default_locale: str) -> Person:
    return Person(
        telegram_user_id=user.id,
        display_name=user.full_name[:200],
        username=user.username,
        locale=negotiate(user.language_code, default_locale),
    )


def role_name(role: Role, _: Translator) -> str:
    names = {Role.admin: _("admin"), Role.manager: _("manager"), Role.rep: _("sales rep")}
    return names[role]


def member_label(member: Member) -> str:
    """HTML-escaped name with the @username when there is one."""
    label = html.escape(member.display_name or str(member.telegram_user_id))
    if member.username:
        label += f" (@{html.escape(member.username)})"
    return label
