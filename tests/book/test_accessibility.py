"""Accessibility of the published site (WCAG 2.1 AA), in headless Chromium, on every page.

Every HTML page of the offline build (the same build as ``test_site.py``, made once per test
run) is opened once; on it

- axe-core (pinned in ``book/_ext/vendor.json`` under ``test_packages``, fetched with ``npm
  pack`` and sha512-checked like the site's own JavaScript) runs with the WCAG 2.0 and 2.1 A and
  AA rules in four variants: light and dark colour scheme, 1280 and 640 px wide. Each rule runs
  where its outcome can change, not more: the colour rules (contrast, links told apart by
  colour) in both schemes at both widths, the others once per width (in the light scheme).
  A critical or serious violation fails; moderate and minor ones are printed;
- at 320 px (WCAG 1.4.10, reflow) the page must not scroll sideways and no text may be clipped
  by an ``overflow: hidden`` box (inline math, the previous/next titles);
- no formula is a keyboard tab stop unless it is a display equation wider than its column
  (then it must be, so that it can be scrolled by keyboard);
- no JavaScript error or console error may occur.

The frame slider of the lectures is also checked through Chromium's accessibility tree: the
slider has a name and announces the value shown; the figure's text alternative names the frame
shown and follows the slider.

Pages are found by walking the build, so chapters added to ``_toc.yml`` are covered with no change
here. ``python tests/book/test_accessibility.py _build/html`` prints the same audit as a table
(for measuring a build by hand).
"""

from __future__ import annotations

import functools
import http.server
import io
import re
import sys
import tarfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

#: axe-core's tags for the WCAG 2.0 and 2.1 success criteria at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: The rules whose outcome depends on the colour scheme.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
#: (name, colour scheme, width, rules) of the four variants axe runs in: "all" the WCAG rules
#: or only the COLOUR_RULES (the others give the same result in both schemes).
VARIANTS = [
    ("light-1280", "light", 1280, "all"),
    ("dark-1280", "dark", 1280, "colour"),
    ("light-640", "light", 640, "all"),
    ("dark-640", "dark", 640, "colour"),
]
FAILING_IMPACTS = {"critical", "serious"}
REFLOW_WIDTH = 320
HEIGHT = 900
SKIP_PAGES = {"index.html", "search.html", "genindex.html"}


