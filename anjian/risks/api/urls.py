from rest_framework.routers import SimpleRouter

from anjian.risks.api import views

router = SimpleRouter()
router.register("risks/objects", views.ObjectViewSet)
router.register("risks/units", views.UnitViewSet)
router.register("risks/events", views.EventViewSet)
router.register("risks/measures", views.MeasureViewSet)
router.register("risks/assessments", views.AssessmentViewSet)
urlpatterns = [*router.urls, *views.extra_urls]
