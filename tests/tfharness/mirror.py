"""Where Terraform installs hashicorp/aws and hashicorp/external from: a filesystem mirror, else the registry.

Resolution, in order (``resolve_sources``):

1. ``TF_PROVIDER_MIRROR`` set: that directory is the mirror of every provider it holds. A directory holding
   neither provider (an empty one, say) means "no mirror": both come from the registry.
2. Terraform's implied local mirror directories on Unix (CLI configuration docs, "Implied Local Mirror
   Directories"): ``terraform.d/plugins`` in the working directory is left out (the harness runs Terraform
   in scratch copies), then ``~/.terraform.d/plugins``, ``$XDG_DATA_HOME/terraform/plugins`` (default
   ``~/.local/share``) and ``<each of $XDG_DATA_DIRS>/terraform/plugins`` (default ``/usr/local/share`` and
   ``/usr/share``). The first that holds hashicorp/aws is used.
3. The public registry (``direct``) when it can be reached.
4. Offline (the registry cannot be reached) and no mirror found yet: the first directory directly under
   ``/opt``, ``/srv`` or ``/var/lib`` that holds ``registry.terraform.io/hashicorp/aws`` (as
   ``terraform providers mirror`` lays it out), so an offline machine with a mirror in one of those common
   places runs ``make demo`` / ``make test`` without set-up (``TF_PROVIDER_MIRROR_DETECT=0`` turns this off).
   Nothing found: ``NoProviderSource``, one line saying what to set.

hashicorp/external: the real provider when it is resolvable (a mirror holds it, or the registry can be
reached), else the ``tf`` stand-in that ``install`` builds (offline, no mirror of it).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
EXTERNAL_PROVIDER = "registry.terraform.io/hashicorp/external"
ENV_VAR = "TF_PROVIDER_MIRROR"
REGISTRY_HOST = "registry.terraform.io"


DETECT_VAR = "TF_PROVIDER_MIRROR_DETECT"
# Where an offline machine's mirror is looked for when nothing else serves hashicorp/aws (step 4).
OFFLINE_PARENTS = (Path("/opt"), Path("/srv"), Path("/var/lib"))


class MirrorNotFound(Exception):
    """Kept for callers that catch it; resolution no longer fails without a mirror (it goes direct)."""


class NoProviderSource(MirrorNotFound):
    """Offline and no mirror holds hashicorp/aws: nothing can install it."""


@dataclass(frozen=True)
class Sources:
    """Where each provider comes from: a mirror directory, or None for the registry (``direct``)."""

    aws_mirror: Path | None
    external_mirror: Path | None  # a mirror holding the real hashicorp/external
    use_stand_in: bool  # hashicorp/external is the harness' stand-in
    origin: str  # how the AWS mirror was found: "TF_PROVIDER_MIRROR", "implied", or "registry"

    def describe(self) -> str:
        """One line per provider, as written to ``build/terraform/which.txt``."""
        aws = (
            f"filesystem mirror {self.aws_mirror} ({self.origin})" if self.aws_mirror else "registry (direct)"
        )
        if self.use_stand_in:
            external = (
                "stand-in (tests/tfharness/external_provider.py): no mirror holds it, registry unreachable"
            )
        elif self.external_mirror:
            external = f"real provider, filesystem mirror {self.external_mirror}"
        else:
            external = "real provider, registry (direct)"
        return f"hashicorp/aws: {aws}\nhashicorp/external: {external}\n"


def implied_mirror_dirs(env: Mapping[str, str]) -> list[Path]:
    """Terraform's implied local mirror directories on Unix, in Terraform's order (cwd's one left out)."""
    home = Path(env.get("HOME") or str(Path.home()))
    data_home = Path(env.get("XDG_DATA_HOME") or str(home / ".local/share"))
    data_dirs = [d for d in (env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":") if d]
    return [home / ".terraform.d/plugins", data_home / "terraform/plugins"] + [
        Path(d) / "terraform/plugins" for d in data_dirs
    ]


def holds(directory: Path, provider: str) -> bool:
    """A mirror directory (packed or unpacked layout) with at least one version of ``provider``."""
    provider_dir = directory / provider
    return provider_dir.is_dir() and any(provider_dir.iterdir())


def holds_aws(directory: Path) -> bool:
    return holds(directory, AWS_PROVIDER)


def registry_reachable(timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the public registry opens (no request is made)."""
    try:
        with socket.create_connection((REGISTRY_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def resolve_sources(
    env: Mapping[str, str] | None = None,
    places: Sequence[Path] | None = None,
    reachable: Callable[[], bool] = registry_reachable,
    offline_parents: Sequence[Path] = OFFLINE_PARENTS,
) -> Sources:
    """Where hashicorp/aws and hashicorp/external are installed from (see the module docstring)."""
    env = os.environ if env is None else env
    configured = env.get(ENV_VAR, "")
    mirror: Path | None = None
    origin = "registry"
    if configured:
        path = Path(configured).expanduser().resolve()
        if holds(path, AWS_PROVIDER) or holds(path, EXTERNAL_PROVIDER):
            mirror, origin = path, ENV_VAR
    else:
        for candidate in implied_mirror_dirs(env) if places is None else places:
            if holds_aws(candidate):
                mirror, origin = candidate.resolve(), "implied"
                break
    aws_mirror = mirror if mirror is not None and holds_aws(mirror) else None
    answers: list[bool] = []

    def online() -> bool:  # asked at most once, and only when the answer matters
        if not answers:
            answers.append(reachable())
        return answers[0]

    if aws_mirror is None and not configured and not online():
        if env.get(DETECT_VAR, "1") != "0":
            aws_mirror = mirror = detect_offline_mirror(offline_parents)
            origin = f"detected offline under {mirror.parent}" if mirror else origin
        if aws_mirror is None:
            searched = ", ".join(str(p) for p in [*implied_mirror_dirs(env), *offline_parents])
            raise NoProviderSource(
                f"hashicorp/aws: {REGISTRY_HOST} cannot be reached and no filesystem mirror holds it "
                f"(searched {searched}); next: export {ENV_VAR}=<directory holding registry.terraform.io/> "
                "(`terraform providers mirror DIR` writes one), or run where the registry is reachable"
            )
    external_mirror = mirror if mirror is not None and holds(mirror, EXTERNAL_PROVIDER) else None
    use_stand_in = external_mirror is None and not online()
    return Sources(aws_mirror, external_mirror, use_stand_in, origin if aws_mirror else "registry")


def detect_offline_mirror(parents: Sequence[Path] = OFFLINE_PARENTS) -> Path | None:
    """The first directory directly under ``parents`` that holds hashicorp/aws (sorted, for a stable pick)."""
    for parent in parents:
        try:
            children = sorted(p for p in parent.iterdir() if p.is_dir())
        except OSError:
            continue
        for child in children:
            if holds_aws(child):
                return child.resolve()
    return None
