from rest_framework.routers import SimpleRouter

from anjian.enterprises.api import views

router = SimpleRouter()
router.register("enterprises/enterprises", views.EnterpriseViewSet)
router.register("enterprises/grids", views.GridViewSet)
router.register("enterprises/licences", views.LicenceViewSet)
router.register("enterprises/standardizations", views.StandardizationViewSet)
router.register("enterprises/supervision-rules", views.SupervisionRuleViewSet)
urlpatterns = router.urls
