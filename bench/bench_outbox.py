"""outbox_drain_s: 1 000 sealed applications queued while the link was down; the link is back
(the real back office on loopback, SQLite, demo residents): seconds until the outbox is empty.

`outbox_drain_vs_naive_x`: the same drain by a naive sender that makes a new HTTP client (so a
new connection) for every application, as `httpx.post(...)` does, divided by ours.
`outbox_drain_no_keepalive_s`: one client without keep-alive; on loopback a TCP handshake is
nearly free, so this is close to ours — the naive cost is the client set-up (TLS context etc.).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from terminal.client import BackofficeClient  # noqa: E402
from terminal.devstack import BackofficeProcess  # noqa: E402
from terminal.outbox import Outbox, Sender  # noqa: E402
from terminal.sealing import Sealer  # noqa: E402
from tests.outbox_rig import demo_applications  # noqa: E402

COUNT = 1000
TOKEN = "demo-kiosk-token-KMR01-not-for-production"


class NaiveClient(BackofficeClient):
    """A new HTTP client, hence a new connection, for every application (`httpx.post` style)."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 10.0):
        self._args = (base_url, token, timeout_s)
        super().__init__(*self._args)

    def _submit_once(self, *args, **kwargs):
        fresh = BackofficeClient(*self._args)
        self._http, kept = fresh._http, self._http
        try:
            return super()._submit_once(*args, **kwargs)
        finally:
            self._http = kept
            fresh.close()


class NoKeepAliveClient(BackofficeClient):
    """One client, but a new TCP connection for every application (`Connection: close`)."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 10.0):
        super().__init__(base_url, token, timeout_s)
        self._http.headers["Connection"] = "close"


def drain(office: BackofficeProcess, workdir: Path, tag: str, client_cls) -> float:
    apps, pdf = demo_applications(COUNT, tag=tag)
    outbox = Outbox(workdir / "outbox.sqlite3",
                    Sealer.from_key_file(workdir / "kiosk.key", create=True))
    for number, payload in apps:
        outbox.enqueue(number, payload, pdf)
    client = client_cls(office.url, TOKEN, 10.0)
    sender = Sender(outbox, client, retry_base_s=0.05, retry_cap_s=1.0)
    t0 = time.perf_counter()
    while True:
        wait = sender.send_due()
        if not outbox.pending_count():
            break
        time.sleep(wait)
    elapsed = time.perf_counter() - t0
    sender.release()
    client.close()
    assert outbox.stats().set_aside == 0, outbox.set_aside_items()[:3]
    outbox.close()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        office = BackofficeProcess(tmp / "backoffice")
        office.start()
        try:
            ours = drain(office, tmp / "ours", "A", BackofficeClient)
            naive = drain(office, tmp / "naive", "B", NaiveClient)
            no_keepalive = drain(office, tmp / "no-keepalive", "C", NoKeepAliveClient)
        finally:
            office.stop()
    print(f"BENCH outbox_drain_s {ours:.2f} s")
    print(f"BENCH outbox_drain_naive_s {naive:.2f} s")
    print(f"BENCH outbox_drain_vs_naive_x {naive / ours:.2f} x")
    print(f"BENCH outbox_drain_no_keepalive_s {no_keepalive:.2f} s")


if __name__ == "__main__":
    main()
