from django.urls import path
from rest_framework.routers import SimpleRouter

from anjian.orgs.api import views

router = SimpleRouter()
router.register("orgs/units", views.OrgUnitViewSet)
urlpatterns = [path("me/", views.me, name="api-me"), *router.urls]
