from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DangersConfig(AppConfig):
    name = "anjian.dangers"
    verbose_name = _("隐患排查治理")

    def ready(self) -> None:
        from anjian.core.choices import register_audit_events
        from anjian.core.navigation import MenuItem, MenuSection, register_section
        from anjian.core.todos import register
        from anjian.dangers import metrics, workflows  # noqa: F401  (the dangers.* metrics; the loop's table)
        from anjian.dangers.choices import DangerEvents
        from anjian.dangers.tabs import dangers_tab_context
        from anjian.dangers.todos import dangers_todos
        from anjian.enterprises.tabs import EnterpriseTab, register_tab
        from anjian.orgs.choices import GOVERNMENT_ROLES

        register_audit_events("dangers", DangerEvents)
        from anjian.dangers.jobs import register as register_jobs

        register_jobs()
        self._connect_stats_invalidation()
        register(dangers_todos)
        register_tab(EnterpriseTab("dangers", "隐患", "dangers/_enterprise_tab.html", dangers_tab_context))
        register_section(
            "dangers",
            MenuSection(
                "隐患排查治理",
                "⚠️",
                (
                    MenuItem("上报隐患", "dangers:danger_report"),
                    MenuItem("隐患", "dangers:danger_list"),
                    MenuItem("排查任务", "dangers:task_list"),
                    MenuItem("挂牌督办", "dangers:listing_list"),
                    MenuItem("统计", "dangers:stats"),
                    MenuItem("隐患治理设置", "dangers:settings", GOVERNMENT_ROLES),
                ),
            ),
            order=55,
        )

    @staticmethod
    def _connect_stats_invalidation() -> None:
        """A saved or deleted danger (every loop action saves one) drops the cached statistics pages."""
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from anjian.dangers.metrics import invalidate_stats
        from anjian.dangers.models import HiddenDanger

        def changed(**_kwargs: object) -> None:
            transaction.on_commit(invalidate_stats)

        post_save.connect(changed, sender=HiddenDanger, dispatch_uid="dangers-stats-save", weak=False)
        post_delete.connect(changed, sender=HiddenDanger, dispatch_uid="dangers-stats-delete", weak=False)
