"""Code style is enforced, not suggested: ruff's lint rules and formatter over every source.

The rules live in pyproject.toml; lectures/, solutions/ and exercises/ narrow the line length to
what a rendered code cell shows without a horizontal scroll bar (their ruff.toml says how it was
measured, and tests/book/test_site.py checks the rendered pages themselves).
"""

import subprocess
import sys

import pytest

from hepml.course import paths

ROOT = paths.repository_root()
SOURCES = ["lib", "tests", "lectures", "solutions", "exercises"]


def _ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments, *SOURCES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ruff_lint_rules_pass():
    result = _ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_format_leaves_every_file_unchanged():
    result = _ruff("format", "--check")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.parametrize("folder", ["lectures", "solutions", "exercises"])
def test_notebook_folders_use_the_page_width(folder):
    # A notebook folder without its ruff.toml would silently fall back to the library's width.
    config = (ROOT / folder / "ruff.toml").read_text()
    assert 'extend = "../pyproject.toml"' in config and "line-length = 75" in config


def test_lint_catches_a_long_line_in_a_notebook_folder(tmp_path):
    # The check is only worth something if it can fail: a 76-character line in a lecture fails.
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    lectures = tmp_path / "lectures"
    lectures.mkdir()
    (lectures / "ruff.toml").write_text((ROOT / "lectures" / "ruff.toml").read_text())
    (lectures / "long.py").write_text("x = " + repr("a" * 70) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", "lectures"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "E501" in result.stdout, result.stdout
