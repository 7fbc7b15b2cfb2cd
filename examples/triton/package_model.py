#!/usr/bin/env python3
"""Package a Triton model repository for SageMaker and upload it to S3; print the S3 URI.

SageMaker's Triton containers unpack ModelDataUrl (a tar.gz) as the model repository, so the archive holds
the model directories at its top level (`<model>/config.pbtxt`, `<model>/<version>/...`). What breaks a
real deployment, and what this script therefore enforces (SPEC §9, the Triton write-ups):

- symbolic links (a conda-packed Python environment is full of them) are replaced by the files they point
  to; otherwise SageMaker rejects the archive as "not a valid tar.gz";
- a top-level directory without `config.pbtxt` breaks Triton's start-up: the script refuses it;
- `EXECUTION_ENV_PATH` must be relative to `$$TRITON_MODEL_DIRECTORY` (the repository lives in S3) and
  must point into the repository;
- caches (`.cache`, a Hugging Face cache, `__pycache__`, ...) stay out of the archive;
- the archive is named after the ensemble model (`<ensemble>.tar.gz`), the name that also goes into
  `SAGEMAKER_TRITON_DEFAULT_MODEL_NAME`.

The archive is reproducible (sorted entries, fixed owner and times, gzip without a timestamp), and the S3
key holds its content hash: `s3://BUCKET/PREFIX/<sha256[:16]>/<ensemble>.tar.gz`. The same repository
gives the same URI (no rollout); any change gives a new URI, which Terraform sees as a new release.

- every `EXECUTION_ENV_PATH` environment is built with the Python of the `--triton-image`'s Python
  backend stub (`TRITON_PYTHON`): an environment of another Python fails at model load.

Usage: package_model.py REPOSITORY --triton-image IMAGE --bucket BUCKET [--prefix models/triton]
       [--model-name NAME] [--exclude GLOB ...] [--output FILE] [--no-upload]
Credentials and endpoint come from the standard AWS chain (AWS_PROFILE, AWS_ENDPOINT_URL, ...).
"""

from __future__ import annotations

import argparse
import fnmatch
import gzip
import hashlib
import io
import os
import re
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_EXCLUDES = (
    ".cache",
    "__pycache__",
    "*.pyc",
    ".ipynb_checkpoints",
    ".git",
    ".gitkeep",
    ".DS_Store",
    "huggingface",
)
CONFIG = "config.pbtxt"
MODEL_DIR_VARIABLE = "$$TRITON_MODEL_DIRECTORY"
_PLATFORM = re.compile(r'^\s*platform\s*:\s*"([^"]+)"', re.MULTILINE)
_ENV_PATH = re.compile(
    r'key\s*:\s*"EXECUTION_ENV_PATH"\s*,?\s*value\s*:\s*\{\s*string_value\s*:\s*"([^"]*)"', re.MULTILINE
)


# Python of the Triton image's Python backend stub, by Triton release (the image tag's `<version>` in
# `sagemaker-tritonserver:<version>-py3`). Source: NVIDIA's Frameworks Support Matrix
# (https://docs.nvidia.com/deeplearning/frameworks/support-matrix/index.html), which the 24.05 release notes
# (https://docs.nvidia.com/deeplearning/triton-inference-server/release-notes/rel-24-05.html) point to for
# the container's contents; the AWS Triton-ensemble setup builds its environment with python=3.10.12 for this
# image. Check the matrix's row and add one when you move to another release.
TRITON_PYTHON = {"24.05": "3.10"}
_IMAGE_RELEASE = re.compile(r":(\d{2}\.\d{2})-py3$")
_ENV_PYTHON = re.compile(r"^python(3\.\d+)$")


class PackagingError(Exception):
    """The repository cannot be packaged as SageMaker's Triton container needs it."""


@dataclass(frozen=True)
class Package:
    path: Path
    model_name: str
    sha256: str
    files: tuple[str, ...]


def is_excluded(name: str, excludes: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in excludes)


