from django.urls import path

from anjian.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("points/", views.PointListView.as_view(), name="point_list"),
    path("points/<int:pk>/", views.PointDetailView.as_view(), name="point_detail"),
    path("console/", views.AlarmConsoleView.as_view(), name="console"),
    path("console/feed/", views.AlarmFeedView.as_view(), name="alarm_feed"),
    path("alarms/", views.AlarmListView.as_view(), name="alarm_list"),
    path("alarms/<int:pk>/", views.AlarmDetailView.as_view(), name="alarm_detail"),
    path("quality/", views.QualityPageView.as_view(), name="quality"),
    path("availability/", views.AvailabilityPageView.as_view(), name="availability"),
    path("ingest/", views.IngestPageView.as_view(), name="ingest"),
    path("metrics", views.MetricsView.as_view(), name="metrics"),
]
