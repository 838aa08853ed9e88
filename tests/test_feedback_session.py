"""Complaints (pengaduan) and the satisfaction survey (SKM) in the session state machine, and
the outbox carrying them beside applications (real SQLite outbox; the back office is in
test_feedback_backoffice.py and test_kiosk_e2e_feedback.py)."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime

import pytest

from devices.ektp import ektp_type_b_atr
from forms.catalogue import load_catalogue
from forms.feedback import ELEMENT_CODES, TEXT_MAX, Complaint, SurveyAnswers, validate_complaint
from forms.samples import KEMIREN, SITI, WIB
from terminal.client import IdentifyOutcome, IdentifyResult
from terminal.outbox import Outbox, OutboxError
from terminal.sealing import Sealer
from terminal.session import InlineRunner, Screen, Session

KEY = b"k" * 32
UID = bytes.fromhex("5A3C91E2")
WORDS = "Antrean di loket terlalu lama dan petugas belum datang pukul 8."


class Services:
    def __init__(self):
        self.queued: list = []
        self.fail = False
        self.seq = 0

    def identify(self, card, pin):
        return IdentifyOutcome(IdentifyResult.OK, SITI)

    def has_room(self, nbytes):
        return True

    def next_application_number(self, now):
        self.seq += 1
        return f"KMR01-{now:%y%m%d}-{self.seq:04d}"

    def next_complaint_number(self, now):
        self.seq += 1
        return f"KMR01-{now:%y%m%d}-P{self.seq:03d}"

    def enqueue(self, application, pdf):
        self.queued.append(application)
        return f"key-{len(self.queued)}"

    def enqueue_feedback(self, item):
        if self.fail:
            raise OutboxError("disk full")
        self.queued.append(item)
        return f"key-{len(self.queued)}"

    def now(self):
        return datetime(2026, 11, 25, 9, 30, tzinfo=WIB)


@pytest.fixture
def services():
    return Services()


@pytest.fixture
def s(services):
    session = Session(kiosk_id="KMR01", village=KEMIREN, village_key=KEY,
                      catalogue=load_catalogue(), services=services, runner=InlineRunner())
    session.card_presented(ektp_type_b_atr(UID), UID)
    session.enter_pin("241258")
    assert session.screen is Screen.CHOOSE_LETTER
    return session


def to_complaint_review(s, phone="0812 3456 7890"):
    s.open_complaint()
    s.choose_complaint_category("pelayanan_petugas")
    s.submit_complaint(f"  {WORDS}  ", phone)
    assert s.screen is Screen.COMPLAINT_REVIEW


def to_survey(s):
    s.choose_letter("domisili")
    s.submit_fields({"keperluan": "Persyaratan melamar pekerjaan"})
    s.confirm()
    assert s.screen is Screen.RECEIPT
    s.start_survey()
    assert s.screen is Screen.SURVEY and s.survey_step == 0


# --- complaints ----------------------------------------------------------------------------


def test_a_complaint_is_stored_in_the_villagers_name_and_then_forgotten(s, services):
    to_complaint_review(s)
    c = s.complaint
    assert (c.nik, c.category, c.text, c.phone) == (SITI.nik, "pelayanan_petugas", WORDS,
                                                     "081234567890")
    assert c.complaint_number == "KMR01-261125-P001"
    s.confirm_complaint()
    assert s.screen is Screen.COMPLAINT_SENT
    assert services.queued == [c]
    assert s.complaint_receipt.complaint_number == c.complaint_number
    assert not s.holds_personal_data()
    s.application_delivered("key-1")
    assert s.complaint_receipt.delivered
    s.finish()
    assert s.screen is Screen.ATTRACT and s.complaint_receipt is None


def test_going_back_keeps_the_words_and_the_number(s, services):
    to_complaint_review(s)
    number = s.complaint.complaint_number
    s.back()
    assert s.screen is Screen.COMPLAINT_FORM and s.complaint_text.strip() == WORDS
    s.back()
    assert s.screen is Screen.COMPLAINT_CATEGORY
    s.choose_complaint_category("pelayanan_petugas")
    s.submit_complaint(WORDS, "")
    assert s.complaint.complaint_number == number and s.complaint.phone == ""
    s.back()
    s.back()
    s.back()
    assert s.screen is Screen.CHOOSE_LETTER and not s.complaint_text


@pytest.mark.parametrize(("words", "phone", "bad"), [
    ("", "", {"text"}),
    ("terlalu", "", {"text"}),
    ("x" * (TEXT_MAX + 1), "", {"text"}),
    (WORDS, "12345", {"phone"}),
    (WORDS, "0212345678", {"phone"}),  # a landline: no SMS, no WhatsApp
    (WORDS, "08123456789012", {"phone"}),
])
def test_bad_input_gets_a_clear_message_and_loses_nothing(s, services, words, phone, bad):
    s.open_complaint()
    s.choose_complaint_category("layanan_surat")
    s.submit_complaint(words, phone)
    assert s.screen is Screen.COMPLAINT_FORM and s.notice.code == "fix_fields"
    assert set(s.complaint_errors) == bad
    assert (s.complaint_text, s.complaint_phone) == (words, phone)
    assert all(e["id"] and e["en"] for e in s.complaint_errors.values())
    assert services.queued == []


def test_the_shared_check_refuses_an_unknown_category():
    assert set(validate_complaint("politik", WORDS, "")) == {"category"}
    assert validate_complaint("lainnya", "x" * TEXT_MAX, "0812345678") == {}


def test_a_complaint_that_cannot_be_stored_says_so_and_stays(s, services):
    to_complaint_review(s)
    services.fail = True
    s.confirm_complaint()
    assert s.screen is Screen.COMPLAINT_REVIEW and s.notice.code == "complaint_save_failed"
    assert s.complaint is not None


@pytest.mark.parametrize("where", ["category", "form", "review"])
@pytest.mark.parametrize("how", ["card_removed", "idle_timeout", "cancel"])
def test_an_unfinished_complaint_is_wiped_on_every_way_out(s, services, where, how):
    s.open_complaint()
    if where != "category":
        s.choose_complaint_category("fasilitas_kantor")
        if where == "review":
            s.submit_complaint(WORDS, "081234567890")
        else:
            s.complaint_text = WORDS  # typed, not yet submitted
    getattr(s, how)()
    assert not s.holds_personal_data()
    assert (s.complaint, s.complaint_text, s.complaint_phone) == (None, "", "")
    assert services.queued == []
    if how == "cancel":
        assert s.screen is Screen.MESSAGE and s.notice.code == "complaint_cancelled"
    else:
        assert s.screen is Screen.ATTRACT


def test_a_complaint_needs_an_identified_villager(services):
    session = Session(kiosk_id="KMR01", village=KEMIREN, village_key=KEY,
                      catalogue=load_catalogue(), services=services, runner=InlineRunner())
    session.open_complaint()
    assert session.screen is Screen.ATTRACT


# --- the survey ----------------------------------------------------------------------------


def test_nine_answers_are_sent_anonymously(s, services):
    to_survey(s)
    for i, score in enumerate([4, 3, 2, 1, 4, 3, 2, 1, 4]):
        assert s.screen is Screen.SURVEY and s.survey_step == i
        s.answer_survey(score)
    assert s.screen is Screen.SURVEY_THANKS
    survey = services.queued[-1]
    assert isinstance(survey, SurveyAnswers)
    assert survey.answers == dict(zip(ELEMENT_CODES, [4, 3, 2, 1, 4, 3, 2, 1, 4], strict=True))
    assert (survey.letter, survey.kiosk_id, survey.answered_on.isoformat()) == (
        "domisili", "KMR01", "2026-11-25")
    payload = survey.to_json()
    for personal in (SITI.nik, SITI.name, SITI.family_card_number, "09:30", "KMR01-261125-0001"):
        assert personal not in payload
    assert set(json.loads(payload)) == {"schema", "survey_id", "village_code", "kiosk_id",
                                        "letter", "answered_on", "answers"}
    s.finish()
    assert s.screen is Screen.ATTRACT and s.survey_letter is None


def test_previous_changes_an_answer(s, services):
    to_survey(s)
    s.answer_survey(1)
    s.back()
    assert s.survey_step == 0
    for _ in ELEMENT_CODES:
        s.answer_survey(4)
    assert set(services.queued[-1].answers.values()) == {4}


@pytest.mark.parametrize("step", range(len(ELEMENT_CODES)))
def test_the_survey_can_be_skipped_at_every_step_and_nothing_is_sent(s, services, step):
    to_survey(s)
    for _ in range(step):
        s.answer_survey(3)
    before = len(services.queued)
    s.skip_survey()
    assert s.screen is Screen.ATTRACT and s.survey_answers == [] and s.survey_letter is None
    assert len(services.queued) == before


def test_the_receipt_itself_is_a_skip(s, services):
    s.choose_letter("domisili")
    s.submit_fields({"keperluan": "Persyaratan melamar pekerjaan"})
    s.confirm()
    s.finish()  # Selesai on the receipt
    assert s.screen is Screen.ATTRACT
    s.start_survey()
    assert s.screen is Screen.ATTRACT


def test_lifting_the_card_does_not_end_the_anonymous_survey_but_idling_does(s, services):
    to_survey(s)
    s.answer_survey(2)
    s.card_removed()
    assert s.screen is Screen.SURVEY and s.survey_step == 1
    assert not s.holds_personal_data()
    s.idle_timeout()
    assert s.screen is Screen.ATTRACT and s.survey_answers == []
    s.answer_survey(4)
    assert s.screen is Screen.ATTRACT


def test_the_next_card_ends_an_unfinished_survey(s, services):
    to_survey(s)
    s.answer_survey(2)
    s.card_presented(ektp_type_b_atr(UID), UID)
    assert s.screen is Screen.PIN and s.survey_letter is None and s.survey_answers == []


def test_answers_that_cannot_be_stored_are_said_plainly(s, services):
    to_survey(s)
    services.fail = True
    for _ in ELEMENT_CODES:
        s.answer_survey(3)
    assert s.screen is Screen.SURVEY_THANKS and s.notice.code == "survey_save_failed"


def test_only_scores_one_to_four_count(s, services):
    to_survey(s)
    for bad in (0, 5, -1):
        s.answer_survey(bad)
    assert s.survey_step == 0


# --- the outbox's kinds --------------------------------------------------------------------


@pytest.fixture
def sealer(tmp_path):
    return Sealer.from_key_file(tmp_path / "keys" / "kiosk.key", create=True)


def _complaint(number="KMR01-261125-P001") -> Complaint:
    return Complaint(number, KEMIREN.code, "KMR01", datetime(2026, 11, 25, 9, 30, tzinfo=WIB),
                     SITI.nik, "lainnya", WORDS, "")


def test_the_outbox_keeps_each_items_kind_and_seals_it(tmp_path, sealer):
    box = Outbox(tmp_path / "outbox.sqlite3", sealer)
    assert box.next_application_number("KMR01", datetime(2026, 11, 25)) == "KMR01-261125-0001"
    number = box.next_application_number("KMR01", datetime(2026, 11, 25), series="P")
    assert number == "KMR01-261125-P001"  # its own count, never an application's number
    c = _complaint(number)
    box.enqueue(c.number, c.to_json(), kind=c.kind)
    survey = SurveyAnswers("6f1c", KEMIREN.code, "KMR01", "domisili",
                           datetime(2026, 11, 25).date(), dict.fromkeys(ELEMENT_CODES, 3))
    box.enqueue(survey.number, survey.to_json(), kind=survey.kind)
    with pytest.raises(ValueError):
        box.enqueue("x", "{}", kind="letter")
    first = box.next_due(time.time() + 1)
    assert (first.kind, first.application_number, first.pdf) == ("complaint", number, b"")
    assert json.loads(first.payload)["nik"] == SITI.nik
    assert SITI.nik.encode() not in (tmp_path / "outbox.sqlite3").read_bytes()
    box.delivered(first.idempotency_key)
    second = box.next_due(time.time() + 1)
    assert (second.kind, second.application_number) == ("survey", "6f1c")
    box.close()


def test_a_version_2_outbox_of_applications_still_delivers_after_the_upgrade(tmp_path, sealer):
    """An outbox written before kinds existed (user_version 2, no `kind` column), with an
    application waiting: opened by this code, it gains the column and the application goes as
    an application."""
    path = tmp_path / "outbox.sqlite3"
    box = Outbox(path, sealer)
    key = box.enqueue("KMR01-261124-0003", '{"application_number": "KMR01-261124-0003"}',
                      b"%PDF-1.4 old")
    box.close()
    db = sqlite3.connect(path)  # rebuild it exactly as version 2 left it
    db.executescript("""
        ALTER TABLE queue DROP COLUMN kind;
        PRAGMA user_version = 2;
    """)
    assert "kind" not in {r[1] for r in db.execute("PRAGMA table_info(queue)")}
    db.close()

    box = Outbox(path, sealer)
    item = box.next_due(time.time() + 1)
    assert (item.idempotency_key, item.kind, item.pdf) == (key, "application", b"%PDF-1.4 old")
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    db.close()
    box.delivered(key)
    assert box.pending_count() == 0
    box.close()


def test_the_complaint_form_orders_its_fields_for_a_tab_key_without_qt_warnings(s, qtbot):
    """Tab goes from the words to the phone number; Qt refused that order (a warning in the
    kiosk's journal, "must be in the same window") while the two were not yet laid out."""
    from PySide6.QtCore import Qt, qInstallMessageHandler

    from ui.screens import ComplaintFormScreen

    said: list[str] = []
    previous = qInstallMessageHandler(lambda kind, context, message: said.append(message))
    try:
        screen = ComplaintFormScreen(s)
        qtbot.addWidget(screen)
    finally:
        qInstallMessageHandler(previous)
    assert not [m for m in said if "setTabOrder" in m], said
    after = screen.text.nextInFocusChain()
    while after.focusPolicy() == Qt.NoFocus:  # the text box's own viewport
        after = after.nextInFocusChain()
    assert after is screen.phone
