"""Every command's ``--help`` ends with an example; history shows creation times in UTC to the second."""

from __future__ import annotations

import shlex

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


def _help(command: str | None, capsys) -> str:
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"] if command else ["--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def _examples(text: str) -> list[list[str]]:
    """The command lines of the ``example:`` section of a help text (continuations joined, the part
    from ``sagemaker-rollout`` on), as argument lists."""
    section = text.split("\nexample:\n", 1)[1].split("\n\n", 1)[0]
    lines = section.replace("\\\n", " ").splitlines()
    found = []
    for line in lines:
        assert "sagemaker-rollout " in line, line
        found.append(shlex.split(line.split("sagemaker-rollout ", 1)[1]))
    return found


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_example_in_a_help_text_is_a_valid_command_line(command, capsys):
    """Parse each help's example section and run its command lines through the parser itself (an example
    that no longer parses fails here)."""
    examples = _examples(_help(command, capsys))
    assert examples
    for words in examples:
        args = cli.build_parser().parse_args(words)
        assert args.command == (command or args.command), words


def test_the_top_level_help_lists_the_exit_codes(capsys):
    text = _help(None, capsys)
    assert "exit codes:" in text and all(f"\n  {code} " in text for code in range(6))


def test_status_shows_its_times_in_utc_to_the_second():
    text = cli._status_text(
        {
            "endpoint_name": "w",
            "exists": True,
            "status": "InService",
            "endpoint_config_name": "w-1",
            "pending_endpoint_config_name": "",
            "previous_endpoint_config_name": "",
            "drift": False,
            "last_rollout": "succeeded",
            "last_rollout_reason": "",
            "creation_time": "2026-12-02T11:12:44.501000+02:00",
            "last_modified_time": "2026-12-02T09:30:00.999+00:00",
            "variants": [],
        }
    )
    assert "created        2026-12-02 09:12:44 UTC\n" in text
    assert "last modified  2026-12-02 09:30:00 UTC\n" in text
