from rest_framework.routers import SimpleRouter

from anjian.plans.api import views

router = SimpleRouter()
router.register("plans/plans", views.PlanViewSet)
router.register("plans/tasks", views.TaskViewSet)
router.register("plans/targets", views.TargetViewSet)
router.register("plans/reports", views.ReportViewSet)
router.register("plans/notices", views.NoticeViewSet)
urlpatterns = router.urls
