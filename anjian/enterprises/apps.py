from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "anjian.enterprises"
    verbose_name = _("企业档案")

    def ready(self) -> None:
        import datetime as dt

        from anjian.core.jobs import register_job
        from anjian.enterprises.jobs import notify_expiring_licences

        register_job(
            "enterprises.notify_expiring_licences",
            notify_expiring_licences,
            every=dt.timedelta(hours=1),
            label="许可证到期提醒",
        )
        from anjian.core.todos import register
        from anjian.enterprises import metrics, workflows  # noqa: F401  (metrics; the status table)
        from anjian.enterprises.todos import enterprise_todos

        register(enterprise_todos)
        from anjian.core.tasks import register_task

        def export_task(task: Any, progress: Any) -> None:
            from anjian.enterprises.views import run_export_task

            run_export_task(task, progress)

        def import_task(task: Any, progress: Any) -> None:
            from anjian.enterprises.views import run_import_task

            run_import_task(task, progress)

        register_task("enterprises.export", export_task)
        register_task("enterprises.import", import_task)
