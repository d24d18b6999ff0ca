from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "anjian.assessment"
    verbose_name = _("年度考核")

    def ready(self) -> None:
        from anjian.assessment import todos, workflows  # noqa: F401  (register the to-dos and the table)
