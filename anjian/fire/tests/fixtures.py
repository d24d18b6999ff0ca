"""Fixtures of the fire app (registered in the root ``conftest.py``)."""
