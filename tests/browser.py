"""A real browser for the staff pages' tests: Playwright driving Debian's Chromium.

No browser is downloaded (`playwright install` is never run): `deploy/dev-packages.sh` installs
Debian's `chromium`, and Playwright starts it from /usr/bin/chromium. The flags keep it quiet
on a machine without outside network (no background, component or sync traffic), and root
needs --no-sandbox.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (playwright.sync_api.Browser); fails clearly when it is missing."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: deploy/dev-packages.sh installs chromium")
    with tempfile.TemporaryDirectory(prefix="staff-browser-") as profile, \
            sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1366, "height": 768}, locale="id-ID",
        )
        try:
            yield context
        finally:
            context.close()
