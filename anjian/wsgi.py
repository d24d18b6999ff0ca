"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
application = get_wsgi_application()

from anjian.core.warmup import warm_and_freeze  # noqa: E402 - after Django is set up

warm_and_freeze()
