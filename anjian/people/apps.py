from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "anjian.people"
    verbose_name = _("人员证书")

    def ready(self) -> None:
        from anjian.core.todos import register
        from anjian.people import metrics  # noqa: F401  (registers the people.* metrics)
        from anjian.people.todos import certificate_todos

        register(certificate_todos)
