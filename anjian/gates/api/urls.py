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
    # Controllers post to ``gates/<gate_code>/events``: routed first of all in ``anjian/urls.py`` (the busiest
    # request); a gate code is never "zones", "events"… since those paths have no "/events".
]
