"""Shared test setup.

nbval starts each notebook's kernel from this process's environment, so the kernel environment
used by ``python -m hepml execute`` (progress bars off, fixed hash seed) is set here too: the
outputs nbval compares are then produced under the same conditions as the stored ones.
"""

import os
from pathlib import Path

import pytest

from hepml.course import paths
from hepml.course.bench import KERNEL_ENVIRONMENT

os.environ.update(KERNEL_ENVIRONMENT)

ROOT = paths.repository_root()


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT
