"""Fixtures of the monitoring app (registered in the root ``conftest.py``)."""
