"""The kiosk session: one villager, from tapping the e-KTP to the receipt.

A pure state machine. The UI renders `Session`'s public state and calls its methods with the
villager's actions and the card reader's events; anything slow (the back office) runs through
an injected `Runner`, and its result comes back tagged with the session generation so an
answer that arrives after the villager has gone is dropped, never shown to the next person.

Screens:  ATTRACT → [READING] → PIN → CHECKING → CHOOSE_LETTER → FILL → REVIEW → RECEIPT → ATTRACT
          READING only in chip mode, while the licensed reader reads the biodata off the chip.
          MESSAGE shows a notice while the card is still on the reader (not an e-KTP,
          not registered, PIN locked, cancelled); taking the card away ends it.
          CHOOSE_LETTER → STATUS → CHOOSE_LETTER (back) or MESSAGE (done): the villager's own
          requests, asked of the back office with the card and the PIN typed at the start.
          CHOOSE_LETTER → COMPLAINT_CATEGORY → COMPLAINT_FORM → COMPLAINT_REVIEW → COMPLAINT_SENT:
          a complaint (pengaduan) in the identified villager's name, through the outbox.
          RECEIPT → SURVEY (nine questions, one at a time) → SURVEY_THANKS: the satisfaction
          survey (SKM), skippable at every step. It begins after the wipe and is anonymous, so
          lifting the card does not end it; the idle timeout does.
          CLOSED: outside the opening hours (terminal/hours.py) the kiosk sleeps. It closes only
          on the attract screen: a villager in the middle of something finishes (or is wiped by
          the idle timeout, as always) and the session then goes to CLOSED instead of ATTRACT.
          A card, or a touch, there gets "closed, open again at …" and nothing else: no
          fingerprint, no chip read, nothing sent. At opening time: ATTRACT.
Card removal and the idle timeout wipe the session from every screen.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from devices.chip import ChipBiodata
from devices.ektp import is_ektp_atr
from forms.application import Application
from forms.catalogue import Catalogue, Letter, clean_values, validate
from forms.feedback import (
    CATEGORY_CODES,
    ELEMENT_CODES,
    SCORES,
    Complaint,
    SurveyAnswers,
    clean_complaint_text,
    clean_phone,
    validate_complaint,
)
from forms.identity import Resident, card_fingerprint
from forms.nik import check_nik
from forms.render import render_application
from forms.village import VillageProfile
from terminal.client import IdentifyOutcome, IdentifyResult, RequestStatus, StatusOutcome
from terminal.hours import Closure
from terminal.messages import Notice
from terminal.outbox import OutboxError
from terminal.printing import PrintOutcome

log = logging.getLogger(__name__)

T = TypeVar("T")
PIN_RE = re.compile(r"^[0-9]{6}$")


class Screen(StrEnum):
    ATTRACT = "attract"
    READING = "reading"
    PIN = "pin"
    CHECKING = "checking"
    CHOOSE_LETTER = "choose_letter"
    FILL = "fill"
    REVIEW = "review"
    RECEIPT = "receipt"
    MESSAGE = "message"
    STATUS = "status"
    COMPLAINT_CATEGORY = "complaint_category"
    COMPLAINT_FORM = "complaint_form"
    COMPLAINT_REVIEW = "complaint_review"
    COMPLAINT_SENT = "complaint_sent"
    SURVEY = "survey"
    SURVEY_THANKS = "survey_thanks"
    CLOSED = "closed"  # outside the opening hours: the sleep screen


COMPLAINT_SCREENS = (Screen.COMPLAINT_CATEGORY, Screen.COMPLAINT_FORM, Screen.COMPLAINT_REVIEW)
SURVEY_SCREENS = (Screen.SURVEY, Screen.SURVEY_THANKS)  # anonymous: outlive the card
# Where nobody is identified any more and a new card may start a new session.
OPEN_TO_A_CARD = (Screen.ATTRACT, Screen.RECEIPT, Screen.COMPLAINT_SENT, *SURVEY_SCREENS)


class Runner(Protocol):
    """Runs slow work off the UI thread; calls `done(result)` back on the UI thread."""

    def run(self, work: Callable[[], T], done: Callable[[T], None]) -> None: ...


class InlineRunner:
    """Runs work at once, in the caller's thread (tests and scripts)."""

    def run(self, work, done):
        done(work())


