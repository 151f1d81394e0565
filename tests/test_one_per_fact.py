"""One finding per fact: a Terraform module line however many instances use it, and a baseline that suppresses
the merged findings the reports show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remit.api import scan
from remit.cli import EXIT_CLEAN, EXIT_FINDINGS, main
from remit.options import ScanOptions

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "orders-app"

MODULE = """\
variable "name" {}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "this" {
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}
"""


def _app(root: Path, instances: list[str]) -> Path:
    (root / "modules" / "worker").mkdir(parents=True, exist_ok=True)
    (root / "modules" / "worker" / "main.tf").write_text(MODULE)
    (root / "main.tf").write_text("".join(f'module "{n}" {{\n  source = "./modules/worker"\n  name   = "{n}"\n}}\n\n'
                                          for n in instances))
    return root


def _iam003(root: Path) -> list[tuple[str, str, int, str]]:
    result = scan([root], ScanOptions(select=("RMT-IAM-003",), strict=True))
    return [(f.resource, f.fingerprint, f.location.line, f.message) for f in result.findings]


def test_a_module_line_is_one_finding_naming_its_instances(tmp_path: Path) -> None:
    found = _iam003(_app(tmp_path, ["orders", "billing", "audit"]))
    assert len(found) == 1
    resource, fp, line, message = found[0]
    assert (resource, line) == ("module.audit.aws_iam_role_policy.this", 15)
    assert message.endswith("Affects 3 instances: module.audit.aws_iam_role_policy.this, "
                            "module.billing.aws_iam_role_policy.this, module.orders.aws_iam_role_policy.this.")
    # another instance of the module: still one finding, and its fingerprint stays
    again = _iam003(_app(tmp_path, ["orders", "billing", "audit", "reports"]))
    assert [f for _, f, _, _ in again] == [fp]
    single = _iam003(_app(tmp_path, ["orders"]))
    assert [f for _, f, _, _ in single] == [fp]
    assert "Affects" not in single[0][3]


def test_a_baseline_suppresses_a_finding_several_functions_share(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The typosquat in a manifest two functions ship is one finding; its baseline entry suppresses it."""
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", str(EXAMPLE), "--select", "RMT-SUPPLY-001", "-o", str(baseline)]) == EXIT_CLEAN
    entries = json.loads(baseline.read_text())["findings"]
    assert len(entries) == 1
    capsys.readouterr()
    assert main(["scan", str(EXAMPLE), "--select", "RMT-SUPPLY-001", "-f", "json"]) == EXIT_FINDINGS
    plain = json.loads(capsys.readouterr().out)["findings"]
    assert "Affects 2 functions" in plain[0]["message"]
    assert main(["scan", str(EXAMPLE), "--select", "RMT-SUPPLY-001", "--baseline", str(baseline),
                 "-f", "json"]) == EXIT_CLEAN
    report = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["fingerprint"], f["suppression"]["kind"]) for f in report] == [(entries[0]["fingerprint"],
                                                                              "baseline")]
