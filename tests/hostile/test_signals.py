"""SIGTERM (timeout, docker stop, CI cancellation) ends remit and its helper process: exit 130, no orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from remit.cli import EXIT_INTERRUPTED

from .conftest import make_world

SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
{resources}
"""


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return {int(x) for x in out.stdout.split()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and ") Z " in stat.read_text())  # a zombie is not running


@pytest.mark.skipif(not Path("/proc").is_dir() or sys.platform != "linux", reason="needs ps and /proc (Linux)")
def test_sigterm_ends_the_scan_and_its_helper(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    functions = "\n".join(f"  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties: {{Runtime: python3.12, "
                          f"Handler: app.handler, InlineCode: 'x', FunctionUrlConfig: {{AuthType: NONE}}}}"
                          for i in range(400))
    for n in range(8):  # enough SAM templates for the helper process to be started
        world.write(f"t{n}.yaml", SAM.format(resources=functions))
    # every template to the translator, in the helper process (remit would expand these functions itself)
    env = {**os.environ, "REMIT_NO_PROGRESS": "1", "TMPDIR": str(tmp_path), "REMIT_NO_NATIVE_SAM": "1"}
    # the helper starts only when a core looks idle (api.spare_core); here it must start however busy the machine
    _sigterm_while_a_helper_works(tmp_path, world.repo, env, "import remit.api; remit.api.spare_core = lambda: True")


@pytest.mark.skipif(not Path("/proc").is_dir() or sys.platform != "linux", reason="needs ps and /proc (Linux)")
def test_sigterm_ends_the_scan_and_its_code_stage_helper(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    steps = "".join(f"def step{j}(event):\n    return os.environ.get(event['k{j}'])\n\n" for j in range(150))
    handler = f"import os\n\n{steps}def handler(event, context):\n    return step0(event)\n"
    functions = []
    for i in range(240):  # enough functions for the code stage to split (remit.code.SPLIT_MIN_FUNCTIONS)
        (world.repo / f"fn{i}").mkdir()
        (world.repo / f"fn{i}" / "app.py").write_text(handler)
        functions.append(f"  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties: {{Runtime: python3.12, "
                         f"Handler: app.handler, CodeUri: fn{i}/}}")
    world.write("template.yaml", SAM.format(resources="\n".join(functions)))
    env = {**os.environ, "REMIT_NO_PROGRESS": "1", "TMPDIR": str(tmp_path)}
    _sigterm_while_a_helper_works(tmp_path, world.repo, env,
                                  "import remit.parallel; remit.parallel.spare_core = lambda: True")


def _sigterm_while_a_helper_works(tmp_path: Path, repo: Path, env: dict[str, str], setup: str) -> None:
    start = f"{setup}; from remit.cli import entry; entry()"
    proc = subprocess.Popen([sys.executable, "-c", start, "scan", str(repo), "-q"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    helpers: set[int] = set()
    deadline = time.monotonic() + 60
    while not helpers and proc.poll() is None and time.monotonic() < deadline:
        helpers = _children(proc.pid)
        time.sleep(0.05)
    if not helpers:
        proc.kill()
        pytest.skip("the scan ended before its helper process could be seen")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "interrupted (SIGTERM)" in err
    time.sleep(0.5)
    assert not [pid for pid in helpers if _alive(pid)]
    assert not [p for p in tmp_path.iterdir() if p.name != "world"]  # no temporary files left behind
