from django.urls import path

from anjian.core import files, views

app_name = "core"
urlpatterns = [
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("files/<str:label>/<int:pk>/<str:field>/", files.ProtectedFileView.as_view(), name="file"),
]
