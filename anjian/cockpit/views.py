"""The overview pages: normal, big screen (command-centre wall), print, and its data as JSON."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import View

from anjian.cockpit.overview import CACHE_SECONDS, overview_for

__all__ = ["BigScreenView", "OverviewDataView", "OverviewView", "PrintView"]


class OverviewView(LoginRequiredMixin, View):
    """驾驶舱: the user's overview with the map beside it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        overview = overview_for(request.user)
        return render(request, "cockpit/overview.html", {"overview": overview, "page_title": "驾驶舱"})


class BigScreenView(LoginRequiredMixin, View):
    """1920×1080, dark, refreshing itself every minute."""

    def get(self, request: HttpRequest) -> HttpResponse:
        overview = overview_for(request.user)
        return render(
            request,
            "cockpit/bigscreen.html",
            {"overview": overview, "page_title": "驾驶舱大屏", "refresh_seconds": CACHE_SECONDS},
        )


class PrintView(LoginRequiredMixin, View):
    """The overview laid out for A4 paper (print or save as PDF) for the monthly safety meeting."""

    def get(self, request: HttpRequest) -> HttpResponse:
        overview = overview_for(request.user)
        return render(request, "cockpit/print.html", {"overview": overview, "page_title": "安全生产形势月报"})


class OverviewDataView(LoginRequiredMixin, View):
    """The overview as JSON (the big screen refreshes from it)."""

    def get(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse(overview_for(request.user).as_dict(), json_dumps_params={"ensure_ascii": False})
