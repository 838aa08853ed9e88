"""The staff side of the kiosk: who may open the maintenance screen, and what it shows.

Staff open it with a hidden gesture on the attract screen and a staff PIN (`[maintenance]
staff_pin_hash` in kiosk.toml, an argon2id hash made with `python -m terminal.maintenance
hash-pin`; no hash = no maintenance screen). Three wrong staff PINs close the door for five
minutes. The screen shows only counts and states, nothing of any resident.
"""

from __future__ import annotations

import getpass
import re
import sys
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from devices.pcsc import reader_names

STAFF_PIN_RE = re.compile(r"\d{6,8}")
MAX_WRONG = 3
LOCKOUT_S = 300.0


class StaffAccess:
    """Checks staff PINs against the configured hash, with a lockout after wrong ones."""

    def __init__(self, pin_hash: str, clock=time.monotonic):
        self.pin_hash = pin_hash
        self.clock = clock
        self.wrong = 0
        self.locked_until = 0.0

    @property
    def enabled(self) -> bool:
        return bool(self.pin_hash)

    def locked(self) -> bool:
        return self.clock() < self.locked_until

    def check(self, pin: str) -> str:
        """"ok", "wrong", "locked" or "disabled"."""
        if not self.enabled:
            return "disabled"
        if self.locked():
            return "locked"
        try:
            good = bool(STAFF_PIN_RE.fullmatch(pin)) and PasswordHasher().verify(
                self.pin_hash, pin)
        except (VerificationError, InvalidHashError):
            good = False
        if good:
            self.wrong = 0
            return "ok"
        self.wrong += 1
        if self.wrong >= MAX_WRONG:
            self.wrong = 0
            self.locked_until = self.clock() + LOCKOUT_S
            return "locked"
        return "wrong"


SET_ASIDE_SHOWN = 5  # numbers listed on the staff screen (the count says how many in all)


@dataclass(frozen=True)
class KioskStatus:
    """What staff see on the maintenance screen (counts and states only)."""

    kiosk_id: str
    readers: tuple[str, ...]
    reader_ready: bool
    backoffice_up: bool
    outbox_pending: int
    outbox_set_aside: int
    oldest_pending_s: float | None
    printer: str  # "none" (no printer), or PrinterStatus.state: ready, printing, stopped, …
    printer_problems: tuple[str, ...] = ()  # devices.printer problem codes
    receipts_unprinted: int = 0  # receipt slips waiting for the staff to print them
    # The first set-aside items: (number, the back office's answer, e.g. "422 resident_unknown")
    set_aside_items: tuple[tuple[str, str], ...] = ()


def list_readers() -> list[str]:
    """The card readers PC/SC offers now ([] when none, or when pcscd is not running)."""
    return reader_names()


def kiosk_status(kiosk) -> KioskStatus:
    stats = kiosk.outbox.stats()
    printer = kiosk.printer_status()
    return KioskStatus(
        kiosk_id=kiosk.config.kiosk_id,
        readers=tuple(list_readers()),
        reader_ready=kiosk.reader_ready,
        backoffice_up=kiosk.service_up,
        outbox_pending=stats.pending,
        outbox_set_aside=stats.set_aside,
        oldest_pending_s=stats.oldest_age_s,
        printer=printer.state if printer else "none",
        printer_problems=printer.problems if printer else (),
        receipts_unprinted=len(kiosk.printing.unprinted) if kiosk.printing else 0,
        set_aside_items=tuple((i.application_number, i.reason)
                              for i in kiosk.outbox.set_aside_items()[:SET_ASIDE_SHOWN]),
    )


def requeue_set_aside(kiosk) -> int:
    """Staff: send every set-aside item again, once they fixed the cause at the office (the
    resident added to the registry, the back office upgraded). Returns how many."""
    count = sum(kiosk.outbox.requeue(i.idempotency_key) for i in kiosk.outbox.set_aside_items())
    if count:
        kiosk.sender.wake()
    return count


def hash_pin(pin: str) -> str:
    if not STAFF_PIN_RE.fullmatch(pin):
        raise ValueError("a staff PIN is 6 to 8 digits")
    return PasswordHasher().hash(pin)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["hash-pin"]:
        print("usage: python -m terminal.maintenance hash-pin   (reads the PIN, prints the "
              "line for [maintenance] in kiosk.toml)", file=sys.stderr)
        return 2
    pin = getpass.getpass("Staff PIN (6-8 digits): ") if sys.stdin.isatty() else \
        sys.stdin.readline().strip()
    try:
        print(f'staff_pin_hash = "{hash_pin(pin)}"')
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
