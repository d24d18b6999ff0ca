"""Set-based validation for batches (the Excel import): uniqueness answered from one query per constraint.

A model's ``full_clean`` asks the database once per row and per unique constraint ("is this code taken?"),
and a model's own ``clean()`` often asks the same again with a friendlier message. For a file of 10,000
rows that is tens of thousands of queries. A batch instead reads, once per unique field set, which of the
file's values are stored (:meth:`UniqueIndex.prefetch`) and answers each row from memory. Outside a batch
(:func:`unique_taken` returns ``None``) code asks the database as before, so the single-row paths — the
form, the API, the admin — behave exactly as they did.

A model's ``clean()`` opts in like this::

    taken = unique_taken(Person, {"id_type": self.id_type, "id_number": self.id_number}, exclude_pk=self.pk)
    if taken is None:
        taken = Person.objects.filter(...).exclude(pk=self.pk).exists()
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, router

__all__ = ["UniqueIndex", "active_index", "full_clean", "unique_sets", "unique_taken", "using_index"]

_CHUNK = 500
_ACTIVE: ContextVar[UniqueIndex | None] = ContextVar("anjian_unique_index", default=None)


def unique_sets(model: type[models.Model]) -> list[tuple[str, ...]]:
    """Every unconditional unique field set of ``model`` (unique fields, ``unique_together``, field-only
    ``UniqueConstraint``s), by field name; the primary key is left out."""
    sets: list[tuple[str, ...]] = []
    opts = model._meta
    for f in opts.concrete_fields:
        if f.unique and not f.primary_key:
            sets.append((f.name,))
    for together in opts.unique_together:
        sets.append(tuple(together))
    for constraint in opts.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
            and not constraint.expressions
            and getattr(constraint, "nulls_distinct", None) is not False
        ):
            sets.append(tuple(constraint.fields))
    seen: set[tuple[str, ...]] = set()
    return [s for s in sets if not (s in seen or seen.add(s))]  # type: ignore[func-returns-value]


def _attname(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "attname", name))


def _norm(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


class UniqueIndex:
    """Which values of a model's unique field sets are stored, read once for a batch of candidates."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.sets = unique_sets(model)
        self._asked: dict[tuple[str, ...], set[tuple[Any, ...]]] = {s: set() for s in self.sets}
        self._stored: dict[tuple[str, ...], dict[tuple[Any, ...], set[Any]]] = {s: {} for s in self.sets}
        self._shape: tuple[set[tuple[str, ...]], set[tuple[str, ...]], bool] | None = None
        self._attnames: dict[str, str] = {}

    def shape(self) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]], bool]:
        """The model's unique sets, those checked by ``validate_unique`` (fields, ``unique_together``), and
        whether it has ``unique_for_*`` checks (computed once)."""
        if self._shape is None:
            opts = self.model._meta
            field_sets: set[tuple[str, ...]] = {
                (f.name,) for f in opts.concrete_fields if f.unique and not f.primary_key
            }
            field_sets |= {tuple(t) for t in opts.unique_together}
            date_checks = any(
                getattr(f, attr, None)
                for f in opts.concrete_fields
                for attr in ("unique_for_date", "unique_for_year", "unique_for_month")
            )
            self._shape = (set(self.sets), field_sets, date_checks)
        return self._shape

    def values_of(self, obj: models.Model, fields: tuple[str, ...]) -> tuple[Any, ...]:
        """The tuple of ``obj`` for ``fields`` (foreign keys by id)."""
        names = self._attnames
        out = []
        for f in fields:
            if f not in names:
                names[f] = _attname(self.model, f)
            out.append(getattr(obj, names[f]))
        return tuple(out)

    def prefetch(self, candidates: Iterable[Mapping[str, Any]]) -> None:
        """Read, per unique set, which of the ``candidates``' value tuples are stored (one query per set and
        per 500 distinct first values). A candidate maps field names to values; a set with a missing value or
        ``None`` is skipped (the row is checked the ordinary way)."""
        rows = list(candidates)
        for fields in self.sets:
            wanted: set[tuple[Any, ...]] = set()
            for values in rows:
                if all(f in values and values[f] is not None for f in fields):
                    wanted.add(tuple(_norm(values[f]) for f in fields))
            wanted -= self._asked[fields]
            if not wanted:
                continue
            attnames = [_attname(self.model, f) for f in fields]
            firsts = sorted({w[0] for w in wanted}, key=str)
            for start in range(0, len(firsts), _CHUNK):
                chunk = firsts[start : start + _CHUNK]
                qs = self.model._default_manager.filter(**{f"{attnames[0]}__in": chunk})
                for pk, *vals in qs.values_list("pk", *attnames).order_by():
                    self._stored[fields].setdefault(tuple(vals), set()).add(pk)
            self._asked[fields] |= wanted

    def taken(self, fields: tuple[str, ...], values: tuple[Any, ...], exclude_pk: Any = None) -> bool | None:
        """True when another stored row has ``values`` for ``fields``; ``None`` when not prefetched."""
        asked = self._asked.get(fields)
        values = tuple(_norm(v) for v in values)
        if asked is None or values not in asked:
            return None
        return bool(self._stored[fields].get(values, set()) - {exclude_pk})


def active_index(model: type[models.Model]) -> UniqueIndex | None:
    """The batch index of ``model`` in effect, if any."""
    index = _ACTIVE.get()
    return index if index is not None and index.model is model else None


