from django.urls import path
from rest_framework.routers import SimpleRouter

from anjian.majorhazards.api import views

router = SimpleRouter()
router.register("majorhazards/installations", views.InstallationViewSet)
router.register("majorhazards/inventory", views.InventoryLineViewSet)
router.register("majorhazards/responsibilities", views.ResponsibilityViewSet)
router.register("majorhazards/checks", views.CheckViewSet)
router.register("majorhazards/gaps", views.GapViewSet)
router.register("majorhazards/gradings", views.GradingViewSet)
urlpatterns = [
    path("majorhazards/calculate/", views.CalculateView.as_view(), name="majorhazards-calculate"),
    *router.urls,
]
