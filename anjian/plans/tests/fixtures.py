"""Fixtures for the plans app (factories returning callables)."""
