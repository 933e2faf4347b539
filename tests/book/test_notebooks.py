"""Conventions every stored notebook follows (see CONTRIBUTING.md).

nbval checks that outputs are reproduced; these tests check what nbval cannot: that the notebook
runs on Colab, sets its seeds, has alt text on every figure, and stores no errors or warnings.
"""

import json
import re

import pytest
import yaml

from hepml.course import paths

ROOT = paths.repository_root()
EXECUTED = paths.executed_notebooks(ROOT)
LECTURES = paths.lectures(ROOT)

# The notebooks' ruff line length: what a rendered code cell shows without scrolling, and an
# output's <pre> shows two characters more (tests/book/test_site.py measures both).
LINE_LENGTH = int(
    re.search(r"line-length = (\d+)", (ROOT / "lectures" / "ruff.toml").read_text()).group(1)
)

REPOSITORY_URL = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
TOC = (ROOT / "_toc.yml").read_text()


def _code_cells(path):
    cells = json.loads(path.read_text())["cells"]
    return [cell for cell in cells if cell["cell_type"] == "code"]


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def _shown_text(output) -> str:
    """The text an output shows on the page as a <pre>: printed text, or a plain-text result.

    A figure or a widget also stores a text/plain fallback, but the page shows its image or its
    view instead, so that text is not checked.
    """
    if output["output_type"] == "stream":
        return _text(output["text"])
    data = output.get("data", {})
    return _text(data["text/plain"]) if set(data) == {"text/plain"} else ""


def test_there_is_at_least_one_lecture():
    assert LECTURES, "no lecture notebooks found"


@pytest.mark.parametrize("path", EXECUTED, ids=[paths.page_name(p) for p in EXECUTED])
class TestNotebook:
    def test_first_cell_installs_hepml_on_colab_only(self, path):
        first = _text(_code_cells(path)[0]["source"])
        assert '"google.colab" in sys.modules' in first
        assert f"git+{REPOSITORY_URL}" in first
        assert _code_cells(path)[0]["outputs"] == []

    def test_second_cell_sets_up_seeds_threads_and_style(self, path):
        assert "hepml.setup_notebook(seed=" in _text(_code_cells(path)[1]["source"])

    def test_executed_once_top_to_bottom(self, path):
        counts = [cell["execution_count"] for cell in _code_cells(path)]
        assert counts == list(range(1, len(counts) + 1))

    def test_no_errors_or_stderr_in_stored_outputs(self, path):
        for cell in _code_cells(path):
            for output in cell["outputs"]:
                assert output["output_type"] != "error", _text(cell["source"])[:80]
                assert output.get("name") != "stderr", _text(output.get("text", ""))[:200]

    def test_every_figure_has_alt_text(self, path):
        for cell in _code_cells(path):
            has_image = any("image/png" in output.get("data", {}) for output in cell["outputs"])
            if has_image and "widget" not in _text(cell["source"]):
                alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
                assert len(alt) > 20, (
                    f"figure without alt text in cell: {_text(cell['source'])[:80]}"
                )

    def test_no_machine_dependent_text(self, path):
        for cell in _code_cells(path):
            for output in cell["outputs"]:
                text = _text(output.get("text", "")) + _text(
                    output.get("data", {}).get("text/plain", "")
                )
                assert not re.search(r"0x[0-9a-f]{6,}|\d+(\.\d+)?\s?(s/it|it/s)\b", text), text[
                    :200
                ]

    def test_no_output_line_is_wider_than_a_code_line(self, path):
        too_wide = []
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            lines = [
                line
                for output in cell.get("outputs", [])
                for line in _shown_text(output).splitlines()
            ]
            longest = max(lines, key=len, default="")
            if len(longest) > LINE_LENGTH:
                too_wide.append(f"cell {index}: {len(longest)} characters: {longest!r}")
        assert not too_wide, (
            f"{path.relative_to(ROOT)}: output lines longer than {LINE_LENGTH} characters "
            "scroll sideways on the page; shorten or split the print:\n  " + "\n  ".join(too_wide)
        )

    def test_stays_small_enough_for_the_web_page(self, path):
        assert path.stat().st_size < 2 * 2**20

    def test_is_in_the_table_of_contents(self, path):
        assert f"{path.parent.name}/{path.stem}" in TOC


@pytest.mark.parametrize("path", LECTURES, ids=[paths.page_name(p) for p in LECTURES])
def test_every_lecture_shows_an_interactive_demo(path):
    # DESIGN: each lecture has at least one widget demo; a widget that is not its cell's
    # result (another call after it) is built but never shown (lecture 06 lost its slider so)
    shown = [
        output
        for cell in _code_cells(path)
        for output in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in output.get("data", {})
    ]
    assert shown, f"{path.name} displays no widget"
