"""Live updates of the gate pages: server-sent events behind one small function.

``event_stream(request, payload)`` sends ``payload()`` as a JSON ``data:`` line whenever it changes
(checked every ``POLL_SECONDS``), with a comment line as heartbeat, and ends after ``MAX_SECONDS`` so a
worker thread is never held for long (the browser's ``EventSource`` reconnects by itself). When
``anjian/core/live.py`` lands on main this is the one function to move onto it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import close_old_connections
from django.http import HttpRequest, StreamingHttpResponse

__all__ = ["MAX_SECONDS", "POLL_SECONDS", "event_stream", "state_text"]

POLL_SECONDS = 2.0
MAX_SECONDS = 120.0


def state_text(payload: dict[str, Any]) -> str:
    """``payload`` as the stream sends it: a page renders it too, so the script can tell a change that happened
    between the page being rendered and the stream's first message (otherwise taken as the starting state)."""
    return json.dumps(payload, ensure_ascii=False, default=str, sort_keys=True)


def event_stream(
    request: HttpRequest, payload: Callable[[], dict[str, Any]], *, max_seconds: float | None = None
) -> StreamingHttpResponse:
    """A ``text/event-stream`` response of ``payload()`` whenever it changes (for ``MAX_SECONDS`` by default)."""
    limit = MAX_SECONDS if max_seconds is None else max_seconds

    def events() -> Iterator[str]:
        last = None
        started = time.monotonic()
        yield "retry: 3000\n\n"
        while True:
            body = state_text(payload())
            if body != last:
                last = body
                yield f"data: {body}\n\n"
            else:
                yield ": ping\n\n"
            if time.monotonic() - started >= limit:
                break
            close_old_connections()
            time.sleep(POLL_SECONDS)

    response = StreamingHttpResponse(events(), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
