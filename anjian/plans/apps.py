from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "anjian.plans"
    verbose_name = _("规划任务")

    def ready(self) -> None:
        import anjian.plans.workflows  # noqa: F401  (registers the notice workflow)
        from anjian.core.todos import register
        from anjian.plans.todos import plan_todos

        register(plan_todos)
