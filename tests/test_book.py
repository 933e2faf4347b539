"""Smoke test of the site: the whole book builds with warnings as errors."""

import subprocess

from notebooks import LECTURES, ROOT


def test_book_builds_with_warnings_as_errors(tmp_path):
    result = subprocess.run(
        ["jupyter-book", "build", str(ROOT), "--path-output", str(tmp_path), "-W", "--all"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = tmp_path / "_build" / "html"
    assert (html / "index.html").is_file()
    for lecture in LECTURES:
        page = html / "lectures" / f"{lecture.stem}.html"
        assert page.is_file(), f"no page for {lecture.name}"
        text = page.read_text()
        assert "<img" in text and "alt=" in text
        assert "Traceback" not in text
