"""Pages of a background task (``core.tasks``): its progress, polled by htmx, and its file or report.

Only the user who asked sees a task (another user's task answers 404, as if it did not exist); downloads
are audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from anjian.core.excel import RowError, file_response
from anjian.core.models import BackgroundTask
from anjian.core.tasks import record_download, result_path

__all__ = ["TaskDownloadView", "TaskProgressView", "TaskView"]


def _own_task(request: HttpRequest, pk: int) -> BackgroundTask:
    task = BackgroundTask.objects.filter(pk=pk, user=request.user).first()  # type: ignore[misc]
    if task is None:
        raise Http404("没有这个任务")
    return task


def _context(task: BackgroundTask) -> dict[str, Any]:
    report = task.result.get("report") if isinstance(task.result, dict) else None
    errors = [RowError(e["row"], e["column"], e["reason"]) for e in (report or {}).get("errors", [])]
    return {
        "task": task,
        "report": report,
        "errors": errors,
        "has_file": task.status == BackgroundTask.Status.DONE and result_path(task) is not None,
        "back_url": task.params.get("back_url", "") if isinstance(task.params, dict) else "",
    }


class TaskView(LoginRequiredMixin, View):
    """The task's page: what it is, its progress (polled), then its file or its report."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = _own_task(request, pk)
        return render(request, "core/task.html", {"page_title": task.label, **_context(task)})


class TaskProgressView(LoginRequiredMixin, View):
    """The progress fragment; it stops polling itself once the task has finished."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "core/_task_progress.html", _context(_own_task(request, pk)))


class TaskDownloadView(LoginRequiredMixin, View):
    """The task's file, for the user who asked (one audit row per download)."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        task = _own_task(request, pk)
        path = result_path(task) if task.status == BackgroundTask.Status.DONE else None
        if path is None:
            raise Http404("文件不存在或已过期")
        record_download(task, acting_user=request.user)
        return file_response(path.open("rb"), task.file_name or path.name)
