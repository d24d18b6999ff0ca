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
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models.expressions import DatabaseDefault

__all__ = [
    "FieldChecks",
    "UniqueIndex",
    "active_index",
    "clean_fields",
    "full_clean",
    "unique_sets",
    "unique_taken",
    "using_index",
]

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
        self._checks: FieldChecks | None = None

    def checks(self) -> FieldChecks:
        """The model's compiled field and constraint checks (built once per batch)."""
        if self._checks is None:
            self._checks = FieldChecks(self.model)
        return self._checks

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
            # Chunk by the field with the most distinct values and narrow by the others when they have
            # few (e.g. one document type and 10,000 numbers: ``id_type IN (…) AND id_number IN (…500)``), so
            # a query reads about the rows asked for and a unique index on the set answers it.
            distinct = [sorted({w[i] for w in wanted}, key=str) for i in range(len(fields))]
            by = max(range(len(fields)), key=lambda i: len(distinct[i]))
            narrow = {
                f"{attnames[i]}__in": distinct[i]
                for i in range(len(fields))
                if i != by and len(distinct[i]) <= _CHUNK
            }
            for start in range(0, len(distinct[by]), _CHUNK):
                chunk = distinct[by][start : start + _CHUNK]
                qs = self.model._default_manager.filter(**{f"{attnames[by]}__in": chunk}, **narrow)
                for pk, *vals in qs.values_list("pk", *attnames).order_by():
                    self._stored[fields].setdefault(tuple(vals), set()).add(pk)
            self._asked[fields] |= wanted

    def know(
        self, fields: tuple[str, ...], asked: Iterable[tuple[Any, ...]], stored: Mapping[tuple[Any, ...], Any]
    ) -> None:
        """Record what a caller read already for the unique set ``fields``: every tuple of ``asked`` was looked
        for, and ``stored`` maps those found to their pk (the import's stored rows by key: the same query)."""
        if fields not in self._asked:
            return
        known = self._stored[fields]
        for values, pk in stored.items():
            known.setdefault(tuple(_norm(v) for v in values), set()).add(pk)
        self._asked[fields] |= {tuple(_norm(v) for v in values) for values in asked}

    def prefetch_relations(self, objs: Iterable[models.Model]) -> None:
        """Read, per foreign key, which of ``objs``' key values exist (and meet the key's ``limit_choices_to``):
        one query per key and per 500 distinct values. ``full_clean`` then leaves those values alone instead of
        letting Django's ``ForeignKey.validate`` read each one again (the keys of stored objects an import
        updates: two queries per row for an enterprise's town and department)."""
        checks = self.checks()
        rows = list(objs)
        for f in checks.relations:
            if f.remote_field.parent_link:
                continue  # Django does not check these either
            wanted = {getattr(obj, f.attname) for obj in rows} - {None} - checks.valid_keys.get(f.name, set())
            if not wanted:
                continue
            related = f.remote_field.model
            to_field = f.remote_field.field_name
            limit = f.get_limit_choices_to()
            found = checks.valid_keys.setdefault(f.name, set())
            ordered = sorted(wanted, key=str)
            for start in range(0, len(ordered), _CHUNK):
                # What ``ForeignKey.validate`` asks, for many values at once.
                qs = related._base_manager.filter(**{f"{to_field}__in": ordered[start : start + _CHUNK]})
                found.update(qs.complex_filter(limit).values_list(to_field, flat=True).order_by())

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


def _q_holds(q: Any, obj: models.Model) -> bool | None:
    """Whether ``obj`` meets ``q`` (a check constraint's or ``limit_choices_to``'s), tested in Python; ``None`` when
    a lookup is not simple enough to tell (the database answers then). See :func:`_compile_q`."""
    return _compile_q(q, type(obj))(obj)


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
    if getattr(obj, field.attname) is None or not field.is_cached(obj):
        return False
    related = getattr(obj, field.name)
    if related is None or related._state.adding:
        return False
    limit = field.get_limit_choices_to()
    if not limit:
        return True
    return _q_holds(limit if isinstance(limit, models.Q) else models.Q(**limit), related) is True


# ---------------------------------------------------------------------------------------------
# Compiled checks: clean_fields and check constraints without re-reading the model's options per row
# ---------------------------------------------------------------------------------------------

