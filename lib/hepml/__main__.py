"""Entry point of ``python -m hepml``."""

from hepml.course.cli import main

raise SystemExit(main())
