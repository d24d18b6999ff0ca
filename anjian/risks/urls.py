from django.urls import path

from anjian.risks import views

app_name = "risks"

urlpatterns = [
    path("", views.RegisterView.as_view(), name="register"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/card-<str:size>.pdf", views.CardPdfView.as_view(), name="card_pdf"),
    path("events/<int:pk>/assess/", views.AssessView.as_view(), name="assess"),
    path("lists.<str:fmt>", views.ListsView.as_view(), name="lists"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("bands/", views.BandsView.as_view(), name="bands"),
]
