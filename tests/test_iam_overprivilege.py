"""The over-privilege rules (RMT-IAM-001..003, RMT-IAM-030..036): severities, details and the choices the
fixtures cannot show by line alone (conditional grants one level lower, one finding per principal, no
duplicates for an administrator)."""

from __future__ import annotations

from pathlib import Path

import pytest

from remit.api import scan
from remit.findings import Finding, Severity
from remit.iam import arns
from remit.options import ScanOptions
from remit.rules.iam._effective import probes

from .conftest import FIXTURES, ROOT

RULES = FIXTURES / "rules"


def _findings(rule_id: str, directory: Path | None = None) -> list[Finding]:
    result = scan([directory or RULES / rule_id], ScanOptions(select=(rule_id,)))
    return [f for f in result.findings if f.rule_id == rule_id]


def _by_principal(findings: list[Finding]) -> dict[str, Finding]:
    return {dict(f.details)["principal"]: f for f in findings}


def test_probes_name_nothing_of_the_template_and_skip_unscopable_actions() -> None:
    assert probes("s3:GetObject")
    assert all("remit-probe" in p for p in probes("s3:GetObject"))
    assert all(p.startswith(f"arn:aws:secretsmanager:us-east-1:{arns.ACCOUNT}:secret:") for p in
               probes("secretsmanager:GetSecretValue"))
    for action in ("sts:GetCallerIdentity", "xray:PutTraceSegments", "ec2:DescribeInstances",
                   "ecr:GetAuthorizationToken"):
        assert probes(action) == ()


@pytest.mark.parametrize(("rule_id", "principal", "plain", "conditional"), [
    ("RMT-IAM-030", "ConditionalFunctionRole", None, Severity.LOW),
    ("RMT-IAM-031", "VpceOnlyFunctionRole", None, Severity.MEDIUM),
    ("RMT-IAM-031", "ReaderFunctionRole", Severity.HIGH, None),
    ("RMT-IAM-032", "FederationUser", None, Severity.MEDIUM),
    ("RMT-IAM-033", "SharingUser", None, Severity.MEDIUM),
    ("RMT-IAM-034", "StackCleanerRole", None, Severity.LOW),
    ("RMT-IAM-034", "SchedulerFunctionRole", Severity.MEDIUM, None),
])
def test_conditional_grants_are_one_level_lower(rule_id: str, principal: str, plain: Severity | None,
                                                conditional: Severity | None) -> None:
    found = _by_principal(_findings(rule_id))
    finding = found[principal]
    details = dict(finding.details)
    if conditional is not None:
        assert finding.severity is conditional
        assert details["conditional"] == "yes"
        assert "only if" in finding.message
    else:
        assert finding.severity is plain
        assert details["conditional"] == "no"


def test_one_finding_per_principal_lists_every_statement() -> None:
    reader = _by_principal(_findings("RMT-IAM-031"))["ReaderFunctionRole"]
    details = dict(reader.details)
    assert details["actions"].split(", ") == ["s3:GetObject", "secretsmanager:GetSecretValue", "kms:Decrypt"]
    assert len(details["statements"].split(", ")) == 2  # two statements, file:line each
    assert all(":" in place for place in details["statements"].split(", "))
    assert len(reader.flow) == 2


def test_write_wildcard_with_policy_actions_is_high() -> None:
    found = _by_principal(_findings("RMT-IAM-030"))
    assert found["PolicyWildcardFunctionRole"].severity is Severity.HIGH
    assert "sqs:AddPermission" in dict(found["PolicyWildcardFunctionRole"].details)["actions"]


def test_managed_full_access_names_what_the_code_calls() -> None:
    findings = _findings("RMT-IAM-035")
    orders = next(f for f in findings if "OrdersFunction" in f.message)
    assert "AmazonDynamoDBFullAccess, AmazonSQSFullAccess" in orders.message
    assert "its code calls only dynamodb:GetItem" in orders.message
    worker = next(f for f in findings if "WorkerRole" in f.message)
    assert "found no call" in worker.message


def test_sam_template_wildcard_severity_follows_what_it_reaches() -> None:
    found = _by_principal(_findings("RMT-IAM-036"))
    reader = found["ReaderFunctionRole"]
    assert reader.severity is Severity.HIGH
    assert dict(reader.details)["templates"] == "S3ReadPolicy, DynamoDBCrudPolicy"


def test_an_administrator_gets_only_rmt_iam_001() -> None:
    result = scan([RULES / "RMT-IAM-031"], ScanOptions(select=("IAM",)))
    admin = {f.rule_id for f in result.findings if f.rule_id.startswith("RMT-IAM")
             and ("AdminFunction" in f.message or "AdminFunction" in f.resource)}
    assert admin == {"RMT-IAM-001"}


def test_near_administrator_is_high_and_full_administrator_critical() -> None:
    found = _findings("RMT-IAM-001")
    near = next(f for f in found if "NearAdminFunction" in f.message)
    assert near.severity is Severity.HIGH
    full = next(f for f in found if "InlineStarFunction" in f.message)
    assert full.severity is Severity.CRITICAL


def test_every_new_rule_fires_on_the_bundled_example() -> None:
    result = scan([ROOT / "examples" / "orders-app"], ScanOptions(select=("IAM",)))
    fired = {f.rule_id for f in result.findings}
    assert {f"RMT-IAM-03{i}" for i in range(7)} <= fired
