"""A PDF of the whole book: Jupyter Book's ``pdfhtml`` route, printed by the system Chromium.

``python -m hepml pdf`` builds the book as one HTML page (``jupyter-book build --builder
singlehtml``, the offline variant of ``book/_ext/hepml_site.py`` so MathJax and the widget
manager come from the page itself), serves it on 127.0.0.1, waits in headless Chromium until
MathJax has typeset every formula, and prints the page to PDF. This is what Jupyter Book's own
``--builder pdfhtml`` does, except that pdfhtml drives a Chromium that pyppeteer downloads at
build time; here it is Debian's ``chromium`` (``$HEPML_CHROMIUM``) driven by Playwright, and
nothing but the npm packages pinned in ``book/_ext/vendor.json`` (fetched once, cached) is
downloaded. Every request to a host other than 127.0.0.1 is refused.

The PDF is written to ``_build/pdf/hepml-course.pdf`` and, when the HTML site has been built
(``_build/html``), copied there as well: the site's "PDF" link points at it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlparse

from hepml.course import paths

#: The PDF's file name, in ``_build/pdf/`` and at the root of the HTML site.
PDF_NAME = "hepml-course.pdf"

#: Debian's Chromium, the browser the site tests use too.
DEFAULT_CHROMIUM = "/usr/bin/chromium"

_TIMEOUT_MS = 600_000

_CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Print the article only: no sidebars, header buttons or launch menus.
_PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm; }
.bd-sidebar-primary, .bd-sidebar-secondary, .bd-header, .bd-header-article, .header-article,
.bd-footer, .bd-footer-article, .prev-next-area, .sidebar-toggle, .theme-switch-button,
.headerlink, .bd-search, .search-button-field { display: none !important; }
.bd-main, .bd-content, .bd-article-container { max-width: 100% !important; }
.cell_output img { max-width: 100% !important; page-break-inside: avoid; }
/* Long code cells break across pages instead of leaving a blank box before them. */
div.cell, div.cell_input, div.highlight, pre {
  break-inside: auto !important; page-break-inside: auto !important; display: block !important;
}
/* A code line of 75 characters fits the page; longer output lines wrap instead of being cut. */
pre {
  font-size: 0.72em !important; white-space: pre-wrap !important;
  overflow: visible !important;
}
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def build_single_html(root: Path, output: Path) -> Path:
    """Build the book as one HTML page (offline variant) under ``output``; return its folder."""
    environment = {**os.environ, "HEPML_SITE_OFFLINE": "1"}
    command = [
        "jupyter-book", "build", str(root), "--builder", "singlehtml",
        "--path-output", str(output), "-W", "--all",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        raise RuntimeError(
            "the single-page build failed:\n" + result.stdout[-3000:] + result.stderr[-3000:]
        )
    return output / "_build" / "singlehtml"


def print_to_pdf(html: Path, pdf: Path, *, chromium: str | Path | None = None) -> Path:
    """Print ``html/index.html``'s root page to ``pdf`` with headless Chromium.

    Parameters
    ----------
    html
        Output folder of the ``singlehtml`` build.
    pdf
        The PDF to write (its folder is created).
    chromium
        The browser executable (default ``$HEPML_CHROMIUM`` or ``/usr/bin/chromium``).
    """
    from playwright.sync_api import sync_playwright

    chromium = Path(chromium or os.environ.get("HEPML_CHROMIUM", DEFAULT_CHROMIUM))
    if not chromium.is_file():
        raise FileNotFoundError(f"no Chromium at {chromium} (Debian: apt-get install chromium)")
    page_path = _root_page(html)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(html))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium), args=_CHROMIUM_ARGS
            )
            try:
                page = browser.new_page(color_scheme="light")
                # One page of the whole book (about 16 MB with its widget frames): on a busy
                # 2-core machine loading and typesetting it can take minutes.
                page.set_default_timeout(_TIMEOUT_MS)
                page.route("**/*", _local_only)
                page.goto(f"http://127.0.0.1:{server.server_port}/{page_path}", wait_until="load")
                page.wait_for_function(
                    "window.MathJax && MathJax.startup && MathJax.startup.promise"
                )
                page.evaluate("MathJax.startup.promise.then(() => true)")
                page.wait_for_load_state("networkidle")
                math, typeset = page.evaluate(
                    """() => [document.querySelectorAll('span.math, div.math').length,
                              document.querySelectorAll('mjx-container').length]"""
                )
                if typeset < math:
                    raise RuntimeError(f"MathJax typeset {typeset} of {math} formulas")
                page.add_style_tag(content=_PRINT_CSS)
                page.emulate_media(media="print")
                page.pdf(path=str(pdf), format="A4", print_background=True, outline=True)
            finally:
                browser.close()
    finally:
        server.shutdown()
    return pdf


def build_pdf(root: str | Path | None = None, *, chromium: str | Path | None = None) -> Path:
    """Build the PDF of the whole book; return ``ROOT/_build/pdf/hepml-course.pdf``.

    The PDF is also copied to ``ROOT/_build/html/`` when that site exists.
    """
    root = paths.repository_root(root)
    pdf = root / "_build" / "pdf" / PDF_NAME
    with tempfile.TemporaryDirectory(prefix="hepml-pdf-") as scratch:
        html = build_single_html(root, Path(scratch))
        print_to_pdf(html, pdf, chromium=chromium)
    site = root / "_build" / "html"
    if site.is_dir():
        shutil.copyfile(pdf, site / PDF_NAME)
    return pdf


def _root_page(html: Path) -> str:
    """The single page, copied to the output's top folder; return its name there.

    Sphinx's singlehtml writes the root document at its source path (``book/intro.html``) but
    with links relative to the output's top folder (``_static/``, ``_images/``).
    """
    for candidate in sorted(html.rglob("*.html")):
        relative = candidate.relative_to(html).as_posix()
        if relative != "index.html" and not relative.startswith(("_", "genindex", "search")):
            shutil.copyfile(candidate, html / "hepml-book.html")
            return "hepml-book.html"
    raise FileNotFoundError(f"no page in {html}")


def _local_only(route) -> None:
    url = route.request.url
    if urlparse(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        route.abort()
