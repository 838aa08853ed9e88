"""Telling systemd how the kiosk is (sd_notify(3), without libsystemd): one datagram per message.

The kiosk's unit is `Type=notify` with `WatchdogSec=` (deploy/): the app says `READY=1` once the
first screen is shown, `WATCHDOG=1` every half watchdog period from a timer on the GUI thread
(a frozen GUI thread stops the pings and systemd restarts the app), `STATUS=…` (nothing
personal) now and then, and `STOPPING=1` on the way out.

Outside systemd (no `$NOTIFY_SOCKET`) every call does nothing. A failure to send is logged once
and never raised: telling systemd must not be what stops a villager's session.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)

_complained: set[str] = set()  # each kind of failure is logged once, not every ping


def _address(value: str) -> bytes | None:
    """`$NOTIFY_SOCKET` as an AF_UNIX address: a path, or "@name" for Linux's abstract
    namespace (a leading NUL byte). Anything else (vsock:…) is not for us."""
    if value.startswith("/"):
        return os.fsencode(value)
    if value.startswith("@") and len(value) > 1:
        return b"\0" + os.fsencode(value[1:])
    return None


def notify(*assignments: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send `assignments` ("READY=1", "STATUS=…") as one message; True when it was sent."""
    env = os.environ if environ is None else environ
    where = env.get("NOTIFY_SOCKET", "")
    if not where:
        return False
    address = _address(where)
    if address is None:
        _once("address", "systemd notify: unusable NOTIFY_SOCKET %r", where)
        return False
    message = "\n".join(assignments).encode("utf-8", errors="replace")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.setblocking(False)  # a stuck manager must not stall the GUI thread
            sock.sendto(message, address)
    except OSError as e:  # gone, full, refused, path too long: systemd acts on silence
        _once(type(e).__name__, "systemd notify: cannot send to %s (%s)", where, e)
        return False
    return True


def watchdog_period(environ: Mapping[str, str] | None = None, pid: int | None = None,
                    parent_pid: int | None = None) -> float | None:
    """The watchdog timeout systemd expects pings within, in seconds; None when it expects
    none from this process. As sd_watchdog_enabled(3): `$WATCHDOG_USEC` set, and
    `$WATCHDOG_PID` unset or this process — or its parent: on a kiosk systemd starts cage,
    the unit's main process, and cage starts the app, which inherits cage's PID here (systemd
    takes the pings from any process of the unit with `NotifyAccess=all`)."""
    env = os.environ if environ is None else environ
    if not env.get("NOTIFY_SOCKET"):
        return None
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    expected = env.get("WATCHDOG_PID", "")
    if expected:
        mine = (os.getpid() if pid is None else pid,
                os.getppid() if parent_pid is None else parent_pid)
        try:
            if int(expected) not in mine:
                return None
        except ValueError:
            return None
    return usec / 1_000_000


def _once(kind: str, message: str, *args) -> None:
    if kind not in _complained:
        _complained.add(kind)
        log.warning(message, *args)
