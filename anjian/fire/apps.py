from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FireConfig(AppConfig):
    name = "anjian.fire"
    verbose_name = _("消防设施")
