"""The installation status table: edges pinned by hand, every pair tried, and the edit path checks it."""

from __future__ import annotations

import pytest

from anjian.core.errors import TransitionNotAllowed
from anjian.core.tests.workflow_helpers import assert_edges, assert_every_pair
from anjian.majorhazards import actions
from anjian.majorhazards.models import HazardInstallation
from anjian.majorhazards.workflows import INSTALLATION_FLOW

pytestmark = pytest.mark.django_db


def test_edge_table_is_pinned():
    assert_edges(
        INSTALLATION_FLOW,
        {
            ("in_use", "stop", "stopped"),
            ("stopped", "resume", "in_use"),
            ("in_use", "write_off", "written_off"),
            ("stopped", "write_off", "written_off"),
        },
    )


def test_every_pair(installation_factory, enterprise_factory):
    plant = installation_factory(enterprise_factory())

    def make(state):
        HazardInstallation.objects.filter(pk=plant.pk).update(status=state)
        plant.refresh_from_db()
        return plant

    assert_every_pair(INSTALLATION_FLOW, make)


def test_editing_the_status_follows_the_table(installation_factory, enterprise_factory, committee_user):
    plant = installation_factory(enterprise_factory())
    plant.status = "written_off"
    actions.do_save_installation(plant, acting_user=committee_user, reason="装置拆除")
    plant.refresh_from_db()
    assert plant.status == "written_off"
    plant.status = "in_use"
    with pytest.raises(TransitionNotAllowed, match="不能从“已核销”变为“在用”"):
        actions.do_save_installation(plant, acting_user=committee_user)
    assert HazardInstallation.objects.get(pk=plant.pk).status == "written_off"
