"""``BaseModel.from_db`` builds loaded rows without ``Model.__init__``: the same instances Django's path builds."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from anjian.enterprises.models import Enterprise
from anjian.people.models import Certificate

pytestmark = pytest.mark.django_db


def _django_from_db(model: type[models.Model], obj: models.Model, names: list[str]) -> Any:
    """The instance Django's own ``Model.from_db`` makes of ``obj``'s stored row (``names`` loaded)."""
    values = list(model._default_manager.filter(pk=obj.pk).values_list(*names).get())
    return models.Model.from_db.__func__(model, "default", names, values)  # type: ignore[attr-defined]


def _fields(obj: models.Model) -> dict[str, Any]:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def test_a_full_row_is_the_instance_django_builds(certificate_factory, person_factory, enterprise_factory):
    # given a certificate (foreign keys, dates, a file field) loaded the usual way
    cert = certificate_factory(person_factory(enterprise_factory()))
    loaded = Certificate.objects.get(pk=cert.pk)
    names = [f.attname for f in Certificate._meta.concrete_fields]
    # when Django's own from_db builds the same row
    reference = _django_from_db(Certificate, cert, names)
    # then: the same stored values, state and behaviour
    assert _fields(loaded) == _fields(reference)
    assert (
        (loaded._state.adding, loaded._state.db)
        == (False, "default")
        == (
            reference._state.adding,
            reference._state.db,
        )
    )
    assert loaded.person.pk == cert.person_id and str(loaded.file) == str(reference.file)
    assert loaded.get_deferred_fields() == set()


def test_deferred_fields_stay_deferred_and_load_on_access(enterprise_factory):
    ent = enterprise_factory(name="甲化工有限公司")
    loaded = Enterprise.objects.only("name", "town").get(pk=ent.pk)
    reference = _django_from_db(Enterprise, ent, ["id", "name", "town_id"])
    assert loaded.get_deferred_fields() == reference.get_deferred_fields() != set()
    assert _fields(loaded) == _fields(reference)
    # a deferred field is read from the database on first access, as with Django's instances
    assert loaded.uscc == ent.uscc and "uscc" in loaded.__dict__
    # and a loaded instance saves as an update of its row, not an insert
    loaded.name = "甲化工（改）有限公司"
    loaded.save(update_fields=["name"])
    assert Enterprise.objects.get(pk=ent.pk).name == "甲化工（改）有限公司"
