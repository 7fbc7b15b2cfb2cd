"""Where the hashicorp/aws provider mirror is: ``TF_PROVIDER_MIRROR`` or a well-known place."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
ENV_VAR = "TF_PROVIDER_MIRROR"


class MirrorNotFound(Exception):
    """No filesystem mirror holding hashicorp/aws was found."""


def well_known_places(env: Mapping[str, str]) -> list[Path]:
    """The directories searched when ``TF_PROVIDER_MIRROR`` is unset, in order."""
    home = Path(env.get("HOME", str(Path.home())))
    data_home = Path(env.get("XDG_DATA_HOME", str(home / ".local/share")))
    places = [
        Path("/opt/tf-plugins"),
        home / ".terraform.d/plugins",
        data_home / "terraform/plugins",
        Path("/usr/local/share/terraform/plugins"),
        Path("/usr/share/terraform/plugins"),
    ]
    places += [Path(d) / "terraform/plugins" for d in env.get("XDG_DATA_DIRS", "").split(":") if d]
    return places


def holds_aws(directory: Path) -> bool:
    """A mirror directory (packed or unpacked layout) with at least one hashicorp/aws version."""
    provider_dir = directory / AWS_PROVIDER
    return provider_dir.is_dir() and any(provider_dir.iterdir())


def find_aws_mirror(env: Mapping[str, str] | None = None, places: Sequence[Path] | None = None) -> Path:
    """The mirror to use; raise MirrorNotFound with a one-line message naming TF_PROVIDER_MIRROR."""
    env = os.environ if env is None else env
    configured = env.get(ENV_VAR, "")
    if configured:
        path = Path(configured).expanduser().resolve()
        if not holds_aws(path):
            raise MirrorNotFound(f"{ENV_VAR}={configured} does not hold {AWS_PROVIDER}/<version>/<os_arch>/")
        return path
    candidates = well_known_places(env) if places is None else list(places)
    for candidate in candidates:
        if holds_aws(candidate):
            return candidate.resolve()
    searched = ", ".join(str(p) for p in candidates)
    raise MirrorNotFound(
        f"no Terraform provider mirror holding {AWS_PROVIDER} found (searched {searched}); "
        f"set {ENV_VAR} to the directory that contains registry.terraform.io/"
    )
