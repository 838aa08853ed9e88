"""The outbox sender as a process of its own: `python -m terminal.sender --config kiosk.toml`.

For a kiosk that wants sending apart from the UI (its own systemd unit, restarted on failure),
and for the chaos test that kills it at random moments. It takes the outbox's sender lock, so
it never sends alongside the kiosk's own sender thread: whichever holds the lock sends, the
other waits (or, with `--exit-if-running`, this one exits at once with status 0).

Exit status: 0 after SIGTERM/SIGINT (or `--until-empty` with nothing left to send), 2 for an
unusable configuration or key file.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path

from terminal.client import BackofficeClient
from terminal.config import ConfigError, KioskConfig
from terminal.outbox import Outbox, Sender
from terminal.sealing import KeyFileError, Sealer

log = logging.getLogger("terminal.sender")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m terminal.sender", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="the kiosk's TOML configuration")
    p.add_argument("--key-file", help="the kiosk's sealing key (default: the configuration's "
                   "key_file)")
    p.add_argument("--exit-if-running", action="store_true",
                   help="exit (status 0) if another sender holds the outbox")
    p.add_argument("--until-empty", action="store_true",
                   help="exit once nothing is waiting to be sent")
    p.add_argument("--poll", type=float, default=1.0,
                   help="seconds between looks at the outbox when nothing is due (1)")
    p.add_argument("-v", "--verbose", action="store_true", help="log every delivery")
    return p


def key_file_for(config: KioskConfig, override: str | None = None) -> Path:
    if override:
        return Path(override)
    configured = getattr(config, "key_file", None)
    return Path(configured) if configured else config.data_dir / "kiosk.key"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        config = KioskConfig.load(args.config)
        sealer = Sealer.from_key_file(key_file_for(config, args.key_file),
                                      create=bool(getattr(config, "create_key", False)))
    except (ConfigError, KeyFileError) as e:
        print(f"sender: {e}", file=sys.stderr)
        return 2
    outbox = Outbox(config.data_dir / "outbox.sqlite3", sealer)
    client = BackofficeClient(config.backoffice_url, config.backoffice_token,
                              config.request_timeout_s, ca_file=config.backoffice_ca_file)
    sender = Sender(outbox, client, retry_base_s=config.retry_base_s,
                    retry_cap_s=config.retry_cap_s, poll_s=args.poll)
    try:
        if args.exit_if_running and not sender.acquire():
            print("sender: another sender is running; exiting", file=sys.stderr)
            return 0
        if args.until_empty:
            while outbox.pending_count():
                sender.send_due()
                until = outbox.seconds_until_due(time.time())
                if until:
                    time.sleep(min(args.poll, until))
            return 0
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: sender.stop(timeout=0))
        print("sender: running", flush=True)
        sender.run()
        return 0
    finally:
        sender.release()
        client.close()
        outbox.close()


if __name__ == "__main__":
    sys.exit(main())
