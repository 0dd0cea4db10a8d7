"""digests: when a follow-up was done, and indexes to count by period

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 13:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Follow-ups done before this revision keep done_at NULL: the moment is unknown, so no
    # digest counts them as done in any period.
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_activity_ws_done', ['workspace_id', 'done_at'], unique=False)

    # new cards of a period, without scanning the whole directory
    op.create_index('ix_organization_ws_created', 'organization', ['workspace_id', 'created_at'], unique=False)
    op.create_index('ix_contact_ws_created', 'contact', ['workspace_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_contact_ws_created', table_name='contact')
    op.drop_index('ix_organization_ws_created', table_name='organization')

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_ws_done')
        batch_op.drop_column('done_at')
