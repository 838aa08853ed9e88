"""`make tour`, the staff side: every staff page in a real browser, as PNGs to look at.

    python -m backoffice.tour build/tour/staff

Starts the back office as its own process (`python -m backoffice --demo`, a fresh SQLite file
under build/tour-office/, a loopback port), fills it the way the kiosks do — applications over
the kiosk API with real PDFs, complaints, satisfaction answers, heartbeats from two kiosks —
and the way staff did before today (applications in every status, a complaint past its four
hours, a kiosk gone silent), then walks the pages with Playwright driving Debian's Chromium
(no browser is downloaded). Leaves NN-<page>-<lang>.png (1366×768, full page): every page in
Indonesian, the key ones in English, and NN-letter-id.png, the issued letter as the browser's
PDF viewer shows it for printing.

The pieces are shared with tests/test_staff_browser.py: `KioskSide` (what a kiosk sends),
`OfficeDatabase` (what only time or earlier staff work can do) and the page helpers
(`sign_in`, `sign_out`, `switch_language`, `forge_csrf`). Nothing here imports the kiosk: the
back office is started like terminal/devstack.py's BackofficeProcess starts it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from backoffice.demo import DEMO_RESIDENTS, DEMO_STAFF, DEMO_STAFF_PASSWORD
from forms.application import Application
from forms.feedback import ELEMENT_CODES, Complaint, SurveyAnswers
from forms.village import VillageProfile

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "deploy" / "demo" / "backoffice.toml"
DEMO_KIOSK = "KMR01"
DEMO_KIOSK_TOKEN = "demo-kiosk-token-KMR01-not-for-production"  # deploy/demo/backoffice.toml
MARKET_KIOSK = "KMR02"  # the tour's second kiosk, at the market: the one that goes silent
MARKET_KIOSK_TOKEN = "tour-kiosk-token-KMR02-not-for-production"
SIZE = {"width": 1366, "height": 768}  # the office PC the pages are laid out for
# Debian's Chromium, quiet on a machine without outside network; root needs --no-sandbox.
# The same start as tests/browser.py (which the tests use; backoffice/ does not import tests/).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip

SITI, SUKARMI, AHMAD, BAGUS = (next(r for r in DEMO_RESIDENTS if r.name.startswith(first))
                               for first in ("Siti", "Sukarmi", "Ahmad", "Bagus"))
STAFF_NAMES = {username: name for username, name, _ in DEMO_STAFF}
STAFF_ROLES = {username: role for username, _, role in DEMO_STAFF}


# --- what a kiosk sends -----------------------------------------------------------------------


class KioskSide:
    """One kiosk talking to the back office over its API, as terminal/client.py does: bearer
    token, an Idempotency-Key per item, the application copy as a real PDF."""

    def __init__(self, url: str, village: VillageProfile, kiosk_id: str = DEMO_KIOSK,
                 token: str = DEMO_KIOSK_TOKEN, tz: str = "Asia/Jakarta") -> None:
        self.kiosk_id = kiosk_id
        self.village = village
        self.tz = ZoneInfo(tz)
        self._http = httpx.Client(base_url=url, timeout=30,
                                  headers={"Authorization": f"Bearer {token}"})
        self._sequences: dict[tuple[str, str], int] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> KioskSide:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _number(self, when: datetime, prefix: str = "") -> str:
        """The kiosk's numbering: kiosk, day, a sequence per day ("P" for complaints)."""
        day = when.strftime("%y%m%d")
        n = self._sequences[day, prefix] = self._sequences.get((day, prefix), 0) + 1
        return f"{self.kiosk_id}-{day}-{prefix}{n:0{3 if prefix else 4}d}"

    def _post(self, path: str, **kw: Any) -> dict:
        headers = {"Idempotency-Key": f'"{uuid.uuid4()}"', **kw.pop("headers", {})}
        r = self._http.post(path, headers=headers, **kw)
        if r.status_code != 201:
            raise RuntimeError(f"{path}: the back office answered {r.status_code} {r.text}")
        return r.json()

    def application(self, resident=SITI, letter: str = "domisili",
                    values: dict[str, str] | None = None,
                    ago: timedelta = timedelta(0)) -> str:
        """Submit an application (sample values of the letter unless given), made on the kiosk
        `ago` before now (it arrives now: OfficeDatabase.age_application moves it back);
        returns its number."""
        from forms.catalogue import load_catalogue, sample_values
        from forms.render import render_application

        spec = load_catalogue().get(letter)
        made = datetime.now(self.tz) - ago
        if values is None:
            values = sample_values(spec, made.date())
        app = Application(
            application_number=self._number(made), letter=letter,
            village_code=self.village.code, kiosk_id=self.kiosk_id, created_at=made,
            resident=resident, values=values,
        )  # fmt: skip
        pdf = render_application(app, spec, self.village)
        self._post("/api/v1/applications", files={
            "application": (None, app.to_json().encode(), "application/json"),
            "pdf": ("application.pdf", pdf, "application/pdf"),
        })  # fmt: skip
        return app.application_number

    def complaint(self, resident, category: str, text: str, phone: str = "",
                  ago: timedelta = timedelta(0)) -> str:
        """Send a complaint made `ago` before now (see `application`); returns its number."""
        made = datetime.now(self.tz) - ago
        c = Complaint(
            complaint_number=self._number(made, "P"), village_code=self.village.code,
            kiosk_id=self.kiosk_id, created_at=made, nik=resident.nik, category=category,
            text=text, phone=phone,
        )  # fmt: skip
        self._post("/api/v1/complaints", content=c.to_json().encode(),
                   headers={"Content-Type": "application/json"})
        return c.complaint_number

    def survey(self, letter: str, scores: tuple[int, ...], answered_on: date | None = None) -> str:
        """One anonymous SKM survey: `scores` for the nine elements, in forms.feedback order."""
        sv = SurveyAnswers(
            survey_id=uuid.uuid4().hex, village_code=self.village.code, kiosk_id=self.kiosk_id,
            letter=letter, answered_on=answered_on or datetime.now(self.tz).date(),
            answers=dict(zip(ELEMENT_CODES, scores, strict=True)),
        )  # fmt: skip
        self._post("/api/v1/surveys", content=sv.to_json().encode(),
                   headers={"Content-Type": "application/json"})
        return sv.survey_id

    def heartbeat(self, *, printer: str = "ready", problems: tuple[str, ...] = (),
                  reader: str = "ready", pending: int = 0,
                  oldest_age_s: float | None = None) -> None:
        """One heartbeat, in terminal/heartbeat.py's words (printer states and problem codes
        of devices/printer.py; reader "ready" or "missing")."""
        r = self._http.post("/api/v1/heartbeat", json={
            "version": "0.1.0", "outbox_pending": pending, "outbox_set_aside": 0,
            "oldest_age_s": oldest_age_s, "printer": {"state": printer, "reasons": list(problems)},
            "reader": {"state": reader}, "mode": "online",
        })  # fmt: skip
        r.raise_for_status()


