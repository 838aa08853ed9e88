"""Card faults: every one ends in a clean event (CardUnreadable with a reason, or CardRemoved),
never an exception or a stuck monitor. On the REAL pcscd + vpcd, except the unit-level state
machine check and the property test of the parsers (pure functions)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smartcard import scard

from devices.demo_cards import demo_card
from devices.ektp import (
    UID_ERROR_REASONS,
    UidError,
    classify_atr,
    ektp_type_a_atr,
    ektp_type_b_atr,
    normalise_uid,
    parse_uid_response,
    read_uid_with,
)
from devices.pcsc import (
    CardPresented,
    CardReaderMonitor,
    CardRemoved,
    CardUnreadable,
    ReaderAttached,
)
from devices.rig import PcscdRig
from devices.virtual_card import PullCard, VirtualCard
from tests.conftest import pcscd_rig
from tests.test_devices import Recorder

pcsc = pytest.mark.pcsc
NXP7 = bytes.fromhex("04A2246AB93C80")


@pytest.fixture(scope="module")
def rig() -> Iterator[PcscdRig]:
    with pcscd_rig() as r:
        yield r


@pytest.fixture
def watch(rig: PcscdRig) -> Iterator[tuple[CardReaderMonitor, Recorder]]:
    rec = Recorder()
    mon = CardReaderMonitor(rig.card_reader, rec, presence_check_s=0.5)
    mon.start()
    rec.wait_for(ReaderAttached)
    try:
        yield mon, rec
    finally:
        mon.stop()
        assert not mon.running


def _assert_recovers(rig: PcscdRig, mon: CardReaderMonitor, rec: Recorder, insert) -> None:
    """The monitor is alive and presents the next good card correctly."""
    rig.wait_for_card(False)
    rec.quiet(0.1)
    assert mon.running
    bagus = demo_card("bagus")
    insert(VirtualCard.for_demo(bagus, port=rig.port))
    _, event = rec.wait_for(CardPresented)
    assert event.uid == bagus.uid


# -- card pulled at every APDU position ------------------------------------------------------


@pcsc
@pytest.mark.parametrize("pull_at", [1, 2, 3])
def test_card_pulled_at_apdu_n(rig: PcscdRig, watch, insert, pull_at: int) -> None:
    """The card wants Le=07 (6C 07): APDU 1 is FF CA 00 00 00, APDU 2 the repeat with Le=07,
    APDU 3 the monitor's presence check. Pulled before answering APDU n."""
    mon, rec = watch
    count = 0

    def respond(apdu: bytes) -> bytes | None:
        nonlocal count
        count += 1
        if count == pull_at:
            raise PullCard
        if apdu == bytes.fromhex("FFCA000000"):
            return b"\x6c\x07"
        return None

    insert(VirtualCard(ektp_type_a_atr(), NXP7, port=rig.port, respond=respond))
    _, event = rec.wait_for(CardRemoved, timeout=4)
    kinds = [type(e) for e in rec.seen if not isinstance(e, ReaderAttached)]
    if pull_at < 3:  # during the UID read: a clean CardUnreadable first, never a presentation
        assert CardPresented not in kinds
        assert any(isinstance(e, CardUnreadable) for e in rec.seen), rec.seen
    else:
        assert kinds[:2] == [CardPresented, CardRemoved]
    _assert_recovers(rig, mon, rec, insert)


# -- short, garbage, oversized responses; unexpected status words ----------------------------

BAD_ANSWERS = [
    ("short", b"\x90", "bad_response"),
    ("garbage", b"\x13\x37\x42", "no_uid"),  # 3 bytes: "UID" 13, SW 37 42 - not 9000
    ("oversized", bytes(300) + b"\x90\x00", "bad_response"),
    ("sw_only", b"\x90\x00", "bad_response"),
    ("five_bytes", b"\x01\x02\x03\x04\x05\x90\x00", "bad_response"),
    ("all_zero", bytes(7) + b"\x90\x00", "bad_response"),
    ("file_not_found", b"\x6a\x82", "no_uid"),
    ("security", b"\x69\x82", "no_uid"),
    ("no_precise_diagnosis", b"\x6f\x00", "no_uid"),
    ("random_uid", b"\x08\x11\x22\x33\x90\x00", "random_uid"),
    ("endless_6c", b"\x6c\x07", "bad_response"),  # 6C 07 even with Le=07
]


@pcsc
@pytest.mark.parametrize(("name", "answer", "reason"), BAD_ANSWERS, ids=[a[0] for a in BAD_ANSWERS])
def test_bad_answers_give_clean_unreadable(
    rig: PcscdRig, watch, insert, name: str, answer: bytes, reason: str
) -> None:
    mon, rec = watch
    card = insert(VirtualCard(ektp_type_a_atr(), NXP7, port=rig.port, respond=lambda a: answer))
    _, event = rec.wait_for(CardUnreadable)
    assert event == CardUnreadable(rig.card_reader, ektp_type_a_atr(), reason)
    card.remove()
    rec.wait_for(CardRemoved)
    assert not any(isinstance(e, CardPresented) for e in rec.seen)
    assert mon.running


# -- two cards in the field, card that never answers ------------------------------------------


