from django.urls import path
from rest_framework.routers import SimpleRouter

from anjian.monitoring.api import views

router = SimpleRouter()
router.register("monitoring/points", views.MonitoringPointViewSet)
router.register("monitoring/alarms", views.AlarmViewSet)
urlpatterns = [
    *router.urls,
    path("monitoring/quality/", views.QualityView.as_view(), name="monitoring-quality"),
    path("monitoring/availability/", views.AvailabilityView.as_view(), name="monitoring-availability"),
    path(
        "monitoring/ingest-counters/", views.IngestCountersView.as_view(), name="monitoring-ingest-counters"
    ),
    path("telemetry/<str:enterprise_code>", views.TelemetryView.as_view(), name="telemetry"),
]
