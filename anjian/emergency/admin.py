"""Django admin of the emergency app: the weather station set-up (audited)."""

from django.contrib import admin

from anjian.core.admin import AuditedModelAdmin
from anjian.emergency.models import WeatherStation


@admin.register(WeatherStation)
class WeatherStationAdmin(AuditedModelAdmin[WeatherStation]):
    list_display = ["name", "wind_speed_point", "wind_direction_point", "max_age_minutes", "is_active"]
    raw_id_fields = ["wind_speed_point", "wind_direction_point"]
