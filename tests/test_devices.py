"""devices/: e-KTP ATR families, UID normalisation, and card events on the REAL pcscd + vpcd."""

from __future__ import annotations

import queue
import random
import time
from collections.abc import Iterator

import pytest

from devices.demo_cards import demo_card
from devices.ektp import (
    ATR_FAMILIES,
    CardKind,
    UidError,
    bank_card_atr,
    classify_atr,
    contactless_atr,
    contactless_historical_bytes,
    ektp_type_a_atr,
    ektp_type_b_atr,
    is_ektp_atr,
    normalise_uid,
    parse_uid_response,
    read_uid_with,
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
    reader_names,
)
from devices.rig import DEFAULT_PORT, DEFAULT_READER_NAME, PcscdRig
from devices.virtual_card import VirtualCard
from tests.conftest import pcscd_rig

# -- ATR families (no pcscd needed) ----------------------------------------------------------

# Real ATRs from pcsc-tools' smartcard_list.txt (entry name in the comment), as hex.
PUBLIC_ATRS = [
    # e-KTP, type B, 12-byte reader layout ("Indonesian ektp", "Indonesia ektp")
    ("3B8C80015053815736 30AAAA017781D7 FE", CardKind.EKTP),
    ("3B8C8001505CF5A945 30AAAA017781D7 08", CardKind.EKTP),
    # e-KTP, type A ("Indonesian ektp" P308G0P3_10, "NXP smart eID - Indonesia ektp")
    ("3B8B8001 5033303847305033 5F3130 2B", CardKind.EKTP),
    ("3B8B8001 654B5450304432654B5450 4C", CardKind.EKTP),
    # "Electronic Citizen Identity Card (e-ID Card)" listed with https://www.e-ktp.com/
    ("3B8A8001 3037393134315F303031 6F", CardKind.EKTP),
    # Indonesian driving licences (SIM): look like e-KTP type B, must be refused
    ("3B8C8001502C8D214B 23180100778197 CD", CardKind.SIM_DRIVING_LICENCE),
    ("3B8C800150370B16BD 31010601778177 7C", CardKind.SIM_DRIVING_LICENCE),
    ("3B8C80015043E0F5F4 31010600778177 48", CardKind.SIM_DRIVING_LICENCE),
    ("3B8C80015046E570EC 23180100778197 39", CardKind.SIM_DRIVING_LICENCE),
    ("3B8C8001507AA44007 23180100778197 9F", CardKind.SIM_DRIVING_LICENCE),
    ("3B888001 3101090000000000 30", CardKind.SIM_DRIVING_LICENCE),  # e-SIM, 8-byte layout
    # bank / prepaid: BCA Flazz, Barclaycard/Lloyds (Gemalto), Visa type B, Apple-Pay-like
    ("3B8E8001 80318066B00703 00AC0183009000 52", CardKind.BANK_OR_PREPAID),
    ("3B8E8001 80318066B1840C016E0183009000 1C", CardKind.BANK_OR_PREPAID),
    ("3B8C800150 00CA464D 00000000 808171 EC", CardKind.BANK_OR_PREPAID),
    ("3B8C800150 01A5CE19 00000000 808171 5E", CardKind.BANK_OR_PREPAID),
    # e-KTP look-alikes: Italian CNS (30 AB AB 01 ...), in both type B layouts; Spanish DNIe
    ("3B888001 30ABAB017781B700 79", CardKind.UNKNOWN),
    ("3B8C8001503BF0330B 30ABAB017781B7 DE", CardKind.UNKNOWN),
    ("3B8C800150 91 5D7129 E1F35E117781A1 C3", CardKind.UNKNOWN),
    ("3B8B8001 50 6F6C61726973202106 0811 41", CardKind.UNKNOWN),  # "Polaris" JavaCard P...
    # contact cards: Indonesian "3" GSM SIM (T=0), Rutoken ECP (T=1, TCK), GSM SIM Bouygues
    ("3B1811E8430110090507 77", CardKind.CONTACT_CARD),
    ("3B8B01 5275746F6B656E20445320 C1", CardKind.CONTACT_CARD),
    ("3B16947101010502 00", CardKind.CONTACT_CARD),
]


def _hex(h: str) -> bytes:
    return bytes.fromhex(h.replace(" ", ""))


@pytest.mark.parametrize(("atr_hex", "kind"), PUBLIC_ATRS)
def test_public_atrs_classified(atr_hex: str, kind: CardKind) -> None:
    atr = _hex(atr_hex)
    assert classify_atr(atr) is kind
    assert is_ektp_atr(atr) is (kind is CardKind.EKTP)
    if contactless_historical_bytes(atr) is not None:  # a corrupted TCK is never an e-KTP
        assert classify_atr(atr[:-1] + bytes([atr[-1] ^ 0x01])) is not CardKind.EKTP


