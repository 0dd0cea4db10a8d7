"""The figures of a digest, aggregated in SQL: a handful of GROUP BY queries per period, whose
result rows number at most members x days x outcomes. Python only adds those rows up.

Who counts: the workspace's members, or the chosen ones among them: those in the team now,
and those removed since the earlier of the two periods began, whose work in the periods was
real work of the team (leaving them out made the totals disagree with what happened). A
removed member is one of the digest's reps only with something to show in the period, marked
`left_team`; the previous period's totals use the same members and the same queries.

What counts, per member:
- calls and meetings they logged in [start, end), deleted ones excluded;
- organizations and contacts they own (`owner_id`, the member who created the card) created in
  the period and not deleted; cards an import created are left out here, the import is listed
  on its own;
- follow-ups of their activities marked done in the period (`done_at`);
- follow-ups overdue at the period's end (or now, if earlier): due before that moment and not
  done by then, of members still in the team at that moment (nobody answers for those of a
  member who had left by then).
Calls per local day are grouped in SQL by a CASE over the days' UTC bounds computed in Python
with zoneinfo: correct on 23- and 25-hour days and identical on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, case, false, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col
from sqlmodel import select as sm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm.digests import periods
from crm.digests.model import (
    BusyOrganization,
    Counts,
    DayCalls,
    Digest,
    ImportMade,
    Period,
    RepSummary,
)
from storage.models import (
    Activity,
    ActivityKind,
    Contact,
    ImportBatch,
    ImportStatus,
    Member,
    Organization,
    Outcome,
)

__all__ = ["build_digest"]

_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


async def build_digest(
    session: AsyncSession,
    *,
    workspace_id: int,
    period: Period,
    previous: Period,
    member_ids: Sequence[int] | None = None,
    now: datetime,
    top: int = 5,
) -> Digest:
    """The digest of `period` against `previous` for the workspace's members (see above), or
    for those of `member_ids` among them (None: all of them). `now` bounds the overdue count
    of a period that has not ended yet."""
    since = min(period.start, previous.start)
    members = await _members(session, workspace_id, member_ids, removed_since=since)
    ids = [member.id for member in members]
    current = await _counts(session, workspace_id, members, period, now)
    before = await _counts(session, workspace_id, members, previous, now)
    per_day = await _calls_per_day(session, workspace_id, ids, period)
    by_outcome: dict[int, dict[Outcome | None, int]] = defaultdict(dict)
    for row in per_day:
        outcomes = by_outcome[row.member_id]
        outcomes[row.outcome] = outcomes.get(row.outcome, 0) + row.calls
    reps = tuple(
        RepSummary(
            member_id=member.id,
            name=member.display_name,
            counts=current.get(member.id, Counts()),
            calls_by_outcome=dict(by_outcome.get(member.id, {})),
            left_team=member.removed_at is not None,
        )
        for member in members
        if member.removed_at is None or member.id in current
    )
    return Digest(
        period=period,
        previous=previous,
        reps=reps,
        totals=_sum(current.values()),
        previous_totals=_sum(before.values()),
        busiest_organizations=await _busiest(session, workspace_id, ids, period, top),
        imports=await _imports(session, workspace_id, ids, period),
        calls_per_day=per_day,
    )


async def _members(
    session: AsyncSession,
    workspace_id: int,
    member_ids: Sequence[int] | None,
    *,
    removed_since: datetime,
) -> list[Member]:
    removed_at = col(Member.removed_at)
    where = [
        Member.workspace_id == workspace_id,
        or_(removed_at.is_(None), removed_at >= removed_since),
    ]
    if member_ids is not None:
        where.append(col(Member.id).in_(list(member_ids)))
    members = (await session.exec(sm_select(Member).where(*where))).all()
    return sorted(members, key=lambda m: (m.display_name.casefold(), m.id))


def _in(column, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _live_activities(workspace_id: int, member_ids: list[int]) -> list[ColumnElement[bool]]:
    return [
        Activity.workspace_id == workspace_id,
        col(Activity.member_id).in_(member_ids),
        col(Activity.deleted_at).is_(None),
    ]


async def _grouped(session: AsyncSession, statement) -> dict[int, int]:
    return {member_id: count for member_id, count in (await session.exec(statement)).all()}


async def _counts(
    session: AsyncSession, workspace_id: int, members: list[Member], period: Period, now: datetime
) -> dict[int, Counts]:
    """Each member's counts in the period (members with nothing at all are left out)."""
    if not members:
        return {}
    member_ids = [m.id for m in members]
    live = _live_activities(workspace_id, member_ids)
    member = col(Activity.member_id)
    kinds = (
        select(member, Activity.kind, func.count())
        .where(*live, _in(col(Activity.occurred_at), period.start, period.end))
        .where(col(Activity.kind).in_([ActivityKind.call, ActivityKind.meeting]))
        .group_by(member, Activity.kind)
    )
    calls: dict[int, int] = {}
    meetings: dict[int, int] = {}
    for member_id, kind, count in (await session.exec(kinds)).all():
        (calls if kind == ActivityKind.call else meetings)[member_id] = count

    done = await _grouped(
        session,
        select(member, func.count())
        .where(*live, _in(col(Activity.done_at), period.start, period.end))
        .group_by(member),
    )
    # Overdue at `moment`: due before it and not done by then. Counted in two disjoint parts
    # that each stay on an index: still open (the partial index of open follow-ups: its terms
    # must appear literally, hence `false()`), and done only after the moment.
    moment = min(period.end, now)
    # the follow-ups of a member who had left by then are nobody's overdue work
    in_team = [m.id for m in members if m.removed_at is None or m.removed_at > moment]
    due = [
        *_live_activities(workspace_id, in_team),
        col(Activity.follow_up_at).is_not(None),
        col(Activity.follow_up_at) < moment,
    ]
    still_open = await _grouped(
        session,
        select(member, func.count()).where(*due, Activity.done == false()).group_by(member),
    )
    # Few follow-ups are done after the moment, and `done_at`'s index finds them. Without an
    # upper bound SQLite guesses that "done_at >= x" matches a quarter of the table and walks
    # every activity through the member index instead (0.9 s for a million).
    done_later = await _grouped(
        session,
        select(member, func.count())
        .where(*due, _in(col(Activity.done_at), moment, _END_OF_TIME))
        .group_by(member),
    )
    organizations = await _created(session, Organization, workspace_id, member_ids, period)
    contacts = await _created(session, Contact, workspace_id, member_ids, period)

    counts = {}
    for member_id in member_ids:
        found = Counts(
            calls=calls.get(member_id, 0),
            meetings=meetings.get(member_id, 0),
            new_organizations=organizations.get(member_id, 0),
            new_contacts=contacts.get(member_id, 0),
            followups_done=done.get(member_id, 0),
            followups_overdue=still_open.get(member_id, 0) + done_later.get(member_id, 0),
        )
        if found.any:
            counts[member_id] = found
    return counts


