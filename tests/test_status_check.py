"""The villager checks the status of their requests (issue #7, item 7).

First the session on its own, with the in-memory services of test_session.py (the back office's
answers are made up here; the real ones are exercised at the end). Then the kiosk's services
against a closed port and in mobile mode, and one villager end to end on the real stack: pcscd
with a virtual card, the real back office, the real kiosk window.
"""

import dataclasses
import logging
from datetime import UTC, date, datetime

import pytest

from devices.ektp import ektp_type_b_atr
from forms.identity import card_fingerprint
from forms.samples import SITI
from terminal.client import (
    STATUS_READY,
    STATUS_RETURNED,
    IdentifyOutcome,
    IdentifyResult,
    RequestStatus,
    StatusOutcome,
)
from terminal.messages import TEXTS
from terminal.session import Screen
from tests.test_session import KEY, UID, HeldRunner, make_session
from tests.test_session import Services as SessionServices
from ui.i18n import date_text, notice_text, read_ts

PIN = "241258"


def request(number, letter="domisili", status="sedang_diperiksa", received="2026-11-20T02:00",
            message="", label=("Sedang diperiksa", "Being checked")):
    return RequestStatus(
        application_number=number, letter=letter, status=status,
        label_id=label[0], label_en=label[1], message=message,
        received_at=datetime.fromisoformat(received).replace(tzinfo=UTC),
        updated_at=datetime.fromisoformat(received).replace(tzinfo=UTC),
    )


READY = request("KMR01-261101-0001", status=STATUS_READY, received="2026-11-01T03:00",
                label=("Siap diambil", "Ready for collection"))
RETURNED = request("KMR01-261118-0002", letter="sktm", status=STATUS_RETURNED,
                   received="2026-11-18T20:30",  # 19 November in WIB
                   message="Mohon bawa Kartu Keluarga asli.",
                   label=("Dikembalikan", "Sent back"))
CHECKING = request("KMR01-261110-0003", received="2026-11-10T01:00")


class Services(SessionServices):
    def __init__(self):
        super().__init__()
        self.status_outcome = StatusOutcome(IdentifyResult.OK, (READY, RETURNED, CHECKING))
        self.status_outcomes = []  # one per call, when a test needs them to differ
        self.status_calls = []

    def status(self, card, pin):
        self.status_calls.append((card, pin))
        return self.status_outcomes.pop(0) if self.status_outcomes else self.status_outcome


@pytest.fixture
def services():
    return Services()


def identified(services, runner=None):
    s = make_session(services, runner)
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin(PIN)
    if runner is not None:
        runner.release()
    assert s.screen is Screen.CHOOSE_LETTER
    return s


def test_the_villagers_requests_newest_first_in_the_village_time(services):
    s = identified(services)
    s.check_status()
    assert services.status_calls == [(card_fingerprint(UID, KEY), PIN)]
    assert s.screen is Screen.STATUS and s.notice is None and not s.status_pending
    assert [r.application_number for r in s.requests] == [
        RETURNED.application_number, CHECKING.application_number, READY.application_number]
    assert s.requests[0].received_at.date() == date(2026, 11, 19)  # 03:30 WIB
    assert [r.ready for r in s.requests] == [False, False, True]
    assert s.requests[0].returned and s.requests[0].message.startswith("Mohon bawa")
    s.back()  # to the letter menu, still identified: they may apply for a letter now
    assert s.screen is Screen.CHOOSE_LETTER and s.requests == () and s.pin == PIN
    s.choose_letter("domisili")
    assert s.screen is Screen.FILL


def test_no_requests_is_said_plainly(services):
    services.status_outcome = StatusOutcome(IdentifyResult.OK, ())
    s = identified(services)
    s.check_status()
    assert s.screen is Screen.STATUS and s.notice.code == "status_none"
    assert "Belum ada permohonan" in notice_text(s.notice, "id")
    assert notice_text(s.notice, "en").startswith("There are no requests")


@pytest.mark.parametrize("result, code", [(IdentifyResult.UNREACHABLE, "status_offline"),
                                          (IdentifyResult.REFUSED, "status_refused")])
