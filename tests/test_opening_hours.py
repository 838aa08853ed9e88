"""Opening hours and the sleep screen (issue #9).

The rules (terminal/hours.py) and the session while closed on their own, with the in-memory
services of test_session.py; the kiosk's clock check on a real `Kiosk` (its outbox, sealed on
disk; a back office nobody answers); the window on the real stack (pcscd + vpcd with the demo
cards, the back office on loopback, offscreen) with its clock set, never waited for.
"""

from __future__ import annotations

import dataclasses
import random
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from devices.ektp import bank_card_atr, ektp_type_b_atr
from devices.pcsc import CardPresented, CardRemoved
from terminal.config import ConfigError, KioskConfig
from terminal.devstack import DEMO
from terminal.hours import ALWAYS_OPEN, Closure, OpeningHours
from terminal.kiosk import Kiosk
from terminal.messages import Notice
from terminal.session import InlineRunner, Screen
from tests.test_session import UID, Services, make_session, to_review

WIB = ZoneInfo("Asia/Jakarta")
OFFICE = "mon-fri 07:00-16:00; sat 08:00-12:00"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Village time in the week of Monday 23 November 2026 (day 0) … Sunday 29 (day 6), on."""
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=WIB) + timedelta(days=day)


# --- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("text, week", [
    ("07:00-21:00", [((420, 1260),)] * 7),
    (OFFICE, [((420, 960),)] * 5 + [((480, 720),), ()]),
    ("Mon-Fri 07.00-12.00, 13:00–16:00", [((420, 720), (780, 960))] * 5 + [(), ()]),
    ("06:00-22:00; sun closed", [((360, 1320),)] * 6 + [()]),
    ("fri,sat 18:00-01:00", [()] * 4 + [((1080, 1500),)] * 2 + [()]),
    ("fri-mon 08:00-24:00", [((480, 1440),)] + [()] * 3 + [((480, 1440),)] * 3),
    ("sat 08:00-12:00; 07:00-09:00;", [((420, 540),)] * 7),  # a later rule wins its days
])
def test_hours_are_read_rule_by_rule(text, week):
    hours = OpeningHours.parse(text)
    assert [list(day) for day in hours.week] == [list(day) for day in week]
    assert hours.text == text and not hours.always_open


@pytest.mark.parametrize("text, says", [
    ("mon-fry 07:00-16:00", 'unknown day "fry" in "mon-fry 07:00-16:00" (the days are mon tue '
                            'wed thu fri sat sun)'),
    ("07:00-25:00", '"25:00" in "07:00-25:00" is not a time of day (00:00 to 24:00)'),
    ("07:60-16:00", '"07:60" in "07:60-16:00" is not a time of day'),
    ("mon-fri", '"mon-fri" has no hours (e.g. "mon-fri 07:00-16:00", or "sun closed")'),
    ("mon-fri 7-16", '"7-16" in "mon-fri 7-16" is not a span of hours like "07:00-16:00"'),
    ("07:00-07:00", '"07:00-07:00" opens and closes at the same time'),
    ("24:00-06:00", '"24:00-06:00" opens at 24:00: write 00:00 of the next day'),
    ("mon 07:00-12:00, 11:00-16:00", '"mon 07:00-12:00, 11:00-16:00": 07:00-12:00 and the '
                                     'span after it overlap'),
    ("mon--fri 07:00-16:00", '"mon--fri" in "mon--fri 07:00-16:00" is not a day or a range'),
    ("sun closed", '"sun closed" never opens: every day is closed'),
    ("", "is empty: leave the setting out for a kiosk that is always open"),
    (7, 'must be a text, like "07:00-21:00"'),
])
def test_wrong_hours_stop_the_kiosk_with_a_sentence_saying_what_is_wrong(text, says):
    raw = _demo_raw()
    raw["kiosk"]["opening_hours"] = text
    with pytest.raises(ConfigError) as e:
        KioskConfig.from_dict(raw, source="kiosk.toml")
    assert str(e.value).startswith("kiosk.toml: [kiosk] opening_hours: ")
    assert says in str(e.value)


def _demo_raw() -> dict:
    import tomllib

    return tomllib.loads((DEMO / "kiosk.toml").read_text(encoding="utf-8"))


def test_without_the_setting_the_kiosk_is_always_open_and_the_setting_is_read():
    raw = _demo_raw()
    assert KioskConfig.from_dict(raw).opening_hours is ALWAYS_OPEN
    assert ALWAYS_OPEN.always_open and ALWAYS_OPEN.next_change(at(0, 3)) is None
    assert ALWAYS_OPEN.closure(at(6, 3)) is None
    assert OpeningHours.parse("00:00-24:00").always_open
    raw["kiosk"]["opening_hours"] = OFFICE
    assert KioskConfig.from_dict(raw).opening_hours == OpeningHours.parse(OFFICE)


@pytest.mark.parametrize("now, open_, change", [
    (at(0, 6, 59), False, at(0, 7)),   # Monday before opening
    (at(0, 7), True, at(0, 16)),       # opening minute
    (at(0, 15, 59), True, at(0, 16)),
    (at(0, 16), False, at(1, 7)),      # closing minute: across midnight to Tuesday
    (at(4, 21), False, at(5, 8)),      # Friday evening: Saturday's later opening
    (at(5, 12), False, at(7, 7)),      # Saturday noon: past Sunday to Monday
    (at(6, 23, 59), False, at(7, 7)),
])
def test_open_or_closed_and_the_next_change_across_midnight_and_weekdays(now, open_, change):
    hours = OpeningHours.parse(OFFICE)
    assert hours.is_open(now) is open_
    assert hours.next_change(now) == change
    if not open_:
        assert hours.closure(now) == Closure(change, say_day=change.date() > now.date()
                                             + timedelta(days=1))


def test_the_day_is_said_only_when_the_opening_is_more_than_a_night_away():
    hours = OpeningHours.parse(OFFICE)
    assert hours.closure(at(0, 22)) == Closure(at(1, 7), say_day=False)  # tomorrow 07.00
    assert hours.closure(at(1, 5)) == Closure(at(1, 7), say_day=False)  # today 07.00
    assert hours.closure(at(5, 13)) == Closure(at(7, 7), say_day=True)  # Monday 07.00


def test_a_span_past_midnight_belongs_to_the_day_it_starts():
    hours = OpeningHours.parse("fri,sat 18:00-01:00")
    assert hours.is_open(at(5, 0, 30))  # Saturday 00:30: Friday's evening
    assert hours.next_change(at(5, 0, 30)) == at(5, 1)
    assert hours.is_open(at(6, 0, 59)) and not hours.is_open(at(6, 1))  # Sunday 01:00 closes
    assert hours.closure(at(6, 1)) == Closure(at(11, 18), say_day=True)  # the next Friday
    assert not hours.is_open(at(4, 0, 30))  # Friday 00:30: Thursday had none


def test_days_open_around_the_clock_join_into_one_opening():
    hours = OpeningHours.parse("mon-sat 00:00-24:00")
    assert hours.next_change(at(0, 10)) == at(6, 0)  # Monday to Saturday without a break
    assert hours.closure(at(6, 12)) == Closure(at(7, 0), say_day=False)
    lunch = OpeningHours.parse("07:00-12:00, 13:00-16:00")
    assert lunch.closure(at(2, 12, 30)) == Closure(at(2, 13), say_day=False)


# --- the session while closed ----------------------------------------------------------------


class CountingServices(Services):
    """test_session's stand-in, counting what a closed kiosk must never ask."""

    def __init__(self):
        super().__init__()
        self.chip_reads = 0

    def read_chip(self, reader):
        self.chip_reads += 1
        raise AssertionError("the chip was read while the kiosk is closed")

    def now(self):
        return at(0, 21)


