"""Unit tests of the harness' pure parts (no Terraform, no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tfharness.cliconfig import render_cli_config
from tests.tfharness.external_provider import go_marshal, look_path
from tests.tfharness.gojson import GoJSONError, decode_string_map
from tests.tfharness.install import (
    TerraformTooOld,
    check_terraform_version,
    render_launcher,
    required_terraform,
    setup,
)
from tests.tfharness.mirror import (
    DETECT_VAR,
    ENV_VAR,
    NoProviderSource,
    Sources,
    implied_mirror_dirs,
    resolve_sources,
)
from tests.tfharness.override import (
    OVERRIDE_FILE,
    PROVIDER_FILE,
    SERVICES,
    EndpointNotSet,
    write_localaws_override,
)
from tests.tfharness.tree import stage_configuration


def _mirror(root: Path, provider: str = "aws", version: str = "5.100.0") -> Path:
    (root / f"registry.terraform.io/hashicorp/{provider}/{version}/linux_amd64").mkdir(parents=True)
    return root


def _offline() -> bool:
    return False


def _online() -> bool:
    return True


# --- provider sources -------------------------------------------------------------------------


def test_env_var_mirror_is_used_and_no_implied_dir_searched(tmp_path):
    mirror, implied = _mirror(tmp_path / "m"), _mirror(tmp_path / "implied")
    sources = resolve_sources({ENV_VAR: str(mirror)}, places=[implied], reachable=_offline)
    assert (sources.aws_mirror, sources.origin, sources.use_stand_in) == (mirror.resolve(), ENV_VAR, True)


def test_env_var_pointing_at_empty_dir_means_registry(tmp_path):
    (tmp_path / "empty").mkdir()
    sources = resolve_sources(
        {ENV_VAR: str(tmp_path / "empty")}, places=[_mirror(tmp_path / "i")], reachable=_online
    )
    assert (sources.aws_mirror, sources.external_mirror, sources.use_stand_in) == (None, None, False)
    assert "hashicorp/aws: registry (direct)" in sources.describe()


def test_implied_dirs_in_terraform_order(tmp_path):
    env = {"HOME": "/h", "XDG_DATA_HOME": "/d", "XDG_DATA_DIRS": "/a:/b"}
    assert implied_mirror_dirs(env) == [
        Path("/h/.terraform.d/plugins"),
        Path("/d/terraform/plugins"),
        Path("/a/terraform/plugins"),
        Path("/b/terraform/plugins"),
    ]
    assert implied_mirror_dirs({"HOME": "/h"}) == [
        Path("/h/.terraform.d/plugins"),
        Path("/h/.local/share/terraform/plugins"),
        Path("/usr/local/share/terraform/plugins"),
        Path("/usr/share/terraform/plugins"),
    ]


def test_first_implied_dir_holding_aws_is_used(tmp_path):
    home = tmp_path / "home"
    (home / ".terraform.d/plugins").mkdir(parents=True)  # exists, holds nothing
    data = _mirror(tmp_path / "data/terraform/plugins")
    env = {"HOME": str(home), "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_DATA_DIRS": str(tmp_path / "x")}
    sources = resolve_sources(env, reachable=_offline)
    assert (sources.aws_mirror, sources.origin) == (data.resolve(), "implied")


def test_no_mirror_online_is_all_registry_with_the_real_external(tmp_path):
    sources = resolve_sources({"HOME": str(tmp_path)}, places=[tmp_path], reachable=_online)
    assert (sources.aws_mirror, sources.use_stand_in, sources.origin) == (None, False, "registry")
    text = render_cli_config(sources, Path("/b/ext"))
    assert "filesystem_mirror" not in text
    assert "direct {\n  }" in text
    assert "hashicorp/external: real provider, registry (direct)" in sources.describe()


def test_offline_a_mirror_under_a_common_parent_is_detected_with_the_stand_in(tmp_path):
    parent = tmp_path / "opt"
    (parent / "aaa-unrelated").mkdir(parents=True)
    mirror = _mirror(parent / "tf-plugins")
    sources = resolve_sources({}, places=[tmp_path / "implied"], reachable=_offline, offline_parents=[parent])
    assert (sources.aws_mirror, sources.use_stand_in) == (mirror.resolve(), True)
    assert sources.origin == f"detected offline under {parent.resolve()}"
    text = render_cli_config(sources, Path("/b/ext"))
    assert text.count("filesystem_mirror {") == 2
    assert 'include = ["registry.terraform.io/hashicorp/external"]' in text


def test_online_no_parent_is_searched(tmp_path):
    _mirror(tmp_path / "opt" / "tf-plugins")
    sources = resolve_sources({}, places=[], reachable=_online, offline_parents=[tmp_path / "opt"])
    assert (sources.aws_mirror, sources.origin) == (None, "registry")


@pytest.mark.parametrize("detect", ["1", "0"])
def test_offline_without_any_mirror_says_what_to_set(tmp_path, detect):
    parent = tmp_path / "opt"
    _mirror(parent / "tf-plugins") if detect == "0" else parent.mkdir()
    with pytest.raises(NoProviderSource) as raised:
        resolve_sources(
            {"HOME": str(tmp_path), DETECT_VAR: detect}, reachable=_offline, offline_parents=[parent]
        )
    message = str(raised.value)
    assert "\n" not in message and f"next: export {ENV_VAR}=" in message
    assert str(parent) in message


def test_mirror_holding_the_real_external_uses_it_without_probing(tmp_path):
    mirror = _mirror(_mirror(tmp_path / "m"), "external", "2.3.5")

    def probe() -> bool:
        raise AssertionError("the registry must not be probed when a mirror holds hashicorp/external")

    sources = resolve_sources({ENV_VAR: str(mirror)}, reachable=probe)
    assert (sources.external_mirror, sources.use_stand_in) == (mirror.resolve(), False)
    text = render_cli_config(sources, Path("/b/ext"))
    assert text.count("filesystem_mirror {") == 1
    assert (
        'include = ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/external"]'
        in text
    )


def test_setup_without_mirror_writes_a_registry_config_and_says_so(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "empty"))
    harness = setup(tmp_path / "build", sources=resolve_sources(reachable=_online))
    assert "filesystem_mirror" not in harness.cli_config.read_text()
    assert harness.which.read_text().startswith("hashicorp/aws: registry (direct)\n")
    env = harness.env({"PATH": "/bin"})
    assert env["TF_PLUGIN_CACHE_DIR"] == str(tmp_path / "build/terraform/plugin-cache")
    assert env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] == "true"
    assert Path(env["TF_PLUGIN_CACHE_DIR"]).is_dir()


def test_setup_builds_launcher_and_cli_config(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(_mirror(tmp_path / "m")))
    harness = setup(tmp_path / "build", sources=resolve_sources(reachable=_offline))
    assert harness.external_launcher.stat().st_mode & 0o111
    assert harness.external_launcher.name == "terraform-provider-external_v2.4.0"
    assert "registry.terraform.io/hashicorp/external/2.4.0/" in str(harness.external_launcher)
    text = harness.cli_config.read_text()
    assert f'path    = "{(tmp_path / "m").resolve()}"' in text
    assert "hashicorp/external: stand-in" in harness.which.read_text()
    env = harness.env({"PATH": "/bin"})
    assert env["TF_CLI_CONFIG_FILE"] == str(harness.cli_config)
    assert "TF_PLUGIN_CACHE_DIR" not in env  # a mirror is linked, not copied: nothing to cache
    assert (env["TF_IN_AUTOMATION"], env["CHECKPOINT_DISABLE"], env["TF_INPUT"]) == ("1", "1", "0")


def test_cli_config_mirrors_and_direct_excludes(tmp_path):
    sources = Sources(Path("/m/aws"), None, use_stand_in=True, origin=ENV_VAR)
    text = render_cli_config(sources, Path("/b/ext"))
    assert text.count("filesystem_mirror {") == 2
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'include = ["registry.terraform.io/hashicorp/external"]' in text
    assert (
        'exclude = ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/external"]'
        in text
    )


def test_no_path_of_our_machines_in_the_harness():
    for source in Path(__file__).parent.glob("*.py"):
        if source.name != Path(__file__).name:
            assert "/opt/" not in source.read_text(), source


# --- terraform version ------------------------------------------------------------------------


def test_required_terraform_read_from_versions_tf(tmp_path):
    (tmp_path / "versions.tf").write_text('terraform {\n  required_version = ">= 1.5"\n}\n')
    assert required_terraform(tmp_path / "versions.tf") == (1, 5)
    assert required_terraform() >= (1, 5)


def test_older_terraform_is_one_clear_line():
    with pytest.raises(TerraformTooOld) as error:
        check_terraform_version((1, 5), lambda: '{"terraform_version": "1.4.7"}')
    assert str(error.value) == "terraform >= 1.5 is required (versions.tf); found terraform 1.4.7"
    assert check_terraform_version((1, 5), lambda: '{"terraform_version": "1.5.0-rc1"}') == "1.5.0-rc1"
    assert check_terraform_version((1, 5), lambda: '{"terraform_version": "1.11.4"}') == "1.11.4"


def test_missing_terraform_is_one_clear_line():
    def missing() -> str:
        raise FileNotFoundError("terraform")

    with pytest.raises(TerraformTooOld, match=r"^terraform >= 1.5 is required on PATH; .*failed$"):
        check_terraform_version((1, 5), missing)


def test_launcher_quotes_paths():
    text = render_launcher("/opt/my venv/bin/python", Path("/src/it's here"))
    assert "exec '/opt/my venv/bin/python' -I -c" in text
    assert "'/src/it'\"'\"'s here'" in text


# --- Go JSON semantics ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stdout", "expected"),
    [
        (b'{"a": "1", "b": ""}', {"a": "1", "b": ""}),
        (b'  {"a": null}\n', {"a": ""}),
        (b"null", {}),
        (b"{}", {}),
    ],
)
def test_string_maps_decode(stdout, expected):
    assert decode_string_map(stdout) == expected


@pytest.mark.parametrize(
    ("stdout", "message"),
    [
        (b'{"a": 1}', "json: cannot unmarshal number into Go value of type string"),
        (b'{"a": true}', "json: cannot unmarshal bool into Go value of type string"),
        (b'{"a": ["x"]}', "json: cannot unmarshal array into Go value of type string"),
        (b'{"a": {"b": "c"}}', "json: cannot unmarshal object into Go value of type string"),
        (b'["a"]', "json: cannot unmarshal array into Go value of type map[string]string"),
        (b'"a"', "json: cannot unmarshal string into Go value of type map[string]string"),
        (b"", "unexpected end of JSON input"),
        (b"   \n", "unexpected end of JSON input"),
        (b'{"a": "b"', "unexpected end of JSON input"),
        (b"hello", "invalid character 'h' looking for beginning of value"),
        (b'{"a": "b"} {"c": "d"}', "invalid character '{' after top-level value"),
        (b"{a: 1}", "invalid character 'a' looking for beginning of object key string"),
        (b'{"a" "b"}', "invalid character '\"' after object key"),
        (b'{"a": "b" "c": "d"}', "invalid character '\"' after object key:value pair"),
    ],
)
def test_go_errors(stdout, message):
    with pytest.raises(GoJSONError) as error:
        decode_string_map(stdout)
    assert str(error.value) == message


def test_query_marshalled_like_go():
    assert go_marshal({"b": "<&>", "a": "é\n"}) == '{"a":"é\\n","b":"\\u003c\\u0026\\u003e"}'
    assert json.loads(go_marshal({"b": "<&>"})) == {"b": "<&>"}


def test_look_path_like_go(tmp_path):
    program = tmp_path / "prog"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    assert look_path("prog", f"/nonexistent:{tmp_path}") == str(program)
    with pytest.raises(Exception, match='exec: "nope": executable file not found in \\$PATH'):
        look_path("nope", str(tmp_path))
    program.chmod(0o644)
    with pytest.raises(Exception, match=f'exec: "{program}": permission denied'):
        look_path(str(program), "")


# --- override ---------------------------------------------------------------------------------


def test_override_for_each_aws_provider_block_with_alias(tmp_path):
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = var.region\n}\n'
        'provider "aws" {\n  alias  = "east"\n  region = "us-east-1"\n}\n'
    )
    written = write_localaws_override(tmp_path, "http://127.0.0.1:1234")
    assert written == tmp_path / OVERRIDE_FILE
    text = written.read_text()
    assert text.count('provider "aws" {') == 2
    assert 'alias = "east"' in text
    for service in SERVICES:
        assert f'    {service.ljust(max(map(len, SERVICES)))} = "http://127.0.0.1:1234"' in text
    for setting in (
        "skip_credentials_validation = true",
        "skip_requesting_account_id  = true",
        "skip_metadata_api_check     = true",
        "skip_region_validation      = true",
        "s3_use_path_style           = true",
    ):
        assert setting in text
    assert not (tmp_path / PROVIDER_FILE).exists()


def test_plain_provider_file_when_configuration_has_no_provider_block(tmp_path):
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "../../"\n}\n')
    (tmp_path / OVERRIDE_FILE).write_text("stale")
    written = write_localaws_override(tmp_path, "http://x:1")
    assert written == tmp_path / PROVIDER_FILE
    assert not (tmp_path / OVERRIDE_FILE).exists()


def test_no_file_and_no_endpoint_needed_without_aws(tmp_path):
    (tmp_path / "main.tf").write_text('data "external" "x" {\n  program = ["true"]\n}\n')
    assert write_localaws_override(tmp_path, "") is None


def test_endpoint_required_with_aws(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_sns_topic" "t" {\n  name = "t"\n}\n')
    with pytest.raises(EndpointNotSet, match="AWS_ENDPOINT_URL"):
        write_localaws_override(tmp_path, "")


# --- staging ----------------------------------------------------------------------------------


def test_staging_keeps_relative_module_sources(tmp_path):
    repo = tmp_path / "repo"
    (repo / "modules/iam").mkdir(parents=True)
    (repo / "deployer").mkdir()
    (repo / "examples/demo/.terraform").mkdir(parents=True)
    (repo / "main.tf").write_text("# root\n")
    (repo / "modules/iam/main.tf").write_text("# iam\n")
    (repo / "deployer/__init__.py").write_text("")
    (repo / "examples/demo/main.tf").write_text('module "m" { source = "../../" }\n')
    (repo / "examples/demo/terraform.tfstate").write_text("{}")
    (repo / "examples/demo/zz_localaws_override.tf").write_text("")
    workdir = stage_configuration(repo / "examples/demo", tmp_path / "scratch", repo_root=repo)
    assert workdir == tmp_path / "scratch/examples/demo"
    assert (workdir / "../../main.tf").resolve().read_text() == "# root\n"
    assert (tmp_path / "scratch/modules/iam/main.tf").exists()
    assert (tmp_path / "scratch/deployer/__init__.py").exists()
    assert sorted(p.name for p in workdir.iterdir()) == ["main.tf"]