def axe_source() -> str:
    """axe.min.js of the pinned axe-core, from the npm cache of the site extension."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import hepml_site
    finally:
        sys.path.pop(0)
    (package,) = [p for p in hepml_site.TEST_SPEC if p["name"] == "axe-core"]
    with tarfile.open(fileobj=io.BytesIO(hepml_site._tarball(package)), mode="r:gz") as archive:
        return archive.extractfile("package/axe.min.js").read().decode()


def pages(site: Path) -> list[str]:
    """Every page of the build, as paths relative to its root."""
    return sorted(
        page.relative_to(site).as_posix()
        for page in site.rglob("*.html")
        if page.relative_to(site).parts[0] not in {"_static", "_sources", "_images"}
        and page.relative_to(site).as_posix() not in SKIP_PAGES
    )


# --- what runs in the page -------------------------------------------------------------------

RUN_AXE = """async ([tags, colourRules, which]) => {
    const rules = {};
    for (const id of axe.getRules(tags).map(r => r.ruleId))
        if (which === 'colour' && !colourRules.includes(id)) rules[id] = {enabled: false};
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, rules,
                                            resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(' ')),
    }));
}"""

#: How the page rendered: formulas typeset, images loaded, no stored error, launch links.
RENDER = r"""() => ({
    math: document.querySelectorAll('span.math, div.math').length,
    typeset: document.querySelectorAll('span.math mjx-container, div.math mjx-container').length,
    rawTex: /\\\(|\\\[|\$\$/.test(document.querySelector('article').innerText),
    images: Array.from(document.images).filter(i => i.offsetParent !== null)
        .map(i => [i.currentSrc.slice(-60), i.complete && i.naturalWidth > 0]),
    errors: document.querySelectorAll('.cell_output .error, .cell_output .stderr').length,
    traceback: document.querySelector('article').innerText.includes('Traceback'),
    binder: document.querySelectorAll('a[href^="https://mybinder.org/"]').length,
    colab: document.querySelectorAll('a[href^="https://colab.research.google.com/"]').length,
    hiddenSource: Array.from(document.querySelectorAll('.tag_hide-input .cell_input'))
        .filter(e => e.checkVisibility()).length,
})"""
#: For code cells and outputs, the longest line of every <pre> that scrolls sideways.
WIDE_CODE = r"""() => Object.fromEntries(['cell_input', 'cell_output'].map(kind => [
    kind,
    [...document.querySelectorAll(`div.${kind} pre`)]
        .filter(pre => pre.scrollWidth > pre.clientWidth)
        .map(pre => pre.innerText.split('\n').reduce((a, b) => (b.length > a.length ? b : a))),
]))"""

#: Resolves once the page has laid itself out: fonts loaded, the site's re-measurement of
#: wide formulas done (``window.hepmlLayoutPending``, set by book/_ext/hepml_site.py).
SETTLED = "() => document.fonts.status === 'loaded' && !window.hepmlLayoutPending"
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
#: The debounce of pydata-sphinx-theme's resize handlers (``updateTabStops``), plus a margin.
THEME_RESIZE_MS = 400
#: The theme animates colour changes; the audit reads the colours after a switch at once.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; }"

#: Sideways scrolling of the page, which boxes stick out of the window (not counting those
#: inside a box that scrolls), and text clipped by an overflow:hidden box.
REFLOW = """() => {
    const width = window.innerWidth;
    const scrolls = e => {
        for (let p = e.parentElement; p; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX;
            if ((o === 'auto' || o === 'scroll') && p !== document.documentElement
                && p !== document.body) return true;
        }
        return false;
    };
    const describe = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.className && typeof e.className === 'string'
           ? '.' + e.className.trim().split(/\\s+/).slice(0, 2).join('.') : '');
    const visible = e => e.checkVisibility() && e.getBoundingClientRect().width > 1;
    const outside = [...document.querySelectorAll('body *')]
        .filter(e => visible(e) && e.getBoundingClientRect().right > width + 1 && !scrolls(e)
                && ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
        .map(e => describe(e) + ' ' + JSON.stringify(e.textContent.trim().slice(0, 40)));
    const clipped = [...document.querySelectorAll(
        'mjx-container, .prev-next-title, .prev-next-subtitle, .prev-next-info, '
        + 'h1, h2, h3, .caption-text, .bd-links a')]
        .filter(e => visible(e))
        .filter(e => {
            for (let p = e; p && p !== document.body; p = p.parentElement) {
                const s = getComputedStyle(p);
                if ((s.overflowX === 'hidden' || s.overflowX === 'clip'
                     || s.textOverflow === 'ellipsis') && p.clientWidth > 0
                    && p.scrollWidth > p.clientWidth + 3)
                    return true;
            }
            return false;
        })
        .map(e => describe(e) + ' ' + JSON.stringify(e.textContent.trim().slice(0, 40)));
    return {overflow: document.documentElement.scrollWidth - width,
            outside: outside.slice(0, 8), clipped: clipped.slice(0, 8),
            nClipped: clipped.length};
}"""

#: Formulas in the tab order (there should be none), and formula boxes wider than their column,
#: which must be tab stops so that the keyboard can scroll them.
MATH_FOCUS = """() => {
    const formulas = [...document.querySelectorAll('mjx-container')];
    const boxes = [...document.querySelectorAll(
        'article div.math, article span.math, article mjx-container[display="true"]')]
        .filter(e => e.checkVisibility());
    // wider than its box by more than the 1-3 px a formula's last glyph may overhang
    const wide = boxes.filter(e => e.scrollWidth > e.clientWidth + 3);
    return {formulas: formulas.length,
            wideClipped: wide.filter(e => getComputedStyle(e).overflowX === 'hidden').length,
            assistive: formulas.filter(m => m.querySelector('mjx-assistive-mml math')).length,
            focusable: formulas.filter(m => m.tabIndex >= 0 && !wide.includes(m)).length,
            wide: wide.length,
            wideUnreachable: wide.filter(e => e.tabIndex < 0
                && !e.querySelector('[tabindex]:not([tabindex="-1"])')).length,
            narrowFocusable: boxes.filter(e => !wide.includes(e) && e.tabIndex >= 0).length};
}"""


class Tab:
    """One browser tab on the served build, which records JavaScript and console errors."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": HEIGHT})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on(
            "console",
            lambda message: (
                message.type == "error" and self.errors.append(f"console error: {message.text}")
            ),
        )
        self.failed: list[str] = []  # requests that failed or answered 4xx/5xx
        self.foreign: list[str] = []  # requests to anywhere but the site (refused)
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on(
            "response",
            lambda response: response.status >= 400 and self.failed.append(response.url),
        )
        self.page.route("**/*", self._route)

    def _route(self, route) -> None:
        if route.request.url.startswith((self.base, "data:", "blob:")):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def open(self, name: str) -> None:
        self.errors.clear()
        self.page.emulate_media(color_scheme="light")
        self.page.set_viewport_size({"width": 1280, "height": HEIGHT})
        self.page.goto(self.base + name, wait_until="load")
        self.page.wait_for_function(
            "!window.MathJax || (MathJax.startup && MathJax.startup.promise)"
        )
        self.page.evaluate("window.MathJax ? MathJax.startup.promise.then(() => true) : true")
        if self.page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count():
            self.page.locator(".widget-slider").first.wait_for(state="attached", timeout=20_000)
        self.page.add_style_tag(content=NO_TRANSITIONS)
        # the theme re-marks scrolling code blocks 300 ms after the page changes (MathJax)
        self.page.wait_for_timeout(THEME_RESIZE_MS)
        self.settle()

    def settle(self) -> None:
        self.page.evaluate(TWO_FRAMES)  # a new viewport's resize event has been dispatched
        self.page.wait_for_function(SETTLED, timeout=20_000)

    def variant(self, scheme: str, width: int) -> None:
        # The theme reads the colour scheme once, at load; switching it afterwards is what its
        # light/dark button does (set data-theme on <html>).
        self.page.emulate_media(color_scheme=scheme)
        self.page.evaluate("s => { document.documentElement.dataset.theme = s; }", scheme)
        if self.page.viewport_size["width"] != width:
            self.page.set_viewport_size({"width": width, "height": HEIGHT})
            # the theme's resize handlers (debounced by 300 ms) make the code blocks that
            # now scroll sideways tab stops; this site's handler is awaited by settle()
            self.page.wait_for_timeout(THEME_RESIZE_MS)
        self.settle()

    def close(self) -> None:
        self.context.close()


