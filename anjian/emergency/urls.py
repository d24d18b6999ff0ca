from django.urls import path

from anjian.emergency import views

app_name = "emergency"
urlpatterns = [
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("incidents/new/", views.IncidentReportView.as_view(), name="incident_report"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
    path("incidents/<int:pk>/<str:verb>/", views.IncidentActionView.as_view(), name="incident_action"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanEditView.as_view(), name="plan_new"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("resources/", views.ResourceListView.as_view(), name="resource_list"),
    path("resources/new/", views.ResourceEditView.as_view(), name="resource_new"),
    path("resources/<int:pk>/edit/", views.ResourceEditView.as_view(), name="resource_edit"),
    path("drills/", views.DrillListView.as_view(), name="drill_list"),
    path("drills/new/", views.DrillEditView.as_view(), name="drill_new"),
    path("drills/<int:pk>/", views.DrillDetailView.as_view(), name="drill_detail"),
    path("drills/<int:pk>/edit/", views.DrillEditView.as_view(), name="drill_edit"),
    path("drills/<int:pk>/improvements/", views.ImprovementAddView.as_view(), name="improvement_add"),
    path("improvements/<int:pk>/<str:verb>/", views.ImprovementEdgeView.as_view(), name="improvement_edge"),
    path("footprints/new/", views.FootprintCreateView.as_view(), name="footprint_new"),
    path("footprints/<int:pk>/", views.FootprintDetailView.as_view(), name="footprint_detail"),
]
