from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "anjian.core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from anjian.core.live import register_live
        from anjian.core.notifications import unread_count_html
        from anjian.core.todos import todo_count_html

        register_live("todos.count", todo_count_html, every=15, label="待办事项数")
        register_live("notifications.unread", unread_count_html, every=30, label="未读通知数")
