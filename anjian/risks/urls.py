from django.urls import path

from anjian.risks import views

app_name = "risks"

urlpatterns = [
    path("", views.RegisterView.as_view(), name="register"),
    path("map/", views.RiskMapView.as_view(), name="map"),
    path("objects/new/", views.ChainEditView.as_view(kind="object"), name="object_create"),
    path("objects/<int:pk>/", views.ObjectDetailView.as_view(), name="object_detail"),
    path("objects/<int:pk>/edit/", views.ChainEditView.as_view(kind="object"), name="object_edit"),
    path("objects/<int:parent>/units/new/", views.ChainEditView.as_view(kind="unit"), name="unit_create"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.ChainEditView.as_view(kind="unit"), name="unit_edit"),
    path("units/<int:pk>/tasks/", views.UnitTasksView.as_view(), name="unit_tasks"),
    path("units/<int:parent>/events/new/", views.ChainEditView.as_view(kind="event"), name="event_create"),
    path("units/<int:pk>/card-<str:size>.pdf", views.CardPdfView.as_view(), name="card_pdf"),
    path("events/<int:pk>/edit/", views.ChainEditView.as_view(kind="event"), name="event_edit"),
    path("events/<int:pk>/assess/", views.AssessView.as_view(), name="assess"),
    path(
        "events/<int:parent>/measures/new/",
        views.ChainEditView.as_view(kind="measure"),
        name="measure_create",
    ),
    path("measures/<int:pk>/edit/", views.ChainEditView.as_view(kind="measure"), name="measure_edit"),
    path("<slug:kind>/<int:pk>/delete/", views.ChainDeleteView.as_view(), name="delete"),
    path("lists.<str:fmt>", views.ListsView.as_view(), name="lists"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("bands/", views.BandsView.as_view(), name="bands"),
]
