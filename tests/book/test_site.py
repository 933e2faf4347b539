"""The published site: build, launch links, offline assets, and every page in a real browser.

The book is built once per test run (shared with ``test_accessibility.py``: whichever
pytest-xdist worker asks first builds it), with warnings as errors, in the offline variant:
MathJax, RequireJS and the widget manager served from the site itself
(``book/_ext/hepml_site.py``). The browser tests serve that build on 127.0.0.1, open every page
in headless Chromium with every other host blocked, and fail if any request to another host was
even attempted.

The instructor's variant (``HEPML_SITE_SOLUTIONS=0``, no solution page) is built once more,
online (about 10 s of CPU), and searched file by file for every solution line and hidden test.

Screenshots go to ``$HEPML_SITE_SCREENSHOTS`` if set, else next to the build.
"""

from __future__ import annotations

import functools
import html as html_text
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest
import yaml

from hepml.course import exercises, paths

ROOT = paths.repository_root()
LECTURES = paths.lectures(ROOT)
SOLUTIONS = paths.solutions(ROOT)
EXERCISES = paths.exercises(ROOT)

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


def _build_book(output: Path, environment: dict[str, str]) -> subprocess.CompletedProcess:
    """Build the whole book into ``output`` with warnings as errors, as the README does."""
    return subprocess.run(
        ["jupyter-book", "build", str(ROOT), "--path-output", str(output), "-W", "--all"],
        capture_output=True,
        text=True,
        timeout=900,
        env=environment,
    )


def shared_build(tmp_path_factory, testrun_uid: str) -> dict:
    """Build the whole book (offline variant when npm is available) once per test run.

    This file and ``test_accessibility.py`` use the same build: the first to ask builds it under
    a lock, in a folder every pytest-xdist worker of this run shares; the other waits for it.
    """
    from filelock import FileLock

    # with xdist, basetemp is .../pytest-N/popen-gwK, and pytest-N is shared by the workers
    folder = tmp_path_factory.getbasetemp().parent / f"hepml-site-{testrun_uid}"
    offline = _npm_assets_available()
    with FileLock(str(folder) + ".lock"):
        record = folder / "build.json"
        if not record.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            environment = dict(os.environ)
            environment.pop("HEPML_SITE_SOLUTIONS", None)  # the public site, with its solutions
            if offline:
                environment["HEPML_SITE_OFFLINE"] = "1"
            result = _build_book(folder, environment)
            record.write_text(
                json.dumps(
                    {
                        "returncode": result.returncode,
                        "stdout": result.stdout,
                        "stderr": result.stderr,
                    }
                )
            )
        done = json.loads(record.read_text())
    result = subprocess.CompletedProcess(
        args="jupyter-book build",
        returncode=done["returncode"],
        stdout=done["stdout"],
        stderr=done["stderr"],
    )
    return {"result": result, "html": folder / "_build" / "html", "offline": offline}


@pytest.fixture(scope="module")
def build(tmp_path_factory, testrun_uid):
    """The whole book, built once per test run (see :func:`shared_build`); return the run."""
    return shared_build(tmp_path_factory, testrun_uid)


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


def _notebook_pages(html: Path, notebooks: list[Path] | None = None) -> dict[Path, Path]:
    """Map each notebook in the table of contents to its HTML page."""
    notebooks = LECTURES + EXERCISES + SOLUTIONS if notebooks is None else notebooks
    return {
        notebook: html / notebook.parent.name / f"{notebook.stem}.html"
        for notebook in notebooks
        if f"{notebook.parent.name}/{notebook.stem}" in TOC
    }


def _article(page: Path) -> str:
    """The page's main text (without the navigation, which links every page)."""
    match = re.search(r"<article\b.*?</article>", page.read_text(), re.S)
    assert match, f"{page.name} has no <article>"
    return match.group(0)


def _text_of(markup: str) -> str:
    return html_text.unescape(re.sub(r"<[^>]+>", "", markup))


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


