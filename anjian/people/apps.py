from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "anjian.people"
    verbose_name = _("人员证书")

    def ready(self) -> None:
        import datetime as dt

        from anjian.core.jobs import register_job
        from anjian.people.jobs import notify_expiring_certificates

        register_job(
            "people.notify_expiring_certificates",
            notify_expiring_certificates,
            every=dt.timedelta(hours=1),
            label="证书到期提醒",
        )
        from anjian.people.jobs import refresh_superseded_certificates

        register_job(
            "people.refresh_superseded",
            refresh_superseded_certificates,
            daily_at=dt.time(3, 20),
            label="证书换发标记校正",
        )
        from anjian.core.todos import register
        from anjian.people import metrics  # noqa: F401  (registers the people.* metrics)
        from anjian.people.todos import certificate_todos

        register(certificate_todos)
        from anjian.core.tasks import register_task
        from anjian.people.excel import run_export_task, run_import_task

        register_task("people.export", run_export_task)
        register_task("people.import", run_import_task)