TONIGHT = Closure(at(1, 7))


def test_closing_on_the_attract_screen_sleeps_at_once_and_opening_wakes():
    s = make_session(CountingServices())
    seen = []
    s.subscribe(lambda session: seen.append((session.screen, session.notice)))
    s.close_for_hours(TONIGHT)
    assert s.screen is Screen.CLOSED and s.closed == TONIGHT and s.notice is None
    s.close_for_hours(TONIGHT)  # asked again every half minute: nothing to redraw
    assert seen == [(Screen.CLOSED, None)]
    s.open_for_hours()
    assert s.screen is Screen.ATTRACT and s.closed is None
    s.open_for_hours()
    assert len(seen) == 2


@pytest.mark.parametrize("identity_mode", ["registry", "chip"])
def test_a_card_on_a_closed_kiosk_is_told_closed_and_nothing_is_read_or_sent(identity_mode):
    services = CountingServices()
    s = make_session(services)
    s._identity_mode = identity_mode
    s.close_for_hours(TONIGHT)
    s.card_presented(ektp_type_b_atr(UID), UID, reader="reader 0")
    assert s.screen is Screen.CLOSED and s.notice == Notice("kiosk_closed")
    assert s.card is None and not s.holds_personal_data()
    assert services.identify_calls == [] and services.queued == [] and services.chip_reads == 0
    s.card_removed()  # the villager takes the card: the message goes
    assert s.screen is Screen.CLOSED and s.notice is None
    s.card_presented(bank_card_atr(), UID)  # any card at all
    assert s.notice == Notice("kiosk_closed")
    s.idle_timeout()  # or it fades at the idle timeout
    assert s.screen is Screen.CLOSED and s.notice is None
    s.card_unreadable()
    assert s.notice == Notice("kiosk_closed")
    for action in (s.cancel, s.back, s.finish, s.skip_survey, lambda: s.enter_pin("241258")):
        action()
        assert s.screen is Screen.CLOSED
    assert services.identify_calls == []


