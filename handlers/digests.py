"""/digest (managers and admins): the team's digest on demand for today, this week, last week
or a typed period; /digest settings: when the daily and weekly digests come and whose work
they cover; /me (everyone): one's own day and week.

Buttons: `dg:p:<today|week|last|pick>` for a period; `dg:s[:<action>[:<kind>[:<value>]]]` in
the settings, where kind is `d` (daily) or `w` (weekly) and a quick time is `HHMM` (no colon:
it separates the parts); `dg:s:sc[:pg:<page>]` shows a page of the people to choose from and
`dg:s:sc:<all|member id>:<page>` switches one and stays on that page. Every tap checks the
tapper's role again: a rep who sends a manager's button gets a refusal, not the settings."""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from crm.digests import periods, reports, subscriptions
from crm.digests.model import Period
from crm.digests.period_input import parse_period
from crm.digests.schedule import Schedule, covers_own_week, next_moment
from crm.digests.subscriptions import DigestSettings, Scope
from crm.i18n import Translator
from crm.permissions import sees_whole_team
from crm.team import members as team_members
from handlers import flows
from handlers.callbacks import int_part, invalid_button, pack, parts
from handlers.cancel_hints import with_cancel_hint
from handlers.context import CrmContext
from handlers.digest_chart import chart_png
from handlers.digest_text import period_text, render_digest, totals_lines
from handlers.paging import Page, nav_buttons, page_of
from handlers.refusals import audit_refusal, forged
from storage.models import DigestKind

PREFIX = "dg"
FLOW = "digest"
PERIOD_STEP = "period"
KINDS = {"d": DigestKind.daily, "w": DigestKind.weekly}
CODES = {kind: code for code, kind in KINDS.items()}
QUICK_TIMES = ("08:00", "09:00", "12:00", "17:00", "18:00", "19:00")
# as they travel in a button's data, whose parts ":" separates
QUICK_CODES = {time.replace(":", ""): time for time in QUICK_TIMES}
# The chosen people are named up to this many characters, else counted: a big team's names
# would push the settings past Telegram's 4096 characters and the screen would not open.
MAX_COVERS_TEXT = 1000
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")


def _refuse(update: Update, ctx: CrmContext) -> None:
    _ = ctx.t
    audit_refusal(ctx, "digests not_allowed", rights=True)
    text = _("Team digests are for managers and admins. Your own summary: /me")
    if update.callback_query:
        ctx.answer(text, alert=True)
    else:
        ctx.reply(text)


# --- /digest: on demand -------------------------------------------------------------------


def _menu(_: Translator) -> InlineKeyboardMarkup:
    def button(text: str, *data: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=pack(PREFIX, *data))

    return InlineKeyboardMarkup(
        [
            [button(_("Today"), "p", "today"), button(_("This week"), "p", "week")],
            [button(_("Last week"), "p", "last"), button(_("Choose period"), "p", "pick")],
            [button(_("⚙️ Settings"), "s")],
        ]
    )


async def on_digest(update: Update, ctx: CrmContext) -> None:
    if not sees_whole_team(ctx.member):
        _refuse(update, ctx)
        return
    if ctx.args and ctx.args[0].lower() == "settings":
        await _show_settings(update, ctx)
        return
    _ = ctx.t
    ctx.reply(_("📊 Which digest?"), reply_markup=_menu(_))


def _range_example(_: Translator) -> str:
    """A typed period as the reader writes dates."""
    return "1.11–15.11" if _.locale != "en" else "11/1–11/15"


async def _on_period_button(update: Update, ctx: CrmContext, choice: str) -> None:
    _, now = ctx.t, ctx.now()
    chosen = {
        "today": periods.today,
        "week": periods.this_week,
        "last": periods.last_week,
    }.get(choice)
    if choice == "pick":
        ctx.answer()
        await flows.begin(update, ctx, FLOW, PERIOD_STEP)
        ctx.reply(
            with_cancel_hint(
                _,
                _("Send the period, e.g. {example_1} or {example_2}.").format(
                    example_1=_range_example(_),
                    example_2="2026-11-01 2026-11-15",
                ),
            )
        )
        return
    if chosen is None:
        invalid_button(ctx)
        return
    ctx.answer()
    await _show_digest(update, ctx, chosen(now, _.timezone))


