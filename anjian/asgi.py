"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anjian.settings")
application = get_asgi_application()

from anjian.core.warmup import warm_and_freeze  # noqa: E402 - after Django is set up

warm_and_freeze()
