import subprocess
import sys

import nbformat
import pytest

from hepml.course.bench import BenchResult
from hepml.course.status import pinned_versions, render_status_page


def _result(name, seconds=3.0, mb=200.0, ok=True, error=None):
    return BenchResult(notebook=name, seconds=seconds, peak_rss_mb=mb, ok=ok, error=error)


def test_pinned_versions_reads_exact_pins_and_installed_versions(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# comment\nnumpy==1.0.0\npytest==9.9  # trailing comment\n\n"
        "something-loose>=2\nno-such-package-xyz==0.1\n"
    )
    import numpy
    import pytest as pytest_module

    assert pinned_versions(requirements) == [
        ("numpy", "1.0.0", numpy.__version__),
        ("pytest", "9.9", pytest_module.__version__),
        ("no-such-package-xyz", "0.1", None),
    ]


def test_render_lists_every_notebook_with_seconds_mb_and_status(tmp_path):
    results = [
        _result(str(tmp_path / "lectures" / "01-a.ipynb"), 12.34, 401.6),
        _result(str(tmp_path / "lectures" / "02-b.ipynb"), 75.0, 300.0),
        _result(
            str(tmp_path / "solutions" / "01-a.ipynb"),
            2.0,
            99.0,
            ok=False,
            error="ValueError: x | y",
        ),
    ]
    page = render_status_page(
        results,
        [
            ("numpy", "2.4.6", "2.4.6"),
            ("torch", "2.13.0", "2.13.0+cpu"),
            ("tqdm", "4.70.1", "4.66.0"),
        ],
        root=tmp_path,
    )
    assert "| `lectures/01-a.ipynb` | 12.3 | 402 | ok |" in page
    assert "| `lectures/02-b.ipynb` | 75.0 | 300 | over budget |" in page
    assert "| `solutions/01-a.ipynb` | 2.0 | 99 | failed: ValueError: x / y |" in page
    assert "2 of 3 notebooks ran without error; 89 s in total, largest peak memory 402 MB." in page
    assert "| torch | 2.13.0 | 2.13.0+cpu |" in page  # a local build tag is the pinned version
    assert "| tqdm | 4.70.1 | 4.66.0 (differs) |" in page
    assert "python -m hepml status" in page


def test_render_needs_results():
    with pytest.raises(ValueError, match="results must hold"):
        render_status_page([], [])


def test_missing_requirements_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="requirements must be an existing file"):
        pinned_versions(tmp_path / "nope.txt")


def test_status_command_writes_the_page_for_lectures_and_solutions(tmp_path):
    for folder, source in (("lectures", "print(1 + 1)"), ("solutions", "x = 3")):
        (tmp_path / folder).mkdir()
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(notebook, tmp_path / folder / "01-x.ipynb")
    (tmp_path / "book").mkdir()
    (tmp_path / "requirements.txt").write_text("numpy==2.4.6\n")
    result = subprocess.run(
        [sys.executable, "-m", "hepml", "status", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "book" / "status.md").read_text()
    assert "`lectures/01-x.ipynb`" in page and "`solutions/01-x.ipynb`" in page
    assert page.count("| ok |") == 2