def audit(tab: Tab, name: str, axe: str) -> dict:
    """Everything the browser checks on one page, in one visit: how it renders offline, code
    and outputs that scroll sideways at 1280 px, Tab from the top to the first widget, the
    slider as a screen reader meets it, axe in four variants, reflow at 320 px, math, errors."""
    tab.open(name)
    report: dict = {"page": name, "axe": {}}
    report["render"] = tab.page.evaluate(RENDER)
    report["wide"] = tab.page.evaluate(WIDE_CODE)
    report["tab_stops"] = tab_stops_to_first_widget(tab)  # None: no widget on the page
    report["slider"] = slider_report(tab.page) if report["tab_stops"] else None
    tab.page.evaluate("document.activeElement && document.activeElement.blur(); scrollTo(0, 0)")
    tab.page.add_script_tag(content=axe)
    report["math"] = tab.page.evaluate(MATH_FOCUS)
    for variant, scheme, width, which in VARIANTS:
        tab.variant(scheme, width)
        report["axe"][variant] = tab.page.evaluate(RUN_AXE, [WCAG_TAGS, COLOUR_RULES, which])
    tab.variant("light", REFLOW_WIDTH)
    report["reflow"] = tab.page.evaluate(REFLOW)
    report["math320"] = tab.page.evaluate(MATH_FOCUS)
    report["errors"] = list(dict.fromkeys(tab.errors))
    report["failed"], report["foreign"] = list(tab.failed), list(tab.foreign)
    return report


def slider_report(page) -> dict:
    """The page's slider and figure as a screen reader gets them, before and after the arrow
    key moves the slider (the focus is on the slider: Tab just reached it)."""
    slider = page.locator(".widget-slider").first
    readout = slider.locator(".widget-readout")
    state: dict = {"label": slider.locator(".widget-label").inner_text().strip()}
    for when in ("before", "after"):
        if when == "after":
            slider.locator(".noUi-handle").focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(200)
        node, images = _slider_and_figure(page)
        state[when] = {
            "readout": readout.inner_text().strip(),
            "name": node["name"],
            "valuetext": node["valuetext"],
            "figures": [_ax(image, "name") for image in images],
        }
    return state