def test_a_touch_on_the_sleep_screen_says_when_the_kiosk_opens():
    s = make_session(CountingServices())
    s.tap_while_closed()  # open: the sleep screen is not there to touch
    assert s.screen is Screen.ATTRACT and s.notice is None
    s.close_for_hours(TONIGHT)
    s.tap_while_closed()
    assert s.screen is Screen.CLOSED and s.notice == Notice("kiosk_closed")


def test_closing_time_never_interrupts_a_villager_who_then_finishes():
    services = CountingServices()
    s = make_session(services)
    to_review(s)
    s.close_for_hours(TONIGHT)
    assert s.screen is Screen.REVIEW and s.resident is not None  # carries on
    s.confirm()
    assert s.screen is Screen.RECEIPT and len(services.queued) == 1
    s.card_presented(ektp_type_b_atr(UID), UID)  # the next villager: no new session now
    assert s.screen is Screen.CLOSED and s.notice == Notice("kiosk_closed")
    assert s.receipt is None and s.card is None


@pytest.mark.parametrize("leave", ["finish", "card_removed", "idle_timeout"])
def test_after_closing_time_every_way_back_to_the_start_goes_to_sleep_wiped(leave):
    s = make_session(CountingServices())
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin("241258")
    s.choose_letter("domisili")
    s.close_for_hours(TONIGHT)
    assert s.screen is Screen.FILL
    if leave == "finish":
        s.cancel()  # "cancelled, take your card" …
        assert s.screen is Screen.MESSAGE
        s.finish()  # … "OK"
    else:
        getattr(s, leave)()  # the card lifted, or untouched for the idle timeout
    assert s.screen is Screen.CLOSED and s.notice is None
    assert not s.holds_personal_data()


def test_opening_time_during_a_late_session_changes_nothing_for_the_villager():
    s = make_session(CountingServices())
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.close_for_hours(TONIGHT)
    s.open_for_hours()  # the clock was set right meanwhile
    s.enter_pin("241258")
    assert s.screen is Screen.CHOOSE_LETTER
    s.card_removed()
    assert s.screen is Screen.ATTRACT


