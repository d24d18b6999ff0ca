"""Change history reads like a record, not a log file (issue 7): labels, names, local time, before → after."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.enterprises.models import Enterprise


@pytest.mark.django_db
def test_history_shows_verbose_names_choice_labels_related_names_and_local_time(
    world: Any, client_for: Any
) -> None:
    enterprise: Enterprise = world.a.enterprise
    before = snapshot(enterprise)
    other_town = world.b.enterprise.town
    enterprise.status = "suspended"
    enterprise.town = other_town
    after = snapshot(enterprise)
    after["created_at"] = "2026-11-29T09:44:19+00:00"
    before["created_at"] = "2026-11-28T09:44:19+00:00"
    entry = record(
        AuditEvent.ENTERPRISE_UPDATED, enterprise, acting_user=world.committee, before=before, after=after
    )
    changes = {label: (b, a) for label, b, a, _created in entry.readable_changes()}
    status_field = Enterprise._meta.get_field("status")
    town_field = Enterprise._meta.get_field("town")
    assert changes[str(status_field.verbose_name)][1] == str(dict(status_field.flatchoices)["suspended"])
    assert changes[str(town_field.verbose_name)] == (
        world.a.enterprise.town.name,
        other_town.name,
    ) or changes[str(town_field.verbose_name)][1] == str(other_town)
    created_label = str(Enterprise._meta.get_field("created_at").verbose_name)
    assert changes[created_label][1] == "2026-11-29 17:44"  # Asia/Shanghai, not UTC
    page = client_for(world.committee).get(reverse("core:audit_list")).content.decode()
    assert "suspended" not in page and "2026-11-29T09:44" not in page
    assert str(status_field.verbose_name) in page
