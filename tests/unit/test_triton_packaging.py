"""The Triton example's packaging script: archive layout, symbolic links, caches, refusals."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

TRITON_DIR = Path(__file__).resolve().parents[2] / "examples" / "triton"
SCRIPT = TRITON_DIR / "package_model.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("triton_package_model", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


pkg = _load()

ENSEMBLE_CONFIG = 'name: "pipeline"\nplatform: "ensemble"\nmax_batch_size: 1\n'
PYTHON_CONFIG = (
    'backend: "python"\nparameters: {\n  key: "EXECUTION_ENV_PATH",\n  value: { string_value: "%s" }\n}\n'
)


def make_repository(root: Path) -> Path:
    repo = root / "repo"
    (repo / "pipeline" / "1").mkdir(parents=True)
    (repo / "pipeline" / "config.pbtxt").write_text(ENSEMBLE_CONFIG)
    (repo / "pipeline" / "1" / ".gitkeep").write_text("")
    post = repo / "post"
    (post / "1").mkdir(parents=True)
    (post / "1" / "model.py").write_text("class TritonPythonModel: ...\n")
    (post / "config.pbtxt").write_text(PYTHON_CONFIG % "$$TRITON_MODEL_DIRECTORY/env")
    env = post / "env"
    (env / "lib" / "python3.11").mkdir(parents=True)
    (env / "lib" / "python3.11" / "site.py").write_text("REAL = True\n")
    (env / "bin").mkdir()
    (env / "bin" / "python3.11").write_bytes(b"\x7fELF fake interpreter")
    (env / "bin" / "python3.11").chmod(0o755)
    (env / "bin" / "python").symlink_to("python3.11")  # file link, relative
    (env / "lib" / "python3").symlink_to(env / "lib" / "python3.11")  # directory link, absolute
    outside = root / "shared.txt"
    outside.write_text("from outside the repository\n")
    (env / "shared.txt").symlink_to(outside)
    # caches that must not travel
    (post / "1" / "__pycache__").mkdir()
    (post / "1" / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"\0")
    (env / ".cache" / "huggingface").mkdir(parents=True)
    (env / ".cache" / "huggingface" / "weights.bin").write_bytes(b"\0" * 1024)
    return repo


def members(archive: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: m for m in tar.getmembers()}


def test_archive_named_after_the_ensemble_with_models_at_the_top(tmp_path: Path) -> None:
    repo = make_repository(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    package = pkg.build_archive(repo, out, pkg.DEFAULT_EXCLUDES, None)
    assert package.model_name == "pipeline"
    assert package.path.name == "pipeline.tar.gz"
    names = members(package.path)
    assert {"pipeline/config.pbtxt", "post/config.pbtxt", "post/1/model.py"} <= set(names)
    # the ensemble's empty version directory survives (its .gitkeep does not)
    assert names["pipeline/1"].isdir()
    assert "pipeline/1/.gitkeep" not in names


def test_symbolic_links_become_the_files_they_point_to(tmp_path: Path) -> None:
    repo = make_repository(tmp_path)
    package = pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None)
    names = members(package.path)
    assert not [m.name for m in names.values() if m.issym() or m.islnk()]
    with tarfile.open(package.path, "r:gz") as tar:
        python = tar.extractfile("post/env/bin/python")
        assert python is not None and python.read() == b"\x7fELF fake interpreter"
        site = tar.extractfile("post/env/lib/python3/site.py")
        assert site is not None and site.read() == b"REAL = True\n"
        shared = tar.extractfile("post/env/shared.txt")
        assert shared is not None and shared.read() == b"from outside the repository\n"
    assert names["post/env/bin/python"].mode == 0o755
    # the archive extracts with the strictest filter (no links, no absolute paths)
    dest = tmp_path / "extracted"
    with tarfile.open(package.path, "r:gz") as tar:
        tar.extractall(dest, filter="data")
    assert (dest / "post" / "env" / "lib" / "python3" / "site.py").is_file()
    assert not (dest / "post" / "env" / "bin" / "python").is_symlink()


def test_caches_are_left_out(tmp_path: Path) -> None:
    repo = make_repository(tmp_path)
    package = pkg.build_archive(repo, tmp_path, (*pkg.DEFAULT_EXCLUDES, "*.bin"), None)
    names = set(members(package.path))
    assert not [n for n in names if "__pycache__" in n or ".cache" in n or n.endswith(".pyc")]
    (repo / "post" / "1" / "weights.bin").write_bytes(b"1")
    package = pkg.build_archive(repo, tmp_path, (*pkg.DEFAULT_EXCLUDES, "*.bin"), None)
    assert "post/1/weights.bin" not in set(members(package.path))


def test_archive_is_reproducible_and_changes_with_content(tmp_path: Path) -> None:
    repo = make_repository(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = pkg.build_archive(repo, tmp_path / "a", pkg.DEFAULT_EXCLUDES, None)
    (repo / "post" / "1" / "model.py").touch()  # a new mtime alone is no new release
    second = pkg.build_archive(repo, tmp_path / "b", pkg.DEFAULT_EXCLUDES, None)
    assert first.sha256 == second.sha256
    (repo / "post" / "1" / "model.py").write_text("class TritonPythonModel: pass\n")
    third = pkg.build_archive(repo, tmp_path / "b", pkg.DEFAULT_EXCLUDES, None)
    assert third.sha256 != first.sha256
    assert pkg.s3_key("models/triton/", third) == f"models/triton/{third.sha256[:16]}/pipeline.tar.gz"


def test_refuses_a_top_level_directory_without_config(tmp_path: Path) -> None:
    repo = make_repository(tmp_path)
    (repo / "notes").mkdir()
    (repo / "notes" / "README.md").write_text("x")
    with pytest.raises(pkg.PackagingError, match=r"without config\.pbtxt.*notes"):
        pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None)


def test_a_top_level_cache_directory_is_not_a_model(tmp_path: Path) -> None:
    repo = make_repository(tmp_path)
    (repo / ".cache").mkdir()
    (repo / "__pycache__").mkdir()
    package = pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None)
    assert not [n for n in members(package.path) if n.startswith((".cache", "__pycache__"))]


def test_refuses_an_absolute_or_escaping_execution_env_path(tmp_path: Path) -> None:
    repo = make_repository(tmp_path)
    config = repo / "post" / "config.pbtxt"
    config.write_text(PYTHON_CONFIG % "/opt/conda/envs/post")
    with pytest.raises(pkg.PackagingError, match=r"must start with \$\$TRITON_MODEL_DIRECTORY/"):
        pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None)
    config.write_text(PYTHON_CONFIG % "$$TRITON_MODEL_DIRECTORY/../../elsewhere")
    with pytest.raises(pkg.PackagingError, match="leaves the repository"):
        pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None)
    config.write_text(PYTHON_CONFIG % "$$TRITON_MODEL_DIRECTORY/missing_env")
    with pytest.raises(pkg.PackagingError, match="does not exist"):
        pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None)


def test_refuses_dangling_links_and_link_loops(tmp_path: Path) -> None:
    repo = make_repository(tmp_path)
    dangling = repo / "post" / "env" / "bin" / "gone"
    dangling.symlink_to("nowhere")
    with pytest.raises(pkg.PackagingError, match="dangling symbolic link"):
        pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None)
    dangling.unlink()
    (repo / "post" / "env" / "lib" / "loop").symlink_to(repo / "post" / "env")
    with pytest.raises(pkg.PackagingError, match="symbolic link loop"):
        pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None)


def test_model_name_when_there_is_no_single_ensemble(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "densenet_onnx" / "1").mkdir(parents=True)
    (repo / "densenet_onnx" / "config.pbtxt").write_text('platform: "onnxruntime_onnx"\n')
    (repo / "densenet_onnx" / "1" / "model.onnx").write_bytes(b"onnx")
    package = pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None)
    assert package.path.name == "densenet_onnx.tar.gz"
    (repo / "resnet" / "1").mkdir(parents=True)
    (repo / "resnet" / "config.pbtxt").write_text('platform: "onnxruntime_onnx"\n')
    with pytest.raises(pkg.PackagingError, match="--model-name"):
        pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None)
    assert pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, "resnet").path.name == "resnet.tar.gz"
    with pytest.raises(pkg.PackagingError, match="not a model"):
        pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, "bert")


def test_the_example_repository_packs_and_the_cli_reports_refusals(tmp_path: Path) -> None:
    out = tmp_path / "ensemble.tar.gz"
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            str(TRITON_DIR / "model_repository"),
            "--triton-image",
            IMAGE_24_05,
            "--no-upload",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    names = members(out)
    for model in ("ensemble_model", "detector", "segmenter", "postprocess"):
        assert f"{model}/config.pbtxt" in names
    assert not [m for m in names.values() if m.issym()]
    bad = make_repository(tmp_path)
    (bad / "stray").mkdir()
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(bad), "--triton-image", "24.05", "--bucket", "b"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "stray" in done.stderr
    assert done.stdout == ""


IMAGE_24_05 = "763104351884.dkr.ecr.eu-north-1.amazonaws.com/sagemaker-tritonserver:24.05-py3"


def test_the_example_environment_is_the_python_of_the_24_05_stub(tmp_path: Path) -> None:
    env = TRITON_DIR / "model_repository" / "postprocess" / "python_env" / "lib"
    assert sorted(p.name for p in env.glob("python3.*")) == ["python3.10"]
    assert pkg.triton_python(IMAGE_24_05) == "3.10"
    package = pkg.build_archive(
        TRITON_DIR / "model_repository", tmp_path, pkg.DEFAULT_EXCLUDES, None, IMAGE_24_05
    )
    assert "postprocess/python_env/lib/python3.10/site-packages/postprocess_utils.py" in package.files


def test_an_environment_of_another_python_is_refused_naming_both_versions(tmp_path: Path) -> None:
    repo = make_repository(tmp_path)  # its environment is Python 3.11
    with pytest.raises(pkg.PackagingError) as refused:
        pkg.build_archive(repo, tmp_path, pkg.DEFAULT_EXCLUDES, None, IMAGE_24_05)
    message = str(refused.value)
    assert "Python 3.11" in message and "Python 3.10" in message and "conda" in message and "stub" in message
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            str(repo),
            "--triton-image",
            "24.05",
            "--no-upload",
            "--output",
            "x.tgz",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 1 and "Python 3.10" in done.stderr
    assert not (tmp_path / "x.tgz").exists()


def test_an_image_of_an_unknown_release_is_refused(tmp_path: Path) -> None:
    with pytest.raises(pkg.PackagingError, match="no Python version known"):
        pkg.triton_python("763104351884.dkr.ecr.eu-north-1.amazonaws.com/sagemaker-tritonserver:99.01-py3")