async def _period_step(update: Update, ctx: CrmContext) -> str | None:
    _ = ctx.t
    if not sees_whole_team(ctx.member):
        _refuse(update, ctx)
        return flows.END
    today = ctx.now().astimezone(_.tz).date()
    found = parse_period(update.message.text or "", today=today, locale=_.locale)
    if found is None:
        ctx.reply(
            _("I could not read that period. Send two dates, e.g. {example}, or /cancel.").format(
                example=_range_example(_)
            )
        )
        return PERIOD_STEP
    await _show_digest(update, ctx, periods.custom(*found, _.timezone))
    return flows.END


async def _show_digest(update: Update, ctx: CrmContext, period: Period) -> None:
    _ = ctx.t
    settings = await subscriptions.settings_of(ctx.session, actor=ctx.member)
    digest = await reports.digest_of(
        ctx.session,
        workspace_id=ctx.member.workspace_id,
        period=period,
        member_ids=settings.scope.ids(),
        now=ctx.now(),
    )
    title = _("📊 <b>Digest</b>")
    for text in render_digest(digest, _, title=title):
        ctx.reply(text)
    chart = await chart_png(digest, _)
    if chart:
        chat_id = update.effective_chat.id
        ctx.unit.outbox.append(lambda: ctx.bot.send_photo(chat_id, chart, caption=title))


# --- /me ----------------------------------------------------------------------------------


async def on_me(update: Update, ctx: CrmContext) -> None:
    _, now = ctx.t, ctx.now()
    blocks = []
    for title, period in (
        (_("<b>Your day</b>"), periods.today(now, _.timezone)),
        (_("<b>Your week</b>"), periods.this_week(now, _.timezone)),
    ):
        digest = await reports.digest_of(
            ctx.session,
            workspace_id=ctx.member.workspace_id,
            period=period,
            member_ids=[ctx.member.id],
            now=now,
            top=0,  # /me shows no organizations
        )
        mine = next((rep for rep in digest.reps if rep.member_id == ctx.member.id), None)
        lines = [f"{title} — {period_text(period, _)}"]
        lines += totals_lines(digest, _, mine.calls_by_outcome if mine else None) or [
            _("Nothing was logged in this period.")
        ]
        blocks.append("\n".join(lines))
    ctx.reply("\n\n".join(blocks))


# --- /digest settings ---------------------------------------------------------------------


def _weekday_names(_: Translator) -> dict[int, str]:
    short = _.babel_locale.days["format"]["abbreviated"]
    return {day: short[day - 1] for day in range(1, 8)}


def _hhmm(schedule: Schedule) -> str:
    return f"{schedule.hour:02d}:{schedule.minute:02d}"


def _schedule_line(schedule: Schedule, _: Translator) -> str:
    names = _weekday_names(_)
    days = ", ".join(names[day] for day in sorted(schedule.weekdays)) or _("no days")
    state = _("on") if schedule.enabled else _("off")
    label = _("Daily digest") if schedule.kind == DigestKind.daily else _("Weekly digest")
    return f"{label}: {state}, {_hhmm(schedule)} · {days}"


def _weekly_coverage(weekly: Schedule, _: Translator) -> str:
    if weekly.weekdays and all(covers_own_week(day) for day in weekly.weekdays):
        return _("(covers the week it is sent in)")
    return _("(covers the week before)")


def _settings_view(
    ctx: CrmContext, settings: DigestSettings, names: dict[int, str]
) -> tuple[str, InlineKeyboardMarkup]:
    _ = ctx.t
    daily = settings.schedules[DigestKind.daily]
    weekly = settings.schedules[DigestKind.weekly]
    if settings.scope.whole_team:
        covers = _("the whole team")
    else:
        chosen = [names[i] for i in settings.scope.member_ids if i in names]
        covers = ", ".join(html.escape(name) for name in chosen) or _("nobody")
        if len(covers) > MAX_COVERS_TEXT:
            covers = _.ngettext("{count} person", "{count} people", len(chosen)).format(
                count=_.number(len(chosen))
            )
    lines = [
        _("<b>Digest settings</b>"),
        "",
        _schedule_line(daily, _),
        _schedule_line(weekly, _) + " " + _weekly_coverage(weekly, _),
        _("Covers: {who}").format(who=covers),
        "",
        _("Times are in your time zone, {timezone} (change it in /settings).").format(
            timezone=_.timezone
        ),
    ]
    upcoming = [
        moment
        for moment in (
            next_moment(s, tz=_.timezone, now=ctx.now()) for s in settings.schedules.values()
        )
        if moment
    ]
    if upcoming:
        lines.append(_("Next digest: {when}").format(when=_.moment(min(upcoming))))
    return "\n".join(lines), _settings_keyboard(settings, _)


