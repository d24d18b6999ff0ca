"""Fixtures of the dangers app (registered in the root ``conftest.py``)."""
