from django.urls import path
from rest_framework.routers import SimpleRouter

from anjian.gates.api import views

router = SimpleRouter()
router.register("gates/zones", views.ZoneViewSet)
router.register("gates/gates", views.GateViewSet)
router.register("gates/events", views.AccessEventViewSet)
router.register("gates/presence", views.PresenceViewSet)
router.register("gates/roll-calls", views.RollCallViewSet)
router.register("gates/registrations", views.RegistrationViewSet)

urlpatterns = [
    path("gates/headcount/", views.HeadcountView.as_view(), name="gates-headcount"),
    *router.urls,
    # Controllers post here; a gate code is never "zones", "events"… since those paths have no "/events".
    path("gates/<str:gate_code>/events", views.GateEventView.as_view(), name="gates-controller-event"),
]
