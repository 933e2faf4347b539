"""The notebooks in a live JupyterLab, driven by headless Chromium (the live-kernel twin of the
static-site test in ``test_site.py``).

JupyterLab serves copies of chapter 01's lecture and exercise on 127.0.0.1 (token, a scratch
root folder, no news or update checks); Debian's Chromium, driven by Playwright, may reach only
127.0.0.1. The lecture is run top to bottom and its slider moved: the figure must change. In the
exercise the untouched check cell must say what is missing, and after a student types an answer
into a question's cell, that question's check must pass.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from hepml.course import paths
from hepml.course.bench import KERNEL_ENVIRONMENT

ROOT = paths.repository_root()
CHROMIUM = Path(os.environ.get("HEPML_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LECTURE = "01-statistics.ipynb"
EXERCISE = "exercise-01-statistics.ipynb"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# One server per test: a second notebook opened in the same JupyterLab after the first one ran
# never started its cells (seen in the full suite), while each test alone passes.
@pytest.fixture()
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 over a scratch folder; yield its base URL and token."""
    folder = tmp_path_factory.mktemp("lab")
    shutil.copyfile(ROOT / "lectures" / LECTURE, folder / LECTURE)
    shutil.copyfile(ROOT / "exercises" / "01-statistics.ipynb", folder / EXERCISE)
    state = tmp_path_factory.mktemp("lab-state")
    port, token = _free_port(), secrets.token_hex(16)
    environment = {
        **os.environ,
        **KERNEL_ENVIRONMENT,
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}", "--allow-root",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.workspaces_dir={state / 'workspaces'}",
    ]  # fmt: skip
    log = (state / "lab.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (state / "lab.log").read_text())
                time.sleep(0.5)
        yield {"base": base, "token": token, "folder": folder}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM} (install Debian's chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _Lab:
    """One JupyterLab tab with one notebook open, reaching only 127.0.0.1."""

    def __init__(self, browser, lab, notebook: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.foreign: list[str] = []
        self.page.route("**/*", self._route)
        self.page.goto(f"{lab['base']}/lab/tree/{notebook}?token={lab['token']}")
        self.page.wait_for_function(
            """() => window.jupyterapp && jupyterapp.shell.currentWidget
                && jupyterapp.shell.currentWidget.sessionContext
                && jupyterapp.shell.currentWidget.sessionContext.session
                && jupyterapp.shell.currentWidget.sessionContext.session.kernel""",
            timeout=120_000,
        )

    def _route(self, route):
        url = route.request.url
        if urlparse(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def command(self, name: str) -> None:
        self.page.evaluate(f"jupyterapp.commands.execute('{name}')")

    def wait_until_idle(self, timeout: float = 120_000) -> None:
        """Until the kernel is idle and every code cell has run."""
        self.page.wait_for_timeout(300)
        self.page.wait_for_function(
            """() => {
                const panel = jupyterapp.shell.currentWidget;
                const kernel = panel.sessionContext.session.kernel;
                const cells = panel.content.widgets.filter(c => c.model.type === 'code');
                return kernel.status === 'idle'
                    && cells.every(c => c.model.executionCount !== null);
            }""",
            timeout=timeout,
        )

    def run_all(self) -> None:
        self.command("notebook:clear-all-cell-outputs")
        self.command("notebook:run-all-cells")
        try:
            self.wait_until_idle()
        except Exception as error:
            state = self.page.evaluate(
                """() => jupyterapp.shell.currentWidget.content.widgets
                    .map(c => [c.model.type, c.model.executionCount,
                               c.model.sharedModel.getSource().slice(0, 40)])"""
            )
            raise AssertionError(f"the notebook did not run to the end: {state}") from error

    def output_text(self, index: int) -> str:
        """The text a cell printed (from its output model: JupyterLab 4 renders only the cells
        in view)."""
        return self.page.evaluate(
            f"""() => jupyterapp.shell.currentWidget.content.widgets[{index}].model.outputs
                .toJSON().map(o => [].concat(o.text || (o.data || {{}})['text/plain'] || [])
                .join('')).join('')"""
        )

    def cell_index(self, startswith: str) -> int:
        sources = self.page.evaluate(
            """() => jupyterapp.shell.currentWidget.content.widgets
                .map(c => c.model.sharedModel.getSource())"""
        )
        return next(i for i, source in enumerate(sources) if source.startswith(startswith))

    def run_cell(self, index: int, source: str | None = None) -> None:
        """Run cell ``index`` (after replacing its source, as a student typing would)."""
        self.page.evaluate(
            """([index, source]) => {
                const panel = jupyterapp.shell.currentWidget;
                const cell = panel.content.widgets[index];
                if (source !== null) cell.model.sharedModel.setSource(source);
                cell.model.executionCount = null;
                panel.content.activeCellIndex = index;
            }""",
            [index, source],
        )
        self.command("notebook:run-cell")
        self.page.wait_for_function(
            f"""() => jupyterapp.shell.currentWidget.content.widgets[{index}]
                .model.executionCount !== null
                && jupyterapp.shell.currentWidget.sessionContext.session.kernel.status
                    === 'idle'""",
            timeout=60_000,
        )

    def close(self) -> None:
        self.context.close()


def _shown_image(page) -> str:
    """Size and hash of the slider demo's visible frame."""
    return page.evaluate(
        """async () => {
            const img = Array.from(document.querySelectorAll('.widget-vbox img'))
                .find(i => i.offsetParent !== null);
            const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
            let hash = 0;
            for (let i = 0; i < bytes.length; i++) hash = (hash * 31 + bytes[i]) >>> 0;
            return bytes.length + ':' + hash;
        }"""
    )


def test_lecture_01_runs_and_its_slider_changes_the_figure(lab, browser):
    tab = _Lab(browser, lab, LECTURE)
    try:
        tab.run_all()
        errors = tab.page.locator(".jp-OutputArea-output[data-mime-type*='error']").count()
        assert errors == 0, "an error output in the lecture"
        handle = tab.page.locator(".widget-slider .noUi-handle").first
        handle.wait_for(state="visible", timeout=30_000)
        handle.scroll_into_view_if_needed()
        readout = tab.page.locator(".widget-slider .widget-readout").first
        before = readout.inner_text(), _shown_image(tab.page)
        handle.focus()
        for _ in range(3):
            tab.page.keyboard.press("ArrowRight")
        tab.wait_until_idle()  # the kernel redraws the frame
        tab.page.wait_for_timeout(500)
        after = readout.inner_text(), _shown_image(tab.page)
        assert (before[0], after[0]) == ("2", "5")
        assert after[1] != before[1], "moving the slider did not change the figure"
        assert not tab.foreign, f"requests to other hosts: {tab.foreign[:5]}"
    finally:
        tab.close()


def test_exercise_01_check_cells_give_feedback(lab, browser):
    tab = _Lab(browser, lab, EXERCISE)
    try:
        tab.run_all()
        check_q1 = tab.cell_index("# Check q1")
        assert tab.output_text(check_q1).startswith("q1: FAILED, 0 of 1 public points")
        assert "`mean_energy` is still `...`" in tab.output_text(check_q1)

        # The student answers q2 and runs the answer cell, then the check cell.
        answer = tab.cell_index("p_tag = ...")
        tab.run_cell(
            answer,
            "p_tag = efficiency * b_fraction + mistag_rate * (1 - b_fraction)\n"
            "purity = efficiency * b_fraction / p_tag",
        )
        check_q2 = tab.cell_index("# Check q2")
        tab.run_cell(check_q2)
        assert tab.output_text(check_q2).startswith("q2: passed"), tab.output_text(check_q2)

        # A slip (Bayes' theorem upside down) gets a message, not a traceback.
        tab.run_cell(answer, "p_tag = 0.148\npurity = 0.148 / 0.14")
        tab.run_cell(check_q2)
        feedback = tab.output_text(check_q2)
        assert feedback.startswith("q2: FAILED") and "Traceback" not in feedback, feedback
        assert not tab.foreign, f"requests to other hosts: {tab.foreign[:5]}"
    finally:
        tab.close()