# --- what only time, or staff before today, can do ----------------------------------------------


class OfficeDatabase:
    """The running back office's database, opened beside it: applications moved on by the
    demo staff (through backoffice.lifecycle and backoffice.issuing, as the staff pages do),
    and rows made older, as if they had arrived days or hours ago."""

    def __init__(self, config_path: Path) -> None:
        from backoffice.db import make_engine, make_sessionmaker
        from backoffice.settings import Settings

        self.settings = Settings.load(config_path)
        self.engine = make_engine(self.settings.database_url)
        self.sessions = make_sessionmaker(self.engine)
        self.village = self.settings.villages[0].profile
        self.tz = ZoneInfo(self.settings.timezone)

    def close(self) -> None:
        self.engine.dispose()

    def move(self, number: str, *steps: tuple[str, str, str],
             ago: timedelta = timedelta(0)) -> None:
        """Apply (username, action, message) steps, action one of the staff pages' actions:
        verify, issue, collected, return, reopen, cancel; a letter is dated `ago` before
        today (then `age_application` by the same)."""
        from backoffice.issuing import issue_letter_committed, verification_base_url
        from backoffice.lifecycle import Staff, transition
        from backoffice.web.applications import ACTION_BY_NAME
        from forms.issued import Signer

        for username, action, message in steps:
            staff = Staff(STAFF_NAMES[username], STAFF_ROLES[username])
            if action == "issue":
                head = f"{self.village.head_title} {self.village.name}".strip()
                signer = (Signer(staff.name, head) if staff.role == "kades" else
                          Signer(staff.name, f"Sekretaris {self.village.kind}", "a.n.", head))
                issue_letter_committed(self.sessions, number, signer, staff,
                                       (datetime.now(self.tz) - ago).date(),
                                       base_url=verification_base_url(self.settings))
                continue
            with self.sessions() as s, s.begin():
                transition(s, number, ACTION_BY_NAME[action].to, staff, message)

    def age_application(self, number: str, delta: timedelta) -> None:
        """As if the application had arrived `delta` earlier, and each step of its history
        (the issued letter too) had followed the one before by up to an hour and a half."""
        from sqlalchemy import select

        from backoffice.db import ApplicationEvent, ApplicationRow, IssuedLetterRow

        with self.sessions() as s, s.begin():
            row = s.scalars(select(ApplicationRow)
                            .where(ApplicationRow.application_number == number)).one()
            row.received_at -= delta
            events = list(s.scalars(select(ApplicationEvent).order_by(ApplicationEvent.id)
                                    .where(ApplicationEvent.application_id == row.id)))
            step = min(timedelta(minutes=95), delta / (len(events) + 1))
            for k, event in enumerate(events):
                event.at = row.received_at + k * step
            letter = s.scalars(select(IssuedLetterRow)
                               .where(IssuedLetterRow.application_id == row.id)).one_or_none()
            if letter is not None:  # dated by `move(…, ago=…)`
                letter.created_at = next(e.at for e in events if e.to_status == "siap_diambil")

    def age_complaint(self, number: str, delta: timedelta) -> None:
        """As if the complaint had arrived `delta` earlier (its four hours counted from
        then)."""
        from sqlalchemy import select

        from backoffice.db import ComplaintRow

        with self.sessions() as s, s.begin():
            row = s.scalars(select(ComplaintRow)
                            .where(ComplaintRow.complaint_number == number)).one()
            row.received_at -= delta
            row.due_at -= delta

    def silence_kiosk(self, kiosk_id: str, delta: timedelta) -> None:
        """The kiosk's last heartbeat `delta` ago (it stopped sending then)."""
        from backoffice.db import KioskHeartbeat

        with self.sessions() as s, s.begin():
            s.get(KioskHeartbeat, kiosk_id).last_heartbeat_at -= delta