# How NumPy 2 prints its scalars: a glued value or a printed number in this form is a repr that
# leaked into the text (glue a formatted string, print with f-strings or float()).
NUMPY_REPR = re.compile(r"\bnp\.(?:float|int|uint|complex|bool|str)\w*\(|\bnp\.(?:True|False)_")


def test_no_numpy_repr_in_the_prose_or_outputs_of_any_page(html):
    from bs4 import BeautifulSoup  # installed with jupyter-book

    leaks = {}
    for page in _pages(html):
        article = BeautifulSoup(page.read_text(), "html.parser").find("article")
        if article is None:
            continue
        for cell_input in article.select("div.cell_input"):  # code may name np.float64
            cell_input.decompose()
        found = NUMPY_REPR.findall(article.get_text(" "))
        if found:
            leaks[page.relative_to(html).as_posix()] = found[:3]
    assert not leaks, leaks


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
    # lectures and exercises: a solution page launches nothing (see the test below)
    pages = _notebook_pages(html, LECTURES + EXERCISES)
    assert {page.parent.name for page in pages.values()} == {"lectures", "exercises"}
    assert len(pages) == len(LECTURES) + len(EXERCISES), "a notebook is not in _toc.yml"
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


def test_lectures_link_to_their_exercise_page(html):
    for lecture in LECTURES:
        exercise = ROOT / "exercises" / lecture.name
        if not exercise.is_file():
            continue
        article = _article(html / "lectures" / f"{lecture.stem}.html")
        assert re.search(rf'href="\.\./exercises/{re.escape(lecture.stem)}\.html"', article), (
            f"{lecture.name} does not link to its exercise page: end it with an `## Exercises` "
            f"section holding [the exercise set](../exercises/{lecture.name})"
        )
    assert (html / "exercises" / f"{LECTURES[0].stem}.html").is_file()


# --- exercise and solution pages -------------------------------------------------------------

#: Otter's markers and the test code, none of which may reach a solution page.
OTTER_OR_TEST = re.compile(
    r"#\s*(SOLUTION|HIDDEN)\b|#\s*(BEGIN|END) (QUESTION|SOLUTION|TESTS|PROMPT)\b"
    r"|ASSIGNMENT CONFIG|\bdef test_|\bgrader\.check|\bchecker\.check"
)


def _test_names(master: Path, *, hidden: bool | None = None) -> set[str]:
    tests = exercises.load_tests(master.stem, root=ROOT).tests
    return {
        test.function.__name__
        for cases in tests.values()
        for test in cases
        if hidden is None or test.hidden == hidden
    }


def _cells(article: str) -> list[str]:
    """The HTML of each notebook cell of a page."""
    return re.split(r'(?=<div class="cell[ "])', article)[1:]


def test_exercise_pages_show_questions_stubs_and_check_cells_with_their_source_hidden(html):
    for exercise in EXERCISES:
        notebook = nbformat.read(exercise, as_version=4)
        cells = _cells(_article(html / "exercises" / f"{exercise.stem}.html"))
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert len(cells) == len(code), f"{exercise.name}: {len(cells)} cells on the page"
        checks = [markup for markup, cell in zip(cells, code) if "checker.check(" in cell.source]
        questions = sum("otter_answer_cell" in c.metadata.get("tags", []) for c in code)
        assert len(checks) == questions > 0, exercise.name
        for cell in checks:
            assert cell.startswith('<div class="cell tag_hide-input'), cell[:200]
            assert '<details class="admonition hide above-input">' in cell
        stubs = [_text_of(markup) for markup, cell in zip(cells, code) if "= ..." in cell.source]
        assert stubs and all("= ..." in stub for stub in stubs), exercise.name
        assert "Question 1" in _text_of(_article(html / "exercises" / f"{exercise.stem}.html"))


