"""Hostile submissions, written the way a determined student would, cost only their own points.

Three folders are graded once each by ``python -m hepml grade`` (the way an instructor runs it):

- ``attacks``: notebooks made from the chapter 01 master whose extra code tries to read the
  master, the repository or the grader's memory (bypassing the audit hook with ``dir_fd``,
  ``ctypes`` and ``/proc``), to harm other submissions or the package (writes outside its folder,
  a detached process), to exhaust memory, processes, disk or time, and to inject formulas into
  the gradebook. An attack that works changes the score (a probe raises ``LEAK ...``) or a file
  outside the submission's folder.
- ``killers``: files that used to stop the whole batch (a FIFO, a symbolic link to /dev/zero,
  JSON nested 200,000 deep, ``"metadata": []``, a name that is not UTF-8, a malformed reply on
  the worker's pipe).
- ``in_turn``: three submissions graded one after the other by the same warm worker: the first
  leaves files, a process, a socket and shared memory behind and tries to read its worker's
  memory, the second kills every process it can, the third looks for what the first left.

Every attack is bounded (a few seconds, untouched memory, at most 400 threads, files in the
test's own folders), so that it cannot hurt the machine even where it succeeds.
"""

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import time

import nbformat
import pytest
from submission_notebooks import FULL, MASTER, master_with, message, scores

from hepml.course import paths

ROOT = paths.repository_root()
PACKAGE = ROOT / "lib" / "hepml"
TIMEOUT = 8
TOTAL = 4 * TIMEOUT + 30  # the default total limit for --timeout 8


def _notebook(prefixes=None, extra_cells=()):
    """The master with code put in front of some answer cells (``{question: code}``)."""
    notebook = master_with(prefixes, extra_cells=extra_cells)
    notebook.metadata["hepml"] = {"exercise": "01-statistics"}
    return notebook


def _write(folder, name, notebook):
    path = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else name.encode())
    with open(path, "w", encoding="utf-8") as file:
        nbformat.write(notebook, file)
    return path


