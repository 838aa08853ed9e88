"""Run the back office: `python -m backoffice --config deploy/demo/backoffice.toml --demo`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import os
import ssl
import sys

import uvicorn

from backoffice.app import create_app
from backoffice.demo import DEMO_STAFF_PASSWORD, DEMO_VILLAGE_CODE, seed_demo, seed_demo_staff
from backoffice.settings import Settings

GRACEFUL_STOP_S = 5  # at most this long for requests in flight when told to stop


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m backoffice", description=__doc__)
    p.add_argument("--config", required=True, help="back-office TOML settings file")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8470, help="port to listen on (8470)")
    p.add_argument(
        "--demo",
        action="store_true",
        help="seed the demo residents of Desa Kemiren (cards from devices/demo_cards.py)",
    )
    p.add_argument("--tls-cert", metavar="FILE",
                   help="serve HTTPS with this PEM certificate chain (overrides [tls] cert)")
    p.add_argument("--tls-key", metavar="FILE",
                   help="the certificate's PEM private key (overrides [tls] key)")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes (1); more than one needs a file or server database")
    return p


_CONFIG_ENV = "SMART_KAMPUNG_BACKOFFICE_CONFIG"


def worker_app():
    """The app of one worker process when `--workers` is more than 1."""
    app = create_app(Settings.load(os.environ[_CONFIG_ENV]))
    _freeze_startup_objects()
    return app


def _freeze_startup_objects() -> None:
    """Keep what start-up made (modules, the app, SQLAlchemy's metadata) out of the garbage
    collector's full passes: each took ~80 ms of a serving process under load, a stall of
    every request in flight; afterwards ~5 ms."""
    gc.collect()
    gc.freeze()


def _check_tls(cert: str, key: str) -> str | None:
    """Load the pair once here, so a wrong file is a clear message, not a uvicorn traceback."""
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        return f"backoffice: cannot use TLS certificate {cert} / key {key}: {exc}"
    return None


async def _serve(server: uvicorn.Server, url: str) -> None:
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.05)
    if server.started:
        print(f"backoffice listening on {url}", flush=True)
    await task


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.load(args.config)
    except (OSError, ValueError) as exc:
        print(f"backoffice: cannot read settings {args.config}: {exc}", file=sys.stderr)
        return 2
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            print("backoffice: --tls-cert and --tls-key go together", file=sys.stderr)
            return 2
        settings = dataclasses.replace(settings, tls_cert=args.tls_cert, tls_key=args.tls_key)
    if settings.tls_cert:
        problem = _check_tls(settings.tls_cert, settings.tls_key)
        if problem:
            print(problem, file=sys.stderr)
            return 2
    if args.workers < 1:
        print("backoffice: --workers must be at least 1", file=sys.stderr)
        return 2
    app = create_app(settings)  # creates tables, upserts villages and kiosks
    if args.demo:
        codes = [v.code for v in settings.villages]
        if not codes:
            print("backoffice: --demo needs a village in the settings", file=sys.stderr)
            return 2
        code = DEMO_VILLAGE_CODE if DEMO_VILLAGE_CODE in codes else codes[0]
        bo = app.state.backoffice
        with bo.sessions() as s, s.begin():
            count = seed_demo(s, code, hasher=bo.hasher)
            staff = seed_demo_staff(s, code, hasher=bo.hasher)
        print(f"backoffice: {count} demo residents ready in village {code}", flush=True)
        scheme = "https" if settings.tls_cert else "http"
        print(f"backoffice: staff pages at {scheme}://{args.host}:{args.port}/staff/ — demo "
              f"accounts {', '.join(u for u, _ in staff)}, password {DEMO_STAFF_PASSWORD!r}",
              flush=True)
    _freeze_startup_objects()
    scheme = "https" if settings.tls_cert else "http"
    tls = {"ssl_certfile": settings.tls_cert, "ssl_keyfile": settings.tls_key} \
        if settings.tls_cert else {}
    # A stop (systemctl stop, an upgrade) waits for requests in flight, not for kiosks' idle
    # keep-alive connections: over TLS their closing handshake waits on the kiosk and held a
    # stop for 10 s and more.
    tls["timeout_graceful_shutdown"] = GRACEFUL_STOP_S
    if args.workers > 1:
        # Each worker process builds its own app from the same settings file (the tables and
        # the demo residents exist by now); uvicorn's supervisor restarts a dead worker.
        os.environ[_CONFIG_ENV] = str(args.config)
        print(f"backoffice listening on {scheme}://{args.host}:{args.port} "
              f"({args.workers} workers)", flush=True)
        uvicorn.run("backoffice.__main__:worker_app", factory=True, host=args.host,
                    port=args.port, workers=args.workers, log_level="info", **tls)
        return 0
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="info", **tls)
    server = uvicorn.Server(config)
    # uvicorn's own loop choice (uvloop when installed), as `uvicorn.run` would make it.
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(_serve(server, f"{scheme}://{args.host}:{args.port}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
