"""The course's notebooks, listed once for every test that inspects them."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LECTURES = sorted((ROOT / "lectures").glob("[0-9][0-9]-*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]-*.ipynb"))
EXECUTED = LECTURES + SOLUTIONS


def ids(paths: list[Path]) -> list[str]:
    """Short test ids such as ``lectures/01-statistics``."""
    return [f"{path.parent.name}/{path.stem}" for path in paths]