def _digests(folder):
    return {
        path: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


# --- the attacks ---------------------------------------------------------------------------

READS_THE_MASTER = f"""
import ctypes, os
master = {str(MASTER)!r}
leaks = []
try:
    folder = os.open(os.path.dirname(master), os.O_RDONLY)
    handle = os.open(os.path.basename(master), os.O_RDONLY, dir_fd=folder)
    if os.read(handle, 100):
        leaks.append("dir_fd")
except OSError:
    pass
libc = ctypes.CDLL(None)
if libc.open(master.encode(), 0) >= 0:
    leaks.append("ctypes open")
if libc.system(("cat " + master + " > /dev/null 2>&1").encode()) == 0:
    leaks.append("libc system")
for name in (".git", "solutions", "build", "exercises"):
    if os.path.exists(os.path.join({str(ROOT)!r}, name)):
        leaks.append(name)
if leaks:
    raise AssertionError("LEAK " + ", ".join(leaks))
"""

READS_THE_GRADER = """
import os
leaks = []
try:
    with open(f"/proc/{os.getppid()}/cmdline", "rb") as file:
        if b"\\0grade\\0" in file.read():
            leaks.append("the grader's command line")
except OSError:
    pass
try:
    with open(f"/proc/{os.getppid()}/maps") as maps:
        start = int(maps.readline().split("-")[0], 16)
    with open(f"/proc/{os.getppid()}/mem", "rb") as memory:
        memory.seek(start)
        if memory.read(16):
            leaks.append("the grader's memory")
except (OSError, ValueError):
    pass
if leaks:
    raise AssertionError("LEAK " + ", ".join(leaks))
"""


def _writes_outside(outside):
    return f"""
import ctypes, os
libc = ctypes.CDLL(None)
target = {str(outside / "victim.txt")!r}
package = {str(PACKAGE / "course")!r}
try:
    folder = os.open(os.path.dirname(target), os.O_RDONLY)
    handle = os.open("victim.txt", os.O_WRONLY | os.O_TRUNC, dir_fd=folder)
    os.write(handle, b"overwritten through dir_fd")
except OSError:
    pass
handle = libc.open(target.encode(), os.O_WRONLY | os.O_APPEND)
if handle >= 0:
    libc.write(handle, b" and through ctypes", 19)
try:
    folder = os.open(package, os.O_RDONLY)
    handle = os.open("checks.py", os.O_WRONLY | os.O_APPEND, dir_fd=folder)
    os.write(handle, b"\\n# appended by a submission\\n")
except OSError:
    pass
"""


def _detached(outside):
    # a child in a new session that keeps writing for 20 s after its worker has ended
    return f"""
import ctypes, os, time
libc = ctypes.CDLL(None)
if libc.fork() == 0:
    libc.setsid()
    for _ in range(100):
        time.sleep(0.2)
        handle = libc.open({str(outside / "evidence.txt")!r}.encode(), 0o2101, 0o644)
        if handle >= 0:
            libc.write(handle, b"x", 1)
            libc.close(handle)
    libc._exit(0)
"""


MEMORY_BOMB = "import numpy as np\nballast = np.empty(3 * 2**30, dtype=np.uint8)  # untouched"
THREAD_BOMB = """
import threading, time
threads = []
for _ in range(400):
    thread = threading.Thread(target=time.sleep, args=(3,), daemon=True)
    thread.start()
    threads.append(thread)
"""
DISK_BOMB = """
with open("big.bin", "wb") as file:
    for _ in range(100):
        file.write(bytes(2**20))
"""
SILENT_WORKER = """
import sys, time
worker = sys.modules["__main__"]
worker.receive = lambda *args, **kwargs: time.sleep(1000)  # never answers the grader
"""
HYPERLINK = 'raise RuntimeError("=HYPERLINK(\\"http://evil\\")" + "x" * 5_000_000)'


@pytest.fixture(scope="module")
def attacks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attacks")
    outside = tmp_path_factory.mktemp("outside")
    (outside / "victim.txt").write_text("must survive grading")
    # several attacks per notebook, on different questions, to keep the batch short
    submissions = {
        "reads": _notebook({"q1": READS_THE_MASTER, "q2": READS_THE_GRADER}),
        "harms": _notebook({"q1": _writes_outside(outside), "q2": _detached(outside)}),
        "bombs": _notebook({"q1": MEMORY_BOMB, "q3": THREAD_BOMB, "q4": DISK_BOMB}),
        "sleeps": _notebook(extra_cells=[(3, "import time\ntime.sleep(7)")] * 12),
        "silent-worker": _notebook(extra_cells=[(3, SILENT_WORKER)]),
        "long-input": _notebook({"q1": HYPERLINK, "q2": "\n" * 40_000}),
    }
    for name, notebook in submissions.items():
        _write(folder, f"01-statistics-{name}.ipynb", notebook)
    _write(folder, "=1+2.ipynb", _notebook())  # a correct submission
    before = {**_digests(PACKAGE), **_digests(folder)}
    graded = _grade(folder)
    time.sleep(1.5)  # a process that outlived its worker would write evidence meanwhile
    graded.update(outside=outside, folder=folder, before=before, count=len(submissions) + 1)
    return graded


def _grade(folder, timeout=600, jobs=2):
    """Grade every entry of ``folder`` by relative name (as ``grade *.ipynb`` would)."""
    names = sorted(os.listdir(os.fsencode(folder)))
    gradebook = folder.parent / f"{folder.name}.csv"
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "hepml", "grade", *names, "--json", "--csv", str(gradebook)]
        + ["--timeout", str(TIMEOUT), "--jobs", str(jobs)],
        capture_output=True,
        timeout=timeout,
        cwd=folder,
    )
    seconds = time.perf_counter() - start
    stdout = result.stdout.decode("utf-8")  # must be valid UTF-8 whatever the file names
    results = json.loads(stdout) if stdout.strip() else []
    by_name = {
        r["notebook"].removeprefix("01-statistics-").removesuffix(".ipynb"): r for r in results
    }
    return {
        "returncode": result.returncode,
        "stderr": result.stderr.decode("utf-8", "replace"),
        "results": by_name,
        "seconds": seconds,
        "gradebook": gradebook,
    }


