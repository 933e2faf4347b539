"""The JupyterHub launch link an institution gets by setting ``launch_buttons.jupyterhub_url``.

A small book made of this repository's configuration (with a hub URL filled in), chapter 01's
lecture and solution, is built into a temporary folder; each notebook page must carry an
nbgitpuller link to the hub that clones this repository's branch and opens that page's notebook.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from hepml.course import paths

ROOT = paths.repository_root()
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
HUB = "https://jupyter.example.edu"
NOTEBOOKS = ["lectures/01-statistics.ipynb", "exercises/01-statistics.ipynb"]


def test_jupyterhub_url_is_the_documented_setting():
    assert "jupyterhub_url" in CONFIG["launch_buttons"]
    assert CONFIG["launch_buttons"]["jupyterhub_url"] in ("", None) or CONFIG["launch_buttons"][
        "jupyterhub_url"
    ].startswith("https://")
    assert "launch_buttons.jupyterhub_url" in (ROOT / "README.md").read_text()


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    book = tmp_path_factory.mktemp("hub-book")
    for name in [*NOTEBOOKS, "book/references.md", "book/references.bib"]:
        (book / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, book / name)
    shutil.copytree(ROOT / "book" / "_ext", book / "book" / "_ext")
    config = {**CONFIG, "launch_buttons": {**CONFIG["launch_buttons"], "jupyterhub_url": HUB}}
    (book / "_config.yml").write_text(yaml.safe_dump(config))
    toc = {
        "format": "jb-book",
        "root": "book/references",
        "chapters": [{"file": name.removesuffix(".ipynb")} for name in NOTEBOOKS],
    }
    (book / "_toc.yml").write_text(yaml.safe_dump(toc))
    result = subprocess.run(
        ["jupyter-book", "build", str(book)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return book / "_build" / "html"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_page_launches_its_notebook_on_the_hub(html, notebook):
    page = (html / notebook.replace(".ipynb", ".html")).read_text()
    links = re.findall(rf'href="({re.escape(HUB)}/[^"]+)"', page)
    assert len(links) == 1, links
    link = urlparse(links[0].replace("&amp;", "&"))
    assert link.path == "/hub/user-redirect/git-pull"
    query = parse_qs(link.query, strict_parsing=True)
    assert set(query) == {"repo", "urlpath", "branch"}
    assert query["repo"] == [CONFIG["repository"]["url"]]
    assert query["branch"] == [CONFIG["repository"]["branch"]]
    # nbgitpuller clones into a folder named after the repository, then opens the notebook.
    folder = CONFIG["repository"]["url"].rstrip("/").rsplit("/", 1)[1]
    assert query["urlpath"] == [f"lab/tree/{folder}/{notebook}"]
    assert (ROOT / notebook).is_file()
