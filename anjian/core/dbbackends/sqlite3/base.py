"""Django's SQLite backend with PostgreSQL's integer ranges.

SQLite stores any integer up to 64 bits, so Django bounds a ``PositiveSmallIntegerField`` at 2^63−1 there and
at 32,767 on PostgreSQL. Forms, serializers and the published OpenAPI schema take those bounds from the
backend, so the demo (SQLite) would accept what production (PostgreSQL) refuses, and the API contract would
depend on the database. This backend uses Django's standard column ranges (those of PostgreSQL) everywhere.
"""

from __future__ import annotations

from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.backends.sqlite3 import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def integer_field_range(self, internal_type: str) -> tuple[int, int]:
        return BaseDatabaseOperations.integer_field_ranges[internal_type]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
