"""Attack paths are results of their own: a stable id, suppression by that id (template metadata, baselines),
``--fail-on`` applies to them, audit mode shows them all, and the text and Markdown reports put them first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from remit.api import scan
from remit.cli import EXIT_CLEAN, EXIT_FINDINGS, main
from remit.findings import SuppressionKind
from remit.options import ScanOptions
from remit.report import Format, render

from .conftest import FIXTURES

APP = FIXTURES / "graph" / "footholds"
LEDGER = "AP-d18f9aad87ae"  # leaked key of Builder -> bucket Ledger
PARTNER = "AP-3b5e7addff8c"  # a principal given at deploy time -> bucket Ledger (medium)


def _copy(tmp_path: Path, metadata: str = "") -> Path:
    root = tmp_path / "app"
    shutil.copytree(APP, root)
    if metadata:
        template = root / "template.yaml"
        text = template.read_text()
        template.write_text(text.replace('AWSTemplateFormatVersion: "2010-09-09"\n',
                                         f'AWSTemplateFormatVersion: "2010-09-09"\n{metadata}', 1))
    return root


def test_the_id_is_a_fingerprint_that_survives_moved_lines(tmp_path: Path) -> None:
    before = {p.id for p in scan([APP], ScanOptions()).attack_paths}
    root = _copy(tmp_path, "# a comment\n# and another: every line below moves\n")
    after = {p.id for p in scan([root], ScanOptions()).attack_paths}
    assert LEDGER in before
    assert before == after


def test_a_template_ignore_entry_suppresses_a_path_by_its_id(tmp_path: Path) -> None:
    root = _copy(tmp_path, f"Metadata:\n  remit:\n    ignore:\n      - id: {LEDGER}\n"
                           "        reason: CI key is vaulted and rotated daily\n")
    result = scan([root], ScanOptions())
    by_id = {p.id: p for p in result.attack_paths}
    suppression = by_id[LEDGER].suppression
    assert suppression is not None
    assert (suppression.kind, suppression.reason) == (SuppressionKind.TEMPLATE, "CI key is vaulted and rotated daily")
    assert suppression.location is not None
    assert (suppression.location.path, suppression.location.line) == ("template.yaml", 9)  # the entry
    assert LEDGER not in {p.id for p in result.active_paths}
    assert LEDGER not in {p.id for p in result.failing_paths}
    report = json.loads(render(result, Format.JSON))
    entry = next(p for p in report["attack_paths"] if p["id"] == LEDGER)
    assert entry["suppressed"] is True
    assert entry["suppression"]["kind"] == "template"
    assert report["summary"]["attack_paths"] == len(result.attack_paths) - 1
    text = render(result, Format.TEXT)
    assert f"  {LEDGER} someone holding a leaked access key" in text  # listed under Suppressed
    audited = scan([root], ScanOptions(audit=True))
    assert LEDGER in {p.id for p in audited.active_paths}  # audit mode hides nothing


def test_a_baseline_records_and_suppresses_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", str(APP), "--no-config", "-o", str(baseline), "--reason", "accepted at launch"]) == 0
    written = json.loads(baseline.read_text())
    assert {p["id"] for p in written["attack_paths"]} == {p.id for p in scan([APP], ScanOptions()).attack_paths}
    assert all(p["reason"] == "accepted at launch" for p in written["attack_paths"])
    capsys.readouterr()
    assert main(["scan", str(APP), "--no-config", "--baseline", str(baseline), "-f", "json"]) == EXIT_CLEAN
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["attack_paths"] == 0
    assert all(p["suppression"]["kind"] == "baseline" for p in report["attack_paths"])


def test_fail_on_applies_to_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With every finding suppressed, the paths alone decide the exit code."""
    root = _copy(tmp_path, "Metadata:\n  remit:\n    ignore:\n      - id: '*'\n        reason: findings reviewed\n")
    assert main(["scan", str(root), "--no-config", "--fail-on", "critical", "-f", "json"]) == EXIT_FINDINGS
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["failing"] == 0
    assert report["summary"]["failing_paths"] == 1  # the one critical path: any GitHub workflow reads the ledger
    assert main(["scan", str(root), "--no-config", "--fail-on", "none"]) == EXIT_CLEAN


def test_text_and_markdown_show_paths_before_findings() -> None:
    result = scan([APP], ScanOptions())
    text = render(result, Format.TEXT)
    assert text.index("Attack paths (10, top 5 shown") < text.index("RMT-IAM-001")
    markdown = render(result, Format.MARKDOWN)
    assert markdown.index("**Attack paths (10)**") < markdown.index("| Severity | Rule |")
    assert f"| 🟨 medium | another AWS account can read bucket Ledger through role PartnerRole | attacker " \
           f"other-account → role PartnerRole → data Ledger | `{PARTNER}` |" in markdown


def test_a_clean_app_says_no_path_was_found(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
                                            "  Quiet:\n    Type: AWS::SQS::Queue\n")
    text = render(scan([tmp_path], ScanOptions()), Format.TEXT)
    assert "\nAttack paths: none found\n" in text


def test_many_suppressions_collapse_to_a_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A baseline of every finding and path: the text report counts them by kind instead of listing them."""
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", str(APP), "--no-config", "-o", str(baseline)]) == 0
    capsys.readouterr()
    assert main(["scan", str(APP), "--no-config", "--baseline", str(baseline)]) == EXIT_CLEAN
    text = capsys.readouterr().out
    result = scan([APP], ScanOptions())
    total = len(result.findings) + len(result.attack_paths)
    assert total > 10
    assert f"Suppressed ({total}): baseline {total} (each with its reason in --format json or sarif" in text
    assert "Attack paths: none found" in text