# --- the back office as its own process --------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def office_config(workdir: Path) -> Path:
    """The demo settings with a fresh SQLite file in `workdir`, cheap PIN hashing (the tour's
    data are demo data) and the tour's second kiosk."""
    body = re.sub(r"(?m)^database_url\s*=.*$", "", DEMO_CONFIG.read_text())
    config = workdir / "backoffice.toml"
    config.write_text(
        f'database_url = "sqlite:///{workdir / "backoffice.sqlite3"}"\n'
        "argon2_time_cost = 1\nargon2_memory_kib = 1024\nargon2_parallelism = 1\n"
        f"{body}\n[[kiosks]]\nid = \"{MARKET_KIOSK}\"\nvillage = \"35.10.15.2003\"\n"
        f'token = "{MARKET_KIOSK_TOKEN}"\n'
    )
    return config


@contextlib.contextmanager
def running_office(workdir: Path, timeout: float = 30.0) -> Iterator[tuple[str, Path]]:
    """`python -m backoffice --demo` on a free loopback port with a fresh database in
    `workdir`: yields (its URL, its settings file); stopped afterwards."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    config = office_config(workdir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (workdir / "backoffice.log").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backoffice", "--config", str(config), "--host", "127.0.0.1",
             "--port", str(port), "--demo"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the back office exited; see {workdir / 'backoffice.log'}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the back office did not answer within {timeout} s")
            time.sleep(0.1)
        yield url, config
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium context (playwright.sync_api.BrowserContext) at the office PC's
    size; no browser download: Debian's /usr/bin/chromium (deploy/dev-packages.sh)."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: deploy/dev-packages.sh installs chromium")
    with tempfile.TemporaryDirectory(prefix="staff-tour-") as profile, \
            sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport=SIZE, locale="id-ID",
        )
        try:
            yield context
        finally:
            context.close()


# --- the pages, as a clerk uses them (shared with tests/test_staff_browser.py) -----------------


def sign_in(page, base: str, username: str, password: str = DEMO_STAFF_PASSWORD) -> None:
    """Fill the sign-in form and send it (the caller checks where it led)."""
    page.goto(f"{base}/staff/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("main form button").click()


def signed_in(page, base: str, username: str) -> None:
    """Signed in as `username`, on the queue."""
    sign_in(page, base, username)
    page.wait_for_url(f"{base}/staff/queue")


def sign_out(page) -> None:
    page.locator("header form[action$='/logout'] button").click()
    page.wait_for_url(re.compile(r".*/staff/login\?bye=1$"))


def switch_language(page, lang: str) -> None:
    """The header's language switch (stays with the account), to `lang` ("id" or "en")."""
    page.locator("header form[action$='/language'] button").click()
    page.locator(f"html[lang='{lang}']").wait_for(state="attached")