def model_dirs(repository: Path, excludes: Sequence[str]) -> list[Path]:
    """The top-level entries Triton would treat as models; refuse any without config.pbtxt."""
    if not repository.is_dir():
        raise PackagingError(f"{repository} is not a directory")
    entries = sorted(p for p in repository.iterdir() if not is_excluded(p.name, excludes))
    stray = [p.name for p in entries if not p.is_dir()]
    if stray:
        raise PackagingError(f"files at the top level of the model repository: {', '.join(stray)}")
    missing = [p.name for p in entries if not (p / CONFIG).is_file()]
    if missing:
        raise PackagingError(
            f"model directories without {CONFIG} (Triton fails to start): {', '.join(missing)}"
        )
    if not entries:
        raise PackagingError(f"{repository} holds no model directory")
    return entries


def choose_model_name(models: Sequence[Path], requested: str | None) -> str:
    """The archive's name: the requested model, else the one ensemble, else the only model."""
    names = [m.name for m in models]
    if requested:
        if requested not in names:
            raise PackagingError(f"--model-name {requested!r} is not a model of the repository: {names}")
        return requested
    ensembles = [m.name for m in models if _PLATFORM.findall((m / CONFIG).read_text()) == ["ensemble"]]
    if len(ensembles) == 1:
        return ensembles[0]
    if not ensembles and len(models) == 1:
        return models[0].name
    raise PackagingError(
        f"cannot tell which model to name the archive after ({ensembles or names}): use --model-name"
    )


def check_execution_envs(repository: Path, models: Sequence[Path]) -> None:
    """EXECUTION_ENV_PATH must be `$$TRITON_MODEL_DIRECTORY/...` and resolve inside the repository."""
    root = repository.resolve()
    for model in models:
        for value in _ENV_PATH.findall((model / CONFIG).read_text()):
            if not value.startswith(MODEL_DIR_VARIABLE + "/"):
                raise PackagingError(
                    f"{model.name}/{CONFIG}: EXECUTION_ENV_PATH {value!r} must start with "
                    f"{MODEL_DIR_VARIABLE}/ (the repository is unpacked from S3 at a path you do not know)"
                )
            relative = value[len(MODEL_DIR_VARIABLE) + 1 :]
            target = Path(os.path.normpath(model.absolute() / relative))
            if not target.is_relative_to(repository.absolute()) and not target.resolve().is_relative_to(root):
                raise PackagingError(
                    f"{model.name}/{CONFIG}: EXECUTION_ENV_PATH {value!r} leaves the repository"
                )
            if not target.exists():
                raise PackagingError(f"{model.name}/{CONFIG}: EXECUTION_ENV_PATH {value!r} does not exist")


def triton_python(image: str) -> str:
    """The Python minor version of the stub in a Triton image (by its `<release>-py3` tag)."""
    match = _IMAGE_RELEASE.search(image)
    release = match.group(1) if match else image
    if release not in TRITON_PYTHON:
        known = ", ".join(sorted(TRITON_PYTHON))
        raise PackagingError(
            f"no Python version known for Triton image {image!r} (known releases: {known}); "
            "add it to TRITON_PYTHON from NVIDIA's Frameworks Support Matrix"
        )
    return TRITON_PYTHON[release]


def check_env_pythons(repository: Path, models: Sequence[Path], image: str) -> None:
    """Every EXECUTION_ENV_PATH environment is built with the Python of the image's Python backend stub."""
    wanted = triton_python(image)
    for model in models:
        for value in _ENV_PATH.findall((model / CONFIG).read_text()):
            env = Path(os.path.normpath(model.absolute() / value[len(MODEL_DIR_VARIABLE) + 1 :]))
            found = sorted(
                {m.group(1) for d in (env / "lib").glob("python3.*") if (m := _ENV_PYTHON.match(d.name))}
            )
            if found != [wanted]:
                have = ", ".join(found) or "none"
                raise PackagingError(
                    f"{model.name}/{CONFIG}: the environment {value!r} is Python {have}, but the Triton "
                    f"image {image!r} runs its Python backend stub with Python {wanted}: build the "
                    f"environment with Python {wanted} (conda create python={wanted} ... && conda pack), "
                    "or build a custom Python backend stub for your Python"
                )


