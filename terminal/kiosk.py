"""Putting the kiosk together: configuration → session, outbox, sender, card events.

No Qt here. The UI creates a `Kiosk` with its own `Runner`, forwards card-reader events to
`handle_card_event` on its main thread, and renders `kiosk.session`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from devices.chip import ChipReadError, find_reader, load_adapter
from devices.pcsc import (
    CardEvent,
    CardPresented,
    CardRemoved,
    CardUnreadable,
    ReaderAttached,
    ReaderDetached,
    ServiceLost,
    ServiceRestored,
    reader_names,
)
from devices.printer import Printer, PrinterStatus
from forms.application import Application
from forms.catalogue import load_catalogue
from forms.feedback import Complaint, SurveyAnswers
from terminal.client import BackofficeClient, IdentifyOutcome, IdentifyResult, StatusOutcome
from terminal.config import ConfigError, KioskConfig
from terminal.heartbeat import Heartbeat, heartbeat_status
from terminal.offline import OfflineRegistry
from terminal.outbox import Outbox, Sender, number_day
from terminal.printing import ReceiptPrinting
from terminal.sealing import Sealer
from terminal.session import ChipOutcome, Runner, Session

log = logging.getLogger(__name__)


# After the back office failed to answer, identify from the snapshot for this long before
# trying the link again: the next villager should not wait out a connection timeout.
OFFLINE_BACKOFF_S = 60.0


class KioskServices:
    """The session's window on the back office, the outbox and the clock."""

    def __init__(
        self,
        config: KioskConfig,
        outbox: Outbox,
        offline: OfflineRegistry,
        on_queued: Callable[[], None],
    ):
        self._config = config
        self._outbox = outbox
        self._offline = offline
        self._on_queued = on_queued
        self._online_again_at = 0.0
        self._client = BackofficeClient(
            config.backoffice_url, config.backoffice_token, config.request_timeout_s,
            ca_file=config.backoffice_ca_file,
        )
        self._adapter = None
        if config.identity == "chip":
            try:
                self._adapter = load_adapter(config.adapter)
            except (ImportError, AttributeError, ValueError, TypeError) as e:
                raise ConfigError(f"[card] adapter {config.adapter!r} cannot be used: {e}") from e

    def identify(self, card_fingerprint: str, pin: str) -> IdentifyOutcome:
        """The back office decides when it can be reached; otherwise the sealed registry
        snapshot does, and its PIN events are merged when the link is back."""
        if self._config.mode == "online" and time.monotonic() >= self._online_again_at:
            outcome = self._client.identify(card_fingerprint, pin)
            if outcome.result is not IdentifyResult.UNREACHABLE:
                return outcome
            self._online_again_at = time.monotonic() + OFFLINE_BACKOFF_S
            log.warning("identify: back office unreachable; using the registry snapshot")
        return self._offline.identify(card_fingerprint, pin)

    def status(self, card_fingerprint: str, pin: str) -> StatusOutcome:
        """The villager's applications, from the back office only: the kiosk keeps no copy.
        In mobile mode, or while the link is known to be down, it says so at once."""
        if self._config.mode != "online" or time.monotonic() < self._online_again_at:
            return StatusOutcome(IdentifyResult.UNREACHABLE)
        outcome = self._client.status(card_fingerprint, pin)
        if outcome.result is IdentifyResult.UNREACHABLE:
            self._online_again_at = time.monotonic() + OFFLINE_BACKOFF_S
        return outcome

    def read_chip(self, card_reader: str) -> ChipOutcome:
        if self._adapter is None:
            raise RuntimeError("read_chip in registry mode")
        sam = find_reader(self._config.sam_reader, reader_names())
        try:
            return ChipOutcome(biodata=self._adapter.read_biodata(card_reader, sam))
        except ChipReadError as e:
            log.warning("chip read failed: %s", e.reason)
            return ChipOutcome(failure=e.reason)
        except Exception:  # a vendor adapter's own failure must not strand the villager
            log.exception("chip adapter failed")
            return ChipOutcome(failure="error")

    def has_room(self, nbytes: int) -> bool:
        return self._outbox.has_room(nbytes)

    def next_application_number(self, now: datetime) -> str:
        return self._outbox.next_application_number(self._config.kiosk_id, now)

    def next_complaint_number(self, now: datetime) -> str:
        return self._outbox.next_application_number(self._config.kiosk_id, now, series="P")

    def enqueue(self, application: Application, pdf: bytes) -> str:
        key = self._outbox.enqueue(application.application_number, application.to_json(), pdf)
        self._on_queued()
        return key

    def enqueue_feedback(self, item: Complaint | SurveyAnswers) -> str:
        key = self._outbox.enqueue(item.number, item.to_json(), kind=item.kind)
        self._on_queued()
        return key

    def now(self) -> datetime:
        return datetime.now(self._config.tz)

    def close(self) -> None:
        self._client.close()


def make_printing(config: KioskConfig) -> ReceiptPrinting | None:
    """The receipt (and copy) queues of `[printer]`; None for a kiosk without a printer."""
    if not config.printer_queue:
        return None
    server = config.printer_server or None
    copy = Printer(config.copy_queue, server) if config.copy_queue else None
    return ReceiptPrinting(Printer(config.printer_queue, server), copy, config.village,
                           paper=config.receipt_paper)


