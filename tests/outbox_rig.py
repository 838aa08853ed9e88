"""What the outbox tests and bench share: many valid applications made fast, and a small
fault-injecting HTTP/1.1 proxy on loopback between the kiosk and the back office.

The proxy:

Real sockets, real HTTP: it forwards to the real back office and misbehaves on purpose for
`POST /api/v1/applications` — drops the connection *after* the back office answered (the
application is stored, the kiosk never hears so), answers 503 without forwarding, or holds a
request past the client's timeout (then forwards it, or not). Faults are drawn from a seeded
`random.Random`, or taken from `script` (one entry per request, for exact tests).
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

TARGET = ("POST", "/api/v1/applications")
WIB = timezone(timedelta(hours=7))


ROOT = Path(__file__).resolve().parent.parent
TOKEN = "demo-kiosk-token-KMR01-not-for-production"  # deploy/demo: KMR01's public demo token


def write_kiosk_config(
    path: Path, url: str, data_dir: Path, timeout_s: float, retry_base_s: float,
    retry_cap_s: float,
) -> Path:
    """The demo kiosk's configuration, pointed at `url` and `data_dir`, with these timings;
    the sealing key is `<data_dir>/../keys/kiosk.key` (never created by the sender)."""
    text = (ROOT / "deploy" / "demo" / "kiosk.toml").read_text()
    text = re.sub(r"(?m)^(key_file|create_key)\s*=.*$", "", text)
    key_file = data_dir.parent / "keys" / "kiosk.key"
    text = text.replace("[kiosk]\n", f'[kiosk]\nkey_file = "{key_file}"\n')
    for name, value in (("url", f'"{url}"'), ("data_dir", f'"{data_dir}"'),
                        ("timeout_s", timeout_s), ("retry_base_s", retry_base_s),
                        ("retry_cap_s", retry_cap_s)):
        text, n = re.subn(rf"(?m)^{name}\s*=.*$", f"{name} = {value}", text)
        assert n == 1, name
    path.write_text(text)
    return path


def personal_strings() -> list[str]:
    """What must never show in a log line or in the outbox's clear bytes."""
    from backoffice.demo import DEMO_RESIDENTS

    out = []
    for r in DEMO_RESIDENTS:
        out += [r.nik, r.name, r.family_card_number, r.address]
    return out + ["Persyaratan melamar"]


def demo_applications(
    count: int, kiosk_id: str = "KMR01", first: int = 1, tag: str = ""
) -> tuple[list[tuple[str, str]], bytes]:
    """`count` valid domicile applications by the back office's demo residents, as
    (application number, JSON), and one real PDF (rendered once, shared: the back office
    only checks that it is a PDF)."""
    from backoffice.demo import DEMO_RESIDENTS  # the registry the demo back office seeds
    from forms.application import Application
    from forms.catalogue import load_catalogue
    from forms.render import render_application
    from forms.samples import KEMIREN

    now = datetime.now(WIB)
    day = now.strftime("%y%m%d")
    apps = []
    for i in range(first, first + count):
        app = Application(
            application_number=f"{kiosk_id}-{day}-{tag}{i:04d}",
            letter="domisili",
            village_code=KEMIREN.code,
            kiosk_id=kiosk_id,
            created_at=now,
            resident=DEMO_RESIDENTS[i % len(DEMO_RESIDENTS)],
            values={"keperluan": f"Persyaratan melamar pekerjaan nomor {i}"},
        )
        apps.append(app)
    letter = load_catalogue().get("domisili")
    pdf = render_application(apps[0], letter, KEMIREN)
    return [(a.application_number, a.to_json()) for a in apps], pdf


@dataclass(frozen=True)
class Fault:
    kind: str  # "pass", "drop_after", "status", "delay"
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"error": "unavailable"}'
    delay_s: float = 0.0
    forward: bool = False  # for "delay": forward after the delay (the reply is never sent)


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        seed: int = 0,
        drop_after: float = 0.0,
        unavailable: float = 0.0,
        delay: float = 0.0,
        delay_s: float = 1.0,
    ):
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.p_drop, self.p_503, self.p_delay = drop_after, unavailable, delay
        self.delay_s = delay_s
        self.script: deque[Fault] = deque()
        self.stats: Counter[str] = Counter()
        self.inflight = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop and self._server:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)

    async def _shutdown(self) -> None:
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    # --- faults -------------------------------------------------------------------------

    def _choose(self) -> Fault:
        if self.script:
            return self.script.popleft()
        r = self.rng.random()
        if r < self.p_drop:
            return Fault("drop_after")
        if r < self.p_drop + self.p_503:
            return Fault("status", 503, {"Retry-After": "1"})
        if r < self.p_drop + self.p_503 + self.p_delay:
            return Fault("delay", delay_s=self.delay_s, forward=self.rng.random() < 0.5)
        return Fault("pass")

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # keep-alive: one client connection carries many requests
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                method, target, headers = _parse_head(head)
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    writer.write(_response(501, {}, b"{}"))
                    await writer.drain()
                    return
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if (method, target) != TARGET:
                    writer.write(await self._forward(head, body))
                    await writer.drain()
                    continue
                self.inflight += 1
                try:
                    keep = await self._fault(self._choose(), head, body, writer)
                finally:
                    self.inflight -= 1
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            self.stats["client_gone"] += 1
        finally:
            writer.transport.abort()

    async def _fault(self, fault: Fault, head: bytes, body: bytes, writer) -> bool:
        """Act on one application request; False when the client connection must be dropped."""
        self.stats["requests"] += 1
        if fault.kind == "status":
            self.stats[f"answered_{fault.status}"] += 1
            writer.write(_response(fault.status, fault.headers, fault.body))
            await writer.drain()
            return True
        if fault.kind == "delay":
            self.stats["delayed_forwarded" if fault.forward else "delayed_dropped"] += 1
            await asyncio.sleep(fault.delay_s)
            if fault.forward:
                reply = await self._forward(head, body)
                self.stats[f"late_upstream_{_status(reply)}"] += 1
            return False
        reply = await self._forward(head, body)
        status = _status(reply)
        if fault.kind == "drop_after":
            self.stats["dropped_after_upstream"] += 1
            self.stats[f"dropped_upstream_{status}"] += 1
            return False
        self.stats[f"relayed_{status}"] += 1
        self.stats["relayed_replays"] += b"\r\nidempotent-replayed: true" in reply.lower()
        writer.write(reply)
        await writer.drain()
        return True

    async def _forward(self, head: bytes, body: bytes) -> bytes:
        """Send one request to the back office on a fresh connection; its whole reply."""
        lines = head.decode("latin-1").split("\r\n")
        kept = [ln for ln in lines[1:] if ln and not ln.lower().startswith("connection:")]
        request = "\r\n".join([lines[0], *kept, "Connection: close", "", ""]).encode("latin-1")
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            up_writer.write(request + body)
            await up_writer.drain()
            raw = await up_reader.read()
        finally:
            up_writer.close()
        reply_head, _, reply_body = raw.partition(b"\r\n\r\n")
        rlines = reply_head.decode("latin-1").split("\r\n")
        rkept = [ln for ln in rlines[1:] if not ln.lower().startswith("connection:")]
        return "\r\n".join([rlines[0], *rkept, "", ""]).encode("latin-1") + reply_body


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return method, target, headers


def _status(reply: bytes) -> int:
    try:
        return int(reply.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def _response(status: int, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} Fault", "Content-Type: application/json",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode("latin-1") + body
