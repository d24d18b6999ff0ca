from django.urls import path

from anjian.majorhazards import views

app_name = "majorhazards"
urlpatterns = [
    path("", views.InstallationListView.as_view(), name="installation_list"),
    path("new/", views.InstallationFormView.as_view(), name="installation_create"),
    path("<int:pk>/", views.InstallationDetailView.as_view(), name="installation_detail"),
    path("<int:pk>/edit/", views.InstallationFormView.as_view(), name="installation_edit"),
    path("<int:installation>/inventory/new/", views.InventoryLineFormView.as_view(), name="inventory_create"),
    path("inventory/<int:pk>/edit/", views.InventoryLineFormView.as_view(), name="inventory_edit"),
    path("inventory/<int:pk>/delete/", views.InventoryLineDeleteView.as_view(), name="inventory_delete"),
    path("<int:pk>/responsibility/", views.ResponsibilityAssignView.as_view(), name="responsibility_assign"),
    path("responsibility/<int:pk>/end/", views.ResponsibilityEndView.as_view(), name="responsibility_end"),
    path("<int:pk>/check/", views.CheckLogView.as_view(), name="check_log"),
    path("checks/", views.MyChecksView.as_view(), name="my_checks"),
    path("map/", views.MapView.as_view(), name="map"),
    path("calculator/", views.CalculatorView.as_view(), name="calculator"),
    path("gaps/", views.GapListView.as_view(), name="gap_list"),
    path("assessments/", views.AssessmentListView.as_view(), name="assessment_list"),
    path("excel/<slug:register>/export/", views.ExcelExportView.as_view(), name="excel_export"),
    path("excel/<slug:register>/template/", views.ExcelTemplateView.as_view(), name="excel_template"),
    path("excel/<slug:register>/import/", views.ExcelImportView.as_view(), name="excel_import"),
]
