"""What the least-privilege findings say: unused and used actions, the calls behind them, where to fix."""

from __future__ import annotations

from remit.api import scan
from remit.options import ScanOptions

from .conftest import FIXTURES

PERM1 = FIXTURES / "rules" / "RMT-PERM-001"
PERM2 = FIXTURES / "rules" / "RMT-PERM-002"


def _findings(directory: str, rule: str) -> dict[int, dict[str, str]]:
    result = scan([FIXTURES / "rules" / directory], ScanOptions(select=(rule,), strict=True))
    return {f.location.line: {**dict(f.details), "message": f.message,
                              "flow": " | ".join(f"{s.location}: {s.label}" for s in f.flow)}
            for f in result.findings if f.rule_id == rule}


def test_unused_grants_say_what_is_used_and_where() -> None:
    found = _findings("RMT-PERM-001", "RMT-PERM-001")
    wide = found[50]  # dynamodb:* on the table
    assert wide["unused"] == "dynamodb:*"
    assert "s3:GetObject" in wide["used"]
    assert wide["functions"] == "WideFunction"
    shared = found[170]  # s3:DeleteObject of the role two functions share
    assert shared["functions"] == "ReaderFunction, WriterFunction"
    assert {"s3:GetObject", "s3:PutObject"} <= set(shared["used"].split(", "))
    assert "actions the code of ReaderFunction, WriterFunction never uses: s3:DeleteObject" in shared["message"]


def test_a_wide_grant_lists_the_calls_it_is_used_for() -> None:
    result = scan([FIXTURES.parent.parent / "examples" / "orders-app"], ScanOptions(select=("RMT-PERM-001",)))
    star = next(f for f in result.findings if dict(f.details).get("unused") == "s3:*")
    assert "of which the code uses only s3:PutObject" in star.message
    assert [s.location.path for s in star.flow] == ["template.yaml", "src/orders/app.py"]


def test_missing_grants_name_the_call_the_action_and_the_resource() -> None:
    found = {f["function"]: f for f in _findings("RMT-PERM-002", "RMT-PERM-002").values()}
    partiql = found["PartiqlFunction"]
    assert partiql["action"] == "dynamodb:PartiQLSelect"
    assert partiql["resource"] == "${Orders.Arn}"
    assert partiql["calls"] == "src/partiql/app.py:10"
    assert partiql["flow"].startswith("src/partiql/app.py:10: ddb.execute_statement calls dynamodb ExecuteStatement")
    denied = found["DeniedFunction"]
    assert "an explicit Deny refuses it" in denied["message"]
    secret = found["SecretFunction"]
    assert secret["action"] == "kms:Decrypt"
    assert secret["resource"] == "${SigningKey.Arn}"


def test_functions_not_assessed_are_said() -> None:
    result = scan([PERM1], ScanOptions(select=("RMT-PERM-001",), strict=True))
    said = {d.message.split(":", 1)[0]: d.message for d in result.diagnostics if d.code == "perm-not-assessed"}
    assert set(said) == {"DynamicFunction", "PowertoolsFunction"}
    assert "getattr(sns, operation) at src/dynamic/app.py:10" in said["DynamicFunction"]
    assert said["PowertoolsFunction"] == (
        "PowertoolsFunction: unused permissions of appconfig, dynamodb, secretsmanager, ssm not assessed "
        "(RMT-PERM-001): it imports aws_lambda_powertools.utilities.parameters, which calls them with the role")
    quiet = scan([PERM1], ScanOptions(select=("RMT-PERM-002",), strict=True))
    assert not [d for d in quiet.diagnostics if d.code == "perm-not-assessed"]
