from django.urls import path

from anjian.geo.api import views

urlpatterns = [
    path("geo/layers/", views.LayerListView.as_view(), name="geo-layers"),
    path("geo/layers/<str:key>/", views.LayerFeaturesView.as_view(), name="geo-layer-features"),
    path(
        "geo/layers/<str:key>/features/<str:feature_id>/",
        views.LayerPopupView.as_view(),
        name="geo-layer-popup",
    ),
]
