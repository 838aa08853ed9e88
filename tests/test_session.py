"""The session state machine on its own: every transition, every wipe.

The services are an in-memory stand-in for the back office and the outbox so the state machine
can be tested alone; the real back office, pcscd and outbox are exercised in test_kiosk_e2e.py.
"""

from datetime import datetime

import pytest

from devices.ektp import bank_card_atr, ektp_type_a_atr, ektp_type_b_atr
from forms.catalogue import load_catalogue
from forms.identity import card_fingerprint
from forms.samples import KEMIREN, SITI, WIB
from terminal.client import IdentifyOutcome, IdentifyResult
from terminal.outbox import OutboxError
from terminal.session import ChipOutcome, InlineRunner, Screen, Session
from ui.i18n import notice_text

KEY = b"k" * 32
UID = bytes.fromhex("5A3C91E2")
VILLAGE = KEMIREN


class Services:
    def __init__(self):
        self.outcome = IdentifyOutcome(IdentifyResult.OK, SITI)
        self.identify_calls = []
        self.queued = []
        self.fail_enqueue = False
        self.room = True
        self.seq = 0

    def has_room(self, nbytes):
        return self.room

    def identify(self, card, pin):
        self.identify_calls.append((card, pin))
        return self.outcome

    def next_application_number(self, now):
        self.seq += 1
        return f"KMR01-{now:%y%m%d}-{self.seq:04d}"

    def enqueue(self, application, pdf):
        if self.fail_enqueue:
            raise OutboxError("disk full")
        self.queued.append((application, pdf))
        return f"key-{len(self.queued)}"

    def now(self):
        return datetime(2026, 11, 25, 9, 30, tzinfo=WIB)


class HeldRunner:
    """Keeps work until the test releases it: an answer that arrives late."""

    def __init__(self):
        self.pending = []

    def run(self, work, done):
        self.pending.append((work, done))

    def release(self):
        for work, done in self.pending:
            done(work())
        self.pending.clear()


@pytest.fixture
def services():
    return Services()


def make_session(services, runner=None):
    return Session(kiosk_id="KMR01", village=VILLAGE, village_key=KEY,
                   catalogue=load_catalogue(), services=services,
                   runner=runner or InlineRunner())


def to_review(s):
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin("241258")
    s.choose_letter("domisili")
    s.submit_fields({"keperluan": "Persyaratan melamar pekerjaan"})
    assert s.screen is Screen.REVIEW


def test_full_session_reaches_receipt_and_keeps_nothing_personal(services):
    s = make_session(services)
    seen = []
    s.subscribe(lambda session: seen.append(session.screen))
    s.card_presented(ektp_type_b_atr(UID), UID)
    assert s.screen is Screen.PIN
    assert s.card == card_fingerprint(UID, KEY)  # the UID itself is never kept
    s.enter_pin("241258")
    assert services.identify_calls == [(card_fingerprint(UID, KEY), "241258")]
    assert s.screen is Screen.CHOOSE_LETTER and s.resident == SITI
    s.choose_letter("domisili")
    assert s.screen is Screen.FILL and s.values == {"keperluan": ""}
    s.submit_fields({"keperluan": "  Persyaratan melamar pekerjaan  "})
    assert s.screen is Screen.REVIEW
    assert s.pdf.startswith(b"%PDF-")
    assert s.application.values == {"keperluan": "Persyaratan melamar pekerjaan"}
    s.confirm()
    assert s.screen is Screen.RECEIPT
    (application, pdf), = services.queued
    assert application.resident == SITI and application.application_number == "KMR01-261125-0001"
    assert s.receipt.application_number == "KMR01-261125-0001"
    assert not s.holds_personal_data()
    s.application_delivered("key-1")
    assert s.receipt.delivered
    s.finish()
    assert s.screen is Screen.ATTRACT and s.receipt is None
    assert seen[:3] == [Screen.PIN, Screen.CHECKING, Screen.CHOOSE_LETTER]