def test_solution_pages_show_the_solution_without_markers_or_tests(html):
    for master in SOLUTIONS:
        page = html / "solutions" / f"{master.stem}.html"
        article = _article(page)
        text = _text_of(article)
        assert not OTTER_OR_TEST.search(text), f"{page.name}: {OTTER_OR_TEST.search(text)}"
        names = [name for name in _test_names(master) if re.search(rf"\b{name}\b", text)]
        assert not names, f"{page.name} shows the tests {names}"
        shown = {line.strip() for line in text.splitlines()}
        missing = exercises.solution_lines(nbformat.read(master, as_version=4)) - shown
        assert not missing, f"{page.name} lacks solution lines {sorted(missing)[:3]}"
        assert 'class="cell_output' in article, f"{page.name} shows no output"
        assert re.search(rf'href="\.\./exercises/{master.stem}\.html"', article)
        # the download is the same clean notebook, and there are no launch buttons: they
        # would open the raw master in the repository
        links = _launch_links(page)
        assert set(links) == {"download"}, f"{page.name}: found {sorted(links)}"
        downloaded = (page.parent / links["download"]).resolve()
        assert downloaded.read_bytes() != master.read_bytes()
        cells = nbformat.read(downloaded, as_version=4).cells
        source = "\n".join(cell.source for cell in cells)
        assert not OTTER_OR_TEST.search(source), OTTER_OR_TEST.search(source)
        assert any(cell.get("outputs") for cell in cells)


# --- the instructor's build, without solutions -----------------------------------------------


@pytest.fixture(scope="module")
def instructor_html(tmp_path_factory) -> Path:
    """Build the site with HEPML_SITE_SOLUTIONS=0 (online variant: the assets do not matter)."""
    output = tmp_path_factory.mktemp("instructor-book")
    environment = {**os.environ, "HEPML_SITE_SOLUTIONS": "0"}
    environment.pop("HEPML_SITE_OFFLINE", None)
    result = _build_book(output, environment)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return output / "_build" / "html"


def _secret_lines() -> set[str]:
    """Every solution line of every master, less any that a lecture shows anyway (none today)."""
    public = {
        line.strip()
        for notebook in LECTURES + EXERCISES
        for cell in nbformat.read(notebook, as_version=4).cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
    }
    lines = set()
    for master in SOLUTIONS:
        lines |= exercises.solution_lines(nbformat.read(master, as_version=4)) - public
    return lines


def _hidden_names() -> set[str]:
    return {name for master in SOLUTIONS for name in _test_names(master, hidden=True)}


def _views(path: Path) -> list[str]:
    """What a reader can get out of a file: its text, an HTML page's text, a notebook's code."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []  # images and fonts
    views = [raw]
    if path.suffix == ".html":
        views.append(_text_of(raw))
    if path.suffix == ".ipynb":
        views.append("\n".join(cell.source for cell in nbformat.reads(raw, as_version=4).cells))
    return views


def _search_terms(html: Path) -> set[str]:
    text = (html / "searchindex.js").read_text()
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    return set(index["terms"]) | set(index.get("titleterms", {}))


def _leaks(html: Path) -> dict[str, set[str]]:
    """Where, under ``html``, a solution line or a hidden test's name appears (path -> what)."""
    from sphinx.search.en import SearchEnglish

    lines, names = _secret_lines(), _hidden_names()
    name_pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b")
    found: dict[str, set[str]] = {}
    for path in sorted(p for p in html.rglob("*") if p.is_file()):
        for view in _views(path):
            what = {line.strip() for line in view.splitlines()} & lines
            what |= set(name_pattern.findall(view))
            if what:
                found.setdefault(path.relative_to(html).as_posix(), set()).update(what)
    stemmer = SearchEnglish({})
    stems = {stemmer.stem(name): name for name in names}
    in_index = {stems[term] for term in _search_terms(html) if term in stems}
    if in_index:
        found.setdefault("searchindex.js (terms)", set()).update(in_index)
    return found


def test_instructor_build_has_no_solution_line_or_hidden_test_anywhere(instructor_html):
    assert len(_secret_lines()) > 10 * len(SOLUTIONS) and len(_hidden_names()) >= len(SOLUTIONS)
    assert not (instructor_html / "solutions").exists()
    assert not (instructor_html / "_sources" / "solutions").exists()
    assert (instructor_html / "exercises" / f"{EXERCISES[0].stem}.html").is_file()
    leaks = _leaks(instructor_html)
    assert not leaks, {path: sorted(what)[:3] for path, what in leaks.items()}
    assert "Solutions" not in _text_of((instructor_html / "book" / "intro.html").read_text())


