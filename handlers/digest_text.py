"""A digest as Telegram HTML: the team's totals against the period before, each rep's work,
the busiest organizations, who did nothing, imports. Long digests are split between blocks
(a rep is never cut in two) under Telegram's limit of 4096 UTF-16 units."""

from __future__ import annotations

import html
from datetime import date

from babel.dates import format_interval, format_skeleton

from crm.digests.model import Change, Counts, Digest, Period, RepSummary
from crm.i18n import Translator
from handlers.activity_views import outcome_name
from handlers.message_split import split_messages
from storage.models import Outcome


def day_text(day: date, _: Translator) -> str:
    return format_skeleton("yMMMEd", day, locale=_.babel_locale)


def short_day(day: date, _: Translator) -> str:
    """For the chart's axis: "Nov 25", "25 нояб."."""
    return format_skeleton("MMMd", day, locale=_.babel_locale)


def period_text(period: Period, _: Translator) -> str:
    if period.first_day == period.last_day:
        return day_text(period.first_day, _)
    return format_interval(period.first_day, period.last_day, "yMMMd", locale=_.babel_locale)


def outcome_label(outcome: Outcome | None, _: Translator) -> str:
    return outcome_name(outcome, _) if outcome else _("outcome not given")


def change_text(change: Change, _: Translator) -> str:
    """ "↑ 12%", "↓ 5%", "→ 0%"; "new" where there was nothing before; "" where nothing ever."""
    if change.previous == 0:
        return _("new") if change.current else ""
    percent = change.percent
    arrow = "↑" if percent > 0 else "↓" if percent < 0 else "→"
    return f"{arrow} {abs(percent)}%"


def _labels(_: Translator) -> dict[str, str]:
    return {
        "calls": _("Calls: {count}"),
        "meetings": _("Meetings: {count}"),
        "new_organizations": _("New organizations: {count}"),
        "new_contacts": _("New contacts: {count}"),
        "followups_done": _("Follow-ups done: {count}"),
        "followups_overdue": _("Overdue follow-ups: {count}"),
    }


def _outcomes(calls_by_outcome: dict[Outcome | None, int], _: Translator) -> str:
    order = [*Outcome, None]
    parts = [
        f"{outcome_label(outcome, _)} {calls_by_outcome[outcome]}"
        for outcome in order
        if calls_by_outcome.get(outcome)
    ]
    return f" ({', '.join(parts)})" if parts else ""


def counts_lines(counts: Counts, _: Translator, calls_by_outcome=None) -> list[str]:
    """What someone did, nothing said of what is zero."""
    labels = _labels(_)
    first, second = [], []
    for name, label in labels.items():
        value = getattr(counts, name)
        if not value:
            continue
        text = label.format(count=_.number(value))
        if name == "calls" and calls_by_outcome:
            text += _outcomes(calls_by_outcome, _)
        (first if name in ("calls", "meetings") else second).append(text)
    return [" · ".join(line) for line in (first, second) if line]


def rep_label(rep: RepSummary, _: Translator) -> str:
    """The rep's name, marked when they have left the team since (plain text)."""
    if rep.left_team:
        return _("{name} (left the team)").format(name=rep.name)
    return rep.name


def rep_block(rep: RepSummary, _: Translator) -> str:
    return "\n".join(
        [
            f"👤 <b>{html.escape(rep_label(rep, _))}</b>",
            *counts_lines(rep.counts, _, rep.calls_by_outcome),
        ]
    )


def totals_lines(digest: Digest, _: Translator, calls_by_outcome=None) -> list[str]:
    """Each figure with its change against the period before; none that was zero both times."""
    lines = []
    for name, label in _labels(_).items():
        change = digest.change(name)
        if not (change.current or change.previous):
            continue
        text = label.format(count=_.number(change.current))
        if name == "calls" and calls_by_outcome:
            text += _outcomes(calls_by_outcome, _)
        trend = change_text(change, _)
        lines.append(text + (f" ({trend})" if trend else ""))
    return lines


def totals_block(digest: Digest, _: Translator) -> str:
    lines = totals_lines(digest, _) or [_("Nothing was logged in this period.")]
    return "\n".join([_("<b>Team totals</b>"), *lines])


def digest_blocks(digest: Digest, _: Translator, *, title: str) -> list[str]:
    blocks = [f"{title}\n{period_text(digest.period, _)}", totals_block(digest, _)]
    blocks += [rep_block(rep, _) for rep in digest.reps if rep.active]
    if digest.busiest_organizations:
        blocks.append(
            "\n".join(
                [_("<b>Most active organizations</b>")]
                + [
                    f"🏢 {html.escape(org.name)} — {_.number(org.activities)}"
                    for org in digest.busiest_organizations
                ]
            )
        )
    if digest.inactive_reps:
        names = ", ".join(html.escape(rep.name) for rep in digest.inactive_reps)
        blocks.append(_("<b>No activity:</b> {names}").format(names=names))
    if digest.imports:
        blocks.append(
            "\n".join(
                [_("<b>Imports</b>")]
                + [
                    _(
                        "📥 {file} ({member}): new organizations {organizations}, "
                        "new contacts {contacts}"
                    ).format(
                        file=html.escape(made.file_name),
                        member=html.escape(made.member_name),
                        organizations=_.number(made.created_organizations),
                        contacts=_.number(made.created_contacts),
                    )
                    for made in digest.imports
                ]
            )
        )
    return blocks


def render_digest(digest: Digest, _: Translator, *, title: str) -> list[str]:
    """The digest as messages, each under Telegram's limit."""
    return split_messages(digest_blocks(digest, _, title=title))
