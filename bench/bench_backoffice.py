"""Back-office ingest: 50 simulated kiosks submit applications with 30 KB PDFs.

The real `python -m backoffice` process on a loopback port (HTTPS with a CA made on the fly, as
in the field; the kiosks verify it), 50 kiosks registered in its settings, each with its own
token and one kept-alive connection, as a real kiosk's outbox sender has.

Two figures, because one load cannot honestly give both (Little's law: 50 kiosks that send
back-to-back with a p99 of 100 ms would need more than 500 applications/s):

- `backoffice_ingest_per_s`: saturation throughput, closed loop. Every kiosk sends its next
  application as soon as the previous answer arrives; applications answered 201 per second.
- `backoffice_p99_ms`: latency at a fixed offered load, open loop. The 50 kiosks together
  offer `--rate` (300) applications/s, each kiosk on its own Poisson schedule (independent
  villagers). Latency runs from the *scheduled* send time to the answer, so time spent queued
  behind a slow answer (the kiosk's one connection is busy) counts: no coordinated omission.
  The run also prints the rate actually answered; below the offered rate, the p99 is
  meaningless and large, as it should be.

Both on SQLite (the main names, and `_sqlite` copies) and on a throw-away durable PostgreSQL
server (`_postgresql`, tests/postgres_rig.py). Ratios: plain HTTP against HTTPS (the TLS cost)
and several uvicorn workers against one. CPU is given in cores busy for the server (with its
worker processes) and for this load generator, which shares the same machine: it is kept cheap
(request bodies built from pre-built parts, a bare HTTP/1.1 client on asyncio streams, uvloop
when installed) and its share is reported so the server's figure can be read against it.

Run: `.venv/bin/python bench/bench_backoffice.py [--seconds 10] [--kiosks 50] [--rate 300]`
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import ssl
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from terminal.client import tls_context  # noqa: E402
from terminal.devstack import BackofficeProcess  # noqa: E402
from tests.outbox_rig import demo_applications  # noqa: E402
from tests.postgres_rig import PostgresServer, missing  # noqa: E402

VILLAGE = "35.10.15.2003"  # Kemiren, the demo village
PDF_BYTES = 30 * 1024
BOUNDARY = b"smartkampung-bench-3f1c9d"
WARM_UP_S = 1.0


def pdf_30k() -> bytes:
    """A 30 KB PDF: a small valid document padded with a PDF comment (a rendered letter with
    its embedded fonts is ~45 KB, over the issue's 30 KB; the back office only checks the
    PDF header)."""
    head = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n" \
        b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    tail = b"trailer <</Root 1 0 R>>\n%%EOF\n"
    pad = PDF_BYTES - len(head) - len(tail) - 2
    return head + b"%" + b"x" * pad + b"\n" + tail


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live child processes (uvicorn workers), Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    ticks = sum(int(f) for f in fields[11:13])
    return ticks / os.sysconf("SC_CLK_TCK") + sum(cpu_seconds(int(c)) for c in children)


def kiosk_ids(n: int) -> list[str]:
    return [f"B{i:03d}" for i in range(n)]


def token_of(kiosk_id: str) -> str:
    return f"bench-kiosk-token-{kiosk_id}-0123456789"


def start_office(workdir: Path, kiosks: int, tls: bool, workers: int,
                 database_url: str | None = None) -> BackofficeProcess:
    office = BackofficeProcess(workdir, demo=True, tls=tls, workers=workers)
    office.write_config()
    if database_url:
        text = office.config_path.read_text()
        office.config_path.write_text(
            re.sub(r"(?m)^database_url\s*=.*$", f'database_url = "{database_url}"', text))
    extra = "".join(
        f'\n[[kiosks]]\nid = "{k}"\nvillage = "{VILLAGE}"\ntoken = "{token_of(k)}"\n'
        for k in kiosk_ids(kiosks)
    )
    office.config_path.write_text(office.config_path.read_text() + extra)
    office.start(timeout=60)
    return office


# --- the load generator -------------------------------------------------------------------


class SimulatedKiosk:
    """One kiosk: one kept-alive HTTP/1.1 connection and its own stream of applications.

    A bare client on purpose: httpx cost ~2.5 ms of CPU per request here, on the same two
    cores as the server. The request is what `terminal/client.py` sends (bearer token,
    Idempotency-Key as an sf-string, multipart with the application JSON and the PDF).
    """

    def __init__(self, kiosk_id: str, apps: Iterator[tuple[str, str]], host: str, port: int,
                 tls: ssl.SSLContext | None, pdf: bytes) -> None:
        self.apps = apps
        self.host, self.port, self.tls = host, port, tls
        self.head = (
            f"POST /api/v1/applications HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {token_of(kiosk_id)}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY.decode()}\r\n"
        ).encode()
        self.part_head = (
            b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="application"\r\n'
            b"Content-Type: application/json\r\n\r\n"
        )
        # Built once: the PDF part and the closing boundary are the same for every request.
        self.pdf_tail = (
            b"\r\n--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="pdf"; '
            b'filename="application.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
            + pdf + b"\r\n--" + BOUNDARY + b"--\r\n"
        )
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (OSError, ssl.SSLError):
                pass
            self.writer = self.reader = None

    async def submit(self) -> tuple[int, bytes]:
        """Send the next application; (status, body)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, ssl=self.tls)
        _number, payload = next(self.apps)
        first = self.part_head + payload.encode()
        length = len(first) + len(self.pdf_tail)
        self.writer.writelines([
            self.head,
            f'Idempotency-Key: "{uuid.uuid4()}"\r\nContent-Length: {length}\r\n\r\n'.encode(),
            first,
            self.pdf_tail,
        ])
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at < 0:
            raise RuntimeError("reply without Content-Length")
        end = lower.find(b"\r\n", at + 2)
        body = await self.reader.readexactly(int(lower[at + 17:end]))
        if b"\r\nconnection: close" in lower:
            await self.close()
        return status, body


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    late: int = 0  # open loop: scheduled in the window but not answered by the hard stop

    def p(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def _closed(kiosk: SimulatedKiosk, until: float, tally: Tally) -> None:
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        started = loop.time()
        status, body = await kiosk.submit()
        if status == 201:
            tally.latencies.append(loop.time() - started)
        else:
            tally.refused.append(f"{status} {body[:80]!r}")


async def _open(kiosk: SimulatedKiosk, rate: float, start: float, until: float, stop: float,
                rng: random.Random, tally: Tally) -> None:
    loop = asyncio.get_running_loop()
    due = start + rng.expovariate(rate)
    while due < until:
        wait = due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        remaining = stop - loop.time()
        try:
            status, body = await asyncio.wait_for(kiosk.submit(), max(remaining, 0.001))
        except TimeoutError:
            tally.late += 1 + sum(1 for _ in _schedule(due, rate, until, rng))
            await kiosk.close()
            return
        if status == 201:
            tally.latencies.append(loop.time() - due)  # from the schedule, not the send
        else:
            tally.refused.append(f"{status} {body[:80]!r}")
        due += rng.expovariate(rate)


def _schedule(due: float, rate: float, until: float, rng: random.Random) -> Iterator[float]:
    while (due := due + rng.expovariate(rate)) < until:
        yield due


@dataclass
class Phase:
    per_s: float
    tally: Tally
    server_cpu: float  # cores busy
    client_cpu: float


async def _run_phase(kiosks: list[SimulatedKiosk], seconds: float, pid: int,
                     rate: float | None) -> Phase:
    loop = asyncio.get_running_loop()
    # Warm-up, closed loop: connections, TLS handshakes, the server's first requests.
    await asyncio.gather(*(_closed(k, loop.time() + WARM_UP_S, Tally()) for k in kiosks))
    tally = Tally()
    cpu0, own0, start = cpu_seconds(pid), time.process_time(), loop.time()
    until = start + seconds
    if rate is None:
        await asyncio.gather(*(_closed(k, until, tally) for k in kiosks))
    else:
        rng = random.Random(6)  # the same schedule in every run
        stop = until + 30  # a server that cannot keep up still ends the run
        await asyncio.gather(*(
            _open(k, rate / len(kiosks), start, until, stop,
                  random.Random(rng.random()), tally) for k in kiosks))
    elapsed = loop.time() - start
    return Phase(
        per_s=len(tally.latencies) / elapsed,
        tally=tally,
        server_cpu=(cpu_seconds(pid) - cpu0) / elapsed,
        client_cpu=(time.process_time() - own0) / elapsed,
    )


async def _close_all(kiosks: list[SimulatedKiosk]) -> None:
    await asyncio.gather(*(k.close() for k in kiosks))


def _loop_factory():
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _print(label: str, phase: Phase, rate: float | None) -> None:
    t = phase.tally
    load = "closed loop" if rate is None else f"offered {rate:.0f}/s"
    late = f", {t.late} unanswered" if t.late else ""
    print(f"  {label}, {load}: {phase.per_s:.0f} applications/s answered, "
          f"p50 {t.p(0.5):.1f} ms, p99 {t.p(0.99):.1f} ms, {len(t.refused)} refused{late}; "
          f"CPU (cores busy) server {phase.server_cpu:.2f}, load generator "
          f"{phase.client_cpu:.2f}", flush=True)
    if t.refused:
        print(f"    e.g. {t.refused[0]}", flush=True)


def measure(label: str, n_kiosks: int, seconds: float, pdf: bytes, tls: bool,
            workers: int = 1, postgres: bool = False,
            rates: tuple[float | None, ...] = (None,)) -> list[Phase]:
    """Start a back office, run one phase per entry of `rates` (None: closed loop)."""
    with tempfile.TemporaryDirectory(prefix="bench-bo-") as tmp:
        os.chmod(tmp, 0o755)
        # A durable server (fsync on), as a district would run it.
        pg = PostgresServer(durable=True).start() if postgres else None
        try:
            url = pg.create_database("backoffice") if pg else None
            office = start_office(Path(tmp) / "office", n_kiosks, tls, workers, url)
            try:
                # Enough numbered applications for a fast server, made before the clock runs.
                per_kiosk = int(20 * (seconds + WARM_UP_S + 1) * len(rates)) + 10
                ids = kiosk_ids(n_kiosks)
                apps = {k: iter(demo_applications(per_kiosk, k)[0]) for k in ids}
                context = tls_context(office.ca_file) if tls else None
                kiosks = [SimulatedKiosk(k, apps[k], "127.0.0.1", office.port, context, pdf)
                          for k in ids]
                phases = []
                with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                    for rate in rates:
                        phase = runner.run(_run_phase(kiosks, seconds, office._proc.pid, rate))
                        _print(label, phase, rate)
                        phases.append(phase)
                    runner.run(_close_all(kiosks))
            finally:
                office.stop()
        finally:
            if pg:
                pg.stop()
    return phases


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=10.0, help="per phase (10)")
    p.add_argument("--kiosks", type=int, default=50)
    p.add_argument("--rate", type=float, default=300.0, help="the open loop's offered load")
    p.add_argument("--workers", type=int, default=2, help="the multi-worker comparison")
    p.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    p.add_argument("--no-ratios", action="store_true", help="skip the HTTP and workers runs")
    args = p.parse_args()
    pdf = pdf_30k()
    both = (None, args.rate)
    print(f"backoffice ingest: {args.kiosks} kiosks, {len(pdf)} B PDFs, {args.seconds:.0f} s "
          f"per phase; open loop offers {args.rate:.0f}/s", flush=True)
    ok = None
    if args.only != "postgresql":
        closed, opened = measure("SQLite, HTTPS, 1 worker", args.kiosks, args.seconds, pdf,
                                 tls=True, rates=both)
        for suffix in ("_sqlite", ""):
            print(f"BENCH backoffice_ingest_per_s{suffix} {closed.per_s:.0f} /s")
            print(f"BENCH backoffice_p99_ms{suffix} {opened.tally.p(0.99):.1f} ms")
        print(f"BENCH backoffice_server_cpu_ms_per_application_sqlite "
              f"{1000 * closed.server_cpu / closed.per_s:.2f} ms", flush=True)
        if not args.no_ratios:
            (plain,) = measure("SQLite, HTTP, 1 worker", args.kiosks, args.seconds, pdf,
                               tls=False)
            print(f"BENCH backoffice_ingest_tls_cost_ratio {plain.per_s / closed.per_s:.2f} x",
                  flush=True)
        if args.workers > 1 and not args.no_ratios:
            multi, multi_open = measure(f"SQLite, HTTPS, {args.workers} workers", args.kiosks,
                                        args.seconds, pdf, tls=True, workers=args.workers,
                                        rates=both)
            print(f"BENCH backoffice_ingest_workers_{args.workers}_ratio "
                  f"{multi.per_s / closed.per_s:.2f} x")
            print(f"BENCH backoffice_p99_ms_workers_{args.workers} "
                  f"{multi_open.tally.p(0.99):.1f} ms", flush=True)
        ok = (closed.per_s >= 300 and opened.tally.p(0.99) <= 100 and not opened.tally.late
              and opened.per_s >= 0.95 * args.rate)
    if args.only != "sqlite":
        if missing() is None:
            closed, opened = measure("PostgreSQL, HTTPS, 1 worker", args.kiosks, args.seconds,
                                     pdf, tls=True, postgres=True, rates=both)
            print(f"BENCH backoffice_ingest_per_s_postgresql {closed.per_s:.0f} /s")
            print(f"BENCH backoffice_p99_ms_postgresql {opened.tally.p(0.99):.1f} ms",
                  flush=True)
        else:
            print(f"PostgreSQL: not measured ({missing()})", flush=True)
    if ok is not None:
        print(f"target SQLite >= 300/s and p99 <= 100 ms at {args.rate:.0f}/s offered: "
              f"{'met' if ok else 'MISSED'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