def _rows(graded):
    with open(graded["gradebook"], encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


class TestBypassAttempts:
    def test_the_master_and_the_repository_are_out_of_reach(self, attacks):
        result = attacks["results"]["reads"]
        assert scores(result)["q1"] == FULL["q1"], message(result, "q1")

    def test_the_graders_command_line_and_memory_are_out_of_reach(self, attacks):
        result = attacks["results"]["reads"]
        assert scores(result)["q2"] == FULL["q2"], message(result, "q2")


class TestHarmingANeighbour:
    def test_files_outside_the_submission_and_the_package_do_not_change(self, attacks):
        assert scores(attacks["results"]["harms"]) == FULL
        assert (attacks["outside"] / "victim.txt").read_text() == "must survive grading"
        after = {**_digests(PACKAGE), **_digests(attacks["folder"])}
        assert after == attacks["before"]

    def test_nothing_outlives_its_submission(self, attacks):
        assert scores(attacks["results"]["harms"]) == FULL
        assert not (attacks["outside"] / "evidence.txt").exists()


class TestTimeAndMemoryBombs:
    def test_memory_is_limited(self, attacks):
        result = attacks["results"]["bombs"]
        assert scores(result) == {**FULL, "q1": 0.0, "q3": 0.0, "q4": 0.0}
        assert "MemoryError" in message(result, "q1")

    def test_processes_and_threads_are_limited(self, attacks):
        result = attacks["results"]["bombs"]
        assert "can't start new thread" in message(result, "q3")

    def test_file_size_is_limited(self, attacks):
        result = attacks["results"]["bombs"]
        assert "File too large" in message(result, "q4")

    @pytest.mark.parametrize("name", ["sleeps", "silent-worker"])
    def test_a_submission_gets_a_total_time_limit_counting_restarts(self, attacks, name):
        result = attacks["results"][name]
        assert result["seconds"] < TOTAL + 10, result["seconds"]
        assert result["score"] == 0
        assert f"total time limit of {TOTAL} s" in message(result, "q4")

    def test_blank_lines_are_graded_in_linear_time(self, attacks):
        result = attacks["results"]["long-input"]
        assert scores(result)["q2"] == FULL["q2"]
        assert result["seconds"] < TOTAL

    def test_magic_stripping_is_linear(self):
        # 200,000 blank lines: quadratic stripping takes minutes, linear a few milliseconds
        code = (
            "import time; from hepml.course.grading.worker import _strip_magics\n"
            "start = time.perf_counter(); _strip_magics('\\n' * 200_000 + 'x = 1')\n"
            "print(time.perf_counter() - start)"
        )
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=20)
        assert float(run.stdout) < 1.0


class TestGradebook:
    def test_every_submission_has_one_row_within_its_time_limit(self, attacks):
        assert attacks["returncode"] == 0, attacks["stderr"][-2000:]
        rows = _rows(attacks)
        assert len(rows) == attacks["count"] == len(attacks["results"])
        assert all(r["seconds"] < TOTAL + 10 for r in attacks["results"].values())
        assert all(row["isolation"] == "bubblewrap" for row in rows)

    def test_formulas_are_neutralised_and_long_messages_truncated(self, attacks):
        rows = _rows(attacks)
        formula = next(row for row in rows if "1+2" in row["notebook"])
        assert formula["notebook"] == "'=1+2.ipynb" and formula["score"] == "12"
        starts = tuple("=+-@\t\r")
        assert not [cell for row in rows for cell in row.values() if cell.startswith(starts)]
        hyperlink = next(row for row in rows if "long-input" in row["notebook"])
        assert len(hyperlink["problems"]) < 1000
        assert "RuntimeError: =HYPERLINK" in hyperlink["problems"]
        assert scores(attacks["results"]["long-input"]) == {**FULL, "q1": 0.0}
        assert len(attacks["gradebook"].read_bytes()) < 50_000


# --- batch killers -----------------------------------------------------------------------

# kill(-1) signals every process the caller may signal: outside a sandbox, the grader too
KILLS_EVERYTHING = "import ctypes, signal\nctypes.CDLL(None).kill(-1, signal.SIGKILL)"
# a well-formed message of the wrong kind, written to every pipe the process may write to
MALFORMED_REPLY = """
import fcntl, os, pickle, stat, struct
message = pickle.dumps(("cell",))
for name in os.listdir("/proc/self/fd"):
    fd = int(name)
    try:
        writable = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
        if writable and stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, struct.pack("!Q", len(message)) + message)
    except OSError:
        pass
"""


