"""The ``anjian`` console script: Django's management commands under one name.

``anjian plan parse FILE --json``, ``anjian calc check-code …``, ``anjian demo`` and every Django command
(``anjian migrate``) run through here with the production settings unless ``DJANGO_SETTINGS_MODULE`` says otherwise.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import MutableMapping, Sequence

# Commands that serve requests: they must be given a real ANJIAN_SECRET_KEY (or run the demo in debug mode).
SERVING_COMMANDS = frozenset({"runserver"})


def prepare_environment(argv: Sequence[str], env: MutableMapping[str, str]) -> None:
    """Set the defaults a command line needs before Django's settings are read.

    The demo runs in debug mode. One-off commands (import, parse, calc, migrate…) sign nothing that outlives them,
    so without a configured key they get a random one; a serving command without a key fails at start-up.
    """
    env.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
    command = argv[0] if argv else ""
    if command == "demo":
        env.setdefault("ANJIAN_DEBUG", "1")
    if "ANJIAN_SECRET_KEY" not in env and command not in SERVING_COMMANDS and command != "demo":
        env["ANJIAN_SECRET_KEY"] = secrets.token_urlsafe(50)


def main(argv: list[str] | None = None) -> None:
    """Run an Anjian command line."""
    args = sys.argv[1:] if argv is None else argv
    prepare_environment(args, os.environ)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["anjian", *args])


if __name__ == "__main__":
    main()
