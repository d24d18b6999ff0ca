"""Fixtures of the emergency app (registered in the root ``conftest.py``)."""
