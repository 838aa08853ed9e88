"""A throw-away PostgreSQL server for the test suite and the benchmarks.

Debian's own server binaries (`deploy/dev-packages.sh` installs `postgresql`), a new cluster in
a temporary folder, listening on a Unix socket only (nothing on the network, no clash with a
system server or another test run). PostgreSQL refuses to run as root: as root, every server
command runs as the `postgres` user the package created.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

PORT = 5432  # only names the socket file inside our own folder


def server_bin() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, or None."""
    found = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def missing() -> str | None:
    """Why a server cannot start here, in one sentence; None when it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[dev]')"
    if server_bin() is None:
        return "no PostgreSQL server binaries (deploy/dev-packages.sh installs postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as postgres"
    return None


class PostgresServer:
    """`with PostgresServer() as pg: url = pg.create_database()`.

    `durable=False` (tests) turns off fsync: the data is thrown away anyway, and a suite that
    makes a database per test should not wait for the disk. Benchmarks keep it on.
    """

    def __init__(self, durable: bool = False, max_connections: int = 200):
        self.durable = durable
        self.max_connections = max_connections
        self.dir: Path | None = None
        self.bin = server_bin()

    def _run(self, *cmd: str) -> None:
        if os.geteuid() == 0:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            what = next(Path(c).name for c in cmd if c.startswith("/"))
            raise RuntimeError(f"{what} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def start(self) -> PostgresServer:
        reason = missing()
        if reason:
            raise RuntimeError(f"cannot start PostgreSQL: {reason}")
        # Under /tmp, not pytest's private 0700 folders: the postgres user must reach it.
        self.dir = Path(tempfile.mkdtemp(prefix="smartkampung-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-instructions")
        options = [f"-p {PORT}", f"-k {self.dir}", "-c listen_addresses=''",
                   f"-c max_connections={self.max_connections}"]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off",
                        "-c full_page_writes=off"]
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-w", "-t", "60",
                  "-l", str(self.dir / "server.log"), "-o", " ".join(options), "start")
        return self

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.dir}&port={PORT}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; its SQLAlchemy URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(host=str(self.dir), port=PORT, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending whatever connections a test left open to it."""
        import psycopg

        with psycopg.connect(host=str(self.dir), port=PORT, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.dir is None:
            return
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m",
                      "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
