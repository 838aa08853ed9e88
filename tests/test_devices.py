"""devices/: e-KTP ATR recognition, and card events on the REAL pcscd + vpcd (started here)."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

import pytest

from devices.demo_cards import demo_card
from devices.ektp import (
    bank_card_atr,
    contactless_historical_bytes,
    ektp_type_a_atr,
    ektp_type_b_atr,
    is_ektp_atr,
    normalise_uid,
)
from devices.pcsc import (
    CardEvent,
    CardPresented,
    CardReaderMonitor,
    CardReadError,
    CardRemoved,
    CardUnreadable,
    ReaderAttached,
    ReaderDetached,
    ServiceLost,
    ServiceRestored,
    read_uid,
)
from devices.rig import PcscdRig
from devices.virtual_card import VirtualCard

# -- ATR recognition (no pcscd needed) -------------------------------------------------------


def _with_tck(atr_hex: str) -> bytes:
    body = bytes.fromhex(atr_hex)
    tck = 0
    for b in body[1:]:
        tck ^= b
    return body + bytes([tck])


def test_type_b_atr_layout_and_tck() -> None:
    atr = ektp_type_b_atr(bytes.fromhex("5A3C91E2"))
    assert atr == bytes.fromhex("3B8C8001505A3C91E230AAAA017781D758")
    tck = 0
    for b in atr[1:]:
        tck ^= b
    assert tck == 0  # XOR of T0..TCK is zero


def test_type_b_recognised_by_family_not_whitelist() -> None:
    for pupi in ("00000000", "5A3C91E2", "DEADBEEF", "77E01B3A"):
        assert is_ektp_atr(ektp_type_b_atr(bytes.fromhex(pupi)))
    # a PUPI never seen before, built by hand
    assert is_ektp_atr(_with_tck("3B8C80015012345678" + "30AAAA017781D7"))


def test_type_b_wrong_tail_or_tck_refused() -> None:
    good = ektp_type_b_atr(bytes.fromhex("5A3C91E2"))
    assert not is_ektp_atr(good[:-1] + bytes([good[-1] ^ 0x01]))  # bad TCK
    assert not is_ektp_atr(good[:-1])  # truncated
    assert not is_ektp_atr(_with_tck("3B8C8001505A3C91E2" + "00000000000000"))  # other type B
    assert not is_ektp_atr(_with_tck("3B8D8001505A3C91E2" + "30AAAA017781D700"))  # 13 bytes
    with pytest.raises(ValueError):
        ektp_type_b_atr(b"\x01\x02\x03")


def test_type_a_atr() -> None:
    atr = ektp_type_a_atr()
    assert atr[:4] == bytes.fromhex("3B8B8001")
    assert contactless_historical_bytes(atr) == b"eKTP0D2eKTP"
    assert is_ektp_atr(atr)
    assert is_ektp_atr(_with_tck("3B8B8001" + b"P308G0P3_10".hex()))
    assert is_ektp_atr(_with_tck("3B8F8001" + b"P312G1P3_1eKTP".hex() + "00"))
    assert not is_ektp_atr(atr[:-1] + bytes([atr[-1] ^ 0xFF]))  # bad TCK


def test_bank_and_other_cards_refused() -> None:
    bank = bank_card_atr()
    assert bank[:4] == bytes.fromhex("3B8E8001")
    assert contactless_historical_bytes(bank) is not None  # well-formed, TCK right
    assert not is_ektp_atr(bank)
    assert not is_ektp_atr(_with_tck("3B8F8001804F0CA000000306030001000000006A"))  # MIFARE
    assert not is_ektp_atr(bytes.fromhex("3B9F958131FE9F006646530534"))  # contact card
    assert not is_ektp_atr(b"")


def test_normalise_uid() -> None:
    for n in (4, 7, 10):
        assert normalise_uid(bytearray(range(n))) == bytes(range(n))
    for n in (0, 3, 5, 8, 11):
        with pytest.raises(ValueError):
            normalise_uid(bytes(n))


def test_virtual_card_answers_without_pcscd() -> None:
    card = VirtualCard.for_demo(demo_card("sukarmi"))
    uid = demo_card("sukarmi").uid
    assert card.answer(bytes.fromhex("FFCA000000")) == uid + b"\x90\x00"
    assert card.answer(bytes.fromhex("FFCA000007")) == uid + b"\x90\x00"
    assert card.answer(bytes.fromhex("FFCA000004")) == b"\x6c\x07"
    assert card.answer(bytes.fromhex("00A4040000")) == b"\x6d\x00"
    assert card.atr == ektp_type_a_atr()
    assert VirtualCard.for_demo(demo_card("bank")).atr == bank_card_atr()
    assert not card.inserted
    card.remove()  # idempotent when never inserted


# -- the real pcscd ------------------------------------------------------------------------

pcsc = pytest.mark.pcsc


@pytest.fixture(scope="module")
def rig() -> Iterator[PcscdRig]:
    shared = PcscdRig.active()  # e.g. a session rig of the e2e suite: reuse, do not stop it
    if shared is not None:
        yield shared
        return
    with PcscdRig(wait=120) as r:  # queue behind another session's rig instead of failing
        yield r
    assert not PcscdRig.foreign_pcscd_running()


class Recorder:
    def __init__(self) -> None:
        self.events: queue.Queue[tuple[float, CardEvent]] = queue.Queue()
        self.seen: list[CardEvent] = []

    def __call__(self, event: CardEvent) -> None:
        self.events.put((time.perf_counter(), event))

    def next(self, timeout: float = 3.0) -> tuple[float, CardEvent]:
        stamp, event = self.events.get(timeout=timeout)
        self.seen.append(event)
        return stamp, event

    def wait_for(self, kind: type, timeout: float = 3.0) -> tuple[float, CardEvent]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind.__name__} within {timeout} s; saw {self.seen}")
            try:
                stamp, event = self.next(remaining)
            except queue.Empty:
                continue
            if isinstance(event, kind):
                return stamp, event

    def quiet(self, seconds: float) -> list[CardEvent]:
        time.sleep(seconds)
        out = []
        while not self.events.empty():
            out.append(self.events.get_nowait()[1])
        return out


@pytest.fixture
def monitor(rig: PcscdRig) -> Iterator[tuple[CardReaderMonitor, Recorder]]:
    rec = Recorder()
    mon = CardReaderMonitor(rig.reader_name.lower(), rec)
    mon.start()
    try:
        yield mon, rec
    finally:
        mon.stop()
        if not rig.running:
            rig.start()
        assert not mon.running


@pytest.fixture
def insert(rig: PcscdRig) -> Iterator:
    """insert(card) puts a virtual card on the card slot; all are removed after the test."""
    cards: list[VirtualCard] = []

    def _insert(card: VirtualCard) -> VirtualCard:
        rig.wait_for_card(False)  # never re-insert before pcscd saw the last removal
        card.insert()
        cards.append(card)
        return card

    yield _insert
    for card in cards:
        card.remove()
    if rig.running:
        rig.wait_for_card(False)


@pcsc
def test_rig_offers_two_slots(rig: PcscdRig) -> None:
    assert rig.reader_names() == [rig.card_reader, rig.sam_reader]
    assert not rig.card_present()


@pcsc
def test_second_rig_refuses_while_pcscd_runs(rig: PcscdRig) -> None:
    with pytest.raises(RuntimeError, match="only one pcscd can run per machine"):
        PcscdRig(port=36100).start()


@pcsc
def test_insert_present_hold_remove(rig: PcscdRig, monitor, insert) -> None:
    _, rec = monitor
    attached = {rec.wait_for(ReaderAttached)[1].reader, rec.wait_for(ReaderAttached)[1].reader}
    assert attached == {rig.card_reader, rig.sam_reader}

    siti = demo_card("siti")
    t0 = time.perf_counter()
    card = insert(VirtualCard.for_demo(siti, port=rig.port))
    stamp, event = rec.wait_for(CardPresented)
    latency = stamp - t0
    assert event == CardPresented(rig.card_reader, ektp_type_b_atr(siti.uid), siti.uid)
    assert is_ektp_atr(event.atr)
    assert latency < 1.0, latency
    print(f"insert->CardPresented {latency * 1000:.0f} ms")

    # a card left on the reader does not re-trigger
    assert rec.quiet(1.5) == []

    t1 = time.perf_counter()
    card.remove()
    stamp, event = rec.wait_for(CardRemoved)
    assert event == CardRemoved(rig.card_reader)
    print(f"remove->CardRemoved {(stamp - t1) * 1000:.0f} ms")


@pcsc
def test_bank_card_presented_with_its_atr(rig: PcscdRig, monitor, insert) -> None:
    _, rec = monitor
    bank = demo_card("bank")
    insert(VirtualCard.for_demo(bank, port=rig.port))
    _, event = rec.wait_for(CardPresented)
    assert event.atr == bank_card_atr() and event.uid == bank.uid
    assert not is_ektp_atr(event.atr)  # refusing it is the caller's job


@pcsc
def test_type_a_then_swap_to_type_b(rig: PcscdRig, monitor, insert) -> None:
    _, rec = monitor
    sukarmi, maruf = demo_card("sukarmi"), demo_card("maruf")
    first = insert(VirtualCard.for_demo(sukarmi, port=rig.port))
    _, event = rec.wait_for(CardPresented)
    assert event.uid == sukarmi.uid and event.atr == ektp_type_a_atr()
    first.remove()
    rec.wait_for(CardRemoved)
    insert(VirtualCard.for_demo(maruf, port=rig.port))
    _, event = rec.wait_for(CardPresented)
    assert event.uid == maruf.uid and is_ektp_atr(event.atr)


@pcsc
def test_card_without_uid_is_unreadable(rig: PcscdRig, monitor, insert) -> None:
    _, rec = monitor
    mute = VirtualCard(ektp_type_a_atr(), bytes(7), port=rig.port, respond=lambda apdu: b"\x6a\x81")
    insert(mute)
    _, event = rec.wait_for(CardUnreadable)
    assert event == CardUnreadable(rig.card_reader, ektp_type_a_atr(), "no_uid")


@pcsc
def test_read_uid_one_shot(rig: PcscdRig, insert) -> None:
    with pytest.raises(CardReadError) as err:
        read_uid(rig.card_reader)
    assert err.value.reason == "no_card"
    bagus = demo_card("bagus")
    insert(VirtualCard.for_demo(bagus, port=rig.port))
    rig.wait_for_card(True)
    assert read_uid(rig.card_reader) == (ektp_type_a_atr(), bagus.uid)


@pcsc
def test_monitor_survives_pcscd_restart(rig: PcscdRig, monitor, insert) -> None:
    mon, rec = monitor
    siti = demo_card("siti")
    card = insert(VirtualCard.for_demo(siti, port=rig.port))
    rec.wait_for(CardPresented)
    rig.restart()  # pcscd goes away (taking the virtual card with it) and comes back
    rec.wait_for(ServiceRestored, timeout=5)
    kinds = [type(e) for e in rec.seen]
    lost = kinds.index(ServiceLost)
    # what was known is reported gone before ServiceLost, in a consistent order
    assert kinds[lost - 3 : lost] == [CardRemoved, ReaderDetached, ReaderDetached]
    assert kinds[lost + 1 :] == [ServiceRestored]
    rec.wait_for(ReaderAttached, timeout=5)
    assert mon.running and not card.inserted

    insert(card)
    _, event = rec.wait_for(CardPresented)
    assert event == CardPresented(rig.card_reader, ektp_type_b_atr(siti.uid), siti.uid)


@pcsc
def test_monitor_waits_for_service_and_filters_readers(rig: PcscdRig, insert) -> None:
    rig.stop(release=False)  # keep the machine-wide rig lock: we start it again below
    rec = Recorder()
    mon = CardReaderMonitor(rig.card_reader.upper(), rec)  # only slot 00 00, any case
    mon.start()
    try:
        rec.wait_for(ServiceLost)
        rig.start()
        rec.wait_for(ServiceRestored)
        _, event = rec.wait_for(ReaderAttached)
        assert event == ReaderAttached(rig.card_reader)
        sukarmi = demo_card("sukarmi")
        insert(VirtualCard.for_demo(sukarmi, port=rig.port))
        _, event = rec.wait_for(CardPresented)
        assert event.uid == sukarmi.uid
        assert not any(getattr(e, "reader", rig.card_reader) != rig.card_reader for e in rec.seen)
    finally:
        mon.stop()
        if not rig.running:
            rig.start()
