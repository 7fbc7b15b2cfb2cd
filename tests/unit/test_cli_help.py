"""Every command's ``--help`` ends with an example; history shows creation times in UTC to the second."""

from __future__ import annotations

import pytest

from deployer import cli

COMMANDS = ["external", "deploy", "status", "history", "rollback", "watch", "prune", "destroy"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example(command, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "\nexample:\n  " in text and (f"sagemaker-rollout {command}" in text), text


def test_every_command_has_an_example_entry():
    parser = cli.build_parser()
    [sub] = [a for a in parser._actions if a.dest == "command"]
    assert set(sub.choices) == set(COMMANDS) == set(cli.EXAMPLES)


def test_history_times_are_utc_to_the_second():
    text = cli._history_text(
        [
            {
                "endpoint_config_name": "w-1",
                "release": "1",
                "created": "2026-12-02T11:12:44.501+02:00",
                "marks": [],
            }
        ]
    )
    assert "created (UTC)" in text and "2026-12-02 09:12:44" in text
