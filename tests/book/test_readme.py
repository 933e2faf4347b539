"""The README's two commands stay true: CI runs exactly the README's test command."""

import re
import subprocess

from hepml.course import paths

ROOT = paths.repository_root()


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    return [line for line in first_block.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_opens_with_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert readme.index("```") < readme.index("\n## "), "the commands come before any section"
    commands = _readme_commands()
    assert len(commands) == 2
    assert (
        "pip install -r requirements.txt" in commands[0]
        and "jupyter-book build . -W --all" in commands[0]
    )
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    test_command = _readme_commands()[1].split("&& ", 1)[1]
    assert test_command in ci_lines


def test_readme_and_ci_install_system_packages_with_the_same_script():
    assert _readme_commands()[0].startswith("bash .ci/system-packages && ")
    assert "bash .ci/system-packages" in (ROOT / ".ci" / "run").read_text().splitlines()


# The script on a machine whose programs are fakes in one folder: what it finds, what it runs.
SYSTEM_PROGRAMS = ("npm", "pdftotext", "bwrap", "prlimit", "setpriv")


def _run_system_packages(tmp_path, present, *, apt=False, uid=0):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    log = tmp_path / "calls.log"
    for name in present:
        _fake_program(fake_bin / name, "exit 0")
    _fake_program(fake_bin / "id", f"echo {uid}")
    _fake_program(fake_bin / "cat", 'exec /bin/cat "$@"')
    if apt:
        _fake_program(fake_bin / "apt-get", f'echo "apt-get $*" >> {log}')
    chromium = tmp_path / "chromium"
    if "chromium" in present:
        _fake_program(chromium, "exit 0")
    result = subprocess.run(
        ["/bin/bash", str(ROOT / ".ci" / "system-packages")],
        env={"PATH": str(fake_bin), "HEPML_CHROMIUM": str(chromium)},
        capture_output=True,
        text=True,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return result, calls


def _fake_program(path, body):
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)


def test_system_packages_installs_nothing_when_everything_is_there(tmp_path):
    result, calls = _run_system_packages(tmp_path, (*SYSTEM_PROGRAMS, "chromium"), apt=True)
    assert result.returncode == 0, result.stderr
    assert calls == []


def test_system_packages_installs_only_what_is_missing_with_apt(tmp_path):
    present = ("npm", "pdftotext", "prlimit", "setpriv")  # no bwrap, no chromium
    result, calls = _run_system_packages(tmp_path, present, apt=True)
    assert calls[0] == "apt-get update -qq"
    installed = calls[1].split()
    assert installed[:2] == ["apt-get", "install"]
    assert {w for w in installed if not w.startswith("-")} - {"apt-get", "install"} == {
        "chromium",
        "bubblewrap",
    }
    # the fake apt-get installs no browser: the script says where it looked, and fails
    assert result.returncode == 1
    assert "no Chromium at" in result.stderr and "HEPML_CHROMIUM" in result.stderr


def test_system_packages_without_apt_names_what_to_install(tmp_path):
    present = ("npm", "prlimit", "setpriv", "chromium")  # no pdftotext, no bwrap
    result, calls = _run_system_packages(tmp_path, present, apt=False)
    assert result.returncode == 1
    assert "missing poppler-utils bubblewrap" in result.stderr
    assert "macOS" in result.stderr and "Fedora" in result.stderr


def test_system_packages_without_root_or_sudo_says_to_run_as_root(tmp_path):
    present = ("npm", "pdftotext", "prlimit", "setpriv", "chromium")
    result, calls = _run_system_packages(tmp_path, present, apt=True, uid=1000)
    assert result.returncode == 1
    assert calls == []
    assert "run as root: apt-get install bubblewrap" in result.stderr