def test_type_a_ektp_is_accepted_and_other_cards_refused_politely(services):
    s = make_session(services)
    s.card_presented(ektp_type_a_atr(), bytes.fromhex("04A2246AB93C80"))
    assert s.screen is Screen.PIN
    s.card_removed()
    s.card_presented(bank_card_atr(), bytes.fromhex("08B7C45E"))
    assert s.screen is Screen.MESSAGE and s.notice.code == "not_ektp"
    assert "bukan e-KTP" in notice_text(s.notice, "id")
    assert "not an e-KTP" in notice_text(s.notice, "en")
    assert s.card is None
    s.card_removed()
    assert s.screen is Screen.ATTRACT and s.notice is None


@pytest.mark.parametrize("pin", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_malformed_pin_is_refused_without_asking_the_back_office(services, pin):
    s = make_session(services)
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin(pin)
    assert s.screen is Screen.PIN and s.notice.code == "pin_format"
    assert services.identify_calls == []


def test_wrong_pin_says_how_many_tries_are_left(services):
    s = make_session(services)
    services.outcome = IdentifyOutcome(IdentifyResult.WRONG_PIN, attempts_left=2)
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin("000000")
    assert s.screen is Screen.PIN and s.notice.code == "wrong_pin"
    assert "2" in notice_text(s.notice, "id") and s.card is not None
    services.outcome = IdentifyOutcome(IdentifyResult.OK, SITI)
    s.enter_pin("241258")
    assert s.screen is Screen.CHOOSE_LETTER


@pytest.mark.parametrize("result", [IdentifyResult.LOCKED, IdentifyResult.UNKNOWN_CARD,
                                    IdentifyResult.UNREACHABLE, IdentifyResult.REFUSED])
def test_refusals_end_on_a_message_and_wipe(services, result):
    s = make_session(services)
    services.outcome = IdentifyOutcome(result)
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin("241258")
    assert s.screen is Screen.MESSAGE and s.notice.code == result.value
    assert not s.holds_personal_data()


@pytest.mark.parametrize("stop_at", ["pin", "choose", "fill", "review"])
@pytest.mark.parametrize("how", ["card_removed", "idle_timeout", "cancel"])
def test_leaving_at_any_screen_wipes_everything(services, stop_at, how):
    s = make_session(services)
    s.card_presented(ektp_type_b_atr(UID), UID)
    if stop_at != "pin":
        s.enter_pin("241258")
    if stop_at in ("fill", "review"):
        s.choose_letter("domisili")
    if stop_at == "review":
        s.submit_fields({"keperluan": "Pindah kerja"})
    assert s.holds_personal_data()
    getattr(s, how)()
    assert not s.holds_personal_data()
    assert services.queued == []
    expected = Screen.MESSAGE if how == "cancel" else Screen.ATTRACT
    assert s.screen is expected


def test_an_answer_arriving_after_the_card_left_is_dropped(services):
    runner = HeldRunner()
    s = make_session(services, runner)
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin("241258")
    assert s.screen is Screen.CHECKING
    s.card_removed()
    s.card_presented(ektp_type_b_atr(b"\x01\x02\x03\x04"), b"\x01\x02\x03\x04")  # next villager
    runner.release()  # Siti's identification finally answers
    assert s.screen is Screen.PIN and s.resident is None


def test_empty_and_too_long_purpose_get_field_messages_and_keep_the_text(services):
    s = make_session(services)
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin("241258")
    s.choose_letter("domisili")
    s.submit_fields({"keperluan": "   "})
    assert s.screen is Screen.FILL and s.notice.code == "fix_fields"
    assert "keperluan" in s.field_errors
    long = "x" * 500
    s.submit_fields({"keperluan": long})
    assert s.screen is Screen.FILL and s.values["keperluan"] == long
    assert s.field_errors["keperluan"]["en"]


def test_back_from_review_keeps_the_application_number(services):
    s = make_session(services)
    to_review(s)
    number = s.application.application_number
    s.back()
    assert s.screen is Screen.FILL
    s.submit_fields({"keperluan": "Mengurus beasiswa anak"})
    assert s.application.application_number == number
    assert s.application.values["keperluan"] == "Mengurus beasiswa anak"


def test_a_storage_failure_keeps_the_villager_on_review_with_a_message(services):
    s = make_session(services)
    to_review(s)
    services.fail_enqueue = True
    s.confirm()
    assert s.screen is Screen.REVIEW and s.notice.code == "save_failed"
    assert s.holds_personal_data()  # nothing lost: they can try again or ask staff
    services.fail_enqueue = False
    s.confirm()
    assert s.screen is Screen.RECEIPT and len(services.queued) == 1


def test_a_second_card_during_a_session_changes_nothing(services):
    s = make_session(services)
    to_review(s)
    s.card_presented(ektp_type_b_atr(b"\x09\x09\x09\x09"), b"\x09\x09\x09\x09")
    assert s.screen is Screen.REVIEW and s.resident == SITI


# -- chip mode: identity read off the chip by a licensed reader's adapter ----------------------

def chip_session(services, runner=None):
    return Session(kiosk_id="KMR01", village=VILLAGE, village_key=KEY,
                   catalogue=load_catalogue(), services=services,
                   runner=runner or InlineRunner(), identity_mode="chip")


def chip_of(resident, **changes):
    from dataclasses import replace

    from devices.virtual_chip import sample_biodata

    return replace(sample_biodata(), **{"nik": resident.nik, **changes})


def test_chip_mode_reads_the_chip_then_asks_the_pin_and_prefers_the_chip(services):
    chip = chip_of(SITI, name="SITI AMINAH", address="DSN KRAJAN")
    services.read_chip = lambda reader: ChipOutcome(biodata=chip)
    s = chip_session(services)
    s.card_presented(ektp_type_b_atr(UID), UID, "Reader 00 00")
    assert s.screen is Screen.PIN and s.chip == chip
    s.enter_pin("241258")
    assert s.screen is Screen.CHOOSE_LETTER
    assert s.resident.name == "SITI AMINAH" and s.resident.address == "DSN KRAJAN"
    assert s.resident.family_card_number == SITI.family_card_number  # only the registry has it
    s.card_removed()
    assert not s.holds_personal_data()


def test_chip_mode_refuses_a_card_whose_chip_is_someone_else(services):
    services.read_chip = lambda reader: ChipOutcome(biodata=chip_of(SITI, nik="3510151701850002"))
    s = chip_session(services)
    s.card_presented(ektp_type_b_atr(UID), UID, "Reader 00 00")
    s.enter_pin("241258")
    assert s.screen is Screen.MESSAGE and s.notice.code == "card_mismatch"
    assert not s.holds_personal_data()


@pytest.mark.parametrize("failure, screen, code", [("removed", Screen.ATTRACT, "card_removed"),
                                                   ("bad_data", Screen.MESSAGE, "card_unreadable"),
                                                   ("no_sam", Screen.MESSAGE, "card_unreadable")])
def test_chip_read_failures(services, failure, screen, code):
    services.read_chip = lambda reader: ChipOutcome(failure=failure)
    s = chip_session(services)
    s.card_presented(ektp_type_b_atr(UID), UID, "Reader 00 00")
    assert s.screen is screen and s.notice.code == code and not s.holds_personal_data()


def test_a_chip_read_finishing_after_the_card_left_is_dropped(services):
    services.read_chip = lambda reader: ChipOutcome(biodata=chip_of(SITI))
    runner = HeldRunner()
    s = chip_session(services, runner)
    s.card_presented(ektp_type_b_atr(UID), UID, "Reader 00 00")
    assert s.screen is Screen.READING
    s.card_removed()
    runner.release()
    assert s.screen is Screen.ATTRACT and s.chip is None


def test_a_chip_with_an_impossible_nik_is_not_trusted(services):
    services.read_chip = lambda reader: ChipOutcome(biodata=chip_of(SITI, nik="3510153208580003"))
    s = chip_session(services)
    s.card_presented(ektp_type_b_atr(UID), UID, "Reader 00 00")
    assert s.screen is Screen.MESSAGE and s.notice.code == "card_unreadable"
    assert services.identify_calls == [] and not s.holds_personal_data()


def test_a_full_kiosk_says_so_before_confirming_and_stores_nothing(services):
    s = make_session(services)
    services.room = False
    to_review(s)
    assert s.notice.code == "disk_full" and "penuh" in notice_text(s.notice, "id")
    s.confirm()
    assert s.screen is Screen.REVIEW and services.queued == []
    services.room = True  # staff freed space; the villager is still there
    s.back()
    s.submit_fields({"keperluan": "Persyaratan melamar pekerjaan"})
    assert s.notice is None
    s.confirm()
    assert s.screen is Screen.RECEIPT and len(services.queued) == 1