def _settings_keyboard(settings: DigestSettings, _: Translator) -> InlineKeyboardMarkup:
    names = _weekday_names(_)
    rows = []
    for kind, label in ((DigestKind.daily, _("Daily")), (DigestKind.weekly, _("Weekly"))):
        schedule, code = settings.schedules[kind], CODES[kind]
        mark = "✅" if schedule.enabled else "❌"
        rows.append(
            [
                InlineKeyboardButton(
                    f"{mark} {label}", callback_data=pack(PREFIX, "s", "on", code)
                ),
                InlineKeyboardButton(
                    f"🕒 {_hhmm(schedule)}", callback_data=pack(PREFIX, "s", "t", code)
                ),
            ]
        )
        rows.append(
            [
                InlineKeyboardButton(
                    ("●" if day in schedule.weekdays else "○") + names[day],
                    callback_data=pack(PREFIX, "s", "wd", code, day),
                )
                for day in range(1, 8)
            ]
        )
    rows.append([InlineKeyboardButton(_("👥 Whose work"), callback_data=pack(PREFIX, "s", "sc"))])
    return InlineKeyboardMarkup(rows)


async def _names(ctx: CrmContext) -> dict[int, str]:
    people = await team_members(ctx.session, actor=ctx.member)
    named = {person.id: person.display_name or str(person.id) for person in people}
    return dict(sorted(named.items(), key=lambda item: (item[1].casefold(), item[0])))


async def _show_settings(
    update: Update, ctx: CrmContext, settings: DigestSettings | None = None
) -> None:
    settings = settings or await subscriptions.settings_of(ctx.session, actor=ctx.member)
    text, markup = _settings_view(ctx, settings, await _names(ctx))
    if update.callback_query:
        ctx.answer()
        ctx.edit(text, reply_markup=markup)
    else:
        ctx.reply(text, reply_markup=markup)


def _scope_data(*parts: object) -> str:
    return pack(PREFIX, "s", "sc", *parts)


def _show_scope(
    ctx: CrmContext, settings: DigestSettings, names: dict[int, str], page: Page[int]
) -> None:
    """One page of the team (see handlers.paging): every button keeps the page it is on."""
    _ = ctx.t
    scope = settings.scope
    rows = [
        [
            InlineKeyboardButton(
                ("✅ " if scope.whole_team else "▫️ ") + _("Whole team"),
                callback_data=_scope_data("all", page.number),
            )
        ]
    ]
    for member_id in page.items:
        chosen = scope.whole_team or member_id in scope.member_ids
        rows.append(
            [
                InlineKeyboardButton(
                    ("✅ " if chosen else "▫️ ") + names[member_id],
                    callback_data=_scope_data(member_id, page.number),
                )
            ]
        )
    nav = nav_buttons(page, lambda number: _scope_data("pg", number))
    if nav:
        rows.append(nav)
    rows.append([InlineKeyboardButton(_("⬅️ Back"), callback_data=pack(PREFIX, "s"))])
    text = _("Whose work do the digests cover? Tap to switch.")
    if page.count > 1:
        text += "\n" + _("Page {page} of {pages}").format(page=page.number + 1, pages=page.count)
    ctx.answer()
    ctx.edit(text, reply_markup=InlineKeyboardMarkup(rows))


async def _on_settings_button(update: Update, ctx: CrmContext, values: list[str]) -> None:
    _, now, actor = ctx.t, ctx.now(), ctx.member
    action = values[0] if values else ""
    kind = KINDS.get(values[1]) if len(values) > 1 else None
    if not values:
        await _show_settings(update, ctx)
    elif action == "on" and kind and len(values) == 2:
        settings = await subscriptions.toggle(ctx.session, actor=actor, kind=kind, now=now)
        await _show_settings(update, ctx, settings)
    elif action == "wd" and kind and len(values) == 3 and 1 <= (int_part(values, 2) or 0) <= 7:
        settings = await subscriptions.toggle_weekday(
            ctx.session, actor=actor, kind=kind, weekday=int_part(values, 2), now=now
        )
        await _show_settings(update, ctx, settings)
    elif action == "t" and kind and len(values) == 2:
        await _ask_time(update, ctx, kind)
    elif action == "t" and kind and len(values) == 3 and values[2] in QUICK_CODES:
        await _set_time(update, ctx, kind, QUICK_CODES[values[2]])
    elif action == "sc":
        await _on_scope_button(update, ctx, values[1:])
    else:
        invalid_button(ctx)


