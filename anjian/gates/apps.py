from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatesConfig(AppConfig):
    name = "anjian.gates"
    verbose_name = _("智能化二道门")
