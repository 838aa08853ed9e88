"""Voice guidance: each screen's main instruction, spoken in Indonesian or English.

The prompts are fixed sentences from terminal/messages.py, rendered to WAV at build time with
espeak-ng (`python -m ui.voice build/voice`), so the kiosk needs no speech engine at run time
and never speaks anything personal: no names, no numbers, no placeholders.

`VoiceGuide.speak_for(session)` plays the current screen's prompt when it changes; `VoiceToggle`
is the villager's mute button.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QPushButton

from forms.feedback import ELEMENT_CODES, ELEMENTS
from terminal.messages import TEXTS
from terminal.session import PRINTER_NOTICE_OTHER, PRINTER_NOTICES, Screen, Session
from ui.i18n import text

log = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "build" / "voice"
MANIFEST = "manifest.json"
VOICES = {"id": "id", "en": "en"}  # kiosk language → espeak-ng voice
SPEED = 140  # words per minute: calmer than espeak-ng's 175, for elderly listeners

Prompt = tuple[str, ...]  # message codes, spoken one after the other

SCREEN_PROMPTS: dict[Screen, Prompt] = {
    Screen.ATTRACT: ("attract_tap",),
    Screen.READING: ("reading_card",),
    Screen.PIN: ("voice_pin",),
    Screen.CHECKING: ("checking",),
    Screen.CHOOSE_LETTER: ("choose_title",),
    Screen.FILL: ("voice_fill",),
    Screen.REVIEW: ("voice_review", "review_hint"),
    Screen.RECEIPT: ("receipt_title", "receipt_hint", "survey_offer"),
    Screen.MESSAGE: ("take_card",),  # only if a message ever comes without its notice
    Screen.STATUS: ("voice_status",),
    Screen.COMPLAINT_CATEGORY: ("voice_complaint_category",),
    Screen.COMPLAINT_FORM: ("voice_complaint_form",),
    Screen.COMPLAINT_REVIEW: ("voice_complaint_review",),
    Screen.COMPLAINT_SENT: ("complaint_sent_title", "complaint_promise"),
    Screen.SURVEY: (f"survey_{ELEMENT_CODES[0]}", "voice_survey"),  # see SURVEY_PROMPTS
    Screen.SURVEY_THANKS: ("survey_thanks",),
    Screen.CLOSED: ("kiosk_closed",),  # the sleep screen; never said on arriving (below)
}
SURVEY_ELEMENTS = {f"survey_{e.code}": e for e in ELEMENTS}
# The survey's screen says its question (the first with how to answer): one prompt per step.
SURVEY_PROMPTS: tuple[Prompt, ...] = (
    SCREEN_PROMPTS[Screen.SURVEY], *((f"survey_{code}",) for code in ELEMENT_CODES[1:])
)
# A notice, where there is one, is what the villager must hear instead of the screen's prompt.
NOTICE_PROMPTS: dict[str, Prompt] = {
    "card_removed": ("card_removed",),  # attract
    "pin_format": ("pin_format",),  # PIN
    "wrong_pin": ("voice_wrong_pin",),  # PIN; the tries left are on screen only
    # the message screen shows "take your card" under each; say it where the notice does not
    "not_ektp": ("not_ektp",),
    "card_unreadable": ("card_unreadable",),
    "cancelled": ("cancelled",),
    "card_mismatch": ("card_mismatch", "take_card"),
    "card_unknown": ("card_unknown", "take_card"),
    "pin_locked": ("pin_locked", "take_card"),
    "office_unreachable": ("office_unreachable", "take_card"),
    "office_refused": ("office_refused", "take_card"),
    "fix_fields": ("fix_fields",),  # fill
    "save_failed": ("save_failed",),  # fill, review
    "disk_full": ("disk_full",),  # review
    "status_none": ("status_none",),  # status
    "status_offline": ("status_offline",),
    "status_refused": ("status_refused",),
    "status_done": ("status_done", "take_card"),  # message
    "complaint_cancelled": ("complaint_cancelled",),  # message
    "complaint_save_failed": ("complaint_save_failed",),  # complaint form, review
    "survey_save_failed": ("survey_save_failed",),  # survey thanks
    "kiosk_closed": ("kiosk_closed", "voice_closed"),  # a card or a touch on the sleep screen
    # receipt: the printer could not print it (what happened, photograph the QR code)
    **{code: (code,) for code in (*PRINTER_NOTICES.values(), PRINTER_NOTICE_OTHER)},
}
READER_MISSING: Prompt = ("reader_missing",)  # the attract screen says it instead of "tap"
IDLE_WARNING: Prompt = ("idle_title", "voice_idle")  # "Masih di sini?" over any screen
# The attract prompt is not spoken on arriving there (at start-up, after the idle wipe, after
# "Done"): then nobody, or someone leaving, is in front of the kiosk, and a voice in an empty
# office every few minutes annoys the staff. A villager who switches the language or turns the
# sound on hears it. Nor is the sleep screen's, at closing time: a card or a touch there is.
QUIET_ON_ARRIVAL = {SCREEN_PROMPTS[Screen.ATTRACT], SCREEN_PROMPTS[Screen.CLOSED]}

# Speaker symbols DejaVu Sans really has (no speaker glyph there: checked with inFontUcs4).
SPEAKER_ON = "◀)))"
SPEAKER_OFF = "◀✕"


def prompt_for(screen: Screen, notice_code: str | None = None, reader_ready: bool = True,
               survey_step: int = 0) -> Prompt:
    """What to say on `screen` with this notice (mirrors what ui/screens.py shows)."""
    if screen is Screen.ATTRACT and not reader_ready:
        return READER_MISSING
    if notice_code in NOTICE_PROMPTS:
        return NOTICE_PROMPTS[notice_code]
    if screen is Screen.SURVEY:
        return SURVEY_PROMPTS[min(survey_step, len(SURVEY_PROMPTS) - 1)]
    return SCREEN_PROMPTS[screen]


def all_prompts() -> list[Prompt]:
    every = [*SCREEN_PROMPTS.values(), *NOTICE_PROMPTS.values(), *SURVEY_PROMPTS,
             READER_MISSING, IDLE_WARNING]
    return sorted(set(every))


def prompt_name(prompt: Prompt) -> str:
    return "+".join(prompt)


def prompt_text(prompt: Prompt, language: str) -> str:
    """The sentence spoken; a code whose text has a {placeholder} cannot be part of a prompt."""
    parts = []
    for code in prompt:
        element = SURVEY_ELEMENTS.get(code)  # a survey question: the shared SKM vocabulary
        if element:
            parts.append(element.label(language))
        elif "{" in TEXTS[code]:
            raise ValueError(f"prompt {prompt_name(prompt)}: {code!r} has a placeholder")
        else:
            parts.append(text(code, language))
    return " ".join(parts)


def text_hash(words: str) -> str:
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


# -- build time ---------------------------------------------------------------------------


@dataclass
class Rendered:
    """What `render_prompts` did, as "language/prompt" names."""

    rendered: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _read_manifest(directory: Path) -> dict:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _espeak_version(exe: str) -> str:
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
    return out.split("Data at")[0].strip()  # without the data path, which varies by machine


def _speak_to_file(exe: str, voice: str, words: str, path: Path) -> None:
    part = path.with_name(path.name + ".part")  # a kiosk never sees half a file
    subprocess.run(
        [exe, "-v", voice, "-s", str(SPEED), "-w", str(part), "--stdin"],
        input=words.encode("utf-8"), capture_output=True, check=True, timeout=120,
    )
    os.replace(part, path)


def render_prompts(out_dir: Path | str, espeak: str = "espeak-ng") -> Rendered:
    """Every prompt in both languages as `<language>-<prompt>.wav` in `out_dir`, with
    manifest.json (prompt → file and the SHA-256 of its text). A prompt whose text, voice and
    speed are as in the manifest is left as it is; prompts no longer used are removed."""
    exe = shutil.which(espeak)
    if exe is None:
        raise RuntimeError(f"{espeak} is not installed (apt-get install espeak-ng)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    settings = {"espeak": _espeak_version(exe), "speed": SPEED, "voices": VOICES}
    old = _read_manifest(out)
    old_prompts = old.get("prompts", {}) if old.get("settings") == settings else {}
    done = Rendered()
    prompts: dict[str, dict[str, dict[str, str]]] = {}
    for language, voice in VOICES.items():
        for prompt in all_prompts():
            name, words = prompt_name(prompt), prompt_text(prompt, language)
            entry = {"file": f"{language}-{name}.wav", "text_sha256": text_hash(words)}
            if old_prompts.get(language, {}).get(name) == entry and (out / entry["file"]).is_file():
                done.unchanged.append(f"{language}/{name}")
            else:
                _speak_to_file(exe, voice, words, out / entry["file"])
                done.rendered.append(f"{language}/{name}")
            prompts.setdefault(language, {})[name] = entry
    for language, entries in old.get("prompts", {}).items():
        for name, entry in entries.items():
            if name not in prompts.get(language, {}):
                (out / Path(entry["file"]).name).unlink(missing_ok=True)
    manifest = out / MANIFEST
    part = manifest.with_name(MANIFEST + ".part")
    part.write_text(json.dumps({"settings": settings, "prompts": prompts}, indent=1,
                               ensure_ascii=False), encoding="utf-8")
    os.replace(part, manifest)
    return done


# -- run time -----------------------------------------------------------------------------


class Player(Protocol):
    def available(self) -> bool: ...
    def play(self, path: Path) -> None: ...
    def stop(self) -> None: ...


class ProcessPlayer:
    """Plays a WAV with the system's own player: `paplay` (PulseAudio or PipeWire, what a kiosk
    session runs) or else `aplay` (plain ALSA). A child process per prompt, never waited for,
    so the GUI thread never blocks; a new prompt ends the one before. (QtMultimedia would need
    the ~400 MB PySide6-Addons wheel for the same.)"""

    COMMANDS = (("paplay",), ("aplay", "-q"))

    def __init__(self):
        self._command = next(([shutil.which(c[0]), *c[1:]] for c in self.COMMANDS
                              if shutil.which(c[0])), None)
        self._process: subprocess.Popen | None = None
        self._ending: list[subprocess.Popen] = []  # told to stop, not yet collected
        self._failed = False

    def available(self) -> bool:
        return self._command is not None

    def play(self, path: Path) -> None:
        self.stop()
        self._process = subprocess.Popen([*self._command, str(path)], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self) -> None:
        """End the prompt playing now, without waiting for it: this runs on the GUI thread."""
        previous, self._process = self._process, None
        if previous is not None and previous.poll() is None:
            previous.terminate()
            self._ending.append(previous)
        elif previous is not None:
            self._report(previous)
        self._reap()

    def _reap(self) -> None:
        """Collect the prompts that have ended since (no zombies), reporting a failure once."""
        still = []
        for process in self._ending:
            if process.poll() is None:
                still.append(process)
            else:
                self._report(process)
        self._ending = still

    def _report(self, process: subprocess.Popen) -> None:
        if process.returncode not in (0, -15) and not self._failed:
            self._failed = True  # once: the same fault would repeat on every screen
            err = process.stderr.read() if process.stderr else b""
            log.warning("voice: %s failed (%s): %s", Path(self._command[0]).name,
                        process.returncode, (err or b"").decode(errors="replace").strip()[:200])
        if process.stderr:
            process.stderr.close()


class VoiceGuide(QObject):
    """Speaks the prompt of the session's screen when it changes; silent when muted, and when
    the prompts, a system player or a sound device are missing (each said once in the log)."""

    changed = Signal()  # muted, or the language, changed: the toggle redraws

    def __init__(self, directory: Path | str = DEFAULT_DIR, *, player: Player | None = None,
                 muted: bool = False, parent: QObject | None = None):
        super().__init__(parent)
        self.directory = Path(directory)
        self.language = "id"
        self._muted = muted
        self._player = player
        self._no_player = False
        self._logged: set[str] = set()
        self._current: tuple[Prompt, str] | None = None  # (prompt, language)
        self._files = self._load()
        self._ensure_player()  # now, not on the first villager's first screen (~50 ms)

    def _once(self, key: str, message: str, *args) -> None:
        if key not in self._logged:
            self._logged.add(key)
            log.warning(message, *args)

    def _load(self) -> dict[tuple[str, str], Path]:
        """The prompts whose WAV says what messages.py says now; an out-of-date one stays
        silent rather than contradict the screen."""
        manifest = _read_manifest(self.directory)
        if not manifest:
            self._once("manifest", "voice: no prompts in %s (python -m ui.voice renders them); "
                       "voice guidance is silent", self.directory)
        files = {}
        for language, entries in manifest.get("prompts", {}).items():
            if language not in VOICES:
                continue
            for prompt in all_prompts():
                entry = entries.get(prompt_name(prompt))
                if entry and entry.get("text_sha256") == text_hash(prompt_text(prompt, language)):
                    files[(language, prompt_name(prompt))] = self.directory / entry["file"]
        return files

    @property
    def muted(self) -> bool:
        return self._muted

    def set_muted(self, muted: bool) -> None:
        if muted == self._muted:
            return
        self._muted = muted
        if muted:
            self._stop()
        elif self._current is not None:
            self._play(*self._current)  # the villager asked for sound: say where they are
        self.changed.emit()

    def speak_for(self, session: Session, reader_ready: bool = True) -> None:
        """Call on every render; speaks only when the prompt (or the language) changed."""
        if session.language != self.language:
            self.language = session.language
            self.changed.emit()
        notice = session.notice.code if session.notice else None
        now = (prompt_for(session.screen, notice, reader_ready, session.survey_step),
               session.language)
        if now == self._current:
            return
        before, self._current = self._current, now
        self._stop()  # the screen it described is gone
        arriving = before is None or before[0] != now[0]
        if self._muted or (now[0] in QUIET_ON_ARRIVAL and arriving):
            return
        self._play(*now)

    def warn_idle(self) -> None:
        """Say "still there?" once when the idle warning appears (the countdown is on screen)."""
        if not self._muted:
            self._play(IDLE_WARNING, self.language)

    def idle_resumed(self) -> None:
        self._stop()

    def _play(self, prompt: Prompt, language: str) -> None:
        path = self._files.get((language, prompt_name(prompt)))
        if path is None or not path.is_file():
            self._once(f"file {language} {prompt_name(prompt)}",
                       "voice: prompt %s/%s is missing or out of date (python -m ui.voice)",
                       language, prompt_name(prompt))
            return
        player = self._ensure_player()
        if player is None:
            return
        if not player.available():
            self._once("device", "voice: no sound device; voice guidance is silent")
            return
        player.play(path)

    def _stop(self) -> None:
        if self._player is not None:
            self._player.stop()

    def _ensure_player(self) -> Player | None:
        if self._player is None and not self._no_player:
            self._player = ProcessPlayer()
        return self._player


class VoiceToggle(QPushButton):
    """The villager's sound button: a speaker (crossed out when muted) and "Suara"/"Sound"."""

    def __init__(self, guide: VoiceGuide, parent=None):
        super().__init__(parent)
        self.guide = guide
        self.setObjectName("voice")
        self.setProperty("action", "voice")
        self.setFocusPolicy(Qt.NoFocus)
        self.setCheckable(True)  # checked: sound on
        self.setMinimumSize(60, 60)
        self.clicked.connect(lambda checked: guide.set_muted(not checked))
        guide.changed.connect(self.show_state)
        self.show_state()

    def show_state(self) -> None:
        on = not self.guide.muted
        self.setChecked(on)
        label = text("voice_label", self.guide.language)
        self.setText(f"{SPEAKER_ON if on else SPEAKER_OFF} {label}")
        self.setAccessibleName(label)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.voice",
                                     description="Render the kiosk's voice prompts to WAV")
    parser.add_argument("out_dir", nargs="?", default=str(DEFAULT_DIR))
    args = parser.parse_args(argv)
    try:
        done = render_prompts(args.out_dir)
    except (RuntimeError, subprocess.SubprocessError) as e:
        print(f"voice prompts: {e}", file=sys.stderr)
        return 1
    print(f"voice prompts in {args.out_dir}: {len(done.rendered)} rendered, "
          f"{len(done.unchanged)} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
