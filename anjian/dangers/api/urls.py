from rest_framework.routers import SimpleRouter

from anjian.dangers.api import views

router = SimpleRouter()
router.register("dangers/listings", views.ListingViewSet)
router.register("dangers/tasks", views.TaskViewSet)
router.register("dangers/records", views.RecordViewSet)
router.register("dangers", views.DangerViewSet)
urlpatterns = router.urls
