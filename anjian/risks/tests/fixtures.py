"""Fixtures of the risks app (registered in the root ``conftest.py``)."""