def tab_stops_to_first_widget(tab: Tab, limit: int = 1000) -> list[str] | None:
    """What Tab stops on from the top of the page until the focus is in a widget (None: never).

    Each stop is "math ..." (a formula), "scrolling box" (a formula or table wider than its
    column, which must be reachable), "widget" (the last), or "other"."""
    page = tab.page
    if not page.locator(".jupyter-widgets").count():
        return None
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => { const e = document.activeElement;
                if (e.closest('.jupyter-widgets')) return 'widget';
                if (e.dataset.hepmlScroll !== undefined) return 'scrolling box';
                if (e.closest('mjx-container, div.math, span.math'))
                    return 'math ' + e.textContent.slice(0, 30);
                return 'other'; }"""
        )
        stops.append(stop)
        if stop == "widget":
            return stops
    return None


def failing(report: dict) -> list[str]:
    """The critical and serious axe violations of a report, one line each."""
    return [
        f"{report['page']} [{variant}] {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} "
        f"nodes, e.g. {v['nodes'][:2]})"
        for variant, violations in report["axe"].items()
        for v in violations
        if v["impact"] in FAILING_IMPACTS
    ]


def minor(report: dict) -> list[str]:
    return sorted(
        {
            f"{report['page']} {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for violations in report["axe"].values()
            for v in violations
            if v["impact"] not in FAILING_IMPACTS
        }
    )


@functools.cache
def _handler(directory: str):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=directory, **kwargs)

        def log_message(self, *args):
            pass

    return Quiet


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def main(site: Path, only: list[str]) -> None:
    """Print the audit of a built site: ``python tests/book/test_accessibility.py _build/html``."""
    from playwright import sync_api

    sys.path.insert(0, str(HERE))
    from test_site import CHROMIUM, CHROMIUM_ARGS

    server, base = serve(site)
    axe = axe_source()
    start = time.perf_counter()
    totals: Counter = Counter()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = Tab(browser, base)
        for name in pages(site):
            prefixes = tuple(only)
            if prefixes and not name.startswith(prefixes):
                continue
            report = audit(tab, name, axe)
            ids = Counter()
            for violations in report["axe"].values():
                for v in violations:
                    ids[f"{v['impact']}:{v['id']}"] = max(
                        ids[f"{v['impact']}:{v['id']}"], len(v["nodes"])
                    )
            for key in ids:
                totals[key] += 1
            print(
                f"{name:40s} tabs={len(report['tab_stops'] or [])} math={report['math']} "
                f"overflow320={report['reflow']['overflow']} "
                f"clipped320={report['reflow']['nClipped']}"
            )
            for key, n in sorted(ids.items()):
                print(f"    {key} ({n} nodes)")
            if report["reflow"]["overflow"] > 0:
                print("    outside:", report["reflow"]["outside"][:4])
            if report["reflow"]["clipped"]:
                print("    clipped:", report["reflow"]["clipped"][:4])
            for error in report["errors"]:
                print("    ", error[:200])
        tab.close()
        browser.close()
    server.shutdown()
    print(f"pages with each violation: {dict(totals)}")
    print(f"{time.perf_counter() - start:.0f} s")


# --- the tests -------------------------------------------------------------------------------

sys.path.insert(0, str(HERE))
from test_site import (  # noqa: E402, F401 - constants and the fixtures of test_site.py
    CHROMIUM,
    CHROMIUM_ARGS,
    EXERCISES,
    LECTURES,
    SOLUTIONS,
    _offline_html,
    build,
    html,
)


@pytest.fixture(scope="module")
def browser(build, html):  # noqa: F811 - the fixtures of test_site.py
    """Serve the build and start headless Chromium; yield (base URL, browser, html folder)."""
    site = _offline_html(build, html)
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM} (install Debian's chromium package)")
    from playwright import sync_api

    server, base = serve(site)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield base, chromium, site
        finally:
            chromium.close()
            server.shutdown()


#: The audit is split over this file and ``test_accessibility_second_half.py``, each auditing
#: every other page: pytest-xdist (``--dist loadfile``) runs a file on one worker, and the
#: audit of all pages (about ten minutes on two cores) would otherwise run on one of them.
PARTS = 2


@pytest.fixture(scope="module")
def part() -> int:
    """Which of the :data:`PARTS` shares of the pages this file audits."""
    return 0


def pages_of_part(site: Path, part: int) -> list[str]:
    return pages(site)[part::PARTS]


@pytest.fixture(scope="module")
def audits(browser, part) -> list[dict]:
    """The audit of this file's share of the pages (each page loaded once), and its time."""
    base, chromium, site = browser
    axe = axe_source()
    tab = Tab(chromium, base)
    start = time.perf_counter()
    try:
        reports = [audit(tab, name, axe) for name in pages_of_part(site, part)]
    finally:
        tab.close()
    print(f"accessibility audit of {len(reports)} pages: {time.perf_counter() - start:.0f} s")
    return reports


