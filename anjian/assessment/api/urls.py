from rest_framework.routers import SimpleRouter

from anjian.assessment.api import views

router = SimpleRouter()
router.register("assessment/schemes", views.SchemeViewSet)
router.register("assessment/results", views.ResultViewSet)
router.register("assessment/veto-events", views.VetoEventViewSet)
urlpatterns = router.urls
