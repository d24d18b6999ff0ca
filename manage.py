#!/usr/bin/env python
"""Django's manage.py, kept for habit; ``anjian`` is the same thing."""

from anjian.cli import main

if __name__ == "__main__":
    main()