def _random_pupi(rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(4))


def test_generated_ektp_variants_recognised() -> None:
    rng = random.Random(1404)
    for _ in range(200):  # any PUPI, either type B layout, other bit-rate / frame / FWI bytes
        pupi = _random_pupi(rng)
        prot = bytes([rng.randrange(256), rng.randrange(256) | 0x01, rng.randrange(256)])
        assert is_ektp_atr(ektp_type_b_atr(pupi))
        assert is_ektp_atr(ektp_type_b_atr(pupi, prot))
        assert is_ektp_atr(ektp_type_b_atr(pupi, prot, pcsc_layout=True))
    for hist in (b"eKTP0D2eKTP", b"eKTP0D3eKTP", b"eKTP1A0eKTP", b"P308G0P3_10", b"P309G1P3_11",
                 b"P312G2P3_2A", b"079141_001", b"123456_789"):
        assert is_ektp_atr(ektp_type_a_atr(hist)), hist


def test_near_misses_refused() -> None:
    pupi = bytes.fromhex("5A3C91E2")
    good = ektp_type_b_atr(pupi)
    assert is_ektp_atr(good)
    assert not is_ektp_atr(good[:-1])  # truncated
    assert not is_ektp_atr(good + b"\x00")  # trailing byte
    # a non-ISO-DEP protocol type, another CRC_B(AID), another AFI
    assert not is_ektp_atr(ektp_type_b_atr(pupi, bytes.fromhex("778097")))
    assert not is_ektp_atr(contactless_atr(b"\x50" + pupi + _hex("30ABAB01 7781D7")))
    assert not is_ektp_atr(contactless_atr(b"\x50" + pupi + _hex("20AAAA01 7781D7")))
    for hist in (b"eKTP0D2eKT", b"xeKTP0D2eKTP", b"P308G0P3_1", b"P3O8G0P3_10", b"07914_0011"):
        assert not is_ektp_atr(contactless_atr(hist)), hist
    assert classify_atr(contactless_atr(_hex("804F0CA000000306030001000000 00"))) is (
        CardKind.BANK_OR_PREPAID  # MIFARE Classic 1K storage card (as per PC/SC part 3)
    )
    for junk in (b"", b"\x3b", b"\xff" * 40, b"\x3b\x80\x80\x01\x01"):
        assert classify_atr(junk) is CardKind.UNKNOWN


def test_family_table_documents_sources() -> None:
    assert {f.kind for f in ATR_FAMILIES} >= {
        CardKind.EKTP, CardKind.SIM_DRIVING_LICENCE, CardKind.BANK_OR_PREPAID
    }
    assert all(f.sources for f in ATR_FAMILIES)


def test_demo_atrs() -> None:
    atr = ektp_type_b_atr(bytes.fromhex("5A3C91E2"))
    assert atr == bytes.fromhex("3B8C8001505A3C91E230AAAA017781D758")
    assert contactless_historical_bytes(ektp_type_a_atr()) == b"eKTP0D2eKTP"
    assert classify_atr(bank_card_atr()) is CardKind.BANK_OR_PREPAID
    with pytest.raises(ValueError):
        ektp_type_b_atr(b"\x01\x02\x03")


# -- UID normalisation -----------------------------------------------------------------------

TYPE_B = ektp_type_b_atr(bytes.fromhex("5A3C91E2"))
TYPE_B_PCSC = ektp_type_b_atr(bytes.fromhex("5A3C91E2"), pcsc_layout=True)
TYPE_A = ektp_type_a_atr()
NXP7 = bytes.fromhex("04A2246AB93C80")


@pytest.mark.parametrize(
    ("raw", "atr", "lsb_first", "expected"),
    [
        ("04A2246AB93C80", TYPE_A, False, NXP7),  # canonical already
        ("07 04A2246AB93C80", TYPE_A, False, NXP7),  # length-prefixed
        ("803CB96A24A204", TYPE_A, True, NXP7),  # LSB-first reader (configured)
        ("5A3C91E2", TYPE_B, False, "5A3C91E2"),
        ("E2913C5A", TYPE_B, False, "5A3C91E2"),  # reversed: the PUPI in the ATR decides
        ("5A3C91E2 000000", TYPE_B, False, "5A3C91E2"),  # PUPI padded to 7
        ("5A3C91E2 00000000", TYPE_B_PCSC, False, "5A3C91E2"),  # padded to 8, 8-byte ATR
        ("04 5A3C91E2", TYPE_B, False, "5A3C91E2"),  # length-prefixed PUPI
        ("08123456", TYPE_B, False, "08123456"),  # 08 is not a random-ID marker in type B
        ("00112233445566778899", None, False, "00112233445566778899"),  # triple size
        ("C1D2E3F4", None, False, "C1D2E3F4"),
    ],
)
def test_normalise_uid(raw: str, atr: bytes | None, lsb_first: bool, expected) -> None:
    want = expected if isinstance(expected, bytes) else _hex(expected)
    assert normalise_uid(bytearray(_hex(raw)), atr, lsb_first=lsb_first) == want


