"""The commission's review cycle: review windows, objections, decisions, overrides and the audit log.

A SQLAlchemy store (an embedded SQLite file in the home folder by default, any URL such as PostgreSQL
when ``MAJORWATCH_REVIEW_URL`` is set), migrated by Alembic. Plain functions: no FastAPI, no Dagster.
"""
