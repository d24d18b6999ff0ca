from django.urls import path
from rest_framework.routers import SimpleRouter

from anjian.orgs.api import views
from anjian.orgs.api.token import TokenView

router = SimpleRouter()
router.register("orgs/units", views.OrgUnitViewSet)
urlpatterns = [
    path("me/", views.me, name="api-me"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    *router.urls,
]
