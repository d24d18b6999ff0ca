"""Fixtures of the majorhazards app (registered in the root ``conftest.py``)."""
