"""The hostile-input suite: generated repositories that try to make remit read outside the scanned root, hang,
crash, inject into reports or switch its gate off.

Every case builds its world in ``tmp_path``: ``world/outside/`` holds canary files whose tokens must never
appear in any output (every report format, stdout, stderr), ``world/repo/`` is the scanned root and always
holds ``good.yaml``, a template with a known finding that must survive whatever else the repository does. Slow
cases are marked ``hostile_slow`` and run by ``make test-hostile``.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from remit.api import scan
from remit.options import ScanOptions
from remit.report import Format, render
from remit.result import ScanResult

GOOD_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  GoodFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return {}"
      FunctionUrlConfig:
        AuthType: NONE
"""
GOOD_FINDING = ("RMT-LAMBDA-001", "good.yaml", 11)
# a Python function in fn/ and a Node.js function in node/, for inputs that need code or manifests to read
TWO_FUNCTIONS = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: fn/}
  NodeFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: node/}
"""


@dataclass(frozen=True)
class World:
    top: Path
    repo: Path
    outside: Path

    def canary(self, name: str, token: str, text: str | None = None) -> Path:
        """A file outside the root whose content carries ``token``."""
        path = self.outside / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text is not None else f"{token}\n", encoding="utf-8")
        return path

    def write(self, rel: str, text: str) -> Path:
        path = self.repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def link(self, rel: str, target: Path) -> Path:
        path = self.repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target, target_is_directory=target.is_dir())
        return path


def make_world(tmp_path: Path) -> World:
    top = tmp_path / "world"
    repo, outside = top / "repo", top / "outside"
    repo.mkdir(parents=True)
    outside.mkdir()
    (repo / "good.yaml").write_text(GOOD_TEMPLATE, encoding="utf-8")
    return World(top, repo, outside)


def all_outputs(result: ScanResult) -> dict[str, str]:
    """Every report format of one result."""
    return {fmt.value: render(result, fmt) for fmt in Format}


def scan_world(world: World, options: ScanOptions | None = None) -> ScanResult:
    return scan([world.repo], options or ScanOptions(parallel=False))


def good_finding_survives(result: ScanResult) -> None:
    found = {(f.rule_id, f.location.path, f.location.line) for f in result.findings}
    assert GOOD_FINDING in found, sorted(found)[:20]


def assert_no_leak(outputs: dict[str, str], tokens: tuple[str, ...], world: World) -> None:
    """No canary token, no directory of this machine, in any output."""
    places = {str(world.top), str(world.top.resolve()), str(Path.cwd()), "pytest-of-"}
    home = os.path.expanduser("~")
    if home not in ("/", "~"):
        places.add(home)
    for name, text in outputs.items():
        lowered = text.lower()
        for token in tokens:
            assert token.lower() not in lowered, f"{token} leaked into the {name} output"
        for place in places:
            at = text.find(place)
            assert at < 0, f"the {name} output names a directory of this machine: {text[max(0, at - 80):at + 80]!r}"


@contextmanager
def bounded(seconds: float, megabytes: float | None = None) -> Iterator[None]:
    """The block ends within ``seconds`` of wall time (and allocates at most ``megabytes`` at its peak)."""
    if megabytes is not None:
        tracemalloc.start()
    start = time.monotonic()
    try:
        yield
    finally:
        elapsed = time.monotonic() - start
        peak = 0
        if megabytes is not None:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f}s, over the {seconds}s bound"
    if megabytes is not None:
        assert peak < megabytes * 2**20, f"peak {peak / 2**20:.0f} MB, over the {megabytes} MB bound"
