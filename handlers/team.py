"""/team: the admin's view of the team: invite links per role, roles, removal."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm import team
from crm.i18n import Translator
from crm.team import TeamError, TeamProblem
from handlers.callbacks import int_part, invalid_button, pack, parts
from handlers.context import CrmContext
from handlers.people import member_label, role_name
from handlers.refusals import audit_problem, audit_refusal
from storage.models import Member, Role

PREFIX = "team"


def _not_admin_text(_: Translator) -> str:
    return _("Only an admin can manage the team.")


async def show_team(update: Update, ctx: CrmContext) -> None:
    if not team.can_manage_team(ctx.member):
        audit_refusal(ctx, "team not_allowed", rights=True)
        ctx.reply(_not_admin_text(ctx.t))
        return
    text, markup = await _team_view(ctx)
    ctx.reply(text, reply_markup=markup)


async def _team_view(ctx: CrmContext) -> tuple[str, InlineKeyboardMarkup]:
    _ = ctx.t
    members = await team.members(ctx.session, actor=ctx.member)
    lines = [
        _("Team of <b>{workspace}</b>:").format(workspace=html.escape(ctx.unit.workspace.name)),
        "",
    ]
    lines += [
        f"{number}. {member_label(m)} — {role_name(m.role, _)}"
        for number, m in enumerate(members, 1)
    ]
    lines += ["", _("Invite a colleague with a link, or tap a person to change their role.")]
    rows = [
        [
            InlineKeyboardButton(_("Invite a sales rep"), callback_data=pack(PREFIX, "inv", "rep")),
            InlineKeyboardButton(
                _("Invite a manager"), callback_data=pack(PREFIX, "inv", "manager")
            ),
        ],
        [InlineKeyboardButton(_("Invite an admin"), callback_data=pack(PREFIX, "inv", "admin"))],
    ]
    rows += [
        [
            InlineKeyboardButton(
                f"{m.display_name} — {role_name(m.role, _)}", callback_data=pack(PREFIX, "m", m.id)
            )
        ]
        for m in members
        if m.id != ctx.member.id
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _member_view(ctx: CrmContext, member: Member) -> tuple[str, InlineKeyboardMarkup]:
    _ = ctx.t
    text = _("{name} is {role}. Choose a new role, or remove them from the team.").format(
        name=member_label(member), role=role_name(member.role, _)
    )
    role_buttons = [
        InlineKeyboardButton(
            ("• " if role == member.role else "") + role_name(role, _),
            callback_data=pack(PREFIX, "role", member.id, role.value),
        )
        for role in Role
    ]
    rows = [
        *([button] for button in role_buttons),  # one per row: role names are long in ru/lt
        [
            InlineKeyboardButton(
                _("Remove from the team"), callback_data=pack(PREFIX, "rm", member.id)
            )
        ],
        [InlineKeyboardButton(_("« Back"), callback_data=pack(PREFIX, "list"))],
    ]
    return text, InlineKeyboardMarkup(rows)


def _confirm_removal_view(ctx: CrmContext, member: Member) -> tuple[str, InlineKeyboardMarkup]:
    _ = ctx.t
    text = _("Remove {name} from the team? They will lose access at once.").format(
        name=member_label(member)
    )
    rows = [
        [
            InlineKeyboardButton(_("Yes, remove"), callback_data=pack(PREFIX, "rmok", member.id)),
            InlineKeyboardButton(_("No"), callback_data=pack(PREFIX, "m", member.id)),
        ]
    ]
    return text, InlineKeyboardMarkup(rows)


async def on_button(update: Update, ctx: CrmContext) -> None:
    """Every tap is checked again here: the tapper must still be an admin, and the member
    must still be in the tapper's own workspace."""
    _ = ctx.t
    values = parts(update)
    action = values[1] if len(values) > 1 else ""
    if not team.can_manage_team(ctx.member):
        audit_refusal(ctx, "team not_allowed", rights=True)
        ctx.answer(_not_admin_text(_), alert=True)
        return
    try:
        if action == "list":
            text, markup = await _team_view(ctx)
            ctx.edit(text, reply_markup=markup)
        elif action == "inv" and len(values) == 3 and values[2] in Role.__members__:
            await _invite(update, ctx, Role(values[2]))
        elif action in ("m", "rm", "rmok") and (member_id := int_part(values, 2)) is not None:
            await _member_action(ctx, action, member_id)
        elif (
            action == "role"
            and (member_id := int_part(values, 2)) is not None
            and (len(values) == 4 and values[3] in Role.__members__)
        ):
            await team.change_role(
                ctx.session, actor=ctx.member, member_id=member_id, role=Role(values[3])
            )
            ctx.answer(_("Role changed."))
            text, markup = await _team_view(ctx)
            ctx.edit(text, reply_markup=markup)
        else:
            invalid_button(ctx)
    except TeamError as error:
        audit_problem(ctx, "team", error.problem)
        ctx.answer(_problem_text(ctx, error), alert=True)


async def _member_action(ctx: CrmContext, action: str, member_id: int) -> None:
    _ = ctx.t
    if action == "rmok":
        removed = await team.remove_member(
            ctx.session, actor=ctx.member, member_id=member_id, now=ctx.now()
        )
        ctx.answer(_("{name} was removed from the team.").format(name=removed.display_name))
        text, markup = await _team_view(ctx)
        ctx.edit(text, reply_markup=markup)
        return
    member = await team.member_of_team(ctx.session, actor=ctx.member, member_id=member_id)
    view = _member_view if action == "m" else _confirm_removal_view
    text, markup = view(ctx, member)
    ctx.edit(text, reply_markup=markup)


async def _invite(update: Update, ctx: CrmContext, role: Role) -> None:
    _ = ctx.t
    invite, code = await team.create_invite(
        ctx.session,
        actor=ctx.member,
        role=role,
        now=ctx.now(),
        ttl=ctx.services.options.invite_ttl,
    )
    link = f"https://t.me/{ctx.bot.username}?start={code}"
    ctx.answer()
    ctx.reply(
        _(
            "Invite link for a new {role}. It works once and is valid until {date}.\n"
            "Send it to your colleague:\n\n{link}"
        ).format(
            role=role_name(role, _), date=ctx.t.datetime(invite.expires_at, "short"), link=link
        ),
        link_preview_options={"is_disabled": True},
    )


def _problem_text(ctx: CrmContext, error: TeamError) -> str:
    _ = ctx.t
    return {
        TeamProblem.member_gone: _("This person is no longer in the team."),
        TeamProblem.last_admin: _(
            "The team needs at least one admin. Make someone else admin first."
        ),
        TeamProblem.not_allowed: _not_admin_text(_),
    }.get(error.problem, _("That did not work. Please try again."))


def handlers() -> list:
    return [
        CommandHandler("team", show_team),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"),
    ]
