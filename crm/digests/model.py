"""The figures of one digest. Counts only: the queries aggregate in SQL, Python never loops
over activities."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum

from storage.models import Outcome


class PeriodKind(StrEnum):
    day = "day"
    week = "week"  # Monday to Sunday
    custom = "custom"  # a chosen range of whole days


@dataclass(frozen=True)
class Period:
    """Whole local days in `timezone`, as UTC instants: [start, end). A comparison period
    (`periods.comparison`) may end early, at the point a period not yet over has reached."""

    kind: PeriodKind
    first_day: date
    last_day: date  # inclusive
    timezone: str
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC, exclusive


@dataclass(frozen=True)
class Counts:
    calls: int = 0
    meetings: int = 0
    new_organizations: int = 0
    new_contacts: int = 0
    followups_done: int = 0
    followups_overdue: int = 0  # open follow-ups due before the period's end

    @property
    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True)
class RepSummary:
    member_id: int
    name: str
    counts: Counts
    calls_by_outcome: dict[Outcome | None, int] = field(default_factory=dict)
    left_team: bool = False  # removed since, listed for the work done before

    @property
    def active(self) -> bool:
        """Did anything in the period (an overdue follow-up alone is not activity)."""
        c = self.counts
        return bool(
            c.calls or c.meetings or c.new_organizations or c.new_contacts or c.followups_done
        )


@dataclass(frozen=True)
class Change:
    current: int
    previous: int

    @property
    def percent(self) -> int | None:
        """Rounded change against the previous period; None when there was nothing before."""
        if self.previous == 0:
            return None
        return round((self.current - self.previous) * 100 / self.previous)


@dataclass(frozen=True)
class BusyOrganization:
    organization_id: int
    name: str
    activities: int


@dataclass(frozen=True)
class ImportMade:
    batch_id: int
    member_name: str
    file_name: str
    created_organizations: int
    created_contacts: int
    finished_at: datetime


@dataclass(frozen=True)
class DayCalls:
    """Calls of one rep on one local day with one outcome: the chart's bars."""

    day: date
    member_id: int
    outcome: Outcome | None
    calls: int


@dataclass(frozen=True)
class Digest:
    period: Period
    previous: Period  # the same length just before (its same part while `period` runs)
    # every rep in scope, inactive ones included, and those who left with work to show; by name
    reps: tuple[RepSummary, ...]
    totals: Counts
    previous_totals: Counts
    busiest_organizations: tuple[BusyOrganization, ...] = ()
    imports: tuple[ImportMade, ...] = ()
    calls_per_day: tuple[DayCalls, ...] = ()

    @property
    def inactive_reps(self) -> tuple[RepSummary, ...]:
        """Members of the team who did nothing; one who left is no longer expected to."""
        return tuple(rep for rep in self.reps if not (rep.active or rep.left_team))

    def change(self, name: str) -> Change:
        """`name` is a field of `Counts`, e.g. "calls"."""
        return Change(getattr(self.totals, name), getattr(self.previous_totals, name))
