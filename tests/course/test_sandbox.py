"""The bubblewrap sandbox on its own: what a worker sees, its limits, and that nothing outlives it.

Each test runs a few lines of Python in :func:`hepml.course.grading.sandbox.sandbox_command` (about
0.1 s each, no torch), then the command-line refusal to grade without bubblewrap.
"""

import csv
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from hepml.course import paths
from hepml.course.grading.sandbox import Limits, bubblewrap_problem, sandbox_command

ROOT = paths.repository_root()


@pytest.fixture(autouse=True)
def _bubblewrap_works():
    # A sandbox test that skipped where bubblewrap is missing would pass a machine whose grader
    # refuses to run: fail with the reason instead (.ci/run installs bubblewrap).
    problem = bubblewrap_problem()
    if problem is not None:
        pytest.fail(f"no sandbox here: {problem}")


def _run(code, limits=None, timeout=60):
    limits = Limits() if limits is None else limits
    command = sandbox_command([sys.executable, "-I", "-c", code], limits=limits)
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, cwd="/", env={"PATH": "/usr/bin"}
    )


VIEW = """
import json, os, socket
home = os.path.expanduser("~root")
report = {
    "cwd": os.getcwd(),
    "scratch": sorted(os.listdir(".")),
    "uid": os.getuid(),
    "pid": os.getpid(),
    "hidden": [p for p in (%r) if os.path.exists(p)],
    "root_home": sorted(os.listdir("/root")) if os.path.isdir("/root") else None,
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    report["network"] = True
except OSError:
    report["network"] = False
try:
    open(%r, "a")
    report["package_writable"] = True
except OSError:
    report["package_writable"] = False
open("scratch.txt", "w").write("mine")
print(json.dumps(report))
"""


def test_a_worker_sees_only_the_environment_the_package_and_its_own_folder(tmp_path):
    hidden = [
        str(ROOT / name) for name in (".git", "solutions", "build", "exercises", "lectures")
    ] + [str(tmp_path), os.path.expanduser("~/.ssh"), "/etc/shadow", "/home"]
    run = _run(VIEW % (hidden, str(ROOT / "lib/hepml/__init__.py")))
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["cwd"] == "/submission"
    assert report["scratch"] == []
    assert report["hidden"] == []
    assert report["network"] is False
    assert report["package_writable"] is False
    assert report["processes"] == [1, 2]  # bubblewrap's init and the worker: no grader
    if os.geteuid() == 0:
        assert report["uid"] == 65534
    # the scratch folder is private: nothing written there appears on the host
    assert os.listdir(tmp_path) == []


def test_memory_processes_and_file_size_are_limited():
    code = """
import threading, time
results = []
try:
    bytearray(3 * 2**30)
    results.append("allocated")
except MemoryError:
    results.append("MemoryError")
threads = 0
try:
    for _ in range(400):
        threading.Thread(target=time.sleep, args=(2,), daemon=True).start()
        threads += 1
except RuntimeError:
    pass
results.append(threads)
try:
    open("big", "wb").write(bytes(2 * 2**20))
    results.append("written")
except OSError as error:
    results.append(error.strerror)
print(results)
"""
    limits = Limits(processes=32, file_bytes=2**20)
    run = _run(code, limits)
    assert run.returncode == 0, run.stderr
    memory, threads, written = eval(run.stdout)
    assert memory == "MemoryError"
    assert threads < 32
    assert written == "File too large"


def test_nothing_outlives_the_sandbox():
    marker = f"{time.time():.0f}.{uuid.uuid4().int % 10**6}"
    code = f"""
import os, time
if os.fork() == 0:
    os.setsid()
    os.execv("/usr/bin/sleep", ["sleep", "{marker}"])
time.sleep(0.3)
"""
    run = _run(code)
    assert run.returncode == 0, run.stderr
    time.sleep(0.5)
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                survivors.append(pid)
        except OSError:
            pass
    assert survivors == []


def test_limits_reject_nonsense():
    with pytest.raises(ValueError, match="memory_bytes"):
        Limits(memory_bytes=0)


def _grade_without_bubblewrap(tmp_path, *flags):
    path = tmp_path / "01-statistics-garbage.ipynb"
    path.write_text("{not json")
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    return subprocess.run(
        [sys.executable, "-m", "hepml", "grade", str(path), "--csv", str(tmp_path / "g.csv")]
        + list(flags),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PATH": str(fake_bin)},  # no bwrap on the PATH
    )


def test_grading_refuses_to_run_without_bubblewrap_and_says_how_to_install_it(tmp_path):
    run = _grade_without_bubblewrap(tmp_path)
    assert run.returncode == 2
    assert "apt-get install bubblewrap" in run.stderr and "--no-sandbox" in run.stderr
    assert not (tmp_path / "g.csv").exists()


def test_no_sandbox_grades_with_a_warning_in_the_output_and_the_gradebook(tmp_path):
    run = _grade_without_bubblewrap(tmp_path, "--no-sandbox")
    assert run.returncode == 0, run.stderr
    assert "warning: grading without bubblewrap" in run.stderr
    (row,) = list(csv.DictReader((tmp_path / "g.csv").open()))
    assert row["isolation"].startswith("NO SANDBOX")
    assert "not a readable notebook" in row["problems"]


def test_a_grader_whose_packages_come_from_pythonpath_grades_the_solution(tmp_path):
    # An environment without packages of its own, which finds them all through PYTHONPATH (as
    # a user site, a `pip install --target` folder or stacked environments would): the workers
    # run `python -I`, which ignores PYTHONPATH, so they must be given the grader's folders.
    import sysconfig

    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    folders = [sysconfig.get_paths()["purelib"], str(ROOT / "lib")]
    run = subprocess.run(
        [str(bare / "bin" / "python"), "-m", "hepml", "grade", "--json"]
        + [str(ROOT / "solutions" / "01-statistics.ipynb")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(folders)},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["score"] == result["max_score"] > 0, result


def test_a_worker_that_cannot_start_stops_the_batch_with_its_reason(tmp_path):
    from hepml.course.grading import WorkerUnavailable, grade_paths

    for name in ("a", "b"):
        (tmp_path / f"01-statistics-{name}.ipynb").write_text(
            (ROOT / "solutions" / "01-statistics.ipynb").read_text()
        )
    graded = []
    # 300 MB of address space is too little to import torch: every worker would die at start
    with pytest.raises(WorkerUnavailable, match="could not start") as failure:
        grade_paths([tmp_path], limits=Limits(memory_bytes=300 * 2**20), on_result=graded.append)
    assert "Error" in str(failure.value)  # the worker's own last lines say why
    assert graded == []  # not a class graded 0