def forge_csrf(page) -> None:
    """What a forged cross-site form would carry: another CSRF value in every form."""
    page.evaluate("""() => document.querySelectorAll("input[name='csrf']").forEach(
                         input => { input.value = 'forged-' + input.value.slice(7); })""")


def wait_for_pdf(page, timeout_s: float = 20.0) -> bool:
    """Until Chromium's PDF viewer in `page` (embedded, or the page itself) has loaded the
    document and stopped painting it, so that a picture shows it. Best effort, for the tour's
    pictures only: the loaded state is Chromium's own (`pdf-viewer`'s loadState_), and the
    painting is done when two pictures of the viewer a moment apart are the same. False when
    that did not happen in time."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout_s
    viewer = None
    while viewer is None and time.monotonic() < deadline:
        viewer = next((f for f in page.frames if f.url.startswith("chrome-extension://")), None)
        if viewer is None:
            page.wait_for_timeout(100)  # the viewer's frame is attached a moment after load
    if viewer is None:
        return False
    try:
        viewer.wait_for_function(
            "() => document.querySelector('pdf-viewer')?.loadState_ === 'success'",
            timeout=max(1.0, deadline - time.monotonic()) * 1000)
    except PlaywrightError:
        return False
    embedded = page.locator("object[type='application/pdf']")
    box = embedded.first.bounding_box() if embedded.count() else None

    def picture() -> bytes:  # (a locator's screenshot would leave clicks dead in Chromium)
        return page.screenshot(clip=box, full_page=True) if box else page.screenshot()

    before = picture()
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)
        after = picture()
        if after == before:
            return True
        before = after
    return False


# --- the tour ---------------------------------------------------------------------------------


class Shots:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.n = 0
        self.names: list[str] = []

    def __call__(self, page, name: str) -> Path:
        page.wait_for_load_state("load")
        self.n += 1
        lang = page.locator("html").get_attribute("lang") or "id"
        if page.url.endswith("/letter"):
            lang = "id"  # a letter is always Indonesian
        path = self.out / f"{self.n:02d}-{name}-{lang}.png"
        if page.url.endswith("/letter"):
            wait_for_pdf(page)
            page.screenshot(path=str(path))
        elif page.locator("object[type='application/pdf']").count():
            # Chromium's PDF viewer paints only what is inside the window: for the picture,
            # a window as tall as the page (the width, and so the layout, stay the office PC's).
            height = page.evaluate("document.documentElement.scrollHeight")
            page.set_viewport_size({"width": SIZE["width"], "height": max(height, SIZE["height"])})
            try:
                wait_for_pdf(page)
                page.screenshot(path=str(path), full_page=True)
            finally:
                page.set_viewport_size(SIZE)
        else:
            page.screenshot(path=str(path), full_page=True)
        self.names.append(path.name)
        print(f"tour: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}",
              flush=True)
        return path


def seed(url: str, config: Path) -> dict[str, str]:
    """The office as a clerk finds it one morning; returns the numbers the walk opens."""
    db = OfficeDatabase(config)
    village, tz = db.village, db.settings.timezone
    day, hour = timedelta(days=1), timedelta(hours=1)
    try:
        with KioskSide(url, village, tz=tz) as office_kiosk, \
                KioskSide(url, village, MARKET_KIOSK, MARKET_KIOSK_TOKEN, tz=tz) as market:
            n: dict[str, str] = {}

            def application(key: str, kiosk: KioskSide, resident, letter: str,
                            ago: timedelta, *steps: tuple[str, str, str]) -> None:
                n[key] = kiosk.application(resident, letter, ago=ago)
                db.move(n[key], *steps, ago=ago)
                db.age_application(n[key], ago)

            # Last week's work, in every status; this morning's still to be checked (Siti's
            # domicile letter is the one the walk follows).
            application("cancelled", office_kiosk, BAGUS, "pengantar_umum", 6 * day,
                        ("sekdes", "cancel", "Permohonan ganda: sudah diajukan dengan nomor "
                                             "lain."))
            application("collected", office_kiosk, SITI, "keterangan_penduduk", 5 * day,
                        ("operator", "verify", ""), ("kades", "issue", ""),
                        ("operator", "collected", "Diambil oleh pemohon sendiri"))
            application("returned", market, AHMAD, "domisili_usaha", 3 * day,
                        ("operator", "return", "Alamat usaha belum lengkap: mohon tulis nama "
                                               "jalan dan nomornya, lalu ajukan lagi."))
            application("ready", office_kiosk, BAGUS, "keterangan_usaha", 2 * day,
                        ("operator", "verify", ""), ("sekdes", "issue", ""))
            application("waiting", office_kiosk, SUKARMI, "sktm", day, ("operator", "verify", ""))
            application("market", market, AHMAD, "pengantar_skck", 3 * hour)
            application("sukarmi", office_kiosk, SUKARMI, "keterangan_penduduk", hour)
            application("siti", office_kiosk, SITI, "domisili", timedelta(minutes=20))

            # Complaints: one from yesterday and one from this morning, both past their four
            # hours, and one still within them.
            def complaint(key: str, kiosk: KioskSide, ago: timedelta, *args: str) -> None:
                n[key] = kiosk.complaint(*args, ago=ago)
                db.age_complaint(n[key], ago)

            complaint("complaint_old", office_kiosk, day, SITI, "pelayanan_petugas",
                      "Kemarin saya menunggu lama karena loket tutup saat jam istirahat.",
                      "081234567890")
            complaint("complaint_overdue", market, 6 * hour, SUKARMI, "fasilitas_kantor",
                      "Kursi di ruang tunggu kantor desa banyak yang rusak, orang tua harus "
                      "berdiri.", "085678901234")
            complaint("complaint_new", office_kiosk, timedelta(minutes=40), AHMAD,
                      "layanan_surat",
                      "Surat keterangan usaha saya belum jadi padahal sudah tiga hari.")

            # Satisfaction answers of the last weeks (anonymous): mostly good, "waktu" weaker.
            today = datetime.now(ZoneInfo(tz)).date()
            answers = [
                ("domisili", (4, 4, 3, 4, 4, 4, 4, 3, 3)), ("sktm", (3, 3, 2, 4, 3, 4, 4, 3, 3)),
                ("pengantar_skck", (4, 3, 3, 4, 4, 3, 4, 3, 2)),
                ("keterangan_usaha", (3, 3, 2, 4, 3, 3, 4, 3, 3)),
                ("domisili", (4, 4, 4, 4, 4, 4, 4, 4, 4)),
                ("kelahiran", (3, 4, 3, 4, 4, 4, 3, 3, 3)),
                ("keterangan_penduduk", (2, 3, 2, 4, 3, 3, 3, 2, 3)),
                ("domisili", (4, 4, 3, 4, 4, 4, 4, 3, 4)), ("sktm", (3, 3, 3, 4, 3, 4, 4, 3, 3)),
                ("pengantar_umum", (4, 4, 3, 4, 4, 4, 4, 3, 3)),
                ("domisili", (3, 3, 2, 4, 4, 3, 4, 3, 3)), ("pindah", (4, 3, 3, 4, 4, 4, 4, 4, 3)),
            ]  # fmt: skip
            for i, (letter, scores) in enumerate(answers):
                (market if i % 3 == 0 else office_kiosk).survey(
                    letter, scores, today - timedelta(days=2 * i))

            # The kiosks: the office's reports every 30 s; the market's went silent 3 hours
            # ago, out of paper, with two items waiting to be sent.
            office_kiosk.heartbeat()
            market.heartbeat(printer="stopped", problems=("paper_out",), pending=2,
                             oldest_age_s=5400)
            db.silence_kiosk(MARKET_KIOSK, 3 * hour)
            return n
    finally:
        db.close()


def on_menu(page, key: str) -> bool:
    """Whether the signed-in staff member's menu has the page `key` (/staff/<key>)."""
    return page.locator(f"header nav a[href$='/staff/{key}']").count() > 0