def test_offline_or_refused_says_so_and_keeps_the_villager_in(services, result, code):
    services.status_outcome = StatusOutcome(result)
    s = identified(services)
    s.check_status()
    assert s.screen is Screen.STATUS and s.notice.code == code and s.requests == ()
    assert "kantor desa" in notice_text(s.notice, "id")
    assert "village office" in notice_text(s.notice, "en")
    assert s.holds_personal_data()  # still identified: back to the menu works
    s.back()
    assert s.screen is Screen.CHOOSE_LETTER and s.notice is None


def test_a_pin_the_back_office_no_longer_takes_asks_for_it_again(services):
    """Staff reset the PIN, or the kiosk let the villager in from an old registry snapshot."""
    services.status_outcome = StatusOutcome(IdentifyResult.WRONG_PIN, attempts_left=2)
    s = identified(services)
    s.check_status()
    assert s.screen is Screen.PIN and s.notice.code == "wrong_pin"
    assert "2" in notice_text(s.notice, "id")
    assert s.pin is None and s.resident is None and s.card is not None
    services.outcome = IdentifyOutcome(IdentifyResult.OK, SITI)
    s.enter_pin("135790")  # the new PIN
    assert s.screen is Screen.CHOOSE_LETTER and s.pin == "135790"


@pytest.mark.parametrize("result", [IdentifyResult.LOCKED, IdentifyResult.UNKNOWN_CARD])
def test_locked_or_unknown_ends_on_the_usual_message_and_wipes(services, result):
    services.status_outcome = StatusOutcome(result)
    s = identified(services)
    s.check_status()
    assert s.screen is Screen.MESSAGE and s.notice.code == result.value
    assert not s.holds_personal_data() and s.pin is None


def test_an_answer_after_the_card_left_is_dropped(services):
    runner = HeldRunner()
    s = identified(services, runner)
    s.check_status()
    assert s.screen is Screen.STATUS and s.status_pending
    s.card_removed()
    s.card_presented(ektp_type_b_atr(b"\x01\x02\x03\x04"), b"\x01\x02\x03\x04")  # next villager
    runner.release()  # the first villager's list finally arrives
    assert s.screen is Screen.PIN and s.requests == () and not s.status_pending


def test_an_answer_after_going_back_is_dropped_and_only_the_last_question_counts(services):
    runner = HeldRunner()
    s = identified(services, runner)
    s.check_status()
    s.back()
    runner.release()
    assert s.screen is Screen.CHOOSE_LETTER and s.requests == ()
    s.check_status()
    s.back()
    s.check_status()  # asked again before the first answer came
    services.status_outcomes = [StatusOutcome(IdentifyResult.UNREACHABLE),
                                StatusOutcome(IdentifyResult.OK, (READY,))]
    runner.release()
    assert s.screen is Screen.STATUS and s.notice is None
    assert [r.application_number for r in s.requests] == [READY.application_number]


def test_status_is_only_asked_from_the_letter_menu(services):
    s = make_session(services)
    s.check_status()
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.check_status()
    assert s.screen is Screen.PIN and services.status_calls == []


@pytest.mark.parametrize("how", ["card_removed", "idle_timeout", "cancel", "status_done"])
@pytest.mark.parametrize("where", ["menu", "status", "waiting"])
def test_the_pin_and_the_list_are_wiped_on_every_way_out(services, how, where):
    runner = HeldRunner()
    s = identified(services, runner)
    assert s.pin == PIN and s.holds_personal_data()
    if where != "menu":
        s.check_status()
        if where == "status":
            runner.release()
            assert s.requests
    getattr(s, how)()
    if how == "status_done" and where == "menu":
        assert s.screen is Screen.CHOOSE_LETTER  # "Selesai" is on the status screen only
        return
    runner.release()
    assert s.pin is None and s.requests == () and not s.holds_personal_data()
    expected = {"card_removed": Screen.ATTRACT, "idle_timeout": Screen.ATTRACT}
    assert s.screen is expected.get(how, Screen.MESSAGE)
    if how == "status_done":
        assert s.notice.code == "status_done"


def test_the_pin_is_not_kept_after_an_application_or_a_refusal(services):
    s = identified(services)
    s.choose_letter("domisili")
    s.submit_fields({"keperluan": "Persyaratan melamar pekerjaan"})
    s.confirm()
    assert s.screen is Screen.RECEIPT and s.pin is None and not s.holds_personal_data()
    s.finish()
    services.outcome = IdentifyOutcome(IdentifyResult.WRONG_PIN, attempts_left=2)
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin("000000")
    assert s.screen is Screen.PIN and s.pin is None


