"""Shared fixtures: the real PC/SC stack, the real back office, the kiosk offscreen."""

import contextlib
import logging
import os
import time
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Every log record of the whole run, at DEBUG, in one file: test_zz_privacy_logs.py scans it
# (with the back offices' own logs) for personal data.
# One file per run: two runs at once (a developer and a helper) must not mix their logs.
LOG_DIR = Path(__file__).resolve().parent.parent / "build" / "test-logs"
SUITE_LOG = LOG_DIR / f"suite-{os.getpid()}.log"


def pytest_configure(config):
    SUITE_LOG.parent.mkdir(parents=True, exist_ok=True)
    for old in SUITE_LOG.parent.glob("suite-*.log"):
        if old != SUITE_LOG and old.stat().st_mtime < time.time() - 3600:
            old.unlink(missing_ok=True)  # runs older than an hour
    handler = logging.FileHandler(SUITE_LOG, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


@contextlib.contextmanager
def pcscd_rig(**kwargs):
    """The pcscd rig a module's tests use: one this process already runs (another module's,
    left running), or a new one with `kwargs` that queues behind any other run's rig."""
    from devices.rig import PcscdRig

    shared = PcscdRig.active()
    if shared is not None:
        yield shared
        return
    with PcscdRig(wait=180, **kwargs) as rig:
        yield rig


@contextlib.contextmanager
def card_slot(rig):
    """`insert(card)` puts a virtual card on `rig`'s reader; every card is taken off after."""
    cards = []

    def insert(card):
        rig.wait_for_card(False)  # never re-insert before pcscd saw the last removal
        card.insert()
        cards.append(card)
        return card

    try:
        yield insert
    finally:
        for card in cards:
            card.remove()
        if rig.running:
            rig.wait_for_card(False, timeout=5)


@pytest.fixture
def insert(rig):
    """insert(card) on the module's own `rig`."""
    with card_slot(rig) as put:
        yield put


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """pcscd with a vpcd reader + `python -m backoffice` on a loopback port (demo residents)."""
    from terminal.devstack import DevStack

    # Over HTTPS with a CA made for the run: the whole kiosk suite exercises TLS.
    with DevStack(tmp_path_factory.mktemp("stack"), tls=True, printer="required") as s:
        yield s


@pytest.fixture
def kiosk_app(stack, qtbot):
    """The real kiosk window (offscreen) with its card reader and outbox sender running.

    Every test's kiosk shares one data directory, as one real kiosk keeps its outbox and its
    receipt numbering across restarts (a fresh directory would reuse receipt numbers)."""
    from ui.driver import running_kiosk

    config = stack.kiosk_config(retry_base_s=0.2, retry_cap_s=1.0, request_timeout_s=3.0)
    with running_kiosk(config) as driver:
        qtbot.waitUntil(lambda: driver.kiosk.reader_ready, timeout=5000)
        yield driver.kiosk, driver.window


@pytest.fixture
def cards(stack):
    """cards(key) taps a demo card on the dev stack's reader; all taken off after the test."""
    with card_slot(stack.rig) as put:
        yield lambda key: put(stack.card(key))


# --- the back office's databases -------------------------------------------------------------

DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server for the run (tests/postgres_rig.py); never skipped: a run
    without one fails here, naming what is missing."""
    from tests.postgres_rig import PostgresServer

    with PostgresServer() as pg:
        yield pg


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """Every back-office test runs twice: on an SQLite file and on a new PostgreSQL database
    (dropped after the test, its connections with it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'backoffice.db'}"
        return
    pg = request.getfixturevalue("postgres_server")
    name = f"t_{request.node.name[:20].lower()}_{os.urandom(4).hex()}"
    name = "".join(c if c.isalnum() else "_" for c in name)
    url = pg.create_database(name)
    yield url
    pg.drop_database(name)
