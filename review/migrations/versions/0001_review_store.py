"""The review store: review windows, objections, overrides, decisions and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_windows",
        sa.Column("edition", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("open_until", sa.Date()), sa.Column("opened_by", sa.String(128)), sa.Column("opened_at", TZ),
        sa.Column("closed_at", TZ), sa.Column("final_edition", sa.String(64)), sa.Column("finalized_at", TZ))
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("edition", sa.String(64), sa.ForeignKey("review_windows.edition"), nullable=False, index=True),
        sa.Column("school_code", sa.String(32), nullable=False, index=True),
        sa.Column("target", sa.String(16), nullable=False), sa.Column("major_code", sa.String(16), nullable=False),
        sa.Column("contested", sa.String(16), nullable=False), sa.Column("text", sa.Text, nullable=False),
        sa.Column("evidence_name", sa.String(255)), sa.Column("evidence_path", sa.String(255)),
        sa.Column("evidence_sha256", sa.String(64)), sa.Column("evidence_size", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("filed_by", sa.String(128), nullable=False), sa.Column("token_id", sa.String(32)),
        sa.Column("filed_at", TZ, nullable=False))
    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("major_code", sa.String(16), nullable=False, index=True), sa.Column("school_code", sa.String(32)),
        sa.Column("field", sa.String(16), nullable=False), sa.Column("value", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False), sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("decided_at", TZ, nullable=False), sa.Column("expires", sa.Date()),
        sa.Column("retired", sa.Boolean, nullable=False), sa.Column("retired_by", sa.String(128)),
        sa.Column("retired_at", TZ), sa.Column("source_edition", sa.String(64)),
        sa.Column("objection_id", sa.Integer, sa.ForeignKey("objections.id")))
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("objection_id", sa.Integer, sa.ForeignKey("objections.id"), nullable=False, unique=True),
        sa.Column("outcome", sa.String(16), nullable=False), sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=False), sa.Column("token_id", sa.String(32)),
        sa.Column("decided_at", TZ, nullable=False),
        sa.Column("override_id", sa.Integer, sa.ForeignKey("overrides.id")))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True), sa.Column("at", TZ, nullable=False, index=True),
        sa.Column("actor", sa.String(128), nullable=False), sa.Column("token_id", sa.String(32)),
        sa.Column("action", sa.String(64), nullable=False, index=True),
        sa.Column("subject", sa.String(128), nullable=False), sa.Column("detail", sa.Text, nullable=False))
    _append_only()


def _append_only() -> None:
    """The database itself refuses UPDATE and DELETE on the audit log, whatever client writes it."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                       "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    elif dialect == "postgresql":
        op.execute("CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    for table in ("audit_log", "decisions", "overrides", "objections", "review_windows"):
        op.drop_table(table)
