from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "anjian.plans"
    verbose_name = _("规划任务")

    def ready(self) -> None:
        import datetime as dt

        from anjian.core.jobs import register_job
        from anjian.plans.jobs import notify_overdue_reports

        register_job(
            "plans.notify_overdue_reports",
            notify_overdue_reports,
            every=dt.timedelta(hours=1),
            label="逾期进展报告提醒",
        )
        import anjian.plans.workflows  # noqa: F401  (registers the notice workflow)
        from anjian.core.todos import register
        from anjian.plans.todos import plan_todos

        register(plan_todos)
