"""reminders: the send attempt of a claim, so a crashed claim is taken over but never resent

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 15:20:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import storage.types

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_attempted_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_attempts', sa.Integer(), server_default='0', nullable=False))
    # Every reminder claimed before this revision was sent (or given up on) by the old job:
    # without an attempt mark the new lease would take those claims over and send them again.
    op.execute(
        "UPDATE activity SET reminder_attempted_at = reminded_at, reminder_attempts = 1 "
        "WHERE reminded_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_column('reminder_attempts')
        batch_op.drop_column('reminder_attempted_at')