@pytest.mark.parametrize(
    ("raw", "atr", "lsb_first", "reason"),
    [
        ("0812AB34", TYPE_A, False, "random_uid"),  # ISO 14443-3 random ID
        ("0812AB34", None, False, "random_uid"),
        ("34AB1208", TYPE_A, True, "random_uid"),  # random, from an LSB-first reader
        ("00000000", TYPE_A, False, "invalid"),
        ("FFFFFFFFFFFFFF", None, False, "invalid"),
        ("88040506", TYPE_A, False, "invalid"),  # cascade tag as UID0
        ("", None, False, "bad_length"),
        ("0102", None, False, "bad_length"),
        ("0102030405", None, False, "bad_length"),  # 5 bytes, no length prefix
        ("010203040506070809", None, False, "bad_length"),
    ],
)
def test_uid_refused(raw: str, atr: bytes | None, lsb_first: bool, reason: str) -> None:
    with pytest.raises(UidError) as err:
        normalise_uid(_hex(raw), atr, lsb_first=lsb_first)
    assert err.value.reason == reason
    assert raw == "" or raw[:8].lower() not in str(err.value).lower()  # no UID in messages


def test_same_card_two_reader_models_same_identity() -> None:
    a = normalise_uid(_hex("5A3C91E2"), TYPE_B)  # reader 1: plain
    b = normalise_uid(_hex("04E2913C5A"), TYPE_B)  # reader 2: length byte, LSB first
    c = normalise_uid(_hex("5A3C91E2000000"), TYPE_B_PCSC)  # reader 3: padded, 8-byte ATR
    assert a == b == c


def _transmit_script(*answers: str):
    sent: list[bytes] = []
    replies = [_hex(a) for a in answers]

    def transmit(apdu: bytes) -> bytes:
        sent.append(apdu)
        return replies.pop(0)

    return transmit, sent


def test_get_data_exchange() -> None:
    transmit, sent = _transmit_script("6C07", "04A2246AB93C80 9000")
    assert read_uid_with(transmit, TYPE_A) == NXP7
    assert sent == [_hex("FFCA000000"), _hex("FFCA000007")]
    transmit, sent = _transmit_script("6700", "6700", "5A3C91E2 9000")  # needs Le=04
    assert read_uid_with(transmit, TYPE_B) == _hex("5A3C91E2")
    assert [a[-1] for a in sent] == [0, 7, 4]
    transmit, _ = _transmit_script("04A2246AB93C80 6282")  # end of data before Le bytes
    assert read_uid_with(transmit, TYPE_A) == NXP7
    for bad, reason in [("6C07", "bad_response"), ("6A82", "no_uid"), ("90", "bad_response"),
                        ("9000", "bad_response"), ("0812AB34 9000", "random_uid"),
                        ("00" * 30 + "9000", "bad_response"), ("6C00", "bad_response")]:
        transmit, _ = _transmit_script("6C07", bad, "6C07", "6C07")
        with pytest.raises(UidError) as err:
            read_uid_with(transmit, TYPE_A)
        assert err.value.reason == reason, bad
    assert parse_uid_response(_hex("6C0A"), 0).le == 10


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
SECOND_READER = "Smart Kampung Desk Reader"


@pytest.fixture(scope="module")
def rig() -> Iterator[PcscdRig]:
    readers = [(DEFAULT_READER_NAME, DEFAULT_PORT), (SECOND_READER, DEFAULT_PORT + 2)]
    with pcscd_rig(readers=readers) as r:
        yield r


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


@pcsc
def test_rig_offers_two_slots_per_reader(rig: PcscdRig) -> None:
    assert rig.reader_names() == rig.expected_reader_names() == reader_names()
    assert rig.reader_names()[:2] == [rig.card_reader, rig.sam_reader]
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


# -- several readers, SAM slot, unplug/plug, pcscd restart -----------------------------------


def _need_second_reader(rig: PcscdRig) -> tuple[str, int]:
    if len(rig.readers) < 2:
        pytest.skip("the shared rig of this session has one reader")
    return rig.readers[1]


