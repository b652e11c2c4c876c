"""Headless Chromium from the system (Debian's ``chromium``), driven by Playwright.

Playwright cannot download its own browser here, so minsec always launches the system one:
``$MINSEC_CHROMIUM`` or the first of ``chromium``, ``chromium-browser``, ``google-chrome`` on
the PATH. The flags keep it off the network: no background fetches, updates or sync.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from minsec.errors import MinsecError

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def executable() -> Path:
    """The Chromium binary to drive, or a one-line error saying how to install it."""
    given = os.environ.get("MINSEC_CHROMIUM")
    if given:
        if not Path(given).is_file():
            raise MinsecError(f"MINSEC_CHROMIUM={given}: no such file")
        return Path(given)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise MinsecError("no Chromium found: install Debian's package (apt-get install chromium) "
                      "or set MINSEC_CHROMIUM to the browser's path")


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright ``Browser`` on the system Chromium, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(executable()), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()
