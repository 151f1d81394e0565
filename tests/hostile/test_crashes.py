"""Any exception in one file is that file's diagnostic; the scan goes on and exits 0 or 1, never 2 or 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remit.cli import EXIT_FINDINGS, main

from .conftest import TWO_FUNCTIONS, World, all_outputs, bounded, good_finding_survives, make_world, scan_world

BIG = "9" * 5000  # past Python's 4300-digit limit for int <-> str
DEEP = 100_000


def _function(world: World) -> None:
    world.write("functions.yaml", TWO_FUNCTIONS)
    world.write("fn/app.py", "def handler(event, context):\n    return {}\n")
    world.write("node/index.js", "exports.handler = async () => ({});\n")


CASES: dict[str, dict[str, str]] = {
    "big-int-yaml": {"big.yaml": f"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                                 f"      DelaySeconds: {BIG}\n"},
    "big-int-json": {"big.json": f'{{"Resources": {{"Q": {{"Type": "AWS::SQS::Queue", "Properties": '
                                 f'{{"DelaySeconds": {BIG}}}}}}}}}'},
    "big-int-package-json": {"node/package.json": f'{{"name": "n", "version": {BIG}}}'},
    "big-int-lock": {"node/package-lock.json": f'{{"lockfileVersion": {BIG}, "packages": {{}}}}'},
    "big-int-pyproject": {"fn/pyproject.toml": f"[project]\nname = 'x'\nversion = {BIG}\n"},
    "deep-package-json": {"node/package.json": "[" * DEEP + "]" * DEEP},
    "deep-package-lock": {"node/package-lock.json": '{"packages": ' + "[" * DEEP + "]" * DEEP + "}"},
    "deep-pyproject": {"fn/pyproject.toml": "[project]\nname = 'x'\ndependencies = " + "[" * DEEP + "]" * DEEP
                       + "\n"},
    "deep-pipfile-lock": {"fn/Pipfile.lock": "[" * DEEP + "]" * DEEP},
    "deep-poetry-lock": {"fn/poetry.lock": "a = " + "[" * DEEP + "]" * DEEP + "\n"},
    "deep-cdk-manifest": {"cdk.out/manifest.json": '{"version": "36.0.0", "artifacts": ' + "[" * DEEP
                          + "]" * DEEP + "}"},
    "deep-plan": {"plan.json": '{"format_version": "1.2", "terraform_version": "1.9", "planned_values": '
                  + "[" * DEEP + "]" * DEEP + "}"},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_bad_file_costs_that_file(tmp_path: Path, case: str) -> None:
    world = make_world(tmp_path)
    _function(world)
    for rel, text in CASES[case].items():
        world.write(rel, text)
    with bounded(60):
        result = scan_world(world)
        outputs = all_outputs(result)
    good_finding_survives(result)
    assert outputs["json"]
    assert main(["scan", str(world.repo), "--no-parallel", "-f", "json", "-o", str(tmp_path / "r.json")]) \
        == EXIT_FINDINGS


def test_advisory_records_that_are_deep_or_malformed(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    _function(world)
    world.write("fn/requirements.txt", "requests==2.0.0\n")
    osv = tmp_path / "osv"
    osv.mkdir()
    (osv / "deep.json").write_text("[" * DEEP + "]" * DEEP)
    (osv / "bigint.json").write_text(f'{{"id": "X-1", "modified": {BIG}}}')
    (osv / "list.json").write_text("[1, 2]")
    (osv / "noaffected.json").write_text(json.dumps({"id": "X-2", "affected": [{"package": None}, 7, "x"]}))
    (osv / "badranges.json").write_text(json.dumps({"id": "X-3", "affected": [
        {"package": {"ecosystem": "PyPI", "name": "requests"}, "ranges": [{"type": "ECOSYSTEM", "events": 5}],
         "versions": 3}]}))
    assert main(["scan", str(world.repo), "--no-parallel", "--advisories", str(osv), "-f", "json", "-o",
                 str(tmp_path / "r.json")]) == EXIT_FINDINGS


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8 \xc3\x28", b"fail-on = " + b"[" * DEEP + b"]" * DEEP,
                                     b"fail-on = " + BIG.encode()])
def test_a_broken_configuration_file_is_a_usage_error_not_a_crash(tmp_path: Path, content: bytes,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world(tmp_path)
    (world.repo / ".remit.toml").write_bytes(content)
    assert main(["scan", str(world.repo), "--no-parallel", "-q"]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err
    assert ".remit.toml" in err


def test_a_pyproject_that_is_not_utf8_is_not_a_configuration(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    (world.repo / "pyproject.toml").write_bytes(b"[tool.remit]\nfail-on = '\xff'\n")
    assert main(["scan", str(world.repo), "--no-parallel", "-q"]) == EXIT_FINDINGS


def test_a_defect_reading_one_function_directory_costs_that_directory(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from remit.deps import manifests

    real = manifests.read_directory

    def flaky(directory: Path, root: Path):  # type: ignore[no-untyped-def]  # stands in for a typed function it replaces
        if directory.name == "fn":
            raise RuntimeError("a defect the input found")
        return real(directory, root)

    monkeypatch.setattr(manifests, "read_directory", flaky)
    world = make_world(tmp_path)
    _function(world)
    world.write("node/package.json", '{"name": "n", "dependencies": {"left-pad": "1.0.0"}}')
    result = scan_world(world)
    good_finding_survives(result)
    assert [(d.path, d.code) for d in result.diagnostics if d.code == "input-error"] == [("fn", "input-error")]
    assert [p.name for deps in result.analysis.deps.functions.values() for p in deps.packages] == ["left-pad"]