async def _created(
    session: AsyncSession,
    model: type[Organization] | type[Contact],
    workspace_id: int,
    member_ids: list[int],
    period: Period,
) -> dict[int, int]:
    owner = col(model.owner_id)
    return await _grouped(
        session,
        select(owner, func.count())
        .where(
            model.workspace_id == workspace_id,
            owner.in_(member_ids),
            _in(col(model.created_at), period.start, period.end),
            col(model.deleted_at).is_(None),
            col(model.import_batch_id).is_(None),
        )
        .group_by(owner),
    )


def _sum(counts) -> Counts:
    total: dict[str, int] = defaultdict(int)
    for one in counts:
        for name, value in vars(one).items():
            total[name] += value
    return Counts(**total)


def _day_index(moment, bounds: Sequence[datetime], first: int = 0) -> Any:
    """The index of the day holding `moment`, given the instants at which days 1..n begin,
    as nested CASEs that halve the range: log2(days) comparisons per row, not one per day."""
    if not bounds:
        return literal(first)
    middle = len(bounds) // 2
    return case(
        (
            moment < bounds[middle],
            _day_index(moment, bounds[:middle], first),
        ),
        else_=_day_index(moment, bounds[middle + 1 :], first + middle + 1),
    )


async def _calls_per_day(
    session: AsyncSession, workspace_id: int, member_ids: list[int], period: Period
) -> tuple[DayCalls, ...]:
    if not member_ids:
        return ()
    days = list(periods.days(period))
    occurred = col(Activity.occurred_at)
    # The day is computed in a subquery and grouped on outside: PostgreSQL would not match a
    # GROUP BY expression whose bound parameters are sent a second time.
    calls = (
        select(
            Activity.member_id,
            _day_index(occurred, [start for _, start, _ in days[1:]]).label("day"),
            Activity.outcome,
        )
        .where(*_live_activities(workspace_id, member_ids), Activity.kind == ActivityKind.call)
        .where(_in(occurred, period.start, period.end))
        .subquery()
    )
    statement = select(calls.c.member_id, calls.c.day, calls.c.outcome, func.count()).group_by(
        calls.c.member_id, calls.c.day, calls.c.outcome
    )
    dates: list[date] = [d for d, _, _ in days]
    rows = [
        DayCalls(day=dates[index], member_id=member_id, outcome=outcome, calls=count)
        for member_id, index, outcome, count in (await session.exec(statement)).all()
    ]
    order = {outcome: n for n, outcome in enumerate([*Outcome, None])}
    return tuple(sorted(rows, key=lambda r: (r.day, r.member_id, order[r.outcome])))