def walk_files(
    top: Path, arcname: str, excludes: Sequence[str], seen: frozenset[Path]
) -> Iterator[tuple[str, Path | None]]:
    """(archive name, real file, or None for a directory) for everything under top, following symbolic
    links, sorted; each directory comes before its content, so empty ones (an ensemble's version
    directory) survive."""
    real = top.resolve()
    if real in seen:
        raise PackagingError(f"symbolic link loop at {top}")
    yield arcname, None
    for entry in sorted(top.iterdir(), key=lambda p: p.name):
        if is_excluded(entry.name, excludes):
            continue
        name = f"{arcname}/{entry.name}"
        if entry.is_symlink() and not entry.exists():
            raise PackagingError(f"dangling symbolic link {entry} -> {os.readlink(entry)}")
        if entry.is_dir():
            yield from walk_files(entry, name, excludes, seen | {real})
        elif entry.is_file():
            yield name, entry.resolve()


def _tarinfo(name: str, size: int, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o755 if mode & 0o111 else 0o644
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def build_archive(
    repository: Path,
    destination: Path,
    excludes: Sequence[str],
    model_name: str | None,
    triton_image: str | None = None,
) -> Package:
    models = model_dirs(repository, excludes)
    name = choose_model_name(models, model_name)
    check_execution_envs(repository, models)
    if triton_image is not None:
        check_env_pythons(repository, models, triton_image)
    files: list[str] = []
    archive = destination / f"{name}.tar.gz"
    with (
        archive.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for model in models:
            for arcname, path in walk_files(model, model.name, excludes, frozenset()):
                if path is None:
                    info = _tarinfo(arcname, 0, 0o111)
                    info.type = tarfile.DIRTYPE
                    tar.addfile(info)
                    continue
                data = path.read_bytes()
                tar.addfile(_tarinfo(arcname, len(data), path.stat().st_mode), io.BytesIO(data))
                files.append(arcname)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    return Package(path=archive, model_name=name, sha256=digest, files=tuple(files))


def s3_key(prefix: str, package: Package) -> str:
    parts = [p for p in prefix.strip("/").split("/") if p]
    return "/".join([*parts, package.sha256[:16], package.path.name])


def upload(s3: Any, package: Package, bucket: str, prefix: str) -> str:
    key = s3_key(prefix, package)
    s3.upload_file(str(package.path), bucket, key, ExtraArgs={"ContentType": "application/gzip"})
    return f"s3://{bucket}/{key}"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repository", type=Path, help="the Triton model repository directory")
    parser.add_argument("--bucket", help="S3 bucket to upload to (required unless --no-upload)")
    parser.add_argument("--prefix", default="models/triton", help="S3 key prefix (default models/triton)")
    parser.add_argument("--model-name", help="name the archive after this model (default: the ensemble)")
    parser.add_argument("--exclude", action="append", default=[], help="extra glob of names to leave out")
    parser.add_argument("--output", type=Path, help="also keep the archive at this path")
    parser.add_argument(
        "--triton-image",
        required=True,
        help="the Triton image the endpoint runs (the example's triton_image, or its tag such as 24.05): "
        "every Python environment must be built with that image's Python",
    )
    parser.add_argument("--no-upload", action="store_true", help="only build the archive (needs --output)")
    args = parser.parse_args(argv)
    if not args.no_upload and not args.bucket:
        parser.error("--bucket is required unless --no-upload")
    if args.no_upload and not args.output:
        parser.error("--no-upload needs --output")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    excludes = (*DEFAULT_EXCLUDES, *args.exclude)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            package = build_archive(
                args.repository, Path(scratch), excludes, args.model_name, args.triton_image
            )
        except PackagingError as exc:
            print(f"package_model: {exc}", file=sys.stderr)
            return 1
        print(
            f"packed {len(package.files)} files into {package.path.name} (sha256 {package.sha256})",
            file=sys.stderr,
        )
        if args.output:
            args.output.write_bytes(package.path.read_bytes())
        if args.no_upload:
            print(args.output)
            return 0
        import boto3  # only needed for the upload

        print(upload(boto3.client("s3"), package, args.bucket, args.prefix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
