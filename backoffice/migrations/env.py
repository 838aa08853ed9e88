"""Alembic's entry: always given a live connection by backoffice.migrations (never a URL)."""

from alembic import context
from sqlalchemy import text

from backoffice.db import Base, UTCDateTime

# Any fixed 64-bit number, the same in every back-office process: "the schema is changing".
PG_MIGRATION_LOCK = 0x534B_4D49_4752  # "SKMIGR"

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through backoffice.migrations, not the alembic command")



def render_item(kind, obj, autogen_context):
    """Write our UTC column type as the plain type it stores: revisions must not import
    application code that may change after them."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters most things only by copying the table: batch mode does that for us.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": PG_MIGRATION_LOCK})
    context.run_migrations()
