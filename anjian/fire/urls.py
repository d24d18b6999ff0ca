from django.urls import path

from anjian.fire import views

app_name = "fire"
urlpatterns = [
    path("", views.ComplianceView.as_view(), name="compliance"),
    path("layers.geojson", views.GeoJSONExportView.as_view(), name="export"),
    path("import/", views.GeoJSONImportView.as_view(), name="import"),
    path("hydrants/", views.FacilityListView.as_view(), {"kind": "hydrant"}, name="hydrant_list"),
    path("<str:kind>/", views.FacilityListView.as_view(), name="facility_list"),
    path("<str:kind>/<int:pk>/", views.FacilityDetailView.as_view(), name="facility_detail"),
]
