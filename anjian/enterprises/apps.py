from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "anjian.enterprises"
    verbose_name = _("企业档案")

    def ready(self) -> None:
        from anjian.core.todos import register
        from anjian.enterprises import metrics  # noqa: F401  (registers the standardization.* metrics)
        from anjian.enterprises.todos import enterprise_todos

        register(enterprise_todos)
