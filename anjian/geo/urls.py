from django.urls import path

from anjian.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.MapView.as_view(), name="map"),
    path("areas/", views.AreaListView.as_view(), name="area_list"),
    path("areas/new/<slug:kind>/", views.AreaEditView.as_view(), name="area_create"),
    path("areas/<int:pk>/edit/", views.AreaEditView.as_view(), name="area_edit"),
    path("areas/<int:pk>/delete/", views.AreaDeleteView.as_view(), name="area_delete"),
    path("roads/", views.RoadListView.as_view(), name="road_list"),
    path("roads/new/", views.RoadEditView.as_view(), name="road_create"),
    path("roads/<int:pk>/edit/", views.RoadEditView.as_view(), name="road_edit"),
    path("roads/<int:pk>/delete/", views.RoadDeleteView.as_view(), name="road_delete"),
    path("export/<slug:target>.geojson", views.ExportView.as_view(), name="export"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("enterprises/", views.EnterpriseMapListView.as_view(), name="enterprise_map"),
    path("enterprises/points.xlsx", views.PointsExportView.as_view(), name="points_export"),
    path("enterprises/points/import/", views.PointsImportView.as_view(), name="points_import"),
    path(
        "enterprises/<int:pk>/location/", views.EnterpriseLocationView.as_view(), name="enterprise_location"
    ),
    path("enterprises/<int:pk>/plot/", views.EnterprisePlotView.as_view(), name="enterprise_plot"),
    path("tiles/<int:z>/<int:x>/<int:y>/", views.TileView.as_view(), name="tile"),
]
