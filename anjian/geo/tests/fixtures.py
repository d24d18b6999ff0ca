"""Fixtures of the geo app (registered in the root ``conftest.py``)."""
