"""Trust edges (IamEngine(app).trusted_by) as the trust rules read them, and the privilege-escalation fixes that the
near-miss fixtures of RMT-IAM-022/023 exposed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from remit.api import load_documents
from remit.iam.engine import IamEngine
from remit.iam.privesc import escalations
from remit.iam.reach import pins
from remit.loaders.sam import expander
from remit.model.application import Application
from remit.model.build import build
from remit.model.entities import Role
from remit.model.policy import ConditionClause
from remit.options import ScanOptions

from .conftest import FIXTURES

RULES = FIXTURES / "rules"


@cache
def model(path: Path) -> Application:
    root, docs, _ = load_documents([path], ScanOptions())
    app, _ = build(docs, root, expander(root))
    return app


def role(app: Application, logical_id: str) -> Role:
    return next(r for r in app.roles if r.logical_id == logical_id)


def edges(fixture: str, logical_id: str) -> list[tuple[str, bool, tuple[str, ...]]]:
    app = model(RULES / fixture)
    return [(e.kind, e.restricted, e.restricted_by) for e in IamEngine(app).trusted_by(role(app, logical_id))]


def test_anyone_is_judged_like_an_outsider() -> None:
    assert edges("RMT-TRUST-002", "OrgRole") == [
        ("anyone", True, ("StringEquals aws:PrincipalOrgID = o-a1b2c3d4e5",))]
    assert edges("RMT-TRUST-002", "ExternalIdOnlyRole") == [("anyone", False, ())]  # not a secret
    assert edges("RMT-TRUST-002", "WildcardAccountRole") == [("anyone", False, ())]
    assert edges("RMT-TRUST-002", "IfExistsOrgRole") == [("anyone", False, ())]
    assert edges("RMT-TRUST-001", "DeniedRole")[0][:2] == ("anyone", True)  # a Deny outsiders cannot dodge


def test_accounts_services_and_providers_name_what_pins_them() -> None:
    app = model(RULES / "RMT-TRUST-003")
    vendor = IamEngine(app).trusted_by(role(app, "ExternalIdRole"))[0]
    assert (vendor.kind, vendor.account, vendor.restricted) == ("account", "444455556666", True)
    assert vendor.restricted_by == ("StringEquals sts:ExternalId = 8f14e45f-ceea-467f-a0e6-0b7c8e5a3d21",)
    assert IamEngine(app).trusted_by(role(app, "WildcardExternalIdRole"))[0].restricted is False
    assert IamEngine(app).trusted_by(role(app, "OwnAccountRole"))[0].account == "self"
    assert edges("RMT-TRUST-004", "ScheduleRole") == [("service", False, ())]  # "*" pins nothing
    assert edges("RMT-TRUST-004", "PinnedWorkflowRole")[0][:2] == ("service", True)
    assert edges("RMT-TRUST-005", "PoolRole")[0][:2] == ("federated", True)
    assert edges("RMT-TRUST-005", "ClusterRole") == [("federated", False, ())]
    assert edges("RMT-TRUST-005", "ServiceAccountRole")[0][:2] == ("federated", True)


def test_pins() -> None:
    assert pins(ConditionClause("StringEquals", "aws:SourceAccount", ("111122223333",)))
    assert not pins(ConditionClause("StringLike", "aws:SourceAccount", ("*",)))
    assert not pins(ConditionClause("StringEqualsIfExists", "aws:PrincipalOrgID", ("o-abc",)))
    assert not pins(ConditionClause("StringNotEquals", "sts:ExternalId", ("x",)))
    assert pins(ConditionClause("StringLike", "token.actions.githubusercontent.com:sub", ("repo:acme/*",)))


def methods(fixture: str, logical_id: str) -> set[str]:
    app = model(RULES / fixture)
    return {e.method.id for e in escalations(IamEngine(app), role(app, logical_id))}


def test_passrole_honours_passed_to_service() -> None:
    assert "lambda-001" not in methods("RMT-IAM-022", "PassToEc2OnlyRole")
    assert "lambda-001" in methods("RMT-IAM-022", "PassToLambdaRole")
    assert "lambda-001" not in methods("RMT-IAM-022", "DeniedCreateRole")


def test_existing_function_counts_only_with_a_stronger_role() -> None:
    assert "lambda-003" not in methods("RMT-IAM-023", "WeakUpdaterRole")
    assert "lambda-003" in methods("RMT-IAM-023", "UpdaterRole")
    app = model(RULES / "RMT-IAM-023")
    found = {e.method.id: e.gained for e in escalations(IamEngine(app), role(app, "AnyFunctionUpdaterRole"))}
    assert "lambda-007" in found


def test_split_policies_escalate_together() -> None:
    assert "iam-023" in methods("RMT-IAM-021", "BoundaryLifterRole")
    assert "iam-023" not in methods("RMT-IAM-021", "LiftOnlyRole")
    assert "ec2-002" in methods("RMT-IAM-023", "SplitInstanceRole")
