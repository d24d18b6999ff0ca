from django.urls import path

from anjian.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.MapView.as_view(), name="map"),
    path("tiles/<int:z>/<int:x>/<int:y>/", views.TileView.as_view(), name="tile"),
]