@pcsc
def test_several_readers_and_sam_slot_filter(rig: PcscdRig, insert) -> None:
    second, second_port = _need_second_reader(rig)
    desk_card, desk_sam = rig.slot_names(second)
    rec = Recorder()
    with CardReaderMonitor("smart kampung", rec, sam_filter="00 01") as mon:
        attached = {rec.wait_for(ReaderAttached)[1].reader for _ in range(2)}
        assert attached == {rig.card_reader, desk_card}  # SAM slots are not card readers
        assert sorted(mon.sam_readers) == sorted([rig.sam_reader, desk_sam])
        sukarmi, maruf = demo_card("sukarmi"), demo_card("maruf")
        insert(VirtualCard.for_demo(maruf, port=second_port))
        _, event = rec.wait_for(CardPresented)
        assert (event.reader, event.uid) == (desk_card, maruf.uid)
        insert(VirtualCard.for_demo(sukarmi, port=rig.port))  # both readers hold a card
        _, event = rec.wait_for(CardPresented)
        assert (event.reader, event.uid) == (rig.card_reader, sukarmi.uid)
        # a card in a SAM slot is never reported
        sam = VirtualCard(ektp_type_a_atr(), NXP7, port=rig.port + 1)
        sam.insert()
        try:
            rig.wait_for_card(True, reader=rig.sam_reader)
            assert rec.quiet(0.6) == []
        finally:
            sam.remove()
    assert all(getattr(e, "reader", "") not in (rig.sam_reader, desk_sam) for e in rec.seen)


@pcsc
def test_monitor_watches_only_the_configured_reader(rig: PcscdRig, insert) -> None:
    second, second_port = _need_second_reader(rig)
    rec = Recorder()
    with CardReaderMonitor(second.upper(), rec, sam_filter="00 01"):
        _, event = rec.wait_for(ReaderAttached)
        assert event == ReaderAttached(rig.slot_names(second)[0])
        insert(VirtualCard.for_demo(demo_card("siti"), port=rig.port))  # the other reader
        rig.wait_for_card(True)
        assert rec.quiet(0.6) == []


@pcsc
def test_reader_unplugged_and_plugged_back(rig: PcscdRig, insert) -> None:
    second, second_port = _need_second_reader(rig)
    desk_card = rig.slot_names(second)[0]
    rec = Recorder()
    with CardReaderMonitor("smart kampung", rec, sam_filter="00 01") as mon:
        rec.wait_for(ReaderAttached)
        rec.wait_for(ReaderAttached)
        insert(VirtualCard.for_demo(demo_card("siti"), port=second_port))
        rec.wait_for(CardPresented)
        try:
            rig.unplug(second)
            # the card on it is reported gone, then the reader; the other reader comes back
            rec.wait_for(CardRemoved)
            _, event = rec.wait_for(ReaderDetached)
            _, event = rec.wait_for(ReaderAttached, timeout=5)
            assert event.reader == rig.card_reader
            assert rec.quiet(0.5) == [] and mon.readers == [rig.card_reader]
            assert desk_card not in rig.reader_names()
        finally:
            rig.plug(second)
        _, event = rec.wait_for(ReaderAttached, timeout=5)
        deadline = time.monotonic() + 3
        while sorted(mon.readers) != sorted([rig.card_reader, desk_card]):
            assert time.monotonic() < deadline, mon.readers
            time.sleep(0.05)
        insert(VirtualCard.for_demo(demo_card("maruf"), port=second_port))
        _, event = rec.wait_for(CardPresented)
        assert (event.reader, event.uid) == (desk_card, demo_card("maruf").uid)


@pcsc
def test_recovery_after_pcscd_restart_under_2s(rig: PcscdRig) -> None:
    rec = Recorder()
    times = []
    with CardReaderMonitor(rig.reader_name, rec, sam_filter="00 01") as mon:
        rec.wait_for(ReaderAttached)
        for _ in range(3):
            rig.stop(release=False)
            rec.wait_for(ServiceLost)  # the kiosk can show "reader not connected" now
            assert ReaderDetached(rig.card_reader) in rec.seen
            time.sleep(0.3)  # pcscd stays away a moment
            rig.start()  # returns once pcscd is ready and offers the reader
            back = time.perf_counter()
            stamp, _ = rec.wait_for(ReaderAttached, timeout=2.0)
            times.append(stamp - back)
            assert mon.running
    print("pcscd ready -> ReaderAttached: " + ", ".join(f"{t * 1000:.0f} ms" for t in times))
    assert max(times) < 2.0
