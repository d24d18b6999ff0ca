"""The console script's environment defaults."""

from anjian.cli import prepare_environment


def test_one_off_commands_get_a_random_key_and_no_debug():
    env: dict[str, str] = {}
    prepare_environment(["plan", "parse", "x.txt"], env)
    assert len(env["ANJIAN_SECRET_KEY"]) > 40 and "ANJIAN_DEBUG" not in env


def test_the_demo_runs_in_debug_mode():
    env: dict[str, str] = {}
    prepare_environment(["demo"], env)
    assert env["ANJIAN_DEBUG"] == "1" and "ANJIAN_SECRET_KEY" not in env


def test_a_server_without_a_key_is_left_to_fail_fast():
    env: dict[str, str] = {}
    prepare_environment(["runserver"], env)
    assert "ANJIAN_SECRET_KEY" not in env and "ANJIAN_DEBUG" not in env


def test_a_configured_key_is_kept():
    env = {"ANJIAN_SECRET_KEY": "configured"}
    prepare_environment(["migrate"], env)
    assert env["ANJIAN_SECRET_KEY"] == "configured"


def test_demo_server_log_hides_answered_simulator_posts_only():
    """The demo's terminal keeps its logins in view: the simulators' answered posts are not logged, refused
    ones and every other request are."""
    import logging

    from anjian.core.management.commands.demo import QuietSimulators

    def record(line: str, status: int) -> logging.LogRecord:
        r = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s 58', (line, status), None)
        r.status_code = status
        return r

    quiet = QuietSimulators()
    assert not quiet.filter(record("POST /api/v1/telemetry/91152921MAGGQ5NB2F HTTP/1.1", 200))
    assert not quiet.filter(record("POST /api/v1/gates/P1Z1G1/events HTTP/1.1", 200))
    assert quiet.filter(record("POST /api/v1/telemetry/91152921MAGGQ5NB2F HTTP/1.1", 403))
    assert quiet.filter(record("GET /dangers/ HTTP/1.1", 200))
    assert quiet.filter(record("POST /api/v1/dangers/ HTTP/1.1", 201))
