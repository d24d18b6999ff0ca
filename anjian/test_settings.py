"""Test settings: the same project, a fast hasher, and the database from ``ANJIAN_TEST_DATABASE_URL``.

``make test`` runs the suite once on SQLite and once on PostgreSQL by setting that variable.
"""

import os
import tempfile

os.environ.setdefault("ANJIAN_SECRET_KEY", "test-secret-key")
os.environ.setdefault("ANJIAN_VAR_DIR", tempfile.mkdtemp(prefix="anjian-test-"))
os.environ["ANJIAN_DATABASE_URL"] = os.environ.get("ANJIAN_TEST_DATABASE_URL", "sqlite:///:memory:")

from anjian.settings import *  # noqa: F403
from anjian.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
if DATABASES["default"]["ENGINE"] == "anjian.core.dbbackends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
    # In memory (live-server tests share it). ":memory:" by name: pytest-django gives each xdist worker a
    # suffixed test database name unless the engine is Django's own sqlite3 or the name is ":memory:" — with
    # our engine (PostgreSQL's integer bounds) and "" it made file databases ``test_:memory:_gw0`` in the cwd.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)
