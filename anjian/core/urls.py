from django.urls import path

from anjian.core import files, rejects, task_views, views
from anjian.core.live import live_response

app_name = "core"
urlpatterns = [
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("files/<str:label>/<int:pk>/<str:field>/", files.ProtectedFileView.as_view(), name="file"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path(
        "attachments/<int:pk>/thumb/", views.AttachmentView.as_view(thumbnail=True), name="attachment_thumb"
    ),
    path("workflows/", views.WorkflowListView.as_view(), name="workflows"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("live/<str:key>/", live_response, name="live"),
    path("inbox/<int:pk>/", views.NotificationOpenView.as_view(), name="notification"),
    path("tasks/<int:pk>/", task_views.TaskView.as_view(), name="task"),
    path("tasks/<int:pk>/progress/", task_views.TaskProgressView.as_view(), name="task_progress"),
    path("tasks/<int:pk>/download/", task_views.TaskDownloadView.as_view(), name="task_download"),
    path("import-rejects/<str:token>/", rejects.RejectsDownloadView.as_view(), name="import_rejects"),
]