@pcsc
def test_collision_like_silence_then_drop(rig: PcscdRig, watch, insert) -> None:
    """Two cards in the field: a PC/SC reader reports a mute card or a transmission error.
    Simulated as a card that stays silent for 0.8 s then leaves (the reader's timeout)."""
    mon, rec = watch

    def respond(apdu: bytes) -> bytes | None:
        time.sleep(0.8)
        raise PullCard

    insert(VirtualCard(ektp_type_b_atr(bytes.fromhex("5A3C91E2")), bytes(4), port=rig.port,
                       respond=respond))
    _, event = rec.wait_for(CardUnreadable, timeout=4)
    assert event.reason in ("error", "bad_response", "removed")
    rec.wait_for(CardRemoved, timeout=4)
    _assert_recovers(rig, mon, rec, insert)


# -- a card held for a long time --------------------------------------------------------------


@pcsc
def test_card_held_does_not_retrigger(rig: PcscdRig, watch, insert) -> None:
    mon, rec = watch  # presence check every 0.5 s: ~10 re-reads in 5 s, no event
    siti = demo_card("siti")
    card = insert(VirtualCard.for_demo(siti, port=rig.port))
    rec.wait_for(CardPresented)
    assert rec.quiet(5.0) == []
    card.remove()
    rec.wait_for(CardRemoved)


class _FakeApi:
    """Only the constants the state machine reads (a unit test: no pcscd involved)."""

    SCARD_STATE_UNAWARE = scard.SCARD_STATE_UNAWARE
    SCARD_STATE_CHANGED = scard.SCARD_STATE_CHANGED
    SCARD_STATE_UNKNOWN = scard.SCARD_STATE_UNKNOWN
    SCARD_STATE_UNAVAILABLE = scard.SCARD_STATE_UNAVAILABLE
    SCARD_STATE_PRESENT = scard.SCARD_STATE_PRESENT
    SCARD_STATE_EMPTY = scard.SCARD_STATE_EMPTY
    SCARD_STATE_INUSE = scard.SCARD_STATE_INUSE
    SCARD_STATE_MUTE = scard.SCARD_STATE_MUTE


def test_state_machine_held_card_and_quick_swap() -> None:
    events: list = []
    mon = CardReaderMonitor("r", events.append, api=_FakeApi())
    reads = iter([(b"\x3b", b"\x01" * 4), (b"\x3b", b"\x02" * 4)])
    mon._read = lambda ctx, name, atr, detected: CardPresented(name, atr, next(reads)[1], detected)  # type: ignore
    from devices.pcsc import _ReaderState

    rs = _ReaderState()
    present = scard.SCARD_STATE_PRESENT | scard.SCARD_STATE_CHANGED
    for extra in (0, scard.SCARD_STATE_INUSE, 0, scard.SCARD_STATE_INUSE) * 50:
        mon._reader_changed(0, "r", rs, present | extra | (1 << 16), b"\x3b")
    assert [type(e) for e in events] == [CardPresented]  # held: one presentation only
    # pcscd's event counter moved (removed and another card inserted between two polls)
    mon._reader_changed(0, "r", rs, present | (2 << 16), b"\x3b")
    assert [type(e) for e in events] == [CardPresented, CardRemoved, CardPresented]
    assert events[-1].uid == b"\x02" * 4
    mon._reader_changed(0, "r", rs, scard.SCARD_STATE_EMPTY | (3 << 16), b"")
    assert isinstance(events[-1], CardRemoved)


# -- tap, remove, tap again faster than pcscd polls --------------------------------------------


@pcsc
def test_fast_swap_ends_with_the_new_card(rig: PcscdRig, watch, insert) -> None:
    mon, rec = watch
    siti, sukarmi = demo_card("siti"), demo_card("sukarmi")
    first = insert(VirtualCard.for_demo(siti, port=rig.port))
    rec.wait_for(CardPresented)
    first.remove()
    second = VirtualCard.for_demo(sukarmi, port=rig.port)
    second.insert()  # no wait: pcscd does not see the card change
    try:
        _, event = rec.wait_for(CardPresented, timeout=3)
        assert event.uid == sukarmi.uid
        after_first = rec.seen[rec.seen.index(event) - 1]
        assert isinstance(after_first, CardRemoved)  # the old session is ended first
    finally:
        second.remove()
    rec.wait_for(CardRemoved)
    assert mon.running


# -- property test of the parsers (pure functions) ---------------------------------------------


@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    answers=st.lists(st.binary(max_size=24), min_size=1, max_size=5),
    atr=st.one_of(st.none(), st.binary(max_size=24), st.sampled_from([
        ektp_type_b_atr(bytes.fromhex("5A3C91E2")),
        ektp_type_b_atr(bytes.fromhex("5A3C91E2"), pcsc_layout=True),
        ektp_type_a_atr(),
    ])),
    lsb_first=st.booleans(),
    le=st.integers(0, 255),
)
def test_uid_parsing_never_raises_unexpectedly(answers, atr, lsb_first, le) -> None:
    classify_atr(atr if atr is not None else b"")
    for raw in answers:
        try:
            result = parse_uid_response(raw, le)
            assert isinstance(result, bytes) or 0 < result.le <= 16
        except UidError as exc:
            assert exc.reason in UID_ERROR_REASONS
        try:
            uid = normalise_uid(raw, atr, lsb_first=lsb_first)
            assert len(uid) in (4, 7, 10)
        except UidError as exc:
            assert exc.reason in UID_ERROR_REASONS
    replies = list(answers)

    def transmit(apdu: bytes) -> bytes:
        if not replies:
            raise TimeoutError  # stands for a card gone mid-exchange
        return replies.pop(0)

    try:
        uid = read_uid_with(transmit, atr, lsb_first=lsb_first)
        assert len(uid) in (4, 7, 10)
    except UidError as exc:
        assert exc.reason in UID_ERROR_REASONS
    except TimeoutError:
        pass
