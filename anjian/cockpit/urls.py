from django.urls import path

from anjian.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("screen/", views.BigScreenView.as_view(), name="bigscreen"),
    path("print/", views.PrintView.as_view(), name="print"),
    path("data.json", views.OverviewDataView.as_view(), name="data"),
]
