"""``python -m remit`` inside a hostile checkout does not import that checkout's modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import make_world


def test_python_m_remit_ignores_modules_in_the_current_directory(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    marker = tmp_path / "imported"
    for name in ("yaml", "rich", "samtranslator", "boto3", "packaging", "jinja2", "tree_sitter"):
        (world.repo / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write({name!r})\n")
    done = subprocess.run([sys.executable, "-m", "remit", "scan", ".", "--no-parallel", "-q"], cwd=world.repo,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert not marker.exists(), marker.read_text()