async def _on_scope_button(update: Update, ctx: CrmContext, values: list[str]) -> None:
    """`sc` alone: the first page; `sc:pg:<n>`: page n; `sc:<all|member id>[:<n>]`: switch
    and show page n again (buttons sent before paging carry no page: the first)."""
    names = await _names(ctx)
    if len(values) > 2 or (values[:1] == ["pg"] and len(values) != 2):
        invalid_button(ctx)
        return
    number = int_part(values, 1) if len(values) == 2 else 0
    if number is None:
        invalid_button(ctx)
        return
    page = page_of(list(names), number)
    # a page past the end on a button of the message is stale (the team shrank): clamped;
    # one on no button of it was made up: refused and audited like any made-up data
    if page.clamped and forged(update):
        invalid_button(ctx)
        return
    who = values[0] if values and values[0] != "pg" else None
    settings = await subscriptions.settings_of(ctx.session, actor=ctx.member)
    if who is None:
        _show_scope(ctx, settings, names, page)
        return
    if who == "all":
        scope = Scope()
    elif who.isdigit() and int(who) in names:
        scope = subscriptions.toggled(settings.scope, int(who), list(names))
    else:
        invalid_button(ctx)
        return
    settings = await subscriptions.set_scope(
        ctx.session, actor=ctx.member, scope=scope, now=ctx.now()
    )
    _show_scope(ctx, settings, names, page)


async def _ask_time(update: Update, ctx: CrmContext, kind: DigestKind) -> None:
    _ = ctx.t
    await flows.begin(update, ctx, FLOW, f"time_{CODES[kind]}")
    quick = [
        InlineKeyboardButton(time, callback_data=pack(PREFIX, "s", "t", CODES[kind], code))
        for code, time in QUICK_CODES.items()
    ]
    prompt = (
        _("Send the time of the daily digest, e.g. 18:00, or tap one:")
        if kind == DigestKind.daily
        else _("Send the time of the weekly digest, e.g. 09:00, or tap one:")
    )
    ctx.answer()
    ctx.reply(
        with_cancel_hint(_, prompt),
        reply_markup=InlineKeyboardMarkup([quick[:3], quick[3:]]),
    )


async def _set_time(update: Update, ctx: CrmContext, kind: DigestKind, text: str) -> bool:
    _ = ctx.t
    match = _TIME.match(text)
    hour, minute = (int(match.group(1)), int(match.group(2) or 0)) if match else (-1, -1)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        ctx.reply(_("Send a time of day as hours and minutes, e.g. 18:00."))
        return False
    settings = await subscriptions.set_time(
        ctx.session, actor=ctx.member, kind=kind, hour=hour, minute=minute, now=ctx.now()
    )
    await flows.finish(update, ctx)
    if update.callback_query:
        ctx.answer(_("Saved."))
    text, markup = _settings_view(ctx, settings, await _names(ctx))
    ctx.reply(_("Saved.") + "\n\n" + text, reply_markup=markup)
    return True


def _time_step(kind: DigestKind):
    async def step(update: Update, ctx: CrmContext) -> str | None:
        if not sees_whole_team(ctx.member):
            _refuse(update, ctx)
            return flows.END
        saved = await _set_time(update, ctx, kind, update.message.text or "")
        return flows.END if saved else f"time_{CODES[kind]}"

    return step


flows.flow(
    FLOW,
    {PERIOD_STEP: _period_step}
    | {f"time_{code}": _time_step(kind) for code, kind in KINDS.items()},
)


async def on_button(update: Update, ctx: CrmContext) -> None:
    values = parts(update)[1:]
    if not sees_whole_team(ctx.member):
        _refuse(update, ctx)
        return
    if values[:1] == ["p"] and len(values) == 2:
        await _on_period_button(update, ctx, values[1])
    elif values[:1] == ["s"]:
        await _on_settings_button(update, ctx, values[1:])
    else:
        invalid_button(ctx)


def handlers() -> list:
    return [
        CommandHandler("digest", on_digest),
        CommandHandler("me", on_me),
        CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"),
    ]
