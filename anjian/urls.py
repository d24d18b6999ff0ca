"""Top-level URLs: pages per app, ``/api/v1/`` per app, OpenAPI schema and docs, login."""

from importlib.util import find_spec

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from anjian.core.views import HomeView
from anjian.gates.api.views import GateEventView

#: Module apps whose pages live under /<app>/ and whose API under /api/v1/ — included when the app has them,
#: so a module adds routes without editing this file.
MODULE_APPS = (
    "geo",
    "majorhazards",
    "risks",
    "dangers",
    "monitoring",
    "gates",
    "emergency",
    "fire",
    "cockpit",
)

api_patterns = [
    path("", include("anjian.orgs.api.urls")),
    path("", include("anjian.plans.api.urls")),
    path("", include("anjian.enterprises.api.urls")),
    path("", include("anjian.people.api.urls")),
    path("", include("anjian.assessment.api.urls")),
]
api_patterns += [
    path("", include(f"anjian.{app}.api.urls")) for app in MODULE_APPS if find_spec(f"anjian.{app}.api.urls")
]

urlpatterns = [
    # The gate controllers' endpoint is the busiest request of the platform (hundreds a second at shift
    # change): matched first, it skips ~150 pattern tests of the other routes (≈1 ms of CPU per event).
    path("api/v1/gates/<str:gate_code>/events", GateEventView.as_view(), name="gates-controller-event"),
    path("", HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("core/", include("anjian.core.urls")),
    path("orgs/", include("anjian.orgs.urls")),
    path("plans/", include("anjian.plans.urls")),
    path("enterprises/", include("anjian.enterprises.urls")),
    path("people/", include("anjian.people.urls")),
    path("assessment/", include("anjian.assessment.urls")),
    *[
        path(f"{app}/", include(f"anjian.{app}.urls"))
        for app in MODULE_APPS
        if find_spec(f"anjian.{app}.urls")
    ],
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_patterns)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
# Uploaded files are never served from MEDIA_URL, not even with DEBUG on: they contain personal data
# (certificate scans) and are downloaded through scoped views (``core:file``, ``plans:evidence_download``).

# The Chinese 400 page (a bad query parameter, a malformed request): rendered with the request, like 404/403.
handler400 = "anjian.core.views.bad_request"
