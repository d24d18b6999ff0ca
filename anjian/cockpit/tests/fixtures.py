"""Fixtures of the cockpit app (registered in the root ``conftest.py``)."""
