"""Run the back office: `python -m backoffice --config deploy/demo/backoffice.toml --demo`."""

from __future__ import annotations

import argparse
import asyncio
import sys

import uvicorn

from backoffice.app import create_app
from backoffice.demo import DEMO_VILLAGE_CODE, seed_demo
from backoffice.settings import Settings


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
    return p


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
        print(f"backoffice: {count} demo residents ready in village {code}", flush=True)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="info")
    server = uvicorn.Server(config)
    asyncio.run(_serve(server, f"http://{args.host}:{args.port}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
