"""The published site: build, launch links, offline assets, and every page in a real browser.

The book is built once per test session (all tests of this file run in one pytest-xdist worker
under ``--dist loadfile``), with warnings as errors, in the offline variant: MathJax, RequireJS and
the widget manager served from the site itself (``book/_ext/hepml_site.py``). The browser tests
serve that build on 127.0.0.1, open every page in headless Chromium with every other host
blocked, and fail if any request to another host was even attempted.

Screenshots go to ``$HEPML_SITE_SCREENSHOTS`` if set, else next to the build.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from hepml.course import paths

ROOT = paths.repository_root()
LECTURES = paths.lectures(ROOT)
SOLUTIONS = paths.solutions(ROOT)

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = urlparse(CONFIG["repository"]["url"]).path.strip("/")  # owner/name
BRANCH = CONFIG["repository"]["branch"]
TOC = (ROOT / "_toc.yml").read_text()

CHROMIUM = Path(os.environ.get("HEPML_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_PAGES = {"index.html", "search.html", "genindex.html"}


def _npm_assets_available() -> bool:
    return shutil.which("npm") is not None


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """Build the whole book (offline variant when npm is available) once; return the run."""
    output = tmp_path_factory.mktemp("book")
    environment = dict(os.environ)
    offline = _npm_assets_available()
    if offline:
        environment["HEPML_SITE_OFFLINE"] = "1"
    result = subprocess.run(
        ["jupyter-book", "build", str(ROOT), "--path-output", str(output), "-W", "--all"],
        capture_output=True,
        text=True,
        timeout=900,
        env=environment,
    )
    return {"result": result, "html": output / "_build" / "html", "offline": offline}


@pytest.fixture(scope="module")
def html(build) -> Path:
    result = build["result"]
    if result.returncode != 0:
        pytest.fail("the book did not build:\n" + result.stdout[-3000:] + result.stderr[-3000:])
    return build["html"]


def _pages(html: Path) -> list[Path]:
    return sorted(
        page
        for page in html.rglob("*.html")
        if page.relative_to(html).parts[0] not in {"_static", "_sources", "_images"}
        and page.relative_to(html).as_posix() not in SKIP_PAGES
    )


def _notebook_pages(html: Path) -> dict[Path, Path]:
    """Map each notebook in the table of contents to its HTML page."""
    return {
        notebook: html / notebook.parent.name / f"{notebook.stem}.html"
        for notebook in LECTURES + SOLUTIONS
        if f"{notebook.parent.name}/{notebook.stem}" in TOC
    }


# --- the build -------------------------------------------------------------------------------


def test_book_builds_with_warnings_as_errors(build):
    result = build["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (build["html"] / "index.html").is_file()


def test_every_lecture_has_a_page_with_figures_and_no_traceback(html):
    for lecture in LECTURES:
        page = html / "lectures" / f"{lecture.stem}.html"
        assert page.is_file(), f"no page for {lecture.name}"
        text = page.read_text()
        assert "<img" in text and "alt=" in text
        assert "Traceback" not in text


def test_front_matter_pages_exist(html):
    for name in ("intro", "running", "notation", "glossary", "references", "status"):
        assert (html / "book" / f"{name}.html").is_file(), f"book/{name}.md is not built"
    references = (html / "book" / "references.html").read_text()
    assert "Mitchell" in references and "Goodfellow" in references


def test_intro_and_running_pages_link_to_the_pdf(html):
    # `python -m hepml pdf` writes the PDF to the top of the site (hepml.course.pdf).
    for name in ("intro", "running"):
        page = (html / "book" / f"{name}.html").read_text()
        assert 'href="../hepml-course.pdf"' in page, f"book/{name}: no link to the PDF"


def test_lecture_01_cites_the_bibliography(html):
    page = (html / "lectures" / "01-statistics.html").read_text()
    assert re.search(r'href="[^"]*references\.html#id\d+"', page), (
        "chapter 01 has no resolved citation"
    )


# --- launch and download links ---------------------------------------------------------------


def _launch_links(page: Path) -> dict[str, str]:
    text = page.read_text()
    links = {}
    for url in re.findall(
        r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)/[^"]+)"', text
    ):
        links["binder" if "mybinder.org" in url else "colab"] = url.replace("&amp;", "&")
    download = re.search(r'href="((?:\.\./)*_sources/[^"]+\.ipynb)"', text)
    if download:
        links["download"] = download.group(1)
    return links


def test_every_notebook_page_has_binder_colab_and_download_links_to_its_own_file(html):
    pages = _notebook_pages(html)
    assert pages, "no notebook in the table of contents"
    for notebook, page in pages.items():
        path_in_repo = notebook.relative_to(ROOT).as_posix()
        links = _launch_links(page)
        assert set(links) == {"binder", "colab", "download"}, f"{page.name}: found {sorted(links)}"

        binder = urlparse(links["binder"])
        assert binder.path == f"/v2/gh/{REPOSITORY}/{BRANCH}", links["binder"]
        urlpath = parse_qs(binder.query)["urlpath"][0]
        assert urlpath.split("/tree/", 1)[1] == path_in_repo, links["binder"]

        colab = urlparse(links["colab"])
        assert colab.path == f"/github/{REPOSITORY}/blob/{BRANCH}/{path_in_repo}", links["colab"]

        for url_path in (
            urlpath.split("/tree/", 1)[1],
            colab.path.split(f"/blob/{BRANCH}/", 1)[1],
        ):
            assert (ROOT / url_path).is_file(), f"launch link to a missing notebook: {url_path}"
        downloaded = (page.parent / links["download"]).resolve()
        assert downloaded.read_bytes() == notebook.read_bytes(), (
            f"{page.name}: download is not the notebook"
        )


# --- offline assets --------------------------------------------------------------------------


def _offline_html(build, html) -> Path:
    if not build["offline"]:
        pytest.skip(
            "npm is missing: the offline variant of the site (HEPML_SITE_OFFLINE=1) "
            "could not be built"
        )
    return html


def test_pages_load_scripts_and_styles_only_from_the_site(build, html):
    html = _offline_html(build, html)
    for page in _pages(html):
        text = page.read_text()
        remote = re.findall(r'<(?:script|link|img)[^>]*(?:src|href)="((?:https?:)?//[^"]+)"', text)
        remote = [url for url in remote if not re.search(r'rel="(?:canonical|alternate)"', url)]
        assert not remote, f"{page.relative_to(html)} loads {remote[:3]}"


def test_vendored_assets_carry_their_licences(build, html):
    html = _offline_html(build, html)
    vendor = html / "_static" / "hepml-vendor"
    notice = (vendor / "NOTICE.txt").read_text()
    for name, licence in (
        ("mathjax", "LICENSE"),
        ("requirejs", "package.json"),
        ("html-manager", "package.json"),
    ):
        assert f"hepml-vendor/{name}/" in notice
        assert (vendor / name / "licence" / licence).is_file()
    assert (vendor / "mathjax" / "tex-mml-chtml.js").is_file()
    assert sum(f.stat().st_size for f in vendor.rglob("*") if f.is_file()) < 12 * 2**20


# --- in the browser --------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser_session(build, html):
    """Serve the build on 127.0.0.1 and start headless Chromium; yield (base URL, browser)."""
    html = _offline_html(build, html)
    if not CHROMIUM.is_file():
        pytest.skip(
            f"Chromium not found at {CHROMIUM} (install Debian's chromium package; CI does)"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(html))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield f"http://127.0.0.1:{server.server_port}/", browser
        finally:
            browser.close()
            server.shutdown()


@pytest.fixture(scope="module")
def screenshots(build) -> Path:
    folder = Path(os.environ.get("HEPML_SITE_SCREENSHOTS", build["html"].parent / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class _Page:
    """A browser tab that only reaches 127.0.0.1 and records what else it tried."""

    def __init__(self, browser, **context_options):
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on(
            "response",
            lambda response: response.status >= 400 and self.failed.append(response.url),
        )

    def _route(self, route):
        if urlparse(route.request.url).hostname == "127.0.0.1" or route.request.url.startswith(
            ("data:", "blob:")
        ):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def open(self, url: str) -> None:
        self.page.goto(url, wait_until="load")
        # MathJax typesets after load; wait for it when the page has math.
        self.page.wait_for_function(
            "!window.MathJax || (MathJax.startup && MathJax.startup.promise)"
        )
        self.page.evaluate("window.MathJax ? MathJax.startup.promise.then(() => true) : true")
        self.page.wait_for_load_state("networkidle")

    def close(self) -> None:
        self.context.close()


def test_every_page_renders_offline(build, browser_session):
    base, browser = browser_session
    html = build["html"]
    notebook_pages = set(_notebook_pages(html).values())
    tab = _Page(browser)
    try:
        for page_path in _pages(html):
            name = page_path.relative_to(html).as_posix()
            tab.open(base + name)
            state = tab.page.evaluate(
                """() => ({
                    math: document.querySelectorAll('span.math, div.math').length,
                    typeset: document.querySelectorAll(
                        'span.math mjx-container, div.math mjx-container'
                    ).length,
                    rawTex: /\\\\\\(|\\\\\\[|\\$\\$/.test(
                        document.querySelector('article').innerText
                    ),
                    images: Array.from(document.images).filter(i => i.offsetParent !== null)
                        .map(i => [i.currentSrc.slice(-60), i.complete && i.naturalWidth > 0]),
                    errors: document.querySelectorAll(
                        '.cell_output .error, .cell_output .stderr'
                    ).length,
                    traceback: document.querySelector('article').innerText.includes('Traceback'),
                    binder: document.querySelectorAll('a[href^="https://mybinder.org/"]').length,
                    colab: document.querySelectorAll('a[href^="https://colab.research.google.com/"]').length,
                })"""
            )
            assert state["typeset"] == state["math"], (
                f"{name}: {state['math'] - state['typeset']} formulas not typeset"
            )
            assert not state["rawTex"], f"{name}: raw TeX delimiters in the text"
            broken = [src for src, loaded in state["images"] if not loaded]
            assert not broken, f"{name}: images not loaded: {broken}"
            assert state["errors"] == 0 and not state["traceback"], f"{name}: stored error output"
            if page_path in notebook_pages:
                assert state["binder"] and state["colab"], f"{name}: launch links missing"
        assert not tab.failed, f"failed requests: {tab.failed[:5]}"
        assert not tab.foreign, f"requests to other hosts: {tab.foreign[:5]}"
    finally:
        tab.close()


def _widget_image(page) -> str:
    return page.evaluate(
        """async () => {
            const img = document.querySelector('.widget-vbox .widget-image');
            const blob = await (await fetch(img.src)).arrayBuffer();
            const bytes = new Uint8Array(blob);
            let hash = 0;
            for (let i = 0; i < bytes.length; i++) hash = (hash * 31 + bytes[i]) >>> 0;
            return bytes.length + ':' + hash;
        }"""
    )


def test_chapter_01_slider_changes_the_figure_without_a_kernel(browser_session, screenshots):
    base, browser = browser_session
    tab = _Page(browser, viewport={"width": 1280, "height": 900})
    try:
        tab.open(base + "lectures/01-statistics.html")
        handle = tab.page.locator(".widget-slider .noUi-handle").first
        handle.wait_for(state="visible", timeout=20_000)
        handle.scroll_into_view_if_needed()
        readout = tab.page.locator(".widget-slider .widget-readout").first
        before_label, before_image = readout.inner_text(), _widget_image(tab.page)
        handle.focus()
        for _ in range(3):
            tab.page.keyboard.press("ArrowRight")
        tab.page.wait_for_timeout(300)
        after_label, after_image = readout.inner_text(), _widget_image(tab.page)
        assert (before_label, after_label) == ("2", "5")
        assert after_image != before_image, "moving the slider did not change the figure"
        tab.page.locator(".widget-vbox").first.screenshot(
            path=str(screenshots / "chapter01-widget.png")
        )
        assert not tab.foreign and not tab.failed
    finally:
        tab.close()


@pytest.mark.parametrize(
    "name, path, options",
    [
        ("intro", "book/intro.html", {"viewport": {"width": 1280, "height": 900}}),
        (
            "chapter01-light",
            "lectures/01-statistics.html",
            {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"},
        ),
        (
            "chapter01-dark",
            "lectures/01-statistics.html",
            {"viewport": {"width": 1280, "height": 900}, "color_scheme": "dark"},
        ),
        (
            "phone-notation",
            "book/notation.html",
            {
                "viewport": {"width": 390, "height": 844},
                "device_scale_factor": 2,
                "is_mobile": True,
            },
        ),
        (
            "phone-chapter01",
            "lectures/01-statistics.html",
            {
                "viewport": {"width": 390, "height": 844},
                "device_scale_factor": 2,
                "is_mobile": True,
            },
        ),
    ],
)
def test_screenshots_and_no_sideways_overflow(browser_session, screenshots, name, path, options):
    base, browser = browser_session
    tab = _Page(browser, **options)
    try:
        tab.open(base + path)
        if name == "chapter01-dark":
            assert tab.page.evaluate("document.documentElement.dataset.theme") == "dark"
            # the figures keep an opaque white background on the dark page
            figure = tab.page.locator("article .cell_output img").first
            figure.scroll_into_view_if_needed()
            assert (
                figure.evaluate("i => getComputedStyle(i).backgroundColor") == "rgb(255, 255, 255)"
            )
            figure.screenshot(path=str(screenshots / "chapter01-dark-figure.png"))
        width = tab.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} is wider than the screen: {width}"
        tab.page.screenshot(path=str(screenshots / f"{name}.png"))
    finally:
        tab.close()


def test_status_page_lists_every_lecture_and_solution(root):
    status = (root / "book" / "status.md").read_text()
    for notebook in LECTURES + SOLUTIONS:
        row = re.search(
            rf"^\| `{notebook.relative_to(root).as_posix()}` \| [\d.]+ \| \d+ \| (.*) \|$",
            status,
            re.M,
        )
        assert row, (
            f"{notebook.relative_to(root)} is missing from book/status.md: "
            "run python -m hepml status"
        )
        # "over budget" is shown on the page for people to act on; a failure to run is an error
        assert not row.group(1).startswith("failed"), (
            f"{notebook.relative_to(root)}: {row.group(1)}"
        )


def test_status_page_is_in_the_book():
    assert "file: book/status" in TOC


def test_no_code_cell_needs_a_horizontal_scroll_bar(build, browser_session):
    # At 1280 pixels, the narrowest common laptop window, a code cell of the theme shows this
    # many characters; the notebooks' ruff line length (lectures/ruff.toml) is set to it.
    base, browser = browser_session
    html = build["html"]
    tab = _Page(browser, viewport={"width": 1280, "height": 900})
    try:
        capacity = None
        for notebook, page_path in _notebook_pages(html).items():
            tab.open(base + page_path.relative_to(html).as_posix())
            wide = tab.page.evaluate(
                """() => [...document.querySelectorAll('div.cell_input pre')]
                    .filter(pre => pre.scrollWidth > pre.clientWidth)
                    .map(pre => pre.innerText.split('\\n')
                        .reduce((a, b) => (b.length > a.length ? b : a)))"""
            )
            assert not wide, f"{notebook.name}: code wider than the page: {wide[:3]}"
            if capacity is None:
                capacity = tab.page.evaluate(
                    """() => {
                        const pre = document.querySelector('div.cell_input pre');
                        const original = pre.textContent;
                        let n = 40;
                        while (n < 200) {
                            pre.textContent = 'x'.repeat(n + 1);
                            if (pre.scrollWidth > pre.clientWidth) break;
                            n += 1;
                        }
                        pre.textContent = original;
                        return n;
                    }"""
                )
        ruff_width = int(
            re.search(r"line-length = (\d+)", (ROOT / "lectures" / "ruff.toml").read_text()).group(
                1
            )
        )
        assert capacity == ruff_width, (
            f"a code cell shows {capacity} characters at 1280 px, ruff allows {ruff_width}: "
            "set line-length in lectures/, solutions/ and exercises/ruff.toml to it"
        )
    finally:
        tab.close()