def walk(context, base: str, shot: Shots, n: dict[str, str]) -> None:
    """Every staff page, as the day goes (see backoffice/README.md, the clerk's guide)."""
    from playwright.sync_api import expect

    page = context.pages[0] if context.pages else context.new_page()
    app = f"{base}/staff/applications"

    # Sign-in, in both languages, and a wrong password.
    page.goto(f"{base}/staff/login")
    shot(page, "login")
    page.goto(f"{base}/staff/login?lang=en")
    shot(page, "login")
    page.goto(f"{base}/staff/login?lang=id")
    sign_in(page, base, "operator", "salah-sandi-123")
    expect(page.locator("p.error")).to_be_visible()
    shot(page, "login-failed")

    # The operator's morning: the queue, filtered, searched; Siti's application checked.
    signed_in(page, base, "operator")
    shot(page, "queue")
    page.locator("ul.tabs a[href$='status=sedang_diperiksa']").click()
    page.wait_for_url(re.compile(r"status=sedang_diperiksa"))
    shot(page, "queue-status")
    page.goto(f"{base}/staff/queue")
    page.locator("#q").fill("Siti")
    page.locator("form.filters button.primary").click()
    expect(page.locator("table.queue tbody tr")).to_have_count(2)
    shot(page, "queue-search")
    page.locator(f"a[href$='/applications/{n['siti']}']").click()
    page.wait_for_url(f"{app}/{n['siti']}")
    shot(page, "application")
    page.locator("#action-verify button").click()
    page.wait_for_url(f"{app}/{n['siti']}?done=verify")
    shot(page, "application-verified")
    # A forged form (a page elsewhere posting into the staff pages): refused, and said so.
    page.goto(f"{app}/{n['sukarmi']}")
    forge_csrf(page)
    page.locator("#action-verify button").click()
    expect(page.locator("section.message")).to_be_visible()
    shot(page, "refused-csrf")
    page.goto(f"{app}/{n['returned']}")
    shot(page, "application-returned")
    page.goto(f"{app}/{n['cancelled']}")
    shot(page, "application-cancelled")
    page.goto(f"{app}/KMR09-000000-0000")
    shot(page, "not-found")
    page.goto(f"{base}/staff/queue")
    sign_out(page)
    shot(page, "signed-out")

    # The head of the village signs and prints; the operator hands the letter over.
    signed_in(page, base, "kades")
    page.goto(f"{app}/{n['siti']}")
    shot(page, "application-to-sign")
    page.locator("#action-issue button").click()
    page.wait_for_url(f"{app}/{n['siti']}?done=issue")
    shot(page, "application-issued")
    with page.expect_popup() as opened:
        page.locator("a[href$='/letter']").click()
    letter = opened.value
    shot(letter, "letter")
    letter.close()
    sign_out(page)
    signed_in(page, base, "operator")  # the clerk at the desk hands it over
    page.goto(f"{app}/{n['siti']}")
    page.locator("#action-collected input[value='representative']").check()
    page.locator("#representative").fill("Budi Santoso")
    page.locator("#action-collected button").click()
    page.wait_for_url(f"{app}/{n['siti']}?done=collected")
    shot(page, "application-collected")

    # The operator answers a complaint past its four hours.
    done = {"queue"}
    if on_menu(page, "complaints"):
        complaints(page, base, shot, n, answer=True)
        done.add("complaints")
    # The head of the village: the satisfaction survey (with its CSV files) and every other
    # page on the menu (registry, kiosks …); then what only the admin sees (staff accounts).
    sign_out(page)
    signed_in(page, base, "kades")
    if on_menu(page, "skm"):
        page.goto(f"{base}/staff/skm")
        shot(page, "skm")
        done.add("skm")
    other_pages(page, base, shot, done)
    sign_out(page)
    signed_in(page, base, "admin")
    other_pages(page, base, shot, done)

    # English: the key pages (the language is kept per account).
    sign_out(page)
    signed_in(page, base, "kades")
    switch_language(page, "en")
    shot(page, "queue")
    page.goto(f"{app}/{n['siti']}")
    shot(page, "application")
    page.goto(f"{app}/{n['waiting']}")
    shot(page, "application-to-sign")
    if "complaints" in done:
        complaints(page, base, shot, n)
    if "skm" in done:
        page.goto(f"{base}/staff/skm")
        shot(page, "skm")
    switch_language(page, "id")  # leave the demo account as it was


