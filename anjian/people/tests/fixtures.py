"""Fixtures for the people app (factories returning callables)."""
