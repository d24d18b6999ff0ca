from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "anjian.core"
    verbose_name = _("核心")

    def ready(self) -> None:
        # The ``ngram`` lookup (indexed Chinese substring search) on text fields.
        import anjian.core.search  # noqa: F401
        from anjian.core.live import register_live

        # Cached metric values are dropped when a register they read changes (see core.metrics).
        from anjian.core.metrics import connect_invalidation
        from anjian.core.notifications import unread_count_html
        from anjian.core.todos import todo_count_html

        connect_invalidation()
        register_live("todos.count", todo_count_html, every=15, label="待办事项数")
        import datetime as dt

        from anjian.core.jobs import register_job
        from anjian.core.tasks import expire_tasks

        register_job("core.expire_tasks", expire_tasks, every=dt.timedelta(hours=1), label="清理后台任务")
        register_live("notifications.unread", unread_count_html, every=30, label="未读通知数")
        # Control characters are refused by every form and serializer text field (see textguard).
        from anjian.core import textguard

        textguard.install()

        # The admin is the platform's, not "Django 管理".
        from django.contrib import admin

        admin.site.site_header = _("安监平台 · 系统管理")
        admin.site.site_title = _("安监平台管理")
        admin.site.index_title = _("系统管理")
        # Only audited models are in the admin: groups are unused (roles are a user field) and API tokens are
        # issued and revoked through /api/v1/auth/token/, which audits them.
        from django.contrib.auth.models import Group
        from rest_framework.authtoken.models import TokenProxy

        for model in (Group, TokenProxy):
            if admin.site.is_registered(model):
                admin.site.unregister(model)

        # API tokens die when the password changes or the account is deactivated (see core.tokens).
        from django.conf import settings
        from django.db.models.signals import pre_save

        from anjian.core.tokens import revoke_on_credential_change

        pre_save.connect(
            revoke_on_credential_change, sender=settings.AUTH_USER_MODEL, dispatch_uid="anjian-token-revoke"
        )
