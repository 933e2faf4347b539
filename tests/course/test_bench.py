import json
import subprocess
import sys

import nbformat
import pytest

from hepml.course.bench import run_notebook


def _notebook(path, *sources):
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in sources]
    )
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


def test_bench_json_reports_every_notebook_and_fails_on_error(tmp_path):
    good = _notebook(
        tmp_path / "good.ipynb",
        "import numpy as np\nblock = np.ones(40 * 2**20 // 8)\nblock.sum()",
    )
    bad = _notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('broken on purpose')")
    result = subprocess.run(
        [sys.executable, "-m", "hepml", "bench", "--json", str(bad), str(good)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    records = json.loads(result.stdout)
    assert [r["notebook"] for r in records] == [str(bad), str(good)]
    assert all(set(r) == {"notebook", "seconds", "peak_rss_mb", "ok", "error"} for r in records)
    failed, passed = records
    assert failed["ok"] is False and "broken on purpose" in failed["error"]
    assert passed["ok"] is True and passed["error"] is None
    # the 40 MB array lives in the kernel, so the kernel's peak must include it
    assert passed["peak_rss_mb"] > 40
    assert 0 < passed["seconds"] < 60


def test_memory_of_child_processes_is_counted(tmp_path):
    child = (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', "
        "'import time; b = bytearray(300 * 2**20); time.sleep(1.0)'], check=True)"
    )
    result = run_notebook(_notebook(tmp_path / "child.ipynb", child))
    assert result.ok
    assert result.peak_rss_mb > 300


def test_execute_writes_outputs_only_on_success(tmp_path):
    path = _notebook(tmp_path / "n.ipynb", "print(6 * 7)")
    assert (
        subprocess.run(
            [sys.executable, "-m", "hepml", "execute", str(path)], capture_output=True
        ).returncode
        == 0
    )
    assert nbformat.read(path, as_version=4).cells[0].outputs[0]["text"] == "42\n"


def test_bad_paths_raise_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="must be a .ipynb notebook"):
        run_notebook(tmp_path / "x.py")
    with pytest.raises(FileNotFoundError, match="no notebook at"):
        run_notebook(tmp_path / "missing.ipynb")
