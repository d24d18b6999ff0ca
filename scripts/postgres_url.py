"""Print the PostgreSQL URL for the test run and exit 0, or exit 1 if PostgreSQL does not answer.

Uses ``ANJIAN_TEST_POSTGRES_URL`` when set, else ``postgres://postgres@127.0.0.1:5432/anjian``.
"""

import os
import sys

import psycopg

url = os.environ.get("ANJIAN_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/anjian")
try:
    dsn = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(dsn, connect_timeout=3):
        pass
except Exception as exc:  # any failure means: not available
    print(f"PostgreSQL not available: {exc}", file=sys.stderr)
    sys.exit(1)
print(url)
