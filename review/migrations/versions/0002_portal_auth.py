"""Portal sign-in moves into the review store: access tokens (from tokens.json) and browser sessions.

Revision ID: 0002_portal_auth
Revises: 0001
Create Date: 2026-12-07

An existing ``<home>/tokens.json`` is imported on first use by ``portal.tokens`` (a migration sees only
the database URL, not the home folder).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_portal_auth"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "portal_tokens",
        sa.Column("id", sa.String(32), primary_key=True), sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False), sa.Column("school_code", sa.String(32)),
        sa.Column("label", sa.String(255), nullable=False), sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ), sa.Column("revoked_at", TZ))
    op.create_table(
        "portal_sessions",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.String(32), sa.ForeignKey("portal_tokens.id"), nullable=False, index=True),
        sa.Column("created_at", TZ, nullable=False), sa.Column("last_seen", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False, index=True), sa.Column("revoked_at", TZ))


def downgrade() -> None:
    op.drop_table("portal_sessions")
    op.drop_table("portal_tokens")
