from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "anjian.assessment"
    verbose_name = _("年度考核")

    def ready(self) -> None:
        from anjian.assessment import todos  # noqa: F401  (registers the home-page provider)
