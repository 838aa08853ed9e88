"""No NIK, name or card identifier in any log line the suite produced.

Runs last (file order): it reads the suite's own log (tests/conftest.py writes every record at
DEBUG to build/test-logs/suite.log) and every back office's log file under this run's
temporary directory, and looks for every personal value the tests used.
"""

import tempfile
from pathlib import Path

import pytest

from backoffice.demo import DEMO_RESIDENTS
from devices.demo_cards import DEMO_CARDS
from devices.virtual_chip import sample_biodata
from forms.identity import card_fingerprint
from forms.samples import SITI
from terminal.config import KioskConfig
from tests.conftest import SUITE_LOG

ROOT = Path(__file__).resolve().parent.parent
DEMO_KEY = KioskConfig.load(ROOT / "deploy" / "demo" / "kiosk.toml").village_key


def personal_values() -> set[str]:
    values = {SITI.nik, SITI.name, SITI.family_card_number}
    chip = sample_biodata()
    values |= {chip.nik, chip.name}
    for r in DEMO_RESIDENTS:
        values |= {r.nik, r.name, r.family_card_number}
    for card in DEMO_CARDS:
        values |= {card.uid.hex(), card.uid.hex().upper(), card_fingerprint(card.uid, DEMO_KEY)}
        values |= {" ".join(f"{b:02X}" for b in card.uid)}  # as pcscd would print it
    return {v for v in values if len(v) >= 6}


def leaks(paths, values):
    found = []
    for path in paths:
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            found += [(path.name, n, v) for v in values if v in line]
    return found


def test_the_scanner_finds_a_planted_leak():
    with tempfile.TemporaryDirectory() as tmp:  # outside the run's temp tree, which is scanned
        planted = Path(tmp) / "planted.log"
        planted.write_text(f"INFO x: resident {DEMO_RESIDENTS[1].nik} identified\n")
        assert leaks([planted], personal_values())


def test_no_log_line_of_the_suite_holds_personal_data(request, tmp_path_factory):
    if all(item.path == request.path for item in request.session.items):
        pytest.skip("scans the logs of the whole suite: run it with the other tests")
    logs = [SUITE_LOG] + sorted(tmp_path_factory.getbasetemp().rglob("*.log"))
    logs = [p for p in logs if p.is_file()]
    assert SUITE_LOG.stat().st_size > 0
    assert leaks(logs, personal_values()) == []
