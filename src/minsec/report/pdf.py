"""The briefing as PDF: the HTML file printed by headless Chromium (Playwright)."""

from __future__ import annotations

from pathlib import Path

from minsec.browser import chromium
from minsec.errors import MinsecError

TIMEOUT_MS = 60_000


def write_pdf(html: Path, pdf: Path) -> Path:
    """Open ``html``, wait until every chart is drawn, print A4 with an outline (tagged PDF).

    A console error or a chart that fails to draw is an error: no half-drawn PDF.
    """
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.resolve().as_uri())
        page.wait_for_function("window.minsecReady === true || window.minsecError",
                               timeout=TIMEOUT_MS)
        failed = page.evaluate("window.minsecError || null")
        if failed or errors:
            raise MinsecError(f"the briefing did not render: {failed or errors[0]}")
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), format="A4", outline=True, tagged=True, print_background=True,
                 margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
        page.close()
    return pdf