def unique_taken(
    model: type[models.Model], values: Mapping[str, Any], *, exclude_pk: Any = None
) -> bool | None:
    """Whether another stored ``model`` row has ``values`` (a unique set), answered from the active batch;
    ``None`` outside a batch or for values the batch did not read (then ask the database)."""
    index = active_index(model)
    if index is None:
        return None
    return index.taken(tuple(values), tuple(values.values()), exclude_pk)


@contextlib.contextmanager
def using_index(index: UniqueIndex) -> Iterator[UniqueIndex]:
    """Make ``index`` the one :func:`unique_taken` answers from, for the block."""
    token = _ACTIVE.set(index)
    try:
        yield index
    finally:
        _ACTIVE.reset(token)


# ---------------------------------------------------------------------------------------------
# full_clean with the batch's answers
# ---------------------------------------------------------------------------------------------

_COMPARISONS = {"gt", "gte", "lt", "lte"}


def _lookup_holds(obj: models.Model, key: str, expected: Any) -> bool | None:
    """``key=expected`` of a check constraint's ``Q`` on ``obj`` in Python; ``None`` when not simple."""
    if hasattr(expected, "resolve_expression"):
        return None
    name, _sep, lookup = key.rpartition("__")
    if not name or lookup not in {"exact", "isnull", "in", *_COMPARISONS}:
        name, lookup = key, "exact"
    try:
        field = obj._meta.get_field(name)
    except Exception:
        return None
    if not getattr(field, "concrete", False) or "__" in name:
        return None
    value = getattr(obj, getattr(field, "attname", name))
    expected = _norm(expected)
    if lookup == "isnull":
        return (value is None) == bool(expected)
    if value is None or expected is None:
        return None  # SQL NULL semantics: let the database answer
    if lookup == "exact":
        return bool(value == expected)
    if lookup == "in":
        return value in [_norm(v) for v in expected]
    try:
        return bool(
            {
                "gt": value > expected,
                "gte": value >= expected,
                "lt": value < expected,
                "lte": value <= expected,
            }[lookup]
        )
    except TypeError:
        return None


def _q_holds(q: Any, obj: models.Model) -> bool | None:
    results = []
    for child in q.children:
        result = _q_holds(child, obj) if isinstance(child, models.Q) else _lookup_holds(obj, *child)
        if result is None:
            return None
        results.append(result)
    holds = all(results) if q.connector == models.Q.AND else any(results)
    return not holds if q.negated else holds


def _add(errors: dict[str, list[Any]], exc: ValidationError, constraint: Any = None) -> dict[str, list[Any]]:
    # As Django's ``Model.validate_constraints`` files them.
    fields: tuple[str, ...] = tuple(getattr(constraint, "fields", ()))
    if constraint is not None and getattr(exc, "code", None) == "unique" and len(fields) == 1:
        errors.setdefault(fields[0], []).append(exc)
        return errors
    return exc.update_error_dict(errors)


def _fetched_relation(obj: models.Model, field: Any) -> bool:
    """True for a foreign key holding an object read from the database that meets the key's
    ``limit_choices_to`` (Django's own check would re-read it with one query per row)."""
    if not field.is_relation or getattr(obj, field.attname) is None or not field.is_cached(obj):
        return False
    related = getattr(obj, field.name)
    if related is None or related._state.adding:
        return False
    limit = field.get_limit_choices_to()
    if not limit:
        return True
    return _q_holds(limit if isinstance(limit, models.Q) else models.Q(**limit), related) is True


def full_clean(obj: models.Model, index: UniqueIndex | None) -> None:
    """``obj.full_clean()`` with the same errors, asking the database only where ``index`` cannot answer.

    Foreign keys holding an object just read from the database are not re-read; unique sets are answered
    from ``index`` (a clash, or a value it did not read, is checked by Django's own query so the message is
    the usual one); simple check constraints are evaluated in Python. The model's ``clean()`` runs with
    ``index`` active (:func:`unique_taken`).
    """
    if index is None or index.model is not type(obj):
        obj.full_clean()
        return
    model = type(obj)
    exclude = {f.name for f in model._meta.concrete_fields if _fetched_relation(obj, f)}
    errors: dict[str, list[Any]] = {}
    with using_index(index):
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    failed = set(errors)
    unknown: set[tuple[str, ...]] = set()
    for fields in index.sets:
        if failed & set(fields):
            continue
        values = index.values_of(obj, fields)
        if any(v is None for v in values):
            continue
        if index.taken(fields, values, obj.pk) is not False:
            unknown.add(fields)
    simple_sets, field_sets, date_checks = index.shape()
    if unknown & field_sets or date_checks:
        try:
            obj.validate_unique(exclude=failed)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    using = router.db_for_write(model, instance=obj)
    for model_class, constraints in obj.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, models.UniqueConstraint):
                key = tuple(constraint.fields)
                if key in simple_sets and key not in unknown:
                    continue
            elif isinstance(constraint, models.CheckConstraint):
                if _q_holds(models.Q(constraint.condition), obj) is True:
                    continue
            try:
                constraint.validate(model_class, obj, exclude=failed, using=using)  # type: ignore[attr-defined]
            except ValidationError as exc:
                errors = _add(errors, exc, constraint)
    if errors:
        raise ValidationError(errors)
