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
