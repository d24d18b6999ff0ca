from django.urls import path

from anjian.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("new/", views.EnterpriseCreateView.as_view(), name="enterprise_create"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
    path("<int:pk>/status/", views.EnterpriseStatusView.as_view(), name="enterprise_status"),
    path("<int:pk>/create-user/", views.EnterpriseCreateUserView.as_view(), name="enterprise_create_user"),
    path("licences/", views.LicenceListView.as_view(), name="licence_list"),
    path("licences/new/", views.LicenceFormView.as_view(), name="licence_create"),
    path("licences/<int:pk>/edit/", views.LicenceFormView.as_view(), name="licence_edit"),
    path("standardization/", views.StandardizationListView.as_view(), name="standardization_list"),
    path("standardization/new/", views.StandardizationFormView.as_view(), name="standardization_create"),
    path(
        "standardization/<int:pk>/edit/", views.StandardizationFormView.as_view(), name="standardization_edit"
    ),
    path("grids/", views.GridListView.as_view(), name="grid_list"),
    path("supervision-rules/", views.SupervisionRuleListView.as_view(), name="supervision_rules"),
    path("excel/<slug:register>/export/", views.ExcelExportView.as_view(), name="excel_export"),
    path("excel/<slug:register>/template/", views.ExcelTemplateView.as_view(), name="excel_template"),
    path("excel/<slug:register>/import/", views.ExcelImportView.as_view(), name="excel_import"),
]
