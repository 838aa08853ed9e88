"""The back office's schema migrations (Alembic), run from code: no alembic.ini to keep in step.

`upgrade(engine)` brings a database to the newest revision; the back office (each of its
workers) and `python -m backoffice.admin` call it when they start. Processes starting at once
do not migrate twice: PostgreSQL takes an advisory lock inside the migration transaction
(env.py), SQLite a file lock beside the database file; the others then find nothing to do.

A database made by `create_all` before migrations existed is adopted: revision 0001 creates
only the tables it lacks (older versions made fewer), and the later revisions run as usual.

Developers: change the models in backoffice/db.py, then
    .venv/bin/python -m backoffice.migrations revision "what changed"
writes a new revision from the difference (autogenerate against a scratch SQLite database at
the newest revision); read it, fix what autogenerate cannot know (data moves, server
defaults), and tests/test_migrations.py checks models and migrations agree on both databases.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect

HERE = Path(__file__).resolve().parent
FIRST_REVISION = "0001"
log = logging.getLogger(__name__)


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head()


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate-lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# Alembic keeps its running migration in module globals: one at a time in a process.
_IN_PROCESS = threading.Lock()


@contextlib.contextmanager
def _migration(engine: Engine) -> Iterator[Connection]:
    """One locked transaction for a migration step."""
    with _IN_PROCESS, _file_lock(engine), engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch mode changes an SQLite table by copying it and dropping the old one; with
            # foreign keys on, that drop would cascade-delete the rows pointing at it (cards,
            # PINs). Off for the migration (only outside a transaction), checked before commit.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                yield conn
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("migration left rows pointing at nothing: rolled back")
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate `engine`'s database to `revision` (normally the newest)."""
    with _migration(engine) as conn:
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables and "villages" in tables:
            log.warning("database made before migrations: adopting it (revision %s creates "
                        "only the tables it lacks)", FIRST_REVISION)
        before = MigrationContext.configure(conn).get_current_revision()
        command.upgrade(config(conn), revision)
        after = MigrationContext.configure(conn).get_current_revision()
    if before != after:
        log.info("database migrated from %s to %s", before or "empty", after)


def downgrade(engine: Engine, revision: str) -> None:
    with _migration(engine) as conn:
        command.downgrade(config(conn), revision)


def write_revision(message: str) -> None:
    """Autogenerate a new revision: the models against a scratch database at the head."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/scratch.db")
        try:
            upgrade(engine)
            scripts = ScriptDirectory.from_config(config())
            number = f"{len(list(scripts.walk_revisions())) + 1:04d}"
            with engine.begin() as conn:
                command.revision(config(conn), message=message, autogenerate=True,
                                 rev_id=number)
        finally:
            engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "revision":
        write_revision(args[1])
        return 0
    if args == ["head"]:
        print(head())
        return 0
    print('usage: python -m backoffice.migrations revision "what changed" | head\n'
          "(the back office migrates its database itself when it starts)", file=sys.stderr)
    return 2
