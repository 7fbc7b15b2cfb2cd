"""Offline Terraform: CLI configuration, the hashicorp/external stand-in, localaws override, runner.

- ``install.setup(build_dir) -> Harness``: build the stand-in and the CLI configuration;
- ``runner.TerraformRunner``: init / validate / plan / apply / destroy / show_json / output;
- ``tree.stage_configuration``: a scratch copy keeping ``../../`` module sources working;
- ``override.write_localaws_override``: the AWS provider pointed at ``AWS_ENDPOINT_URL``.
"""