def test_the_pin_is_never_in_a_log_record(services, caplog):
    caplog.set_level(logging.DEBUG)
    for outcome in (StatusOutcome(IdentifyResult.OK, (READY, RETURNED)),
                    StatusOutcome(IdentifyResult.UNREACHABLE),
                    StatusOutcome(IdentifyResult.WRONG_PIN, attempts_left=1)):
        services.status_outcome = outcome
        s = identified(services)
        s.check_status()
        s.status_done()
        s.card_removed()
    assert caplog.records
    for r in caplog.records:
        assert PIN not in r.getMessage() and PIN not in repr(r.args)
        assert RETURNED.message not in r.getMessage()


def test_the_texts_exist_in_both_languages_and_dates_read_as_spoken():
    english = read_ts()
    for code in ("status_open", "status_open_hint", "status_title", "status_checking",
                 "status_ready", "status_none", "status_offline", "status_refused",
                 "status_done", "status_applied", "status_message", "voice_status"):
        id_text, en_text = TEXTS[code], english[code].translation
        assert id_text and en_text and id_text != en_text
    assert TEXTS["status_ready"] == ("Surat Anda sudah siap. Silakan ambil di kantor desa "
                                     "dengan membawa e-KTP.")
    assert date_text(date(2026, 8, 17)) == "17 Agustus 2026"
    assert date_text(date(2026, 8, 17), "en") == "17 August 2026"


def test_the_symbols_are_ones_the_font_can_draw(qapp):
    from PySide6.QtGui import QFont, QFontMetrics

    from ui.screens import IN_PROGRESS_SIGN, REQUEST_SIGNS, STATUS_TILE_SIGN

    metrics = QFontMetrics(QFont("DejaVu Sans", 24))
    for sign in [STATUS_TILE_SIGN, IN_PROGRESS_SIGN, *REQUEST_SIGNS.values()]:
        assert metrics.inFontUcs4(ord(sign)), f"{sign!r} would show as a box"


# -- the kiosk's services: the real HTTP client against a closed port, and mobile mode -------

def _kiosk_services(**overrides):
    from terminal.config import KioskConfig
    from terminal.devstack import DEMO
    from terminal.kiosk import KioskServices

    config = dataclasses.replace(KioskConfig.load(DEMO / "kiosk.toml"), **overrides)
    return KioskServices(config, outbox=None, offline=None, on_queued=lambda: None)


def test_mobile_mode_never_asks_and_says_offline():
    services = _kiosk_services(mode="mobile", backoffice_url="http://127.0.0.1:9")
    try:
        assert services.status("ab" * 32, PIN).result is IdentifyResult.UNREACHABLE
    finally:
        services.close()


def test_an_unreachable_back_office_is_offline_and_not_asked_again_at_once():
    from terminal.devstack import free_port

    services = _kiosk_services(backoffice_url=f"http://127.0.0.1:{free_port()}",
                               request_timeout_s=2.0)
    try:
        assert services.status("ab" * 32, PIN).result is IdentifyResult.UNREACHABLE
        services._client.status = lambda *a: pytest.fail("asked again within the back-off")
        assert services.status("ab" * 32, PIN).result is IdentifyResult.UNREACHABLE
    finally:
        services.close()


# -- end to end on the real stack ---------------------------------------------------------------

WAIT = 8000  # ms; generous for a busy machine, never a speed assertion


def _office_sessions(stack):
    from backoffice.db import make_engine, make_sessionmaker
    from backoffice.settings import Settings

    settings = Settings.load(stack.backoffice.config_path)
    return make_sessionmaker(make_engine(settings.database_url))


def _apply(d, cards, key, purpose):
    """One villager taps, applies for a domicile letter, and leaves; the application number."""
    from devices.demo_cards import demo_card

    card = cards(key)
    d.wait_for(Screen.PIN)
    d.enter_pin(demo_card(key).pin)
    d.wait_for(Screen.CHOOSE_LETTER)
    d.apply_for_domicile(purpose)
    d.wait_until(lambda: d.session.receipt.delivered, what="delivery")
    number = d.session.receipt.application_number
    d.click("receipt_done")
    card.remove()
    d.wait_for(Screen.ATTRACT)
    return number