#: Field classes whose ``clean`` leaves a value of these exact types unchanged, and whose only checks are
#: ``validate`` (choices, null, blank) and the validators understood by :func:`_quick_check`.
_QUICK_TYPES: dict[type[Any], tuple[type[Any], ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.SmallAutoField: (int,),
    models.DateField: (dt.date,),
    models.DateTimeField: (dt.datetime,),
}


def _quick_check(field: Any) -> Callable[[Any], bool] | None:
    """A test that is True only for values ``field.clean`` would return unchanged without an error (the
    common case of a cell already parsed to the right type); ``None`` when the field always takes Django's
    way. A value the test does not pass goes through ``field.clean`` as in ``Model.clean_fields``, so an
    error is Django's own, word for word."""
    types = _QUICK_TYPES.get(type(field))
    if types is None:
        return None
    low: Any = None
    high: Any = None
    max_length: int | None = None
    for validator in field.validators:
        limit = getattr(validator, "limit_value", None)
        if callable(limit) or isinstance(limit, bool):
            return None
        kind = type(validator)
        if kind is django_validators.MaxLengthValidator and isinstance(limit, int):
            max_length = limit if max_length is None else min(max_length, limit)
        elif kind is django_validators.MinValueValidator and isinstance(limit, int):
            low = limit if low is None else max(low, limit)
        elif kind is django_validators.MaxValueValidator and isinstance(limit, int):
            high = limit if high is None else min(high, limit)
        else:
            return None
    allowed: frozenset[Any] | None = None
    if field.choices is not None:
        keys: list[Any] = []
        for key, label in field.choices:
            if isinstance(label, list | tuple):
                keys.extend(k for k, _label in label)
            else:
                keys.append(key)
        try:
            allowed = frozenset(keys)
        except TypeError:
            return None
    exact = types[0]
    blank = bool(field.blank)

    if exact is str:

        def check_text(value: Any) -> bool:
            if not isinstance(value, str):
                return False
            if not value:
                return blank
            if max_length is not None and len(value) > max_length:
                return False
            return allowed is None or value in allowed

        return check_text

    def check(value: Any) -> bool:
        # ``type(...) is``: a bool is not an int here, a datetime is not a date.
        if type(value) is not exact:
            return False
        if low is not None and value < low:
            return False
        if high is not None and value > high:
            return False
        return allowed is None or value in allowed

    return check


def _compile_lookup(
    model: type[models.Model], key: str, expected: Any
) -> Callable[[models.Model], bool | None]:
    """``key=expected`` of a ``Q`` on objects of ``model``, tested in Python with the field resolved once; the test
    answers ``None`` when the lookup is not simple (an expression, a related path, another lookup type)."""

    def unknown(obj: models.Model) -> bool | None:
        return None

    if hasattr(expected, "resolve_expression"):
        return unknown
    name, _sep, lookup = key.rpartition("__")
    if not name or lookup not in {"exact", "isnull", "in", *_COMPARISONS}:
        name, lookup = key, "exact"
    try:
        field = model._meta.get_field(name)
    except Exception:
        return unknown
    if not getattr(field, "concrete", False) or "__" in name:
        return unknown
    attname = getattr(field, "attname", name)
    expected = _norm(expected)
    if lookup == "isnull":
        want_null = bool(expected)
        return lambda obj: (getattr(obj, attname) is None) == want_null
    if lookup == "in":
        options = [_norm(v) for v in expected]

    def holds(obj: models.Model) -> bool | None:
        value = getattr(obj, attname)
        if value is None or expected is None:
            return None  # SQL NULL semantics: let the database answer
        if lookup == "exact":
            return bool(value == expected)
        if lookup == "in":
            return value in options
        try:
            if lookup == "gt":
                return bool(value > expected)
            if lookup == "gte":
                return bool(value >= expected)
            if lookup == "lt":
                return bool(value < expected)
            return bool(value <= expected)
        except TypeError:
            return None

    return holds


def _compile_q(q: Any, model: type[models.Model]) -> Callable[[models.Model], bool | None]:
    """The test of ``q`` on objects of ``model`` (``True``/``False``, or ``None`` when a part cannot tell),
    compiled once."""
    parts = [
        _compile_q(child, model) if isinstance(child, models.Q) else _compile_lookup(model, *child)
        for child in q.children
    ]
    conjunction = q.connector == models.Q.AND
    negated = bool(q.negated)

    def holds(obj: models.Model) -> bool | None:
        results = []
        for part in parts:
            result = part(obj)
            if result is None:
                return None
            results.append(result)
        value = all(results) if conjunction else any(results)
        return not value if negated else value

    return holds


class FieldChecks:
    """A model's ``clean_fields`` and check constraints, prepared once for a batch of rows.

    :meth:`clean_fields` is ``Model.clean_fields`` with a quick test per field (:func:`_quick_check`): a value
    of the field's own type within its length, range and choices is left as it is; any other value — and
    every field the test does not cover (decimals, JSON, foreign keys) — goes through ``field.clean`` exactly
    as Django does it, so the errors are the same.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        opts = model._meta
        self.fields = [
            (f, f.name, f.attname, bool(f.blank), f.empty_values, _quick_check(f))
            for f in opts.fields
            if not getattr(f, "generated", False)
        ]
        self.relations: list[Any] = [f for f in opts.concrete_fields if f.is_relation]
        # A key's ``limit_choices_to`` given as data (not a callable) is compiled once.
        self.limits: dict[str, Callable[[models.Model], bool | None]] = {}
        for f in self.relations:
            limit = f.remote_field.limit_choices_to
            if limit and not callable(limit):
                q = limit if isinstance(limit, models.Q) else models.Q(**limit)
                self.limits[f.name] = _compile_q(q, f.related_model)
        probe = model.__new__(model)
        self.constraints = [
            (model_class, list(constraints)) for model_class, constraints in probe.get_constraints()
        ]
        self.conditions: dict[int, Callable[[models.Model], bool | None]] = {
            id(c): _compile_q(models.Q(c.condition), model)
            for _model_class, constraints in self.constraints
            for c in constraints
            if isinstance(c, models.CheckConstraint)
        }
        self.own_clean_fields = model.clean_fields is not models.Model.clean_fields
        #: Per foreign key, values known to exist (``UniqueIndex.prefetch_relations``).
        self.valid_keys: dict[str, set[Any]] = {}

    def fetched_relations(self, obj: models.Model) -> set[str]:
        """The foreign keys of ``obj`` holding an object read from the database (see ``_fetched_relation``) or a
        value the batch found to exist."""
        names = set()
        for f in self.relations:
            known = self.valid_keys.get(f.name)
            if known and getattr(obj, f.attname) in known:
                names.add(f.name)
                continue
            limit = self.limits.get(f.name)
            if limit is None:
                if _fetched_relation(obj, f):
                    names.add(f.name)
                continue
            if getattr(obj, f.attname) is None or not f.is_cached(obj):
                continue
            related = getattr(obj, f.name)
            if related is not None and not related._state.adding and limit(related) is True:
                names.add(f.name)
        return names

    def clean_fields(self, obj: models.Model, exclude: set[str] | frozenset[str] = frozenset()) -> None:
        """``Model.clean_fields(exclude)`` with the quick tests."""
        errors: dict[str, Any] = {}
        for f, name, attname, blank, empty, quick in self.fields:
            if name in exclude:
                continue
            raw = getattr(obj, attname)
            if quick is not None and quick(raw):
                continue
            if blank and raw in empty:
                continue
            if isinstance(raw, DatabaseDefault):
                continue
            try:
                setattr(obj, attname, f.clean(raw, obj))
            except ValidationError as exc:
                errors[name] = exc.error_list
        if errors:
            raise ValidationError(errors)


def clean_fields(obj: models.Model, exclude: Iterable[str] | None = None) -> None:
    """``Model.clean_fields`` for a model that overrides it (call this instead of ``super()``): the batch's
    quick tests when a batch of the model is active (:func:`using_index`), Django's own otherwise."""
    index = active_index(type(obj))
    if index is None:
        models.Model.clean_fields(obj, exclude=None if exclude is None else set(exclude))
        return
    index.checks().clean_fields(obj, set(exclude or ()))


def full_clean(obj: models.Model, index: UniqueIndex | None) -> None:
    """``obj.full_clean()`` with the same errors, asking the database only where ``index`` cannot answer.

    Foreign keys holding an object just read from the database are not re-read; fields are checked with the
    batch's quick tests (:class:`FieldChecks`); unique sets are answered from ``index`` (a clash, or a value it
    did not read, is checked by Django's own query so the message is the usual one); simple check constraints
    are evaluated in Python. The model's ``clean()`` runs with ``index`` active (:func:`unique_taken`).
    """
    if index is None or index.model is not type(obj):
        obj.full_clean()
        return
    model = type(obj)
    checks = index.checks()
    exclude = checks.fetched_relations(obj)
    errors: dict[str, list[Any]] = {}
    with using_index(index):
        # What ``Model.full_clean(exclude, validate_unique=False, validate_constraints=False)`` does.
        try:
            if checks.own_clean_fields:
                obj.clean_fields(exclude=exclude)
            else:
                checks.clean_fields(obj, exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            obj.clean()
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
    using: str | None = None
    for model_class, constraints in checks.constraints:
        for constraint in constraints:
            if isinstance(constraint, models.UniqueConstraint):
                key = tuple(constraint.fields)
                if key in simple_sets and key not in unknown:
                    continue
            elif isinstance(constraint, models.CheckConstraint):
                if checks.conditions[id(constraint)](obj) is True:
                    continue
            if using is None:
                using = router.db_for_write(model, instance=obj)
            try:
                constraint.validate(model_class, obj, exclude=failed, using=using)  # type: ignore[attr-defined]
            except ValidationError as exc:
                errors = _add(errors, exc, constraint)
    if errors:
        raise ValidationError(errors)
