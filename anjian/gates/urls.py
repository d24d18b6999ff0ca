from django.urls import path

from anjian.gates import views

app_name = "gates"

urlpatterns = [
    path("", views.HeadcountView.as_view(), name="headcount"),
    path("stream/", views.HeadcountStreamView.as_view(), name="headcount_stream"),
    path("zones/", views.ZoneListView.as_view(), name="zone_list"),
    path("zones/<int:pk>/", views.ZoneDetailView.as_view(), name="zone_detail"),
    path("gates/<int:pk>/token/", views.GateTokenView.as_view(), name="gate_token"),
    path("presence/<int:pk>/clear/", views.PresenceClearView.as_view(), name="presence_clear"),
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/<int:pk>/override/", views.OverrideView.as_view(), name="event_override"),
    path("roll-calls/", views.RollCallListView.as_view(), name="rollcall_list"),
    path("roll-calls/start/", views.RollCallStartView.as_view(), name="rollcall_start"),
    path("roll-calls/<int:pk>/", views.RollCallDetailView.as_view(), name="rollcall_detail"),
    path("roll-calls/<int:pk>/stream/", views.RollCallStreamView.as_view(), name="rollcall_stream"),
    path("roll-calls/<int:pk>/close/", views.RollCallCloseView.as_view(), name="rollcall_close"),
    path("roll-call-entries/<int:pk>/check/", views.RollCallCheckView.as_view(), name="rollcall_check"),
    path("registrations/", views.RegistrationListView.as_view(), name="registration_list"),
    path("registrations/new/", views.RegistrationCreateView.as_view(), name="registration_create"),
    path("registrations/<int:pk>/", views.RegistrationDetailView.as_view(), name="registration_detail"),
    path("registrations/qr/<int:pk>.png", views.SelfRegistrationQrView.as_view(), name="self_register_qr"),
    path("visit/<str:uscc>/", views.SelfRegisterView.as_view(), name="self_register"),
    path("visit/r/<str:key>/", views.VisitQuizView.as_view(), name="visit_quiz"),
]