def complaints(page, base: str, shot: Shots, n: dict[str, str], answer: bool = False) -> None:
    """The complaints, most urgent first; the overdue one opened (and answered by phone);
    the response times per month."""
    page.goto(f"{base}/staff/complaints")
    shot(page, "complaints")
    page.locator("table tbody a", has_text=n["complaint_overdue"]).click()
    page.wait_for_url(f"{base}/staff/complaints/{n['complaint_overdue']}")
    shot(page, "complaint")
    if answer:
        form = page.locator("form#respond")
        form.locator("input[name='kind'][value='phone']").check()
        form.locator("textarea").fill("Sudah ditelepon: kursi yang rusak diganti minggu ini; "
                                      "Bu Sukarmi berterima kasih.")
        form.locator("button").click()
        page.wait_for_url(re.compile(r".*\?done=first.*"))
        shot(page, "complaint-answered")
    page.goto(f"{base}/staff/complaints/stats")
    shot(page, "complaint-stats")


def other_pages(page, base: str, shot: Shots, done: set[str]) -> None:
    """Each menu item not pictured yet, and the first thing listed on it."""
    links = page.locator("header nav a")
    items = [(links.nth(i).get_attribute("href") or "") for i in range(links.count())]
    for href in items:
        key = href.rstrip("/").rsplit("/", 1)[-1]
        if not href.startswith("/staff/") or key in done:
            continue
        done.add(key)
        page.goto(f"{base}{href}")
        shot(page, key)
        first = page.locator("main table tbody a[href^='/staff/']").first
        if first.count():
            target = first.get_attribute("href")
            first.click()
            page.wait_for_url(f"{base}{target}")
            shot(page, key.removesuffix("s"))  # "residents" → "resident"


def run(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("[0-9][0-9]-*.png"):
        old.unlink()
    started = time.monotonic()
    with running_office(ROOT / "build" / "tour-office") as (url, config):
        numbers = seed(url, config)
        shot = Shots(out)
        with chromium() as context:
            context.set_default_timeout(30_000)
            walk(context, url, shot, numbers)
    print(f"tour: {shot.n} pictures of the staff pages in {out} "
          f"({time.monotonic() - started:.0f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return run(Path(argv[0]) if argv else ROOT / "build" / "tour" / "staff")


if __name__ == "__main__":
    sys.exit(main())
