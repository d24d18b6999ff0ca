from rest_framework.routers import SimpleRouter

from anjian.emergency.api import views

router = SimpleRouter()
router.register("emergency/plans", views.PlanViewSet)
router.register("emergency/resources", views.ResourceViewSet)
router.register("emergency/drills", views.DrillViewSet)
router.register("emergency/improvements", views.ImprovementViewSet)
router.register("emergency/incidents", views.IncidentViewSet)
router.register("emergency/footprints", views.FootprintViewSet)
urlpatterns = router.urls
