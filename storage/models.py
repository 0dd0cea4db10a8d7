"""The database tables. One module until it hurts (SQLModel's advice).

Every row that belongs to a company carries `workspace_id`, and every query filters on it:
workspaces never see each other's data. Rows a user can delete are soft-deleted (`deleted_at`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Text, UniqueConstraint, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from storage.types import ExactDecimal, JSONType, UTCDateTime, utcnow


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    rep = "rep"


class ActivityKind(StrEnum):
    call = "call"
    meeting = "meeting"
    note = "note"


class Direction(StrEnum):
    incoming = "in"
    outgoing = "out"


class Outcome(StrEnum):
    talked = "talked"
    no_answer = "no_answer"
    busy = "busy"
    call_back = "call_back"
    wrong_number = "wrong_number"


class DigestKind(StrEnum):
    daily = "daily"
    weekly = "weekly"


class ImportStatus(StrEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"
    undone = "undone"


def _enum(enum: type[StrEnum], *, nullable: bool = False, default: Any = ...) -> Any:
    # Stored as VARCHAR of the values: no native PostgreSQL enum types to migrate.
    column_type = SAEnum(
        enum, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
    )
    if default is ...:
        return Field(sa_type=column_type, nullable=nullable)
    return Field(default=default, sa_type=column_type, nullable=nullable)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _moment(*, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))


def _workspace_fk() -> Any:
    return Field(foreign_key="workspace.id", nullable=False, ondelete="CASCADE")


def _member_fk() -> Any:
    return Field(default=None, foreign_key="member.id", nullable=True, ondelete="SET NULL")


class Workspace(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    default_region: str = Field(default="RU", max_length=2)
    locale: str = Field(default="en", max_length=8)
    timezone: str = Field(default="UTC", max_length=64)
    currency: str = Field(default="EUR", max_length=3)
    created_at: datetime = _created()


class Member(SQLModel, table=True):
    """A Telegram user's membership. A user belongs to at most one workspace at a time."""

    __table_args__ = (
        Index(
            "ux_member_active_user",
            "telegram_user_id",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
        Index("ix_member_workspace", "workspace_id", "role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    telegram_user_id: int = Field(sa_type=BigInteger, nullable=False)
    display_name: str = Field(default="", max_length=200)
    username: str | None = Field(default=None, max_length=64)
    role: Role = _enum(Role)
    locale: str | None = Field(default=None, max_length=8)
    timezone: str | None = Field(default=None, max_length=64)
    created_at: datetime = _created()
    removed_at: datetime | None = _moment()


class Invite(SQLModel, table=True):
    """An invite link. Only the SHA-256 of the code is stored; the code lives in the link."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    code_hash: str = Field(max_length=64, unique=True)
    role: Role = _enum(Role)
    created_by_id: int | None = _member_fk()
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = _moment()
    used_by_id: int | None = _member_fk()
    revoked_at: datetime | None = _moment()


def _trigram_index(table: str) -> Index:
    """PostgreSQL finds any substring of `search_text` through a trigram index; SQLite uses an
    FTS5 trigram table instead (storage.search_index)."""
    return Index(
        f"ix_{table}_search_trgm",
        "search_text",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")


class Organization(SQLModel, table=True):
    __table_args__ = (
        Index("ix_organization_ws_name", "workspace_id", "name_normalized"),
        Index("ix_organization_ws_tax_id", "workspace_id", "tax_id"),
        Index("ix_organization_ws_created", "workspace_id", "created_at"),  # digests
        _trigram_index("organization"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    name: str = Field(max_length=300)
    name_normalized: str = Field(max_length=300)
    tax_id: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=500)
    website: str | None = Field(default=None, max_length=300)
    note: str | None = None
    search_text: str = Field(default="", sa_type=Text, nullable=False)
    owner_id: int | None = _member_fk()
    extra: dict[str, Any] = _json()
    import_batch_id: int | None = Field(
        default=None, foreign_key="importbatch.id", nullable=True, ondelete="SET NULL"
    )
    created_at: datetime = _created()
    updated_at: datetime = _created()
    deleted_at: datetime | None = _moment()


class Contact(SQLModel, table=True):
    """A person: in an organization, or a private person with no organization."""

    __table_args__ = (
        Index("ix_contact_ws_name", "workspace_id", "name_normalized"),
        Index("ix_contact_organization", "organization_id"),
        Index("ix_contact_ws_created", "workspace_id", "created_at"),  # digests
        _trigram_index("contact"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", nullable=True, ondelete="SET NULL"
    )
    full_name: str = Field(max_length=300)
    name_normalized: str = Field(max_length=300)
    position: str | None = Field(default=None, max_length=200)
    note: str | None = None
    search_text: str = Field(default="", sa_type=Text, nullable=False)
    owner_id: int | None = _member_fk()
    extra: dict[str, Any] = _json()
    import_batch_id: int | None = Field(
        default=None, foreign_key="importbatch.id", nullable=True, ondelete="SET NULL"
    )
    created_at: datetime = _created()
    updated_at: datetime = _created()
    deleted_at: datetime | None = _moment()


def _contact_point_args(table: str, value: str) -> tuple:
    return (
        CheckConstraint(
            "(contact_id IS NULL) <> (organization_id IS NULL)", name=f"ck_{table}_one_owner"
        ),
        Index(f"ix_{table}_ws_{value}", "workspace_id", value),
        Index(f"ix_{table}_contact", "contact_id"),
        Index(f"ix_{table}_organization", "organization_id"),
    )


class _ContactPoint(SQLModel):
    """A phone or e-mail belongs to exactly one contact or one organization."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", nullable=True, ondelete="CASCADE"
    )
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", nullable=True, ondelete="CASCADE"
    )
    # set when an import added it, so undoing the import removes it again
    import_batch_id: int | None = Field(
        default=None, foreign_key="importbatch.id", nullable=True, ondelete="SET NULL"
    )


class Phone(_ContactPoint, table=True):
    """The text as given, its E.164 form (None when it is not a valid number), extension."""

    __table_args__ = _contact_point_args("phone", "e164")

    raw: str = Field(max_length=100)
    e164: str | None = Field(default=None, max_length=20)
    extension: str | None = Field(default=None, max_length=20)


class Email(_ContactPoint, table=True):
    """Stored lower-cased."""

    __table_args__ = _contact_point_args("email", "address")

    address: str = Field(max_length=320)


class Activity(SQLModel, table=True):
    """A call, meeting or note, optionally with a follow-up the member is reminded of."""

    __table_args__ = (
        Index("ix_activity_ws_occurred", "workspace_id", "occurred_at"),
        Index("ix_activity_member_occurred", "member_id", "occurred_at"),
        Index("ix_activity_organization", "organization_id", "occurred_at"),
        Index("ix_activity_contact", "contact_id", "occurred_at"),
        Index(
            "ix_activity_open_follow_up",
            "follow_up_at",
            sqlite_where=text("follow_up_at IS NOT NULL AND done = 0"),
            postgresql_where=text("follow_up_at IS NOT NULL AND NOT done"),
        ),
        # digests count the follow-ups done in a period
        Index("ix_activity_ws_done", "workspace_id", "done_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    member_id: int | None = _member_fk()
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", nullable=True, ondelete="SET NULL"
    )
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", nullable=True, ondelete="SET NULL"
    )
    kind: ActivityKind = _enum(ActivityKind)
    direction: Direction | None = _enum(Direction, nullable=True, default=None)
    outcome: Outcome | None = _enum(Outcome, nullable=True, default=None)
    duration_seconds: int | None = None
    note: str | None = None
    occurred_at: datetime = _created()
    follow_up_at: datetime | None = _moment()
    done: bool = Field(default=False, nullable=False)
    done_at: datetime | None = _moment()  # when it was marked done (None: open, or done before
    # this was recorded)
    # The reminder's claim: a lease while its send has not begun (a crashed claimer's row is
    # claimed again), final once `reminder_attempted_at` says the send began.
    reminded_at: datetime | None = _moment()
    reminder_attempted_at: datetime | None = _moment()
    reminder_attempts: int = Field(
        default=0, nullable=False, sa_column_kwargs={"server_default": "0"}
    )
    created_at: datetime = _created()
    deleted_at: datetime | None = _moment()


class ImportBatch(SQLModel, table=True):
    __table_args__ = (Index("ix_importbatch_ws_sha", "workspace_id", "file_sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    member_id: int | None = _member_fk()
    file_name: str = Field(max_length=300)
    file_sha256: str = Field(max_length=64)
    status: ImportStatus = _enum(ImportStatus, default=ImportStatus.pending)
    stats: dict[str, Any] = _json()
    error: str | None = None
    created_at: datetime = _created()
    finished_at: datetime | None = _moment()
    undone_at: datetime | None = _moment()


class ImportUpdate(SQLModel, table=True):
    """A record an import changed (filled or merged fields): its fields before, for undo.
    Records an import created carry `import_batch_id` instead."""

    __table_args__ = (Index("ix_importupdate_batch", "batch_id"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="importbatch.id", nullable=False, ondelete="CASCADE")
    entity_type: str = Field(max_length=32)
    entity_id: int = Field(nullable=False)
    before: dict[str, Any] = _json()
    after: dict[str, Any] = _json()


class ColumnMapping(SQLModel, table=True):
    """A column mapping a user confirmed, reused for files with the same headers."""

    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_columnmapping_ws_key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    key: str = Field(max_length=64)
    mapping: dict[str, Any] = _json()
    updated_at: datetime = _created()


class AuditEvent(SQLModel, table=True):
    """Who changed what and when; `before`/`after` hold the changed fields only."""

    __table_args__ = (
        Index("ix_audit_entity", "workspace_id", "entity_type", "entity_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int | None = Field(
        default=None, foreign_key="workspace.id", nullable=True, ondelete="CASCADE"
    )
    actor_id: int | None = _member_fk()
    action: str = Field(max_length=64)
    entity_type: str = Field(max_length=32)
    entity_id: int | None = None
    before: dict[str, Any] = _json()
    after: dict[str, Any] = _json()
    created_at: datetime = _created()


def _amount(*, nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=ExactDecimal, nullable=True)
    return Field(default=Decimal(0), sa_type=ExactDecimal, nullable=False)


class CostOffer(SQLModel, table=True):
    """A license quote a workspace received, for the cost calculator (crm.costs.offers).

    `kind` and `billing` hold crm.costs.model's LicenseKind and Billing values; `tiers` is a list
    of {"min_seats": int, "price": "12.50"}, prices as text so they stay exact."""

    __table_args__ = (Index("ix_costoffer_ws_name", "workspace_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    name: str = Field(max_length=60)
    kind: str = Field(max_length=16)
    currency: str = Field(max_length=3)
    tiers: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    billing: str = Field(default="monthly", max_length=16)
    flat_price: Decimal | None = _amount(nullable=True)
    renewal_percent: Decimal = _amount()
    server_per_month: Decimal = _amount()
    admin_per_month: Decimal = _amount()
    created_by_id: int | None = _member_fk()
    created_at: datetime = _created()
    updated_at: datetime = _created()
    deleted_at: datetime | None = _moment()


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled: a redelivered update has its effect once."""

    bot_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = _created()


class ChatState(SQLModel, table=True):
    """The step a user is at in a multi-message flow; kept in the database so it survives
    restarts and is shared by every bot instance."""

    __table_args__ = (UniqueConstraint("chat_id", "user_id", name="uq_chatstate_chat_user"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, nullable=False)
    user_id: int = Field(sa_type=BigInteger, nullable=False)
    flow: str = Field(max_length=64)
    step: str = Field(max_length=64)
    data: dict[str, Any] = _json()
    updated_at: datetime = _created()


class DigestSubscription(SQLModel, table=True):
    """When a manager gets a digest of one kind, in their own time zone. The defaults
    (crm.digests.schedule.DEFAULTS) are written as rows the first time the digest job meets the
    manager or they change a setting, so digests count as due only from then."""

    __table_args__ = (
        UniqueConstraint("member_id", "kind", name="uq_digestsubscription_member_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    member_id: int = Field(foreign_key="member.id", nullable=False, ondelete="CASCADE")
    kind: DigestKind = _enum(DigestKind)
    enabled: bool = Field(default=True, nullable=False)
    hour: int = Field(nullable=False)  # local time of the member
    minute: int = Field(default=0, nullable=False)
    weekdays: str = Field(max_length=7)  # ISO weekday digits, "12345" is Monday to Friday
    whole_team: bool = Field(default=True, nullable=False)
    member_ids: list[int] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    created_at: datetime = _created()
    updated_at: datetime = _created()


class DigestDelivery(SQLModel, table=True):
    """The ledger: one row per manager, kind and period. Inserting the row claims the send, so
    a digest goes out once across restarts and bot instances; `sent_at` marks its send begun
    (then delivered), `failed_at` a failed attempt of which nothing went out, that a later
    round may retry while `attempts` allow."""

    __table_args__ = (
        UniqueConstraint(
            "member_id", "kind", "first_day", name="uq_digestdelivery_member_kind_day"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = _workspace_fk()
    member_id: int = Field(foreign_key="member.id", nullable=False, ondelete="CASCADE")
    kind: DigestKind = _enum(DigestKind)
    first_day: date = Field(nullable=False)  # of the period the digest covers
    claimed_at: datetime = _created()
    attempts: int = Field(default=1, nullable=False)
    sent_at: datetime | None = _moment()
    failed_at: datetime | None = _moment()
    error: str | None = Field(default=None, max_length=300)


import storage.search_index  # noqa: E402,F401  (adds the full-text DDL to these tables)