def test_every_page_of_the_site_is_audited(audits, browser, part):
    _, _, site = browser
    audited = {report["page"] for report in audits}
    assert audited == set(pages_of_part(site, part))
    # the shares of all files together cover every page the build wrote
    shared = set().union(*(pages_of_part(site, other) for other in range(PARTS)))
    for folder in ("book", "lectures", "exercises", "solutions"):
        on_disk = {p.relative_to(site).as_posix() for p in (site / folder).glob("*.html")}
        assert on_disk and on_disk <= shared, folder


def test_no_critical_or_serious_axe_violation_light_and_dark_at_1280_and_640_px(audits):
    for line in sorted({line for report in audits for line in minor(report)}):
        print(line)  # moderate and minor: reported, not failed
    failures = [line for report in audits for line in failing(report)]
    assert not failures, "\n".join(failures)


def test_axe_catches_a_violation_planted_in_a_page(browser):
    # the audit can fail: an image without a text alternative is found
    base, chromium, site = browser
    tab = Tab(chromium, base)
    try:
        tab.open(pages(site)[0])
        tab.page.add_script_tag(content=axe_source())
        tab.page.evaluate(
            "() => document.querySelector('article').append(Object.assign("
            "document.createElement('img'), {src: 'data:image/gif;base64,"
            "R0lGODlhAQABAAAAACw=', width: 20, height: 20}))"
        )
        violations = tab.page.evaluate(RUN_AXE, [WCAG_TAGS, COLOUR_RULES, "all"])
        report = {"page": "planted", "axe": {"light": violations}}
        assert any("image-alt" in line for line in failing(report)), report
    finally:
        tab.close()


def test_no_page_scrolls_sideways_or_clips_text_at_320_px(audits):
    wide = {r["page"]: r["reflow"] for r in audits if r["reflow"]["overflow"] > 0}
    assert not wide, wide
    clipped = {r["page"]: r["reflow"]["clipped"] for r in audits if r["reflow"]["nClipped"]}
    assert not clipped, clipped


def test_formulas_are_not_tab_stops_unless_they_scroll(audits):
    # assistive MathML: every formula carries it (what a screen reader reads)
    for report in audits:
        for width, math in (("1280 px", report["math"]), ("320 px", report["math320"])):
            assert math["focusable"] == 0, f"{report['page']} at {width}: {math}"
            assert math["narrowFocusable"] == 0, f"{report['page']} at {width}: {math}"
            assert math["wideUnreachable"] == 0, f"{report['page']} at {width}: {math}"
            assert math["wideClipped"] == 0, f"{report['page']} at {width}: {math}"
            assert math["assistive"] == math["formulas"], f"{report['page']}: {math}"
    # the rule that makes a wide box a tab stop is exercised at 320 px
    assert sum(report["math320"]["wide"] for report in audits) > 0


def test_no_javascript_or_console_error_on_any_page(audits):
    errors = {report["page"]: report["errors"] for report in audits if report["errors"]}
    assert not errors, errors


def _ax(node: dict, key: str) -> str:
    if key in ("role", "name"):
        return str(node.get(key, {}).get("value", ""))
    return next(
        (str(p["value"].get("value", "")) for p in node.get("properties", []) if p["name"] == key),
        "",
    )


