"""Root pytest configuration: per-app fixture modules are registered here (Saleor ``conftest.py``)."""

pytest_plugins = [
    "anjian.core.tests.fixtures",
    "anjian.orgs.tests.fixtures",
    "anjian.plans.tests.fixtures",
    "anjian.enterprises.tests.fixtures",
    "anjian.people.tests.fixtures",
    "anjian.assessment.tests.fixtures",
]
