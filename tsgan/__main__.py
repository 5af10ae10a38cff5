"""``python -m tsgan`` runs the command-line interface."""

from tsgan.cli import main

raise SystemExit(main())
