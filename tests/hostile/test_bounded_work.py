"""Inputs that made remit's work grow with the square of their size end in bounded time."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from remit.deps.manifests import line_of
from remit.secretscan import find_in_text

from .conftest import TWO_FUNCTIONS, World, bounded, good_finding_survives, make_world, scan_world


@pytest.mark.parametrize("text", ["sk-proj-" * 50_000, "xoxb-" * 80_000, "a://b:cc" * 50_000])
def test_secret_patterns_are_linear(text: str) -> None:
    start = time.monotonic()
    list(find_in_text(text))
    assert time.monotonic() - start < 2


def test_line_lookups_do_not_rescan_the_file() -> None:
    text = "{\n" + ",\n".join(f'"p{i}": "1.0"' for i in range(50_000)) + "\n}\n"
    start = time.monotonic()
    lines = [line_of(text, f'"p{i}"') for i in range(0, 50_000, 7)]
    assert time.monotonic() - start < 2
    assert lines[:3] == [2, 9, 16]
    assert line_of(text, '"absent"', 5) == 5


def _heavy_world(tmp_path: Path, size: int) -> World:
    world = make_world(tmp_path)
    world.write("functions.yaml", TWO_FUNCTIONS)
    world.write("fn/app.py", 'def handler(e, c):\n    return 1\nX = "' + "sk-proj-" * (size // 8) + '"\n')
    world.write("fn/requirements.txt", "\\\n" * (size // 2) + "".join(f"pkg{i}==1.0\n" for i in range(size // 80)))
    world.write("node/index.js", "exports.handler = async (event) => { return `" + "${a}`+`" * (size // 8) + "`; };\n")
    world.write("node/package.json", '{"name": "x", "dependencies": {'
                + ",".join(f'"p{i}": "1.0.{i}"' for i in range(size // 20)) + "}}")
    return world


def test_heavy_manifests_and_code_small(tmp_path: Path) -> None:
    world = _heavy_world(tmp_path, 40_000)
    with bounded(60):
        result = scan_world(world)
    good_finding_survives(result)


@pytest.mark.hostile_slow
def test_heavy_manifests_and_code_400k(tmp_path: Path) -> None:
    world = _heavy_world(tmp_path, 400_000)
    with bounded(120):
        result = scan_world(world)
    good_finding_survives(result)



def test_resource_count_is_capped_with_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import remit.guard

    monkeypatch.setattr(remit.guard, "MAX_RESOURCES", 5)
    world = make_world(tmp_path)
    world.write("many.json", json.dumps({"Resources": {f"Q{i}": {"Type": "AWS::SQS::Queue"} for i in range(9)}}))
    result = scan_world(world)
    good_finding_survives(result)
    assert [(d.path, d.level.value, d.message) for d in result.diagnostics if d.code == "too-many-resources"] == [
        ("many.json", "error", "9 resources, over the limit of 5: only the first 5 are analysed")]
    assert sorted(r.logical_id for r in result.application.resources if r.logical_id.startswith("Q")) == [
        "Q0", "Q1", "Q2", "Q3", "Q4"]


@pytest.mark.hostile_slow
def test_a_45_mb_template_of_600k_resources_ends_in_bounded_time_and_memory(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    resources = {f"Q{i}": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1}} for i in range(600_000)}
    world.write("huge.json", json.dumps({"Resources": resources}))
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-P", "-m", "remit", "scan", str(world.repo), "--no-parallel", "-f",
                           "json"], capture_output=True, text=True, timeout=300, check=False)
    elapsed = time.monotonic() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert done.returncode == 1, done.stderr
    assert elapsed < 120
    assert peak_mb < 2048
    report = json.loads(done.stdout)
    assert any(d["code"] == "too-many-resources" for d in report["diagnostics"])
    assert any(f["rule_id"] == "RMT-LAMBDA-001" and f["location"]["path"] == "good.yaml" for f in report["findings"])


@pytest.mark.hostile_slow
def test_nested_template_literals_are_scanned_once(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    world.write("functions.yaml", TWO_FUNCTIONS)
    fragment = "sk-proj-" * 250
    world.write("node/index.js", "exports.handler = async (event) => " + ("`" + fragment + "${") * 150
                + "event.body" + ("}" + fragment + "`") * 150 + ";\n")  # 600 KB; every level held all inner ones
    with bounded(10):
        result = scan_world(world)
    good_finding_survives(result)