class Kiosk:
    def __init__(
        self,
        config: KioskConfig,
        runner: Runner,
        on_delivered: Callable[[str], None] | None = None,
    ):
        """`on_delivered(key)` is called on the sender's thread; the UI must marshal it."""
        self.config = config
        self.sealer = Sealer.from_key_file(config.key_file, create=config.create_key)
        self.outbox = Outbox(config.data_dir / "outbox.sqlite3", self.sealer)
        self._sender_client = BackofficeClient(
            config.backoffice_url, config.backoffice_token, config.request_timeout_s,
            ca_file=config.backoffice_ca_file)
        self.sender = Sender(
            self.outbox,
            self._sender_client,
            retry_base_s=config.retry_base_s,
            retry_cap_s=config.retry_cap_s,
            on_delivered=on_delivered,
        )
        self.offline = OfflineRegistry(
            config.data_dir, self.sealer, config.backoffice_url, config.backoffice_token,
            timeout_s=config.request_timeout_s, max_age_s=config.snapshot_max_age_s,
            ca_file=config.backoffice_ca_file,
        )
        self.services = KioskServices(config, self.outbox, self.offline,
                                      on_queued=self.sender.wake)
        self.heartbeat = Heartbeat(config.backoffice_url, config.backoffice_token,
                                   self.status, interval_s=config.heartbeat_interval_s,
                                   ca_file=config.backoffice_ca_file,
                                   on_reply=self._heartbeat_answered)
        self.numbers_checked = False  # the back office's numbers of the day applied
        self._stopping = threading.Event()
        self._syncer = threading.Thread(target=self._sync_loop, name="registry-sync",
                                        daemon=True)
        self.printing = make_printing(config)
        self.session = Session(
            kiosk_id=config.kiosk_id,
            village=config.village,
            village_key=config.village_key,
            catalogue=load_catalogue(),
            services=self.services,
            runner=runner,
            language=config.language,
            identity_mode=config.identity,
            printer=self.printing,
        )
        self.readers: set[str] = set()
        self.service_up = True
        self.hours = config.opening_hours
        self.clock: Callable[[], datetime] = self.services.now  # village time; tests set it

    def check_hours(self) -> float | None:
        """Open or close the session for the opening hours, by the clock now. Returns the
        seconds until the next opening or closing (ask again then, or sooner: the clock may
        be set meanwhile), or None for a kiosk that is always open."""
        if self.hours.always_open:
            self.session.open_for_hours()
            return None
        now = self.clock().astimezone(self.config.tz)  # the hours are the village's own
        closure = self.hours.closure(now)
        if closure is None:
            self.session.open_for_hours()
        else:
            self.session.close_for_hours(closure)
        return (self.hours.next_change(now) - now).total_seconds()

    @property
    def reader_ready(self) -> bool:
        return self.service_up and bool(self.readers)

    def start(self) -> None:
        self.sender.start()
        self._syncer.start()
        self.heartbeat.start()

    def stop(self) -> None:
        self._stopping.set()
        self.heartbeat.stop()
        self.sender.stop()
        self._sender_client.close()  # no idle connection left holding the back office's stop
        if self._syncer.ident is not None:  # started
            self._syncer.join(timeout=15)
        self.offline.close()
        self.services.close()
        if self.printing:
            self.printing.close()

    def _sync_loop(self) -> None:
        """Keep the registry snapshot fresh and report offline PIN attempts (mobile mode too:
        it syncs whenever a link happens to be there)."""
        while not self._stopping.is_set():
            try:
                self.offline.sync()
            except Exception:  # a sync must never take the kiosk down
                log.exception("registry sync failed")
            self._stopping.wait(self.config.sync_interval_s)

    def printer_status(self) -> PrinterStatus | None:
        """The receipt printer's state now (an IPP request: not on the GUI thread); None when
        the kiosk has no printer."""
        return self.printing.status() if self.printing else None

    def status(self) -> dict:
        """The heartbeat's body: nothing personal."""
        stats = self.outbox.stats()
        printer = self.printer_status()
        return heartbeat_status(
            outbox_pending=stats.pending,
            outbox_set_aside=stats.set_aside,
            oldest_age_s=stats.oldest_age_s,
            printer_state=printer.state if printer else "none",
            printer_reasons=printer.problems if printer else (),
            reader_state="ready" if self.reader_ready else "missing",
            mode=self.config.mode,
            open_now=self.session.closed is None,
            offline=self.offline.status(),
            # Asked until answered once (a query at the back office, so not every 30 s).
            number_day=None if self.numbers_checked else number_day(self.services.now()),
        )

    def _heartbeat_answered(self, answer: dict) -> None:
        """The back office's highest receipt numbers of the day from this kiosk: numbering
        goes on above them (a reinstalled kiosk, its data directory new, would otherwise hand
        out today's numbers again and see those applications refused as duplicates)."""
        day, last = answer.get("number_day"), answer.get("last_numbers")
        if isinstance(day, str) and isinstance(last, dict):
            self.outbox.raise_numbering(day, {
                series: last.get(kind) for kind, series in (("application", ""),
                                                            ("complaint", "P"))
                if isinstance(last.get(kind), int)})
            self.numbers_checked = True

    def handle_card_event(self, event: CardEvent) -> None:
        """Feed one card-reader event to the session (call on the UI thread)."""
        s = self.session
        match event:
            case CardPresented(reader=reader, atr=atr, uid=uid):
                s.card_presented(atr, uid, reader)
            case CardUnreadable(reason="removed"):
                s.card_removed()
            case CardUnreadable():
                s.card_unreadable()
            case CardRemoved():
                s.card_removed()
            case ReaderAttached(reader=name):
                self.readers.add(name)
                s.notify()
            case ReaderDetached(reader=name):
                self.readers.discard(name)
                s.card_removed()  # no reader, no card: nothing personal may stay
            case ServiceLost():
                self.service_up = False
                s.card_removed()
            case ServiceRestored():
                self.service_up = True
                s.notify()