@pytest.fixture(scope="module")
def killers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("killers")
    master = _notebook()
    master.metadata = []
    with open(folder / "01-statistics-metadata-list.ipynb", "w") as file:
        file.write(json.dumps(dict(master)))
    _write(folder, b"01-statistics-\xff.ipynb", _notebook())
    _write(folder, "01-statistics-malformed-reply.ipynb", _notebook({"q4": MALFORMED_REPLY}))
    (folder / "01-statistics-deep.ipynb").write_text("[" * 200_000 + "]" * 200_000)
    (folder / "01-statistics-zero.ipynb").symlink_to("/dev/zero")
    os.mkfifo(folder / "01-statistics-fifo.ipynb")
    with open(folder / "01-statistics-huge.ipynb", "wb") as file:
        file.truncate(40 * 2**20)  # sparse: no disk used
    graded = _grade(folder, timeout=240)
    graded["count"] = len(os.listdir(folder))
    return graded


class TestBatchKillers:
    def test_the_batch_completes_with_one_row_per_file(self, killers):
        assert killers["returncode"] == 0, killers["stderr"][-2000:]
        assert len(_rows(killers)) == killers["count"] == len(killers["results"])

    @pytest.mark.parametrize(
        ("name", "reason"),
        [
            ("deep", "nested 200000 levels deep"),
            ("zero", "symbolic link"),
            ("fifo", "not a regular file"),
            ("huge", "larger than the 16 MB limit"),
        ],
    )
    def test_a_special_or_hostile_file_scores_zero_with_a_reason(self, killers, name, reason):
        result = killers["results"][name]
        assert result["score"] == 0 and result["max_score"] == 12
        assert all(reason in q["message"] for q in result["questions"])

    def test_metadata_of_the_wrong_type_is_ignored(self, killers):
        assert scores(killers["results"]["metadata-list"]) == FULL

    def test_a_name_that_is_not_utf8_is_escaped(self, killers):
        assert scores(killers["results"]["\\xff"]) == FULL
        assert any(row["notebook"] == "01-statistics-\\xff.ipynb" for row in _rows(killers))

    def test_a_malformed_reply_costs_only_its_cell(self, killers):
        result = killers["results"]["malformed-reply"]
        assert scores(result) == {**FULL, "q4": 0.0}
        assert "malformed reply" in message(result, "q4")


# --- one submission after another in the same warm worker ------------------------------------

LEAVES_TRACES = """
import ctypes, os, socket, time
libc = ctypes.CDLL(None)
for path in (b"left-behind.txt", b"/tmp/left-behind.txt"):  # past the audit hook
    handle = libc.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    libc.write(handle, b"from the previous submission", 28)
    libc.close(handle)
libc.shmget(0x4845504D, 4096, 0o1666)  # IPC_CREAT | 0666
if libc.fork() == 0:  # a listener in a new session that would outlive its submission
    libc.setsid()
    listener = socket.socket(socket.AF_UNIX)
    listener.bind("\\0hepml-left-behind")
    listener.listen()
    time.sleep(60)
    libc._exit(0)
time.sleep(0.3)
leaks = []
for name in ("mem", "environ", "fd/0"):
    try:
        open(f"/proc/{os.getppid()}/{name}", "rb").close()
        leaks.append(name)
    except OSError:
        pass
if leaks:
    raise AssertionError("LEAK the warm worker's " + ", ".join(leaks))
"""
LOOKS_FOR_TRACES = """
import os, socket
traces = [path for path in ("left-behind.txt", "/tmp/left-behind.txt") if os.path.exists(path)]
mine = {1, os.getpid(), os.getppid()}
traces += [f"process {pid}" for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
           if pid not in mine]
traces += open("/proc/sysvipc/shm").read().splitlines()[1:]
probe = socket.socket(socket.AF_UNIX)
try:
    probe.connect("\\0hepml-left-behind")
    traces.append("the listener's socket")
except OSError:
    pass
if traces:
    raise AssertionError(f"LEAK {traces}")
"""


