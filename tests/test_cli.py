"""The command line: commands, options, exit codes, suppressions and baselines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from remit.cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, main

from .conftest import FIXTURES, ROOT

APP = FIXTURES / "cli" / "app"
EMPTY = FIXTURES / "cli" / "empty"
ONLY_URL = ["--select", "RMT-LAMBDA-001"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def json_report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run(capsys, "scan", *argv, "--format", "json", "--no-config")
    return code, json.loads(out)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("remit ")


def test_version_imports_nothing_heavy() -> None:
    probe = ("import sys; import remit.cli as c\n"
             "try:\n    c.main(['--version'])\nexcept SystemExit:\n    pass\n"
             "heavy = [m for m in ('yaml', 'samtranslator', 'boto3', 'botocore', 'remit.model.build') "
             "if m in sys.modules]\nprint(heavy)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def test_python_dash_m_works() -> None:
    done = subprocess.run([sys.executable, "-m", "remit", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("remit ")


def test_the_process_exits_with_the_scan_code_and_its_whole_report(tmp_path: Path) -> None:
    # the console entry ends the process without the interpreter's teardown: the exit code and the whole
    # report on stdout must still arrive
    done = subprocess.run([sys.executable, "-m", "remit", "scan", str(APP), "--no-config", *ONLY_URL,
                           "--format", "json", "--no-parallel"], capture_output=True, text=True, check=False,
                          env={**os.environ, "REMIT_CACHE_DIR": str(tmp_path)})
    assert done.returncode == EXIT_FINDINGS
    report = json.loads(done.stdout)
    assert {f["resource"] for f in report["findings"]} >= {"OpenFunction", "NoReasonFunction"}


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_USAGE


def test_findings_exit_one_and_suppressions_apply(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = json_report(capsys, str(APP), *ONLY_URL)
    assert code == EXIT_FINDINGS
    findings = report["findings"]
    assert isinstance(findings, list)
    state = {f["resource"]: (f["suppressed"], (f["suppression"] or {}).get("kind")) for f in findings}
    assert state == {
        "OpenFunction": (False, None),
        "AcceptedFunction": (True, "resource"),
        "TemplateSuppressed": (True, "template"),
        "NoReasonFunction": (False, None),
    }
    diags = [(d["code"], d["line"]) for d in report["diagnostics"]]  # type: ignore[union-attr]  # the report is parsed JSON
    no_reason_line = (APP / "template.yaml").read_text().splitlines().index("          - id: RMT-LAMBDA-001",
                                                                             40) + 1
    assert ("suppression-without-reason", no_reason_line) in diags


@pytest.mark.parametrize(("fail_on", "expected"), [("none", EXIT_CLEAN), ("critical", EXIT_CLEAN),
                                                   ("high", EXIT_FINDINGS), ("low", EXIT_FINDINGS)])
def test_fail_on_threshold(capsys: pytest.CaptureFixture[str], fail_on: str, expected: int) -> None:
    code, _, _ = run(capsys, "scan", str(APP), *ONLY_URL, "--fail-on", fail_on, "--no-config")
    assert code == expected


def test_nothing_scannable_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "scan", str(EMPTY))
    assert code == EXIT_USAGE
    assert "nothing to scan" in err


@pytest.mark.parametrize("argv", [
    ["scan", str(APP), "--select", "RMT-NOPE-999"],
    ["scan", str(APP), "--format", "xml"],
    ["scan", str(APP), "--baseline", "/nonexistent/baseline.json"],
    ["explain", "RMT-NOPE-999"],
])
def test_usage_errors_exit_two(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse rejects bad choices before main returns
        code = exit_.code  # type: ignore[assignment]  # SystemExit.code is int | str | None
    assert code == EXIT_USAGE
    assert "error" in capsys.readouterr().err


def test_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.sarif"
    code, out, err = run(capsys, "scan", str(APP), *ONLY_URL, "-f", "sarif", "-o", str(target))
    assert code == EXIT_FINDINGS
    assert out == ""
    assert "wrote sarif report" in err
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_baseline_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    code, _, _ = run(capsys, "baseline", str(APP), *ONLY_URL, "-o", str(baseline))
    assert code == EXIT_CLEAN
    written = json.loads(baseline.read_text())
    assert sorted(e["resource"] for e in written["findings"]) == ["NoReasonFunction", "OpenFunction"]
    code, report = json_report(capsys, str(APP), *ONLY_URL, "--baseline", str(baseline))
    assert code == EXIT_CLEAN
    kinds = {f["resource"]: (f["suppression"] or {}).get("kind") for f in report["findings"]}  # type: ignore[union-attr]  # the report is parsed JSON
    assert kinds["OpenFunction"] == "baseline"


def test_select_and_ignore(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = json_report(capsys, str(APP), "--select", "LAMBDA", "--ignore", "RMT-LAMBDA-001")
    assert all(f["rule_id"] != "RMT-LAMBDA-001" for f in report["findings"])  # type: ignore[union-attr]  # the report is parsed JSON


def test_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / ".remit.toml"
    config.write_text('select = ["RMT-LAMBDA-001"]\nfail-on = "critical"\n[severity]\n"RMT-LAMBDA-001" = "low"\n')
    code, out, _ = run(capsys, "scan", str(APP), "--config", str(config), "-f", "json")
    assert code == EXIT_CLEAN
    report = json.loads(out)
    assert {f["severity"] for f in report["findings"]} == {"low"}
    config.write_text('bogus = 1\n')
    code, _, err = run(capsys, "scan", str(APP), "--config", str(config))
    assert code == EXIT_USAGE
    assert "unknown keys bogus" in err


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == EXIT_CLEAN
    assert "RMT-LAMBDA-001" in out
    code, out, _ = run(capsys, "rules", "-f", "json")
    assert any(r["id"] == "RMT-LAMBDA-001" for r in json.loads(out))
    code, out, _ = run(capsys, "explain", "rmt-lambda-001")
    assert code == EXIT_CLEAN
    assert "AuthType: NONE" in out
    sections = [line for line in out.splitlines() if line in {"What it finds", "Why an attacker cares", "How to fix"}]
    assert sections == ["What it finds", "Why an attacker cares", "How to fix"]
    assert "Anyone on the internet can invoke the function" in out


def test_text_output_has_no_colour_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "scan", str(APP), *ONLY_URL, "--no-config")
    assert "\x1b[" not in out
    assert "Summary:" in out
    _, out, _ = run(capsys, "scan", str(APP), *ONLY_URL, "--no-config", "--color", "always")
    assert "\x1b[" in out


def test_min_severity_compact_and_quiet_trim_the_report_not_the_exit_code(
        capsys: pytest.CaptureFixture[str]) -> None:
    example = ROOT / "examples" / "orders-app"
    code, out, _ = run(capsys, "scan", str(example), "--min-severity", "critical", "--compact")
    assert code == EXIT_FINDINGS  # the medium and low findings still fail at the default --fail-on low
    lines = out.splitlines()
    assert lines[3] == "configured by the scanned tree: .remit.toml sets advisories (--no-config or --audit ignores it)"
    assert lines[4].endswith("findings and attack paths below --min-severity are not shown")
    body = [ln for ln in lines[6:] if ln.strip()]
    assert body
    assert all(ln.startswith("CRITICAL ") for ln in body)
    assert any(ln.startswith("CRITICAL template.yaml:") and "  RMT-" in ln for ln in body)
    code, out, _ = run(capsys, "scan", str(example), "-q")
    assert code == EXIT_FINDINGS
    assert len(out.splitlines()) == 4  # the tool line, the counts, the threshold, the example's own configuration
    assert out.splitlines()[2].startswith("fail-on low: ")