def test_the_leak_search_finds_the_solutions_of_the_public_build(html):
    # the same search over the public build finds every solution line, and only on the
    # solution pages and their downloads: it can fail, and it looks where they are
    leaks = _leaks(html)
    assert set().union(*leaks.values()) == _secret_lines()
    assert {path.split("/")[0] for path in leaks} == {"solutions", "_sources"}
    assert all(path.startswith(("solutions/", "_sources/solutions/")) for path in leaks)


# --- offline assets --------------------------------------------------------------------------


def _offline_html(build, html) -> Path:
    if not build["offline"]:
        pytest.fail(
            "npm is missing: the offline variant of the site (HEPML_SITE_OFFLINE=1) "
            "could not be built (install Debian's npm package; .ci/run does)"
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
        pytest.fail(
            f"Chromium not found at {CHROMIUM} (install Debian's chromium package; .ci/run does)"
        )
    from playwright import sync_api

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
        self.in_flight: set[str] = set()
        self.page.route("**/*", self._route)
        self.page.on("request", lambda request: self.in_flight.add(request.url))
        self.page.on("requestfinished", lambda request: self.in_flight.discard(request.url))
        self.page.on("requestfailed", lambda request: self.in_flight.discard(request.url))
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
        # No request in flight for 200 ms (MathJax's fonts, the widgets' scripts and images).
        # Playwright's "networkidle" waits 500 ms per page, and headless Chromium sometimes
        # never reports it after moving to a page without widgets.
        quiet = 0
        for _ in range(400):
            quiet = 0 if self.in_flight else quiet + 1
            if quiet == 4:
                break
            self.page.wait_for_timeout(50)
        assert not self.in_flight, f"{url}: requests still loading: {sorted(self.in_flight)}"

    def close(self) -> None:
        self.context.close()


def _widget_image(page) -> str:
    return page.evaluate(
        """async () => {
            const img = [...document.querySelectorAll('.widget-vbox img')]
                .find(i => i.offsetParent !== null);
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
            "exercise-01",
            "exercises/01-statistics.html",
            {"viewport": {"width": 1280, "height": 900}},
        ),
        (
            "solution-01",
            "solutions/01-statistics.html",
            {"viewport": {"width": 1280, "height": 900}},
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


def test_a_code_cell_shows_the_notebooks_line_length_at_1280_px(build, browser_session):
    # At 1280 pixels, the narrowest common laptop window, a code cell of the theme shows this
    # many characters; the notebooks' ruff line length (lectures/ruff.toml) is set to it, and
    # test_accessibility.py checks on every page that no code cell or output scrolls sideways.
    base, browser = browser_session
    html = build["html"]
    tab = _Page(browser, viewport={"width": 1280, "height": 900})
    try:
        page = _notebook_pages(html, LECTURES[:1])[LECTURES[0]]
        tab.open(base + page.relative_to(html).as_posix())
        capacity = tab.page.evaluate(
            """() => {
                const pre = document.querySelector('div.cell_input pre');
                let n = 40;
                while (n < 200) {
                    pre.textContent = 'x'.repeat(n + 1);
                    if (pre.scrollWidth > pre.clientWidth) break;
                    n += 1;
                }
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


def test_every_question_links_a_lecture_section_of_the_book(html):
    # the "Read first" link of each question, as the class report resolves it
    from hepml.course.grading.report import read_questions

    for master in SOLUTIONS:
        questions = read_questions(master)
        assert questions, master.name
        for question in questions.values():
            assert question.lecture, f"{master.name} {question.name}: no lecture link"
            page, anchor = question.lecture.split("#")
            ids = re.findall(r'<section id="([^"]+)"', (html / page).read_text())
            assert anchor in ids, f"{master.name} {question.name}: no section #{anchor} in {page}"