@pytest.fixture(scope="module")
def in_turn(tmp_path_factory):
    """Three submissions graded one after the other by one warm worker (``--jobs 1``)."""
    folder = tmp_path_factory.mktemp("in-turn")
    _write(folder, "01-statistics-a-leaves-traces.ipynb", _notebook({"q1": LEAVES_TRACES}))
    _write(folder, "01-statistics-b-kills-everything.ipynb", _notebook({"q2": KILLS_EVERYTHING}))
    _write(folder, "01-statistics-c-looks-for-them.ipynb", _notebook({"q1": LOOKS_FOR_TRACES}))
    return _grade(folder, jobs=1)


def test_nothing_of_a_submission_is_visible_to_the_next(in_turn):
    assert in_turn["returncode"] == 0, in_turn["stderr"][-2000:]
    looks = in_turn["results"]["c-looks-for-them"]
    assert scores(looks) == FULL, message(looks, "q1")


def test_killing_every_process_it_can_costs_points_of_that_submission_only(in_turn):
    # In the sandbox that is its own process and its warm worker, never the grader nor the next
    # submission. A dying worker takes a moment to release its memory, so the cell cut short
    # may be a later one, and the killing cell runs again in the next worker: how many points
    # the submission loses varies, that it loses some does not.
    killer = in_turn["results"]["b-kills-everything"]
    assert killer["score"] < sum(FULL.values())
    # "ended the process" in a cell, or "the submission's process ended" between two cells
    assert re.search(r"ended the process|process ended", json.dumps(killer)), killer


def test_a_submission_cannot_trace_its_warm_worker(in_turn):
    leaves = in_turn["results"]["a-leaves-traces"]
    assert scores(leaves) == FULL, message(leaves, "q1")


# --- the grader's own defences, one by one (fast, in this process) --------------------------


@pytest.mark.parametrize(
    "reply",
    [(), ["value", 1], ("cell",), ("cell", "1"), ("cell_done", 1, 2), ("nonsense",), (b"ready",)],
)
def test_a_malformed_reply_is_refused(reply):
    from hepml.course.grading.replies import REPLIES, WorkerDied, checked

    with pytest.raises(WorkerDied, match="malformed reply"):
        checked(reply, set(REPLIES))


def test_a_reply_is_cut_and_made_valid_utf8():
    from hepml.course.grading.replies import MAX_TEXT, checked

    tag, error = checked(("raised", "\udcff" + "x" * 10**6), {"raised"})[:2]
    assert tag == "raised" and len(error) <= MAX_TEXT + 10
    error.encode("utf-8")  # no lone surrogate left


def test_a_bug_of_the_grader_costs_one_row(monkeypatch, tmp_path):
    from hepml.course import grading

    names = [tmp_path / f"01-statistics-{n}.ipynb" for n in ("a", "b", "c")]
    for path in names:
        path.write_text("{}")

    def flaky(path, **kwargs):
        if path.name.endswith("b.ipynb"):
            raise KeyError("a bug")
        return grading.SubmissionResult(str(path), 1.0, 1.0)

    monkeypatch.setattr(grading.grade, "grade_submission", flaky)
    results = grading.grade_paths([tmp_path], sandbox=False)
    assert [r.score for r in results] == [1.0, 0.0, 1.0]
    assert results[1].grading_failed and "KeyError" in results[1].error


def test_the_gradebook_on_disk_is_complete_after_every_submission(tmp_path):
    from hepml.course.grading.gradebook import Gradebook, SubmissionResult

    gradebook = Gradebook(tmp_path / "g.csv")
    for index in range(3):
        gradebook.add(SubmissionResult(f"n{index}.ipynb", 1.0, 2.0))
        with open(tmp_path / "g.csv", encoding="utf-8") as file:
            assert len(list(csv.reader(file))) == index + 2
    assert sorted(os.listdir(tmp_path)) == ["g.csv"]  # no temporary file left


def test_json_depth_is_measured_in_linear_time():
    from hepml.course.grading.submissions import json_depth

    assert json_depth('{"a": [1, {"b": "[[[["}]}') == 3
    start = time.perf_counter()
    assert json_depth("[" * 10**6 + "]" * 10**6) == 10**6
    assert time.perf_counter() - start < 2
