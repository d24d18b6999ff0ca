"""Root pytest configuration: per-app fixture modules are registered here (Saleor ``conftest.py``)."""

pytest_plugins = [
    "anjian.core.tests.fixtures",
    "anjian.orgs.tests.fixtures",
    "anjian.plans.tests.fixtures",
    "anjian.enterprises.tests.fixtures",
    "anjian.people.tests.fixtures",
    "anjian.assessment.tests.fixtures",
    "anjian.geo.tests.fixtures",
    "anjian.majorhazards.tests.fixtures",
    "anjian.risks.tests.fixtures",
    "anjian.dangers.tests.fixtures",
    "anjian.monitoring.tests.fixtures",
    "anjian.gates.tests.fixtures",
    "anjian.emergency.tests.fixtures",
    "anjian.fire.tests.fixtures",
    "anjian.cockpit.tests.fixtures",
]