def _slider_and_figure(page) -> tuple[dict, list[dict]]:
    """The one slider of the page (its name and the value it announces) and the figures."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = [n for n in session.send("Accessibility.getFullAXTree")["nodes"]]
        nodes = [n for n in nodes if not n.get("ignored")]
        sliders = [n for n in nodes if _ax(n, "role") == "slider"]
        assert len(sliders) == 1, [_ax(n, "name") for n in sliders]
        # Chromium's tree reports an aria-valuetext as "" (also on a plain <div role=slider>):
        # read what it announces from the element the tree points to
        described = session.send(
            "DOM.describeNode", {"backendNodeId": sliders[0]["backendDOMNodeId"]}
        )["node"]
        attributes = dict(zip(described["attributes"][::2], described["attributes"][1::2]))
    finally:
        session.detach()
    slider = {"name": _ax(sliders[0], "name"), "valuetext": attributes.get("aria-valuetext")}
    # the frames' text alternatives, from the page: a lecture may write its own (`alt=`)
    frames = set(page.eval_on_selector_all(".jupyter-widgets img", "els => els.map(e => e.alt)"))
    images = [n for n in nodes if _ax(n, "role") == "image" and _ax(n, "name") in frames]
    return slider, images


def _names_value(text: str, value: str) -> bool:
    """Whether a frame's text alternative names the slider value ``value`` (as a word)."""
    return re.search(rf"(?<![\w.]){re.escape(value)}(?![\w]|\.\d)", text) is not None


def _widget_pages(site: Path) -> list[str]:
    return [
        name
        for name in pages(site)
        if '<script type="application/vnd.jupyter.widget-view+json">' in (site / name).read_text()
    ]


def test_every_page_renders_offline(audits):
    """Formulas typeset, images loaded, no stored error, launch links where they belong, and
    no request failed or left the site."""
    launchable = {f"{n.parent.name}/{n.stem}.html" for n in LECTURES + EXERCISES}
    solution_pages = {f"{n.parent.name}/{n.stem}.html" for n in SOLUTIONS}
    for report in audits:
        name, state = report["page"], report["render"]
        assert state["typeset"] == state["math"], (
            f"{name}: {state['math'] - state['typeset']} formulas not typeset"
        )
        assert not state["rawTex"], f"{name}: raw TeX delimiters in the text"
        broken = [src for src, loaded in state["images"] if not loaded]
        assert not broken, f"{name}: images not loaded: {broken}"
        assert state["errors"] == 0 and not state["traceback"], f"{name}: stored error output"
        if name in launchable:
            assert state["binder"] and state["colab"], f"{name}: launch links missing"
        if name in solution_pages:
            assert not state["binder"] and not state["colab"], f"{name}: launch links"
        assert state["hiddenSource"] == 0, f"{name}: hide-input code cells shown open"
        assert not report["failed"], f"{name}: failed requests: {report['failed'][:5]}"
        assert not report["foreign"], f"{name}: requests to other hosts: {report['foreign'][:5]}"


def test_no_code_cell_or_output_needs_a_horizontal_scroll_bar(audits):
    # test_site.py checks that a code cell shows the notebooks' ruff line length at 1280 px
    too_wide = [
        f"{report['page']}: {kind} {line!r}"
        for report in audits
        for kind, lines in report["wide"].items()
        for line in lines
    ]
    assert not too_wide, "wider than the page at 1280 px:\n" + "\n".join(too_wide)


def test_frame_sliders_can_be_followed_with_a_screen_reader_and_the_keyboard(audits, browser):
    _, _, site = browser
    widget_pages = set(_widget_pages(site))
    sliders = [report for report in audits if report["slider"]]
    assert {report["page"] for report in sliders} == {
        report["page"] for report in audits if report["page"] in widget_pages
    }
    assert sliders  # each half of the site has lectures with sliders
    for report in sliders:
        name, slider = report["page"], report["slider"]
        before, after = slider["before"], slider["after"]
        for state in (before, after):
            # the handle is named by the label and announces the value shown, not its index
            assert state["name"] == slider["label"], (name, state)
            assert state["valuetext"] == state["readout"], (name, state)
            # one figure is exposed (the frame shown), and its text names the value shown
            assert len(state["figures"]) == 1, (name, state)
            assert _names_value(state["figures"][0], state["readout"]), (name, state)
        # the arrow key moves the slider, and the figure's text follows
        assert after["readout"] != before["readout"], f"{name}: the arrow key did nothing"
        assert after["figures"] != before["figures"], (name, before, after)


def test_tab_from_the_top_reaches_each_slider_without_stopping_on_formulas(audits, browser):
    _, _, site = browser
    widget_pages = set(_widget_pages(site))
    for report in audits:
        if report["page"] not in widget_pages:
            continue
        stops = report["tab_stops"]
        assert stops is not None, f"{report['page']}: Tab never reached the slider"
        math = [stop for stop in stops if stop.startswith("math")]
        assert not math, f"{report['page']}: formulas in the tab order: {math[:3]}"
        print(f"{report['page']}: {len(stops)} Tab presses to the slider")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
