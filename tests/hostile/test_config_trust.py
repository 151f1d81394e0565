"""A configuration file in the scanned tree cannot switch the gate off unnoticed, nor read outside the root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remit.cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, main

from .conftest import make_world

SWITCH_OFF = 'fail-on = "none"\nignore = ["RMT-LAMBDA-001"]\n'


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["scan", "--no-parallel", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_tree_config_is_named_in_every_headline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world(tmp_path)
    (world.repo / ".remit.toml").write_text(SWITCH_OFF)
    code, out, _ = _run(capsys, str(world.repo))
    assert code == EXIT_CLEAN  # the repository's own word is honoured...
    assert "configured by the scanned tree: .remit.toml sets fail-on, ignore (--no-config or --audit ignores it)" \
        in out  # ...and said where a reviewer looks first
    code, out, _ = _run(capsys, str(world.repo), "-f", "markdown")
    assert "⚠️ Configured by the scanned repository: .remit.toml sets fail-on, ignore" in out
    code, out, _ = _run(capsys, str(world.repo), "-f", "json")
    notes = [d for d in json.loads(out)["diagnostics"] if d["code"] == "config-from-scanned-tree"]
    assert [(d["path"], d["level"]) for d in notes] == [(".remit.toml", "warning")]


@pytest.mark.parametrize("flag", ["--no-config", "--audit"])
def test_no_config_and_audit_ignore_the_tree_config(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    flag: str) -> None:
    world = make_world(tmp_path)
    (world.repo / ".remit.toml").write_text(SWITCH_OFF)
    code, out, _ = _run(capsys, str(world.repo), flag, "-f", "json")
    assert code == EXIT_FINDINGS
    assert "RMT-LAMBDA-001" in {f["rule_id"] for f in json.loads(out)["findings"]}
    assert "config-from-scanned-tree" not in out


def test_a_config_given_on_the_command_line_is_trusted_and_not_flagged(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world(tmp_path)
    mine = tmp_path / "mine.toml"
    mine.write_text('fail-on = "critical"\n')
    code, out, _ = _run(capsys, str(world.repo), "--audit", "--config", str(mine))
    assert code == EXIT_CLEAN
    assert "configured by the scanned tree" not in out


def test_the_search_never_climbs_above_the_scanned_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world(tmp_path)
    (world.top / ".remit.toml").write_text(SWITCH_OFF)  # beside the checkout, not in it
    (world.top / "pyproject.toml").write_text("[tool.remit]\n" + SWITCH_OFF)
    code, out, _ = _run(capsys, str(world.repo))
    assert code == EXIT_FINDINGS
    assert "configured by the scanned tree" not in out


@pytest.mark.parametrize("setting", ['baseline = "../outside/baseline.json"', 'advisories = ["../outside/osv"]',
                                     'baseline = "/etc/hostname"'])
def test_paths_a_tree_config_names_stay_inside_the_root(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         setting: str) -> None:
    world = make_world(tmp_path)
    world.canary("baseline.json", "", json.dumps({"findings": [], "cnrybaseq7": 1}))
    (world.outside / "osv").mkdir()
    (world.repo / ".remit.toml").write_text(setting + "\n")
    code, out, err = _run(capsys, str(world.repo))
    assert code == EXIT_USAGE
    assert "lies outside the scanned root" in err
    assert "cnrybaseq7" not in out + err
