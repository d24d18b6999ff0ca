"""Fixtures of the gates app (registered in the root ``conftest.py``)."""
