"""The demo village's cards: what the demo panel can tap and what the back office seeds.

Test fixtures and `make demo` use these; nothing in production reads them. The UIDs are
made up; the ATRs follow the e-KTP families (see devices/ektp.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoCard:
    key: str  # stable handle used by tests and the demo panel
    label: str  # what the demo panel's button says
    kind: str  # "ektp-b", "ektp-a" or "bank" (not an e-KTP)
    uid: bytes
    nik: str | None  # the registered resident it is bound to, if any
    pin: str | None  # that resident's demo PIN


DEMO_CARDS: tuple[DemoCard, ...] = (
    DemoCard("siti", "Siti Aminah (PIN 241258)", "ektp-b",
             bytes.fromhex("5A3C91E2"), "3510155208580003", "241258"),
    DemoCard("sukarmi", "Sukarmi (PIN 430349)", "ektp-a",
             bytes.fromhex("04A2246AB93C80"), "3510154303490001", "430349"),
    DemoCard("maruf", "Ahmad Ma'ruf (PIN 170185)", "ektp-b",
             bytes.fromhex("8D10C4F7"), "3510151701850002", "170185"),
    DemoCard("bagus", "Bagus Setiawan (PIN 210601)", "ektp-a",
             bytes.fromhex("0456C1D2E3F401"), "3510152106010004", "210601"),
    DemoCard("unregistered", "e-KTP belum terdaftar / unregistered e-KTP", "ektp-b",
             bytes.fromhex("77E01B3A"), None, None),
    DemoCard("bank", "Kartu bank (bukan e-KTP) / bank card", "bank",
             bytes.fromhex("08B7C45E"), None, None),
)


def demo_card(key: str) -> DemoCard:
    for card in DEMO_CARDS:
        if card.key == key:
            return card
    raise KeyError(key)