@pytest.mark.pcsc
def test_a_ready_letter_is_highlighted_on_the_kiosk(stack, kiosk_app, cards, qtbot, caplog):
    from backoffice.issuing import issue_letter_committed
    from backoffice.lifecycle import DIKEMBALIKAN, MENUNGGU_TANDA_TANGAN, Staff, transition
    from devices.demo_cards import demo_card
    from forms.issued import Signer
    from ui.driver import KioskDriver

    caplog.set_level(logging.DEBUG)
    kiosk, window = kiosk_app
    d = KioskDriver(window)
    session = d.session
    ready = _apply(d, cards, "siti", "Persyaratan melamar pekerjaan")
    returned = _apply(d, cards, "siti", "Mengurus beasiswa anak")
    stack.rig.wait_for_card(False)

    # The clerk's side, through the back office's own functions on its database.
    sessions = _office_sessions(stack)
    clerk = Staff("Rina Wulandari", "operator")
    with sessions() as s, s.begin():
        transition(s, ready, MENUNGGU_TANDA_TANGAN, clerk)
    issue_letter_committed(sessions, ready, Signer("Mohamad Arifin", "Kepala Desa Kemiren"),
                           Staff("Budi", "sekdes"), date.today())
    with sessions() as s, s.begin():
        transition(s, returned, DIKEMBALIKAN, clerk, "Mohon bawa Kartu Keluarga asli.")

    card = cards("siti")
    d.wait_for(Screen.PIN)
    d.enter_pin(demo_card("siti").pin)
    d.wait_for(Screen.CHOOSE_LETTER)
    d.check_status()
    assert session.screen is Screen.STATUS and session.notice is None
    screen = window.screens[Screen.STATUS]
    rows = {row.request.application_number: row for row in screen.rows}
    assert list(rows)[:2] == [returned, ready]  # newest first
    shown = rows[ready]
    assert shown.property("state") == "ready" and shown.sign.text() == "✔"
    assert shown.status.text() == "Siap diambil" and shown.isVisible()
    assert shown.ready.text().startswith("Surat Anda sudah siap")
    assert shown.title.text() == session.catalogue.get("domisili").title.get("id")
    assert ready in shown.number.text()
    assert rows[returned].ready is None
    assert rows[returned].message.text().endswith("Mohon bawa Kartu Keluarga asli.")
    assert screen.summary.text() == "✔ 1 surat sudah siap diambil"
    assert not window.footer.isVisible() and screen.back.isVisible()
    session.set_language("en")
    assert screen.rows[1].status.text() == "Ready for collection"
    session.set_language("id")

    d.click("back")  # to the letter menu, and back to the list
    d.wait_for(Screen.CHOOSE_LETTER)
    d.check_status()
    d.click("status_done")
    assert session.screen is Screen.MESSAGE and session.notice.code == "status_done"
    assert not session.holds_personal_data() and screen.rows == []
    card.remove()
    d.wait_for(Screen.ATTRACT)

    pin = demo_card("siti").pin
    lines = [r.getMessage() for r in caplog.records]
    lines += stack.backoffice.log_path.read_text().splitlines()
    assert not [line for line in lines if pin in line or "Kartu Keluarga asli" in line]


@pytest.mark.pcsc
def test_the_client_reads_the_real_back_offices_answers_and_refusals(stack):
    from devices.demo_cards import demo_card
    from terminal.client import BackofficeClient

    config = stack.kiosk_config()
    client = BackofficeClient(config.backoffice_url, config.backoffice_token,
                              ca_file=config.backoffice_ca_file)
    bagus = demo_card("bagus")
    card = card_fingerprint(bagus.uid, config.village_key)
    try:
        wrong = client.status(card, "000000" if bagus.pin != "000000" else "111111")
        assert wrong.result is IdentifyResult.WRONG_PIN and wrong.attempts_left == 2
        right = client.status(card, bagus.pin)  # and the counter starts again
        assert right.result is IdentifyResult.OK
        assert all(isinstance(r, RequestStatus) for r in right.requests)
        unknown = client.status(card_fingerprint(b"\x0a\x0b\x0c\x0d", config.village_key),
                                "123456")
        assert unknown.result is IdentifyResult.UNKNOWN_CARD
    finally:
        client.close()
