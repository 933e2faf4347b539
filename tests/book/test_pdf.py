"""The PDF of the whole book (``python -m hepml pdf``, ``hepml.course.pdf``).

Built once for this file into a temporary folder: the single-page HTML build, printed by
Debian's Chromium with every other host blocked. Read back with poppler's ``pdfinfo``,
``pdftotext`` and ``pdfimages`` (Debian's ``poppler-utils``; ``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from hepml.course import paths, pdf

ROOT = paths.repository_root()
NOTEBOOKS = paths.lectures(ROOT) + paths.solutions(ROOT)
FRONT_MATTER = sorted((ROOT / "book").glob("*.md"))


@pytest.fixture(scope="module")
def book_pdf(tmp_path_factory):
    for tool in ("pdfinfo", "pdftotext", "pdfimages"):
        assert shutil.which(tool), f"{tool} missing: install Debian's poppler-utils (.ci/run does)"
    folder = tmp_path_factory.mktemp("pdf")
    html = pdf.build_single_html(ROOT, folder)
    return pdf.print_to_pdf(html, folder / pdf.PDF_NAME)


@pytest.fixture(scope="module")
def text(book_pdf) -> str:
    output = subprocess.run(["pdftotext", str(book_pdf), "-"], capture_output=True, text=True)
    return " ".join(output.stdout.split())


def _title(path) -> str:
    if path.suffix == ".md":
        source = path.read_text()
    else:
        cells = json.loads(path.read_text())["cells"]
        source = "".join(next(c for c in cells if c["cell_type"] == "markdown")["source"])
    return re.search(r"^# (.+)$", source, re.MULTILINE).group(1).strip()


def test_page_count_fits_the_chapters(book_pdf):
    info = subprocess.run(["pdfinfo", str(book_pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    # Measured: 168 A4 pages for 5 lectures and 5 solutions (about 15 a notebook).
    assert 5 * len(NOTEBOOKS) <= pages <= 35 * len(NOTEBOOKS) + 20, pages
    assert "A4" in info


def test_contains_every_chapter_title(text):
    missing = [p.name for p in NOTEBOOKS + FRONT_MATTER if _title(p) not in text]
    assert not missing, f"titles missing from the PDF: {missing}"


def test_math_is_typeset_not_raw_tex(text):
    # MathJax typesets every formula before printing (print_to_pdf checks); what is left of
    # a formula that failed would be its delimiters or TeX commands. TeX inside a Python raw
    # string (a matplotlib label, r"$\sqrt{d_k}$") is code, printed as written.
    tex = re.compile(r"\$\$|\\\(|\\\[|\\begin\{|\\frac\{|\\sqrt\{|\\mathbb\{")
    raw = [
        line.strip()
        for line in text.splitlines()
        if tex.search(re.sub(r"""\br(["']).*?\1""", "", line))
    ]
    assert not raw, f"raw TeX in the PDF: {raw[:5]}"
    assert "Bayes" in text and "Jacobian" in text


def test_has_the_figures(book_pdf):
    listing = subprocess.run(["pdfimages", "-list", str(book_pdf)], capture_output=True, text=True)
    images = [line for line in listing.stdout.splitlines()[2:] if " image " in line]
    figures = sum(
        "image/png" in json.dumps(cell.get("outputs", []))
        for path in NOTEBOOKS
        for cell in json.loads(path.read_text())["cells"]
    )
    assert len(images) >= figures, (len(images), figures)