def test_the_sleep_screen_is_quiet_until_a_card_or_a_touch_and_then_says_closed(tmp_path):
    """The real prompts (espeak-ng) and the real VoiceGuide; only the sound output is the
    recording stand-in of test_voice.py (there may be no sound device here)."""
    from tests.test_voice import RecordingPlayer
    from ui.voice import VoiceGuide, render_prompts

    render_prompts(tmp_path)
    player = RecordingPlayer()
    guide = VoiceGuide(tmp_path, player=player)
    s = make_session(CountingServices())
    s.subscribe(guide.speak_for)
    guide.speak_for(s)
    s.close_for_hours(TONIGHT)  # closing time in an empty office: silence
    assert player.played() == []
    s.card_presented(ektp_type_b_atr(UID), UID)
    assert player.played() == ["id-kiosk_closed+voice_closed.wav"]
    s.card_removed()
    assert player.calls[-1] == ("stop",) and len(player.played()) == 1
    s.set_language("en")
    s.tap_while_closed()
    assert player.played()[-1] == "en-kiosk_closed+voice_closed.wav"


# --- the kiosk's clock check, on a real Kiosk --------------------------------------------------


@pytest.fixture
def kiosk(tmp_path):
    config = dataclasses.replace(
        KioskConfig.load(DEMO / "kiosk.toml"), data_dir=tmp_path / "data",
        key_file=tmp_path / "kiosk.key", create_key=True, backoffice_url="http://127.0.0.1:9",
        opening_hours=OpeningHours.parse(OFFICE))
    k = Kiosk(config, InlineRunner())
    k.start()
    yield k
    k.stop()


def test_the_kiosk_closes_and_opens_by_its_clock_in_the_village_time_zone(kiosk):
    s = kiosk.session
    kiosk.clock = lambda: at(0, 15, 59, 30)  # Monday, half a minute before closing
    assert kiosk.check_hours() == 30 and s.screen is Screen.ATTRACT
    assert kiosk.status()["hours"] == "open"
    kiosk.clock = lambda: at(0, 16)
    assert kiosk.check_hours() == 15 * 3600 and s.screen is Screen.CLOSED
    assert s.closed == Closure(at(1, 7))
    assert kiosk.status()["hours"] == "closed"  # the fleet page says "asleep", not "unused"
    # A clock that answers in UTC: the hours are still the village's (WIB = UTC+7).
    kiosk.clock = lambda: at(1, 7).astimezone(UTC)
    assert kiosk.check_hours() == 9 * 3600 and s.screen is Screen.ATTRACT
    kiosk.hours = ALWAYS_OPEN  # a new configuration without hours: always open, never asked
    kiosk.clock = lambda: at(6, 3)
    assert kiosk.check_hours() is None and s.screen is Screen.ATTRACT


def test_a_card_event_on_a_closed_kiosk_stores_and_sends_nothing(kiosk):
    kiosk.clock = lambda: at(0, 22)
    kiosk.check_hours()
    before = kiosk.outbox.stats()
    kiosk.handle_card_event(CardPresented("reader 0", ektp_type_b_atr(UID), UID, time.monotonic()))
    assert kiosk.session.notice == Notice("kiosk_closed") and kiosk.session.card is None
    kiosk.handle_card_event(CardRemoved("reader 0"))
    assert kiosk.session.screen is Screen.CLOSED and kiosk.session.notice is None
    assert kiosk.outbox.stats() == before


# --- the window, on the real stack -------------------------------------------------------------


def _brightness(widget) -> tuple[float, int]:
    """Mean and maximum grey level (0–255) of what `widget` shows."""
    image = widget.grab().toImage()
    step, values = 4, []
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            values.append(image.pixelColor(x, y).lightness())
    return sum(values) / len(values), max(values)


