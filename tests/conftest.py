"""Shared fixtures: the real PC/SC stack, the real back office, the kiosk offscreen."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """pcscd with a vpcd reader + `python -m backoffice` on a loopback port (demo residents)."""
    from terminal.devstack import DevStack

    with DevStack(tmp_path_factory.mktemp("stack")) as s:
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
    """Insert demo cards by key; every card is removed (and the reader seen empty) afterwards."""
    inserted = []

    def insert(key):
        card = stack.card(key)
        card.insert()
        inserted.append(card)
        return card

    yield insert
    for card in inserted:
        card.remove()
    stack.rig.wait_for_card(False, timeout=5)
