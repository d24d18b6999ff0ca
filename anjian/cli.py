"""The ``anjian`` console script: Django's management commands under one name.

``anjian plan parse FILE --json``, ``anjian calc check-code …``, ``anjian demo``, ``anjian serve`` and every
Django command (``anjian migrate``) run through here with the production settings unless
``DJANGO_SETTINGS_MODULE`` says otherwise.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run an Anjian command line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    # The CLI is a local tool: allow the development key unless a real one is configured.
    if "ANJIAN_SECRET_KEY" not in os.environ:
        os.environ.setdefault("ANJIAN_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["anjian", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
