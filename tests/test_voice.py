"""Voice guidance: the prompts rendered by the real espeak-ng, and which one the kiosk plays.

The one thing mocked is the sound output: `VoiceGuide` gets a player that records which WAV it
was asked to play, since this offscreen test machine may have no sound device. espeak-ng, the
WAV files, the manifest and the session are real.
"""

import array
import logging
import re
import shutil
import sys
import wave
from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QFontMetrics

import terminal.session
import ui.voice
from devices.ektp import bank_card_atr, ektp_type_b_atr
from terminal.client import IdentifyOutcome, IdentifyResult
from terminal.messages import TEXTS
from terminal.session import Screen
from tests.test_session import UID, Services, make_session
from ui.voice import (
    NOTICE_PROMPTS,
    SCREEN_PROMPTS,
    SPEAKER_OFF,
    SPEAKER_ON,
    VOICES,
    ProcessPlayer,
    VoiceGuide,
    VoiceToggle,
    all_prompts,
    prompt_for,
    prompt_name,
    prompt_text,
    render_prompts,
    wav_seconds,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every prompt rendered once for the module: (directory, what the first run did)."""
    directory = tmp_path_factory.mktemp("voice")
    return directory, render_prompts(directory)


class RecordingPlayer:
    """Stands in for the sound output (there may be no sound device here)."""

    def __init__(self, available: bool = True):
        self.calls: list[tuple[str, ...]] = []
        self.device = available

    def available(self) -> bool:
        return self.device

    def play(self, path: Path) -> None:
        assert path.is_file()
        self.calls.append(("play", path.name))

    def stop(self) -> None:
        self.calls.append(("stop",))

    def played(self) -> list[str]:
        return [c[1] for c in self.calls if c[0] == "play"]


def session_notices() -> set[str]:
    """Every notice code terminal/session.py can put on screen."""
    source = Path(terminal.session.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'Notice\("(\w+)"', source))
    codes |= {*terminal.session.PRINTER_NOTICES.values(), terminal.session.PRINTER_NOTICE_OTHER}
    # `Notice(r.value)`: each back-office refusal is its own notice
    return codes | {r.value for r in IdentifyResult if r is not IdentifyResult.OK}


def test_every_prompt_is_a_spoken_wav_in_both_languages(built):
    directory, first = built
    expected = {f"{lang}/{prompt_name(p)}" for p in all_prompts() for lang in VOICES}
    assert set(first.rendered) == expected and not first.unchanged
    for prompt in all_prompts():
        for lang in VOICES:
            path = directory / f"{lang}-{prompt_name(prompt)}.wav"
            head = path.read_bytes()[:12]
            assert head[:4] == b"RIFF" and head[8:12] == b"WAVE", path.name
            with wave.open(str(path), "rb") as w:
                assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
                samples = array.array("h", w.readframes(w.getnframes()))
            seconds, chars = wav_seconds(path), len(prompt_text(prompt, lang))
            assert seconds > 0.3, path.name
            # espeak-ng at 140 wpm says ~0.07–0.12 s a character: far off is a cut or a hang
            assert 0.04 < seconds / chars < 0.2, (path.name, seconds, chars)
            assert max(map(abs, samples)) > 1000, f"{path.name} is silent"


def test_unchanged_prompts_are_not_rendered_again(built):
    directory, _ = built
    mtimes = {p.name: p.stat().st_mtime_ns for p in directory.glob("*.wav")}
    again = render_prompts(directory)
    assert again.rendered == [] and len(again.unchanged) == len(mtimes)
    assert {p.name: p.stat().st_mtime_ns for p in directory.glob("*.wav")} == mtimes


def test_a_changed_text_is_rendered_again_and_an_unused_prompt_removed(
    built, tmp_path, monkeypatch
):
    directory = tmp_path / "voice"
    shutil.copytree(built[0], directory)
    before = wav_seconds(directory / "id-take_card.wav")
    # A new Indonesian text (its English is then unfinished: the English voice says it too)
    monkeypatch.setitem(TEXTS, "take_card", "Silakan ambil kartu Anda dari pembaca kartu.")
    monkeypatch.delitem(NOTICE_PROMPTS, "office_refused")
    again = render_prompts(directory)
    assert set(again.rendered) == {
        f"{lang}/{prompt_name(p)}" for p in all_prompts() if "take_card" in p for lang in VOICES
    }
    assert wav_seconds(directory / "id-take_card.wav") > before
    assert not list(directory.glob("*office_refused*"))


def test_every_screen_and_notice_of_the_session_has_a_prompt_without_placeholders():
    notices = session_notices()
    assert {"not_ektp", "wrong_pin", "pin_locked", "disk_full", "card_removed"} <= notices
    assert notices == set(NOTICE_PROMPTS), "a notice without a prompt, or a prompt for none"
    assert set(SCREEN_PROMPTS) == set(Screen)
    for screen in Screen:
        for code in [None, *notices]:
            prompt = prompt_for(screen, code)
            for lang in VOICES:
                words = prompt_text(prompt, lang)
                assert words and "{" not in words, (screen, code, lang)
    for prompt in all_prompts():
        for code in prompt:
            assert code.startswith("survey_") or "{" not in TEXTS[code], code


def test_an_out_of_date_prompt_is_never_played(built, monkeypatch, caplog):
    monkeypatch.setitem(TEXTS, "voice_pin", "Ketik PIN baru.")
    player = RecordingPlayer()
    guide = VoiceGuide(built[0], player=player)
    s = make_session(Services())
    s.subscribe(guide.speak_for)
    with caplog.at_level(logging.WARNING, logger="ui.voice"):
        s.card_presented(ektp_type_b_atr(UID), UID)
    assert s.screen is Screen.PIN and player.played() == []
    assert "voice_pin is missing or out of date" in caplog.text


def test_the_guide_plays_each_new_prompt_once_and_stops_the_one_before(built):
    services = Services()
    player = RecordingPlayer()
    guide = VoiceGuide(built[0], player=player)
    s = make_session(services)
    s.subscribe(guide.speak_for)
    guide.speak_for(s)  # start-up on the attract screen: nobody to talk to
    assert player.played() == []
    s.card_presented(ektp_type_b_atr(UID), UID)
    assert player.calls[-2:] == [("stop",), ("play", "id-voice_pin.wav")]
    s.notify()  # the same screen drawn again
    guide.speak_for(s)
    assert player.played() == ["id-voice_pin.wav"]
    services.outcome = IdentifyOutcome(IdentifyResult.WRONG_PIN, attempts_left=2)
    s.enter_pin("111111")
    s.set_language("en")
    services.outcome = IdentifyOutcome(IdentifyResult.LOCKED)
    s.enter_pin("222222")
    assert player.played() == [
        "id-voice_pin.wav", "id-checking.wav", "id-voice_wrong_pin.wav",
        "en-voice_wrong_pin.wav", "en-checking.wav", "en-pin_locked+take_card.wav",
    ]
    assert all(i > 0 and player.calls[i - 1] == ("stop",)
               for i, c in enumerate(player.calls) if c[0] == "play")
    s.finish()  # back to attract: the message stops, the attract prompt waits for a villager
    assert player.calls[-1] == ("stop",) and len(player.played()) == 6
    s.set_language("id")  # someone touched the screen
    assert player.played()[-1] == "id-attract_tap.wav"
    s.card_presented(bank_card_atr(), UID)
    assert player.played()[-1] == "id-not_ektp.wav"


def test_muted_the_guide_plays_nothing_and_sound_on_says_where_the_villager_is(built):
    player = RecordingPlayer()
    guide = VoiceGuide(built[0], player=player, muted=True)
    s = make_session(Services())
    s.subscribe(guide.speak_for)
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin("241258")
    assert s.screen is Screen.CHOOSE_LETTER and player.played() == []
    guide.set_muted(False)
    assert not guide.muted and player.played() == ["id-choose_title.wav"]
    guide.set_muted(True)
    assert guide.muted and player.calls[-1] == ("stop",)
    s.choose_letter("domisili")
    assert player.played() == ["id-choose_title.wav"]


def test_without_prompts_or_a_sound_device_the_guide_is_silent_and_says_so_once(
    built, tmp_path, caplog
):
    s = make_session(Services())
    no_device = RecordingPlayer(available=False)
    nothing_built = RecordingPlayer()
    with caplog.at_level(logging.WARNING, logger="ui.voice"):
        for guide in (VoiceGuide(built[0], player=no_device),
                      VoiceGuide(tmp_path / "none", player=nothing_built)):
            s.subscribe(guide.speak_for)
        s.card_presented(ektp_type_b_atr(UID), UID)
        s.cancel()
        s.card_removed()
        s.card_presented(ektp_type_b_atr(UID), UID)
    assert no_device.played() == nothing_built.played() == []
    messages = [r.getMessage() for r in caplog.records]
    assert sum("no sound device" in m for m in messages) == 1
    assert sum("no prompts in" in m for m in messages) == 1
    assert sum("voice_pin is missing" in m for m in messages) == 1


def test_the_process_player_never_blocks_and_a_new_prompt_ends_the_last(built):
    """The real ProcessPlayer, with a stand-in command that plays for five seconds (this
    machine may have no sound device; paplay/aplay would fail at once)."""
    player = ProcessPlayer()
    player._command = [sys.executable, "-c", "import sys, time; time.sleep(5)"]
    wav = next(built[0].glob("id-*.wav"))
    player.play(wav)
    first = player._process
    assert first.poll() is None  # returned at once, still "playing"
    player.play(wav)
    # The earlier prompt was told to end (not waited for: this is the GUI thread).
    assert first.wait(timeout=10) == -15
    second = player._process
    player.stop()
    assert player._process is None and second.wait(timeout=10) == -15
    player.stop()  # collects what has ended
    assert player._ending == []


def test_the_system_player_without_a_sound_device_never_crashes(built, caplog):
    """aplay for real (deploy/dev-packages.sh installs it); here it finds no sound card, fails,
    and the player says so once in the log."""
    caplog.set_level(logging.WARNING)
    player = ProcessPlayer()
    assert player.available()
    for wav in sorted(built[0].glob("id-*.wav"))[:3]:
        player.play(wav)
    player.stop()
    player.stop()
    failures = [r for r in caplog.records if "voice:" in r.getMessage()]
    assert len(failures) <= 1


def test_the_sound_button_toggles_mute_in_the_villagers_language(built, qtbot):
    metrics = QFontMetrics(QFont("DejaVu Sans", 24))
    for symbol in SPEAKER_ON + SPEAKER_OFF:
        assert metrics.inFontUcs4(ord(symbol)), f"{symbol!r} would show as a box"
    guide = VoiceGuide(built[0], player=RecordingPlayer())
    button = VoiceToggle(guide)
    qtbot.addWidget(button)
    assert button.minimumSize().width() >= 60 and button.minimumSize().height() >= 60
    assert button.isChecked() and button.text() == f"{SPEAKER_ON} Suara"
    button.click()
    assert guide.muted and not button.isChecked() and button.text() == f"{SPEAKER_OFF} Suara"
    s = make_session(Services())
    s.subscribe(guide.speak_for)
    s.set_language("en")
    assert button.text() == f"{SPEAKER_OFF} Sound"
    guide.set_muted(False)
    assert button.isChecked() and button.text() == f"{SPEAKER_ON} Sound"


def test_python_m_ui_voice_renders_what_changed_into_the_folder_given(built, tmp_path, capsys):
    shutil.copytree(built[0], tmp_path / "voice")
    assert ui.voice.main([str(tmp_path / "voice")]) == 0
    assert f"0 rendered, {2 * len(all_prompts())} unchanged" in capsys.readouterr().out


def test_the_idle_warning_is_spoken_once_and_stops_when_the_villager_touches(built):
    player = RecordingPlayer()
    guide = VoiceGuide(built[0], player=player)
    s = make_session(Services())
    s.subscribe(guide.speak_for)
    s.card_presented(ektp_type_b_atr(UID), UID)
    s.enter_pin("241258")
    guide.warn_idle()
    assert player.played()[-1] == "id-idle_title+voice_idle.wav"
    guide.idle_resumed()
    assert player.calls[-1] == ("stop",)
    guide.set_muted(True)
    before = player.played()
    guide.warn_idle()
    assert player.played() == before