async def _busiest(
    session: AsyncSession, workspace_id: int, member_ids: list[int], period: Period, top: int
) -> tuple[BusyOrganization, ...]:
    """Organizations with the most activities of any kind (their people's included) by the
    members in the period; live organizations only."""
    if not member_ids or top <= 0:
        return ()
    count = func.count(Activity.id)
    statement = (
        select(Organization.id, Organization.name, count)
        .join(Activity, Activity.organization_id == Organization.id)
        .where(*_live_activities(workspace_id, member_ids))
        .where(_in(col(Activity.occurred_at), period.start, period.end))
        .where(Organization.workspace_id == workspace_id, col(Organization.deleted_at).is_(None))
        .group_by(Organization.id, Organization.name)
        .order_by(count.desc(), Organization.name, Organization.id)
        .limit(top)
    )
    return tuple(
        BusyOrganization(organization_id=id_, name=name, activities=activities)
        for id_, name, activities in (await session.exec(statement)).all()
    )


async def _imports(
    session: AsyncSession, workspace_id: int, member_ids: list[int], period: Period
) -> tuple[ImportMade, ...]:
    """Imports by the members that finished in the period and were not undone."""
    if not member_ids:
        return ()
    statement = (
        select(ImportBatch, Member.display_name)
        .join(Member, Member.id == ImportBatch.member_id)
        .where(
            ImportBatch.workspace_id == workspace_id,
            col(ImportBatch.member_id).in_(member_ids),
            ImportBatch.status == ImportStatus.done,
            _in(col(ImportBatch.finished_at), period.start, period.end),
        )
        .order_by(ImportBatch.finished_at, ImportBatch.id)
    )
    return tuple(
        ImportMade(
            batch_id=batch.id,
            member_name=name,
            file_name=batch.file_name,
            created_organizations=int(batch.stats.get("created_organizations", 0)),
            created_contacts=int(batch.stats.get("created_contacts", 0)),
            finished_at=batch.finished_at,
        )
        for batch, name in (await session.exec(statement)).all()
    )
