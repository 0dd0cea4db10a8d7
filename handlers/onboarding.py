"""/start: create a workspace on first contact, or join one through an invite link."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CommandHandler

from crm import team
from crm.team import TeamError, TeamProblem
from handlers import flows
from handlers.access import refuse
from handlers.cancel_hints import with_cancel_hint
from handlers.context import CrmContext
from handlers.people import member_label, person_of, role_name
from storage.models import Member
from storage.repositories import workspaces as repo

ONBOARDING = "onboarding"


async def start(update: Update, ctx: CrmContext) -> None:
    if ctx.args:
        await _join(update, ctx, ctx.args[0])
    elif ctx.unit.member is not None:
        _welcome_back(ctx)
    else:
        await _begin_onboarding(update, ctx)


def _welcome_back(ctx: CrmContext) -> None:
    _ = ctx.t
    ctx.reply(
        _(
            "Welcome back! You are in <b>{workspace}</b> as {role}. "
            "Send /help to see what I can do."
        ).format(workspace=html.escape(ctx.unit.workspace.name), role=role_name(ctx.member.role, _))
    )


async def _begin_onboarding(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    hosted = ctx.services.options.allow_new_workspaces
    if not await team.may_create_workspace(ctx.session, hosted=hosted):
        refuse(update, ctx)
        return
    await flows.begin(update, ctx, ONBOARDING, "name")
    ctx.reply(
        with_cancel_hint(
            _,
            _(
                "Hello! I keep your team's customers, calls and follow-ups.\n\n"
                "Let's set up your company. What is your company's name?"
            ),
        )
    )


async def ask_name_step(update: Update, ctx: CrmContext) -> str | None:
    _ = ctx.t
    person = person_of(update.effective_user, ctx.services.options.default_locale)
    try:
        workspace, _admin = await team.create_workspace(
            ctx.session,
            name=update.message.text,
            owner=person,
            defaults=ctx.services.options.workspace_defaults,
            hosted=ctx.services.options.allow_new_workspaces,
        )
    except TeamError as error:
        if error.problem in (TeamProblem.name_empty, TeamProblem.name_too_long):
            ctx.reply(_("Please send a name of 1 to 200 characters."))
            return "name"
        _explain(ctx, error)
        return flows.END
    ctx.reply(
        _(
            "Done! <b>{workspace}</b> is set up and you are its admin.\n\n"
            "Send /team to invite colleagues, /help to see everything I can do."
        ).format(workspace=html.escape(workspace.name))
    )
    return flows.END


async def _join(update: Update, ctx: CrmContext, code: str) -> None:
    _ = ctx.t
    person = person_of(update.effective_user, ctx.services.options.default_locale)
    try:
        workspace, member, invite = await team.join(
            ctx.session, code=code, person=person, now=ctx.now()
        )
    except TeamError as error:
        _explain(ctx, error)
        return
    await flows.finish(update, ctx)
    ctx.unit.translator = ctx.services.catalogs.for_member(member, workspace)
    _ = ctx.t
    ctx.reply(
        _(
            "Welcome to <b>{workspace}</b>! You joined as {role}. Send /help to see what I can do."
        ).format(workspace=html.escape(workspace.name), role=role_name(member.role, _))
    )
    await _tell_inviter(ctx, invite.created_by_id, workspace.id, member)


async def _tell_inviter(
    ctx: CrmContext, inviter_id: int | None, workspace_id: int, member: Member
) -> None:
    inviter = inviter_id and await repo.get_member(
        ctx.session, workspace_id=workspace_id, member_id=inviter_id
    )
    if not inviter:
        return
    workspace = ctx.unit.workspace or await repo.get_workspace(ctx.session, workspace_id)
    _ = ctx.services.catalogs.for_member(inviter, workspace)
    ctx.send(
        inviter.telegram_user_id,
        _("{name} joined the team as {role}.").format(
            name=member_label(member), role=role_name(member.role, _)
        ),
    )


def _explain(ctx: CrmContext, error: TeamError) -> None:
    _ = ctx.t
    messages = {
        TeamProblem.invite_unknown: _(
            "This invite link is not valid. Ask your admin for a new one."
        ),
        TeamProblem.invite_used: _(
            "This invite link has already been used. Ask your admin for a new one."
        ),
        TeamProblem.invite_expired: _(
            "This invite link has expired. Ask your admin for a new one."
        ),
        TeamProblem.workspace_exists: _(
            "This bot is private. Ask your company's admin for an invite link to join."
        ),
    }
    if error.problem == TeamProblem.already_member:
        name = error.workspace_name or ""
        ctx.reply(
            _("You are already a member of <b>{workspace}</b>.").format(workspace=html.escape(name))
        )
        return
    ctx.reply(messages.get(error.problem, _("That did not work. Please try again.")))


flows.flow(ONBOARDING, {"name": ask_name_step})


def handlers() -> list:
    return [CommandHandler("start", start)]