@dataclass(frozen=True)
class ChipOutcome:
    """The biodata read off the chip, or why not (a `ChipReadError` reason)."""

    biodata: ChipBiodata | None = None
    failure: str | None = None


class ReceiptPrinter(Protocol):
    """The kiosk's printer for the receipt (and the application copy): terminal.printing."""

    prints_copy: bool

    def print_receipt(self, key: str, application: Application, letter: Letter,
                      pdf: bytes) -> PrintOutcome: ...
    def follow(self, key: str, until_printed: bool = False) -> PrintOutcome: ...
    def abandon(self, key: str) -> None: ...


# What the receipt screen says about a printer problem (each: what happened + what to do).
PRINTER_NOTICES = {
    "paper_out": "printer_paper_out",
    "paper_jam": "printer_paper_jam",
    "cover_open": "printer_cover_open",
    "toner_out": "printer_toner_out",
}
PRINTER_NOTICE_OTHER = "printer_unavailable"  # offline, missing, anything else


class Services(Protocol):
    """What the session needs from the rest of the kiosk."""

    def identify(self, card_fingerprint: str, pin: str) -> IdentifyOutcome: ...
    def status(self, card_fingerprint: str, pin: str) -> StatusOutcome: ...
    def read_chip(self, card_reader: str) -> ChipOutcome: ...
    def next_application_number(self, now: datetime) -> str: ...
    def has_room(self, nbytes: int) -> bool: ...
    def enqueue(self, application: Application, pdf: bytes) -> str: ...
    def next_complaint_number(self, now: datetime) -> str: ...
    def enqueue_feedback(self, item: Complaint | SurveyAnswers) -> str: ...
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Receipt:
    """What the receipt screen shows: nothing personal, so it may outlive the wipe."""

    application_number: str
    letter_id: str
    idempotency_key: str
    submitted_at: datetime
    delivered: bool = False
    # "" (no printer), "printing", "printed", or the printer's problem (devices.printer codes)
    printing: str = ""


@dataclass(frozen=True)
class ComplaintReceipt:
    """What the "complaint sent" screen shows: its number only, nothing personal."""

    complaint_number: str
    idempotency_key: str
    submitted_at: datetime
    delivered: bool = False


def with_chip_biodata(resident: Resident, chip: ChipBiodata) -> Resident:
    """The registry's record with what the chip says about the same person taking precedence
    (the chip is what Dukcapil issued); the dusun and the family card come from the registry."""
    return dataclasses.replace(
        resident,
        name=chip.name,
        birth_place=chip.birth_place,
        birth_date=chip.birth_date,
        sex=chip.sex,
        address=chip.address,
        rt=chip.rt,
        rw=chip.rw,
        religion=chip.religion,
        marital_status=chip.marital_status,
        occupation=chip.occupation,
        citizenship=chip.citizenship,
    )


