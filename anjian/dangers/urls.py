from django.urls import path

from anjian.dangers import views

app_name = "dangers"

urlpatterns = [
    path("", views.DangerListView.as_view(), name="danger_list"),
    path("report/", views.DangerReportView.as_view(), name="danger_report"),
    path("<int:pk>/", views.DangerDetailView.as_view(), name="danger_detail"),
    path("<int:pk>/photos/", views.DangerPhotoView.as_view(), name="danger_photo"),
    path("<int:pk>/listing/", views.ListingOpenView.as_view(), name="listing_open"),
    path("<int:pk>/<slug:verb>/", views.DangerActionView.as_view(), name="danger_action"),
    path("listings/", views.ListingListView.as_view(), name="listing_list"),
    path("listings/<int:pk>/", views.ListingDetailView.as_view(), name="listing_detail"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("records/", views.RecordListView.as_view(), name="record_list"),
    path("check/<str:kind>/<int:pk>/", views.ChecklistView.as_view(), name="checklist"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
]
