"""Fixtures for the enterprises app (factories returning callables)."""
