"""Instances: one heartbeat row per running `digestbot run` (role, pacer, leader, last seen).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00

Leadership itself is a PostgreSQL advisory lock (or, on SQLite, the single instance); this
table only tells /stats, `digestbot stats` and a second instance who is running.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instances",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("pacer", sa.String(16), nullable=False),
        sa.Column("leader", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_instances_seen_at", "instances", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_instances_seen_at", table_name="instances")
    op.drop_table("instances")
