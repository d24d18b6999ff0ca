from django.urls import path

from anjian.people import views

app_name = "people"
urlpatterns = [
    path("persons/", views.PersonListView.as_view(), name="person_list"),
    path("persons/new/", views.PersonCreateView.as_view(), name="person_create"),
    path("persons/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("persons/<int:pk>/edit/", views.PersonUpdateView.as_view(), name="person_update"),
    path(
        "persons/<int:person_pk>/certificates/new/",
        views.CertificateCreateView.as_view(),
        name="certificate_create",
    ),
    path(
        "persons/<int:person_pk>/trainings/new/", views.TrainingCreateView.as_view(), name="training_create"
    ),
    path("certificates/", views.CertificateListView.as_view(), name="certificate_list"),
    path("expiring/", views.ExpiringView.as_view(), name="expiring"),
    path("certificates/<int:pk>/edit/", views.CertificateUpdateView.as_view(), name="certificate_update"),
    path("certificates/<int:pk>/delete/", views.CertificateDeleteView.as_view(), name="certificate_delete"),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("trainings/<int:pk>/edit/", views.TrainingUpdateView.as_view(), name="training_update"),
    path("trainings/<int:pk>/delete/", views.TrainingDeleteView.as_view(), name="training_delete"),
    path("excel/<str:register>/export/", views.ExcelExportView.as_view(), name="excel_export"),
    path("excel/<str:register>/template/", views.ExcelTemplateView.as_view(), name="excel_template"),
    path("excel/<str:register>/import/", views.ExcelImportView.as_view(), name="excel_import"),
]
