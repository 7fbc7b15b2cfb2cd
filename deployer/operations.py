"""The deployer's operations: what the CLI commands and the Terraform adapter call.

Engine entry point for the Terraform ``external`` adapter (``deployer/protocol.py``)::

    terraform_apply(spec, rollout_id, *, runtime=None, assume_role_arn=None) -> dict[str, str]

- ``spec``: a parsed ``deployer.spec.Spec``; ``rollout_id``: the ``terraform_data.rollout`` id.
- ``runtime``: clients, clock, progress and time scale (``Runtime``); ``None`` builds them from the
  environment (standard credential chain, ``assume_role_arn`` when given, ``DEPLOYER_TIME_SCALE``).
- Returns the flat result map of strings (SPEC §5 + ``region``, ``release_models``,
  ``autoscaling_deregistered``). Raises ``deployer.errors.DeployerError`` subclasses (exit codes).
- A ``rollout_id`` already acted on (recorded as a tag on the endpoint) means a read-only pass: only
  Describe/List calls, at most 2 of them when the endpoint serves the spec, and ``deployer.executor`` is
  not even imported. A new ``rollout_id`` means: roll out.
"""