class Session:
    def __init__(
        self,
        *,
        kiosk_id: str,
        village: VillageProfile,
        village_key: bytes,
        catalogue: Catalogue,
        services: Services,
        runner: Runner,
        language: str = "id",
        identity_mode: str = "registry",
        printer: ReceiptPrinter | None = None,
    ):
        if identity_mode not in ("registry", "chip"):
            raise ValueError(f"identity_mode {identity_mode!r}")
        self._identity_mode = identity_mode
        self._kiosk_id = kiosk_id
        self._village = village
        self._village_key = village_key
        self.catalogue = catalogue
        self._services = services
        self._runner = runner
        self._printer = printer
        self.prints_copy = bool(printer and printer.prints_copy)  # the receipt screen says so
        self._listeners: list[Callable[[Session], None]] = []
        self.language = language
        self.generation = 0
        self.screen = Screen.ATTRACT
        self.notice: Notice | None = None
        self.receipt: Receipt | None = None
        self.complaint_receipt: ComplaintReceipt | None = None
        # The survey: the letter it is about and the answers so far (anonymous, not wiped by
        # the card leaving; see the module's docstring).
        self.survey_letter: str | None = None
        self.survey_answers: list[int] = []
        self._status_asked = 0  # which status request an answer belongs to
        # Outside the opening hours: when the kiosk opens again (None: open).
        self.closed: Closure | None = None
        self._clear_personal()

    # -- observation -------------------------------------------------------------------

    def subscribe(self, listener: Callable[[Session], None]) -> None:
        self._listeners.append(listener)

    def notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _go(self, screen: Screen, notice: Notice | None = None) -> None:
        if screen is Screen.ATTRACT and self.closed is not None:
            screen, notice = Screen.CLOSED, None  # the villager is done: now the kiosk sleeps
        self.screen = screen
        self.notice = notice
        log.info("session: screen %s%s", screen, f" ({notice.code})" if notice else "")
        self.notify()

    # -- personal data -----------------------------------------------------------------

    def _clear_personal(self) -> None:
        self.card: str | None = None  # the card's fingerprint, never the UID
        self.chip: ChipBiodata | None = None  # chip mode: what the chip says
        self.resident: Resident | None = None
        self.letter: Letter | None = None
        self.values: dict[str, str] = {}
        self.field_errors: dict[str, dict[str, str]] = {}
        self.application: Application | None = None
        self.pdf: bytes | None = None
        self.attempts_left: int | None = None
        # The PIN the villager typed, kept only while they are identified: the status check
        # asks the back office with it again. Never logged, never shown, wiped with the rest.
        self.pin: str | None = None
        self.requests: tuple[RequestStatus, ...] = ()  # the status screen's rows
        self.status_pending = False  # the status screen waits for the back office
        # the complaint being written: what the villager chose and typed, and its payload
        self.complaint_category = ""
        self.complaint_text = ""
        self.complaint_phone = ""
        self.complaint_errors: dict[str, dict[str, str]] = {}
        self.complaint: Complaint | None = None

    def holds_personal_data(self) -> bool:
        return any(
            (self.card, self.chip, self.resident, self.letter, self.values,
             self.field_errors, self.application, self.pdf, self.pin, self.requests,
             self.complaint_text, self.complaint_phone, self.complaint_errors, self.complaint)
        )

    def _forget_receipts(self) -> None:
        """The receipts and the survey: nothing personal, but nothing for the next villager."""
        if self.receipt and self.receipt.printing not in ("", "printing", "printed"):
            self._abandon_printing(self.receipt.idempotency_key)  # stuck: never for the next one
        self.receipt = None
        self.complaint_receipt = None
        self.survey_letter = None
        self.survey_answers = []

    def _wipe(self) -> None:
        self.generation += 1  # answers still on their way belong to nobody now
        self._clear_personal()

    # -- card events (any screen) ------------------------------------------------------

    def card_presented(self, atr: bytes, uid: bytes, reader: str = "") -> None:
        if self._closed_to_a_card():
            return
        if self.screen not in OPEN_TO_A_CARD:
            return  # a card is already in session; a second one changes nothing
        self._wipe()
        self._forget_receipts()
        if not is_ektp_atr(atr):
            self._go(Screen.MESSAGE, Notice("not_ektp"))
            return
        self.card = card_fingerprint(uid, self._village_key)
        if self._identity_mode == "registry":
            self._go(Screen.PIN)
            return
        generation = self.generation
        self._go(Screen.READING)
        self._runner.run(
            lambda: self._services.read_chip(reader),
            lambda outcome: self._chip_read(generation, outcome),
        )

    def _chip_read(self, generation: int, outcome: ChipOutcome) -> None:
        if generation != self.generation or self.screen is not Screen.READING:
            return
        if outcome.biodata is not None:
            chip = outcome.biodata
            nik = check_nik(chip.nik, known_birth_date=chip.birth_date, known_sex=chip.sex)
            if not nik.valid:
                log.warning("session: the chip holds an impossible NIK (%s)", nik.errors[0].code)
                self._wipe()
                self._go(Screen.MESSAGE, Notice("card_unreadable"))
                return
            self.chip = chip
            self._go(Screen.PIN)
        elif outcome.failure == "removed":
            self.card_removed()
        else:
            self._wipe()
            self._go(Screen.MESSAGE, Notice("card_unreadable"))

    def card_unreadable(self) -> None:
        if self._closed_to_a_card():
            return
        if self.screen in OPEN_TO_A_CARD:
            self._wipe()
            self._forget_receipts()
            self._go(Screen.MESSAGE, Notice("card_unreadable"))

    def card_removed(self) -> None:
        self._wipe()
        if self.screen is Screen.CLOSED:
            if self.notice:
                self._go(Screen.CLOSED)  # "closed" was said; the card has gone
            return
        if self.screen in SURVEY_SCREENS:
            return  # anonymous and begun after the wipe: the villager may finish it
        quiet = self.screen in (Screen.ATTRACT, Screen.MESSAGE, Screen.RECEIPT,
                                Screen.COMPLAINT_SENT)
        self._forget_receipts()
        self._go(Screen.ATTRACT, None if quiet else Notice("card_removed"))

    def idle_timeout(self) -> None:
        if self.screen in (Screen.ATTRACT, Screen.CLOSED):
            if self.notice:
                self._go(self.screen)  # let an old notice fade for the next villager
            return
        self._wipe()
        self._forget_receipts()
        self._go(Screen.ATTRACT)

    # -- the villager's actions --------------------------------------------------------

    def set_language(self, language: str) -> None:
        if language not in ("id", "en"):
            raise ValueError(language)
        self.language = language
        self.notify()

    def enter_pin(self, pin: str) -> None:
        if self.screen is not Screen.PIN:
            return
        if not PIN_RE.match(pin):
            self._go(Screen.PIN, Notice("pin_format"))
            return
        generation, card = self.generation, self.card
        self._go(Screen.CHECKING)
        self._runner.run(
            lambda: self._services.identify(card, pin),
            lambda outcome: self._identified(generation, outcome, pin),
        )

    def _identified(self, generation: int, outcome: IdentifyOutcome, pin: str) -> None:
        if generation != self.generation or self.screen is not Screen.CHECKING:
            return  # the villager left (card removed, timeout) while we waited
        r = outcome.result
        if r is IdentifyResult.OK:
            resident = outcome.resident
            if self.chip is not None:
                if self.chip.nik != resident.nik:
                    # The card's chip and the registry entry bound to its UID disagree: a copied
                    # UID, or a card bound to the wrong person. Staff must look.
                    log.warning("session: chip NIK differs from the registry entry of the card")
                    self._wipe()
                    self._go(Screen.MESSAGE, Notice("card_mismatch"))
                    return
                resident = with_chip_biodata(resident, self.chip)
            self.resident = resident
            self.pin = pin or None
            self._go(Screen.CHOOSE_LETTER)
        elif r is IdentifyResult.WRONG_PIN:
            self.attempts_left = outcome.attempts_left
            left = outcome.attempts_left if outcome.attempts_left is not None else "?"
            self._go(Screen.PIN, Notice("wrong_pin", {"attempts_left": left}))
        else:
            self._wipe()
            self._go(Screen.MESSAGE, Notice(r.value))

    def check_status(self) -> None:
        """The letter menu's "check my requests": ask the back office, off the UI thread."""
        if self.screen is not Screen.CHOOSE_LETTER or not self.card or not self.pin:
            return
        self._status_asked += 1
        asked = (self.generation, self._status_asked)
        card, pin = self.card, self.pin
        self.requests = ()
        self.status_pending = True
        self._go(Screen.STATUS)
        self._runner.run(
            lambda: self._services.status(card, pin),
            lambda outcome: self._status_answered(asked, outcome),
        )

    def _status_answered(self, asked: tuple[int, int], outcome: StatusOutcome) -> None:
        if (asked != (self.generation, self._status_asked) or self.screen is not Screen.STATUS
                or not self.status_pending):
            return  # the villager left, went back to the menu, or asked again meanwhile
        self.status_pending = False
        r = outcome.result
        if r is IdentifyResult.OK:
            tz = self._services.now().tzinfo
            self.requests = tuple(sorted(
                (dataclasses.replace(q, received_at=q.received_at.astimezone(tz),
                                     updated_at=q.updated_at.astimezone(tz))
                 for q in outcome.requests),
                key=lambda q: q.received_at, reverse=True,
            ))  # newest first, in the village's own time
            self._go(Screen.STATUS, None if self.requests else Notice("status_none"))
        elif r is IdentifyResult.UNREACHABLE:
            self._go(Screen.STATUS, Notice("status_offline"))
        elif r is IdentifyResult.REFUSED:
            self._go(Screen.STATUS, Notice("status_refused"))
        elif r is IdentifyResult.WRONG_PIN:
            # The back office no longer takes the PIN this villager came in with (staff reset
            # it, or the kiosk checked it against an old snapshot): ask for it again.
            card, chip = self.card, self.chip
            self._wipe()
            self.card, self.chip = card, chip
            self.attempts_left = outcome.attempts_left
            left = outcome.attempts_left if outcome.attempts_left is not None else "?"
            self._go(Screen.PIN, Notice("wrong_pin", {"attempts_left": left}))
        else:  # locked, or the card no longer registered: as at the start
            self._wipe()
            self._go(Screen.MESSAGE, Notice(r.value))

    def status_done(self) -> None:
        """The villager has seen their requests and is finished: forget them."""
        if self.screen is not Screen.STATUS:
            return
        self._wipe()
        self._go(Screen.MESSAGE, Notice("status_done"))

    def choose_letter(self, letter_id: str) -> None:
        if self.screen is not Screen.CHOOSE_LETTER:
            return
        self.letter = self.catalogue.get(letter_id)
        self.values = {f.name: "" for f in self.letter.input_fields()}
        self.field_errors = {}
        self._go(Screen.FILL)

    def submit_fields(self, values: dict[str, str]) -> None:
        if self.screen is not Screen.FILL or self.letter is None:
            return
        self.values = dict(values)
        self.field_errors = validate(self.letter, self.values, today=self._services.now().date())
        if self.field_errors:
            self._go(Screen.FILL, Notice("fix_fields"))
            return
        cleaned = clean_values(self.letter, self.values)
        try:
            if self.application is None:
                number = self._services.next_application_number(self._services.now())
            else:  # back from review: keep the number the villager may have seen
                number = self.application.application_number
        except OutboxError:
            log.exception("session: could not reserve an application number")
            self._go(Screen.FILL, Notice("save_failed"))
            return
        self.application = Application(
            application_number=number,
            letter=self.letter.id,
            village_code=self._village.code,
            kiosk_id=self._kiosk_id,
            created_at=self._services.now(),
            resident=self.resident,
            values=cleaned,
            language=self.language,
        )
        self.pdf = render_application(self.application, self.letter, self._village)
        # Say it now, before the villager presses KIRIM, if the kiosk could not keep it.
        self._go(Screen.REVIEW, None if self.can_store() else Notice("disk_full"))

    def can_store(self) -> bool:
        """Whether the kiosk has room to keep this application safely until it is sent."""
        if self.application is None or self.pdf is None:
            return False
        return self._services.has_room(len(self.application.to_json()) + len(self.pdf))

    def back(self) -> None:
        if self.screen is Screen.COMPLAINT_CATEGORY:
            self._clear_complaint()
            self._go(Screen.CHOOSE_LETTER)
        elif self.screen is Screen.COMPLAINT_FORM:
            self.complaint_errors = {}
            self._go(Screen.COMPLAINT_CATEGORY)
        elif self.screen is Screen.COMPLAINT_REVIEW:
            self._go(Screen.COMPLAINT_FORM)
        elif self.screen is Screen.SURVEY and self.survey_answers:
            self.survey_answers.pop()  # the question before, to answer again
            self._go(Screen.SURVEY)
        elif self.screen is Screen.STATUS:
            self.requests = ()
            self.status_pending = False  # an answer still on its way is dropped
            self._go(Screen.CHOOSE_LETTER)
        elif self.screen is Screen.FILL:
            self.field_errors = {}
            self._go(Screen.CHOOSE_LETTER)
        elif self.screen is Screen.REVIEW:
            self._go(Screen.FILL)

    def cancel(self) -> None:
        if self.screen in (Screen.MESSAGE, Screen.CLOSED, *OPEN_TO_A_CARD):
            return
        complaint = self.screen in COMPLAINT_SCREENS
        self._wipe()
        if complaint:
            self._go(Screen.MESSAGE, Notice("complaint_cancelled"))
        else:
            self._go(Screen.MESSAGE, Notice("cancelled"))

    def confirm(self) -> None:
        if self.screen is not Screen.REVIEW or self.application is None or self.pdf is None:
            return
        if not self.can_store():
            self._go(Screen.REVIEW, Notice("disk_full"))
            return
        try:
            key = self._services.enqueue(self.application, self.pdf)
        except OutboxError:
            log.exception("session: could not store the application")
            self._go(Screen.REVIEW, Notice("save_failed"))
            return
        self.receipt = Receipt(
            application_number=self.application.application_number,
            letter_id=self.application.letter,
            idempotency_key=key,
            submitted_at=self.application.created_at,
            printing="printing" if self._printer else "",
        )
        application, letter, pdf = self.application, self.letter, self.pdf
        self._wipe()  # stored safely: the kiosk holds nothing personal any more
        self._go(Screen.RECEIPT)
        if self._printer is not None:  # the printing worker alone still holds the papers
            printer = self._printer
            self._runner.run(lambda: printer.print_receipt(key, application, letter, pdf),
                             lambda outcome: self._printed(key, outcome, follow=True))

    def _printed(self, key: str, outcome: PrintOutcome, follow: bool = False) -> None:
        """The printer's answer for receipt `key`; a fault is said, and followed once more:
        when the staff fix it while the villager still waits, the papers come out."""
        r = self.receipt
        if r is None or r.idempotency_key != key:  # the villager has left
            if not outcome.printed:
                self._abandon_printing(key)
            return
        if outcome.printed:
            self.receipt = dataclasses.replace(r, printing="printed")
            notice = None
        else:
            self.receipt = dataclasses.replace(r, printing=outcome.problem)
            notice = Notice(PRINTER_NOTICES.get(outcome.problem, PRINTER_NOTICE_OTHER))
        if self.screen is Screen.RECEIPT:
            self._go(Screen.RECEIPT, notice)
        if follow and not outcome.printed:
            printer = self._printer
            self._runner.run(lambda: printer.follow(key, until_printed=True),
                             lambda again: self._printed(key, again))

    def _abandon_printing(self, key: str) -> None:
        printer = self._printer
        if printer is not None:
            self._runner.run(lambda: printer.abandon(key), lambda _: None)

    def application_delivered(self, idempotency_key: str) -> None:
        """The sender reports an acknowledgement; the receipt screen may say so."""
        if self.receipt and self.receipt.idempotency_key == idempotency_key:
            self.receipt = dataclasses.replace(self.receipt, delivered=True)
            self.notify()
        elif (self.complaint_receipt
              and self.complaint_receipt.idempotency_key == idempotency_key):
            self.complaint_receipt = dataclasses.replace(self.complaint_receipt, delivered=True)
            self.notify()

    def finish(self) -> None:
        if self.screen in (Screen.RECEIPT, Screen.MESSAGE, Screen.COMPLAINT_SENT,
                           Screen.SURVEY_THANKS):
            self._forget_receipts()
            self._wipe()
            self._go(Screen.ATTRACT)

    # -- the complaint (pengaduan) -------------------------------------------------------

    def _clear_complaint(self) -> None:
        self.complaint_category, self.complaint_text, self.complaint_phone = "", "", ""
        self.complaint_errors = {}
        self.complaint = None

    def open_complaint(self) -> None:
        """The letter menu's complaint tile: the villager is identified, so staff can answer."""
        if self.screen is not Screen.CHOOSE_LETTER or self.resident is None:
            return
        self._clear_complaint()
        self._go(Screen.COMPLAINT_CATEGORY)

    def choose_complaint_category(self, category: str) -> None:
        if self.screen is not Screen.COMPLAINT_CATEGORY or category not in CATEGORY_CODES:
            return
        if category != self.complaint_category:
            self.complaint = None  # the review must show what is chosen now
        self.complaint_category = category
        self._go(Screen.COMPLAINT_FORM)

    def submit_complaint(self, text: str, phone: str) -> None:
        if self.screen is not Screen.COMPLAINT_FORM or self.resident is None:
            return
        self.complaint_text, self.complaint_phone = text, phone
        self.complaint_errors = validate_complaint(self.complaint_category, text, phone)
        if self.complaint_errors:
            self._go(Screen.COMPLAINT_FORM, Notice("fix_fields"))
            return
        now = self._services.now()
        try:
            number = (self.complaint.complaint_number if self.complaint is not None
                      else self._services.next_complaint_number(now))  # kept when back
        except OutboxError:
            log.exception("session: could not reserve a complaint number")
            self._go(Screen.COMPLAINT_FORM, Notice("complaint_save_failed"))
            return
        self.complaint = Complaint(
            complaint_number=number,
            village_code=self._village.code,
            kiosk_id=self._kiosk_id,
            created_at=now,
            nik=self.resident.nik,
            category=self.complaint_category,
            text=clean_complaint_text(text),
            phone=clean_phone(phone),
            language=self.language,
        )
        self._go(Screen.COMPLAINT_REVIEW)

    def confirm_complaint(self) -> None:
        if self.screen is not Screen.COMPLAINT_REVIEW or self.complaint is None:
            return
        try:
            key = self._services.enqueue_feedback(self.complaint)
        except OutboxError:
            log.exception("session: could not store the complaint")
            self._go(Screen.COMPLAINT_REVIEW, Notice("complaint_save_failed"))
            return
        self.complaint_receipt = ComplaintReceipt(
            complaint_number=self.complaint.complaint_number,
            idempotency_key=key,
            submitted_at=self.complaint.created_at,
        )
        self._wipe()  # stored safely: the kiosk holds nothing personal any more
        self._go(Screen.COMPLAINT_SENT)

    # -- the satisfaction survey (SKM) -----------------------------------------------------

    @property
    def survey_step(self) -> int:
        """The question on screen, from 0 (one per element, in ELEMENT_CODES's order)."""
        return len(self.survey_answers)

    def start_survey(self) -> None:
        """Offered on the receipt, after the application was stored and the session wiped."""
        if self.screen is not Screen.RECEIPT or self.receipt is None:
            return
        letter = self.receipt.letter_id
        self._wipe()
        self._forget_receipts()
        self.survey_letter = letter
        self._go(Screen.SURVEY)

    def answer_survey(self, score: int) -> None:
        if self.screen is not Screen.SURVEY or self.survey_letter is None or score not in SCORES:
            return
        self.survey_answers.append(score)
        if len(self.survey_answers) < len(ELEMENT_CODES):
            self._go(Screen.SURVEY)
            return
        answers = SurveyAnswers(
            survey_id=str(uuid.uuid4()),
            village_code=self._village.code,
            kiosk_id=self._kiosk_id,
            letter=self.survey_letter,
            answered_on=self._services.now().date(),
            answers=dict(zip(ELEMENT_CODES, self.survey_answers, strict=True)),
        )
        self._forget_receipts()
        try:
            self._services.enqueue_feedback(answers)
        except OutboxError:
            log.exception("session: could not store the survey answers")
            self._go(Screen.SURVEY_THANKS, Notice("survey_save_failed"))
            return
        self._go(Screen.SURVEY_THANKS)

    def skip_survey(self) -> None:
        """"Lewati": at any question; nothing of the survey is kept or sent."""
        if self.screen is Screen.SURVEY:
            self._forget_receipts()
            self._go(Screen.ATTRACT)

    # -- opening hours (terminal/hours.py; Kiosk.check_hours decides when) -----------------

    def close_for_hours(self, closure: Closure) -> None:
        """Closing time: the sleep screen now on the attract screen, otherwise as soon as the
        villager there is done (never in the middle of their session)."""
        was, self.closed = self.closed, closure
        if was is None:
            log.info("session: closed until %s", f"{closure.opens_at:%a %H:%M}")
        if self.screen is Screen.ATTRACT:
            self._wipe()
            self._forget_receipts()
            self._go(Screen.CLOSED)
        elif self.screen is Screen.CLOSED and closure != was:
            self.notify()  # the clock was set right: another opening time

    def open_for_hours(self) -> None:
        """Opening time: the attract screen (a villager still busy from before carries on)."""
        if self.closed is None:
            return
        self.closed = None
        log.info("session: open")
        if self.screen is Screen.CLOSED:
            self._go(Screen.ATTRACT)

    def tap_while_closed(self) -> None:
        """Someone touched the sleep screen: say when the kiosk opens."""
        if self.screen is Screen.CLOSED:
            self._go(Screen.CLOSED, Notice("kiosk_closed"))

    def _closed_to_a_card(self) -> bool:
        """After closing time a card starts nothing: it is told "closed" (where a new card
        would start a session) and ignored; nothing of it is kept, read or sent."""
        if self.closed is None or self.screen not in (Screen.CLOSED, *OPEN_TO_A_CARD):
            return False
        if self.screen is not Screen.CLOSED:  # a receipt or a survey left behind: gone now
            self._wipe()
            self._forget_receipts()
        self._go(Screen.CLOSED, Notice("kiosk_closed"))
        return True
