from rest_framework.routers import SimpleRouter

from anjian.fire.api import views

router = SimpleRouter()
router.register("fire/hydrants", views.HydrantViewSet)
router.register("fire/pools", views.FirePoolViewSet)
router.register("fire/foam-stations", views.FoamStationViewSet)
router.register("fire/stations", views.FireStationViewSet)
router.register("fire/roads", views.FireRoadViewSet)
router.register("fire/zones", views.FireZoneViewSet)
router.register("fire/inspections", views.InspectionViewSet)
urlpatterns = router.urls
