"""The README's two commands stay true: CI runs exactly the README's test command."""

import re

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
