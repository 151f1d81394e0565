"""What a scan could not check is said in every format's headline, never only in the diagnostics: infrastructure
remit could not read at all, and values it could not resolve."""

from __future__ import annotations

import json
from pathlib import Path

from remit.api import scan
from remit.options import ScanOptions
from remit.report import Format, blind_spots, render

TERRAFORM = """\
module "network" {
  source = "terraform-aws-modules/vpc/aws"
}

resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
"""

SERVERLESS = """\
service: reports
provider:
  name: aws
  runtime: python3.12
  environment:
    STAGE_NAME: ${param:stageName}
functions:
  build:
    handler: handler.main
"""


def _app(root: Path) -> Path:
    (root / "infra").mkdir(parents=True)
    (root / "infra" / "main.tf").write_text(TERRAFORM)
    (root / "service").mkdir()
    (root / "service" / "serverless.yml").write_text(SERVERLESS)
    return root


def test_unread_infrastructure_and_unresolved_values_lead_every_format(tmp_path: Path) -> None:
    result = scan([_app(tmp_path)], ScanOptions(strict=True))
    assert result.iac_not_read == 1
    assert result.unresolved_values >= 1
    said = blind_spots(result)
    unread = next(line for line in said if "of the infrastructure could not be read" in line)
    unresolved = next(line for line in said if "could not be resolved" in line)
    text = render(result, Format.TEXT)
    head = text.split("\n\n", 1)[0]  # the first screen, before the attack paths
    assert f"not checked: {unread}" in head
    assert f"not checked: {unresolved}" in head
    markdown = render(result, Format.MARKDOWN)
    assert f"⚠️ Not checked: {unread}." in markdown.split("\n\n", 2)[1]
    assert f"Not checked: {unread}." in render(result, Format.HTML)
    assert json.loads(render(result, Format.JSON))["summary"]["not_checked"] == list(said)
    properties = json.loads(render(result, Format.SARIF))["runs"][0]["properties"]
    assert properties["infrastructureNotRead"] == 1
    assert unread in properties["notChecked"]
    assert unresolved in properties["notChecked"]


def test_a_fully_read_app_has_no_blind_spots(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TERRAFORM.split("\n\n", 1)[1])
    result = scan([tmp_path], ScanOptions(strict=True))
    assert blind_spots(result) == ()
    assert "not checked" not in render(result, Format.TEXT)
