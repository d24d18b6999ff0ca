from django.urls import path

from anjian.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.PlanDetailView.as_view(), name="plan"),
    path("plan/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plan/import/", views.PlanImportView.as_view(), name="plan_import"),
    path("plan/import/confirm/", views.PlanImportConfirmView.as_view(), name="plan_import_confirm"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("tasks/<int:pk>/report/", views.ReportFileView.as_view(), name="report_file"),
    path("mine/", views.MyTasksView.as_view(), name="my_tasks"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("reports/import/", views.ReportImportView.as_view(), name="report_import"),
    path("reports/template.xlsx", views.ReportTemplateView.as_view(), name="report_template"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/new/", views.NoticeCreateView.as_view(), name="notice_create"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("notices/<int:pk>/<str:step>/", views.NoticeStepView.as_view(), name="notice_step"),
    path("targets/", views.TargetListView.as_view(), name="target_list"),
    path("targets/<int:pk>/bind/", views.TargetBindView.as_view(), name="target_bind"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
]
