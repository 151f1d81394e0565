"""The wheel a user installs: built from this checkout, installed into a fresh virtualenv, scanning the example.

Hermetic: the wheel is built without build isolation (the backend comes with the test extra) and installed
without its dependencies, which the fresh environment borrows from the test environment through a ``.pth`` file
(a plain path line: the test environment's own ``.pth`` files, among them the editable install of this checkout,
are not processed, so the fresh environment imports remit from the wheel alone).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from remit import __version__

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", str(dist), str(source)], check=True, capture_output=True, timeout=300)
    (built,) = dist.glob("remit-*.whl")
    return built


def test_the_wheel_carries_the_license_data_and_metadata(wheel: Path) -> None:
    assert wheel.name == f"remit-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"remit-{__version__}.dist-info"
        assert f"{info}/licenses/LICENSE" in names
        assert zf.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        metadata = zf.read(f"{info}/METADATA").decode()
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert "remit = remit.cli:entry" in entry_points
    shipped = {p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src" / "remit").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert shipped <= names, sorted(shipped - names)


def test_installed_wheel_scans_the_example(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=300)
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "remit_test_dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")

    where = subprocess.run([str(python), "-c", "import remit; print(remit.__file__)"], check=True,
                           capture_output=True, text=True).stdout.strip()
    assert Path(where).is_relative_to(env_dir), where

    remit = env_dir / "bin" / "remit"
    version = subprocess.run([str(remit), "--version"], check=True, capture_output=True, text=True, timeout=60)
    assert version.stdout.splitlines()[0].startswith(f"remit {__version__} (advisory database: ")

    app = tmp_path / "orders-app"
    shutil.copytree(ROOT / "examples" / "orders-app", app)
    scan = subprocess.run([str(remit), "scan", str(app), "--format", "json", "--fail-on", "none", "--no-config"],
                          check=False, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert scan.returncode == 0, scan.stderr
    report = json.loads(scan.stdout)
    assert report["tool"] == {"name": "remit", "version": __version__}
    rules = {f["rule_id"] for f in report["findings"]}
    assert {"RMT-LAMBDA-004", "RMT-CODE-001", "RMT-IAM-020"} <= rules, sorted(rules)