@pytest.mark.pcsc
def test_the_window_sleeps_outside_the_hours_answers_a_card_and_wakes(
    stack, kiosk_app, cards, qtbot
):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from tests.test_touch_design import _check_all_sizes
    from ui.sleep import SleepScreen

    kiosk, window = kiosk_app
    s = kiosk.session
    identified = []
    identify = kiosk.services.identify
    kiosk.services.identify = lambda card, pin: (identified.append(1), identify(card, pin))[1]
    kiosk.hours = OpeningHours.parse(OFFICE)
    kiosk.clock = lambda: at(1, 21, 30)  # Tuesday evening
    window.check_hours()
    sleep = window.stack.currentWidget()
    qtbot.waitUntil(lambda: sleep.size() == window.size(), timeout=3000)  # header gone
    assert s.screen is Screen.CLOSED and isinstance(sleep, SleepScreen)
    assert not window.header.isVisible() and not window.footer.isVisible()
    assert window.hours_timer.isActive() and window.hours_timer.remainingTime() <= 30_001
    assert sleep.hours.text() == "Layanan buka pukul 07.00"
    assert sleep.hours_other.text() == "Open from 07:00"
    assert sleep.village.text() == "Desa Kemiren" and sleep.plate.isVisible()
    mean, brightest = _brightness(window)
    assert mean < 4 and brightest < 128, (mean, brightest)  # nearly black, dim text
    sleep.rng = random.Random(9)
    places = set()
    for _ in range(5):
        sleep.move_plate()  # what its minute timer does
        assert sleep.rect().contains(sleep.plate.geometry())
        places.add((sleep.plate.x(), sleep.plate.y()))
    assert len(places) == 5 and sleep.mover.interval() == 60_000 and sleep.mover.isActive()
    assert _check_all_sizes(window, "sleep screen") == []

    pending = kiosk.outbox.stats().pending
    card = cards("siti")
    qtbot.waitUntil(lambda: s.notice is not None, timeout=8000)
    assert sleep.notice.isVisible() and not sleep.plate.isVisible()
    assert sleep.notice.text() == "Kios tutup. Buka lagi pukul 07.00."
    assert sleep.notice_other.text() == "The kiosk is closed. Open again at 07:00."
    assert _check_all_sizes(window, "sleep screen with its message") == []
    assert _brightness(window)[0] < 25  # brighter, but only the message
    assert s.card is None and identified == [] and kiosk.outbox.stats().pending == pending
    card.remove()
    qtbot.waitUntil(lambda: s.notice is None, timeout=8000)
    assert sleep.plate.isVisible() and not sleep.notice.isVisible()

    # The weekend: the day is said; a touch says it too, in the villager's language first.
    kiosk.clock = lambda: at(5, 13)
    window.check_hours()
    s.set_language("en")
    QTest.mouseClick(sleep, Qt.LeftButton)
    assert s.notice == Notice("kiosk_closed")
    assert sleep.notice.text() == "The kiosk is closed. Open again on Monday at 07:00."
    assert sleep.notice_other.text() == "Kios tutup. Buka lagi hari Senin pukul 07.00."
    assert sleep.hours.text() == "Open on Monday from 07:00"
    s.set_language("id")

    # The staff may come in while it sleeps: five taps, then their PIN.
    for _ in range(5):
        QTest.mouseClick(sleep, Qt.LeftButton)
    assert window.maintenance.isVisible()
    window.maintenance.close_panel()

    # Opening time, by the window's own timer: the clock half a second before 07:00.
    started = time.monotonic()
    kiosk.clock = lambda: at(7, 6, 59, 59) + timedelta(seconds=time.monotonic() - started + 0.5)
    window.check_hours()
    assert s.screen is Screen.CLOSED and window.hours_timer.remainingTime() <= 600
    qtbot.waitUntil(lambda: s.screen is Screen.ATTRACT, timeout=3000)
    assert window.header.isVisible() and s.notice is None
    cards("siti")  # open again: a card starts a session as before
    qtbot.waitUntil(lambda: s.screen is Screen.PIN, timeout=8000)
