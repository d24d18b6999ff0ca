"""Background tasks a user asks for — a large Excel export or import — with progress and a private result file.

A request calls :func:`submit` and redirects to the task's page (``core:task``); the page polls its progress
with htmx and, when the task is done, offers the file (only to the user who asked; each download writes an
audit row) or shows the import report. A task is a registered function::

    register_task("people.export", run_people_export)      # in AppConfig.ready

    def run_people_export(task, progress) -> None:          # progress(done, total)
        with open_output(task, "人员名录.xlsx") as out:
            export_file(..., out, progress=...)

*Why no queue:* the demo needs no Redis or RabbitMQ, and the work is a few seconds to a few minutes. Tasks
run on a small thread pool in the web process (``ANJIAN_TASK_THREADS``, default 1) after the request's
transaction commits; the row in ``BackgroundTask`` is the state every web process can read, so a page
served by another process still shows the progress. ``ANJIAN_TASKS_INLINE=True`` runs a task within
:func:`submit` (tests, the CLI). A task whose process dies stays "进行中" until :func:`expire_tasks` (hourly,
``anjian worker``) marks it failed; finished tasks' files are deleted after ``ANJIAN_TASK_KEEP_HOURS`` (24).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from anjian.core.audit import record
from anjian.core.choices import AuditEvent
from anjian.core.models import BackgroundTask

__all__ = [
    "Progress",
    "expire_tasks",
    "export_sync_max_rows",
    "import_sync_max_bytes",
    "open_output",
    "read_input",
    "record_download",
    "register_task",
    "run_task",
    "submit",
    "task_dir",
]

log = logging.getLogger("anjian.tasks")

Progress = Callable[[int, int], None]
TaskFunc = Callable[[BackgroundTask, Progress], None]

_TASKS: dict[str, TaskFunc] = {}
_EXECUTOR: ThreadPoolExecutor | None = None
_LOCK = threading.Lock()


def export_sync_max_rows() -> int:
    """An export of more rows runs as a task (``ANJIAN_EXPORT_SYNC_MAX_ROWS``, default 5,000)."""
    return int(getattr(settings, "ANJIAN_EXPORT_SYNC_MAX_ROWS", 5000))


def import_sync_max_bytes() -> int:
    """An import file larger than this runs as a task, with a progress bar (``ANJIAN_IMPORT_SYNC_MAX_BYTES``,
    default 64 KB: about 2,000 rows, a second's work)."""
    return int(getattr(settings, "ANJIAN_IMPORT_SYNC_MAX_BYTES", 64 * 1024))


def register_task(kind: str, func: TaskFunc) -> None:
    """Register (or replace) the function that runs tasks of ``kind``."""
    _TASKS[kind] = func


def task_dir() -> Path:
    """The private directory of task files (never served as media)."""
    path = Path(getattr(settings, "ANJIAN_TASK_DIR", Path(settings.VAR_DIR) / "tasks"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _executor() -> ThreadPoolExecutor:
    global _EXECUTOR
    with _LOCK:
        if _EXECUTOR is None:
            threads = int(getattr(settings, "ANJIAN_TASK_THREADS", 1))
            _EXECUTOR = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="anjian-task")
        return _EXECUTOR


def submit(
    kind: str, *, user: Any, label: str, params: dict[str, Any] | None = None, data: bytes | None = None
) -> BackgroundTask:
    """Record a task of ``kind`` for ``user`` and start it once the current transaction commits.

    ``data`` (an uploaded file) is kept in the task directory for the task to read (:func:`read_input`).
    """
    if kind not in _TASKS:
        raise KeyError(f"unknown task kind {kind!r}")
    params = dict(params or {})
    if data is not None:
        name = f"in-{uuid.uuid4().hex}.xlsx"
        (task_dir() / name).write_bytes(data)
        params["input"] = name
    task = BackgroundTask.objects.create(kind=kind, label=label[:200], user=user, params=params)
    if getattr(settings, "ANJIAN_TASKS_INLINE", False):
        run_task(task.pk)
        task.refresh_from_db()
    else:
        transaction.on_commit(lambda: _executor().submit(_run_in_thread, task.pk))
    return task


def _run_in_thread(pk: int) -> None:
    close_old_connections()
    try:
        run_task(pk)
    except Exception:  # a future keeps its exception to itself: say it
        log.exception("task %s: the runner failed", pk)
    finally:
        close_old_connections()


class _ProgressWriter:
    """``progress(done, total)`` of task ``pk``, written at most every 0.3 s.

    On PostgreSQL through a connection of its own, in autocommit: an import writes its rows in one transaction, and
    progress written inside it would show nobody anything until the end. Callable from any thread (an import
    checks and writes on two). On SQLite a second writer would wait for the import's lock, so there it is the
    task's own connection.
    """

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.last = 0.0
        self.lock = threading.Lock()
        self.own: Any = None

    def __call__(self, done: int, total: int) -> None:
        from django.db import DEFAULT_DB_ALIAS, connections

        with self.lock:
            now = time.monotonic()
            if now - self.last < 0.3 and done < total:
                return
            self.last = now
            if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
                from django.db import OperationalError

                # Progress is a hint: a write the database refuses as busy is skipped, not the import's failure.
                with contextlib.suppress(OperationalError):
                    BackgroundTask.objects.filter(pk=self.pk).update(done=done, total=total)
                return
            if self.own is None:
                self.own = connections.create_connection(DEFAULT_DB_ALIAS)
                self.own.inc_thread_sharing()
            table = BackgroundTask._meta.db_table
            with self.own.cursor() as cursor:
                cursor.execute(
                    f'UPDATE "{table}" SET done = %s, total = %s WHERE id = %s', [done, total, self.pk]
                )

    def close(self) -> None:
        """Close the connection of its own, if it opened one."""
        with self.lock:
            if self.own is not None:
                self.own.dec_thread_sharing()
                self.own.close()
                self.own = None


def _write(pk: int, *, only_if: Any = None, **fields: Any) -> int:
    """``UPDATE`` the task row, tried again for a while when the database refuses it as busy: a task whose final
    status is lost stays 运行中 until the hourly ``core.expire_tasks`` (SQLite refuses a write at once while
    another connection of a shared-cache database reads — a page polling the progress — and a file database may
    stay locked longer than its timeout)."""
    from django.db import OperationalError

    rows = BackgroundTask.objects.filter(pk=pk)
    if only_if is not None:
        rows = rows.filter(status=only_if)
    for attempt in range(20):
        try:
            return rows.update(**fields)
        except OperationalError:
            if attempt == 19:
                raise
            log.warning("task %s: database busy, writing its status again", pk)
            time.sleep(0.1 * (attempt + 1))
    return 0  # pragma: no cover - the loop returns or raises


def run_task(pk: int) -> BackgroundTask | None:
    """Run the pending task ``pk`` (claimed atomically, so two runners never run it twice); record how it ended."""
    claimed = _write(
        pk,
        only_if=BackgroundTask.Status.PENDING,
        status=BackgroundTask.Status.RUNNING,
        started_at=timezone.now(),
    )
    if not claimed:
        return None
    task = BackgroundTask.objects.select_related("user").get(pk=pk)
    progress = _ProgressWriter(pk)
    try:
        _TASKS[task.kind](task, progress)
    except Exception as exc:
        log.exception("task %s (%s) failed", task.pk, task.kind)
        _write(
            pk,
            status=BackgroundTask.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
    else:
        _write(
            pk,
            status=BackgroundTask.Status.DONE,
            result=task.result,
            file_path=task.file_path,
            file_name=task.file_name,
            done=task.total or task.done,
            total=task.total or task.done,
            finished_at=timezone.now(),
        )
    finally:
        progress.close()
        _drop_input(task)
    task.refresh_from_db()
    return task


def read_input(task: BackgroundTask) -> bytes:
    """The uploaded file a task was submitted with."""
    return (task_dir() / str(task.params["input"])).read_bytes()


def _drop_input(task: BackgroundTask) -> None:
    name = task.params.get("input") if isinstance(task.params, dict) else None
    if name:
        with contextlib.suppress(OSError):
            (task_dir() / str(name)).unlink()


@contextlib.contextmanager
def open_output(task: BackgroundTask, download_name: str) -> Iterator[IO[bytes]]:
    """A file for the task's result, offered as ``download_name`` when the task is done."""
    name = f"out-{task.pk}-{uuid.uuid4().hex}.xlsx"
    path = task_dir() / name
    with path.open("wb") as out:
        yield out
    task.file_path = name
    task.file_name = download_name[:200]


def result_path(task: BackgroundTask) -> Path | None:
    """The task's result file, if it has one that still exists."""
    if not task.file_path:
        return None
    path = task_dir() / task.file_path
    return path if path.is_file() else None


def record_download(task: BackgroundTask, *, acting_user: Any) -> None:
    """One audit row for a download of a task's file (who took which export, when)."""
    record(
        AuditEvent.EXPORTED,
        task,
        acting_user=acting_user,
        message=f"下载：{task.file_name}（{task.total} 行）"[:500],
    )


def expire_tasks(now: dt.datetime) -> str:
    """Mark tasks stuck for an hour as failed and delete files of tasks older than the keep time."""
    stale = BackgroundTask.objects.filter(
        status__in=[BackgroundTask.Status.PENDING, BackgroundTask.Status.RUNNING],
        created_at__lt=now - dt.timedelta(hours=1),
    ).update(status=BackgroundTask.Status.FAILED, error="任务中断（进程退出），请重新发起", finished_at=now)
    keep = dt.timedelta(hours=int(getattr(settings, "ANJIAN_TASK_KEEP_HOURS", 24)))
    removed = 0
    for task in BackgroundTask.objects.filter(finished_at__lt=now - keep).exclude(file_path=""):
        path = task_dir() / task.file_path
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
        BackgroundTask.objects.filter(pk=task.pk).update(file_path="")
    return f"中断 {stale} 个，删除文件 {removed} 个"
