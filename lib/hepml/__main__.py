"""Entry point of ``python -m hepml``."""

from hepml.cli import main

raise SystemExit(main())
