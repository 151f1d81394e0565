"""Privilege escalation: the catalog and matching on combined, Deny-aware, resource-scoped grants."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from remit.api import load_documents
from remit.iam.engine import IamEngine
from remit.iam.privesc import CATEGORIES, catalog, escalations
from remit.loaders.sam import expander
from remit.model.application import Application
from remit.model.build import build
from remit.model.entities import Role
from remit.options import ScanOptions

from .conftest import FIXTURES

APP = FIXTURES / "iam" / "privesc-app"


@cache
def model() -> Application:
    root, docs, _ = load_documents([APP], ScanOptions())
    app, _ = build(docs, root, expander(root))
    return app


@cache
def engine() -> IamEngine:
    return IamEngine(model())


def role(logical_id: str) -> Role:
    return next(r for r in model().roles if r.logical_id == logical_id)


def methods(logical_id: str) -> set[str]:
    return {e.method.id for e in escalations(engine(), role(logical_id))}


def test_catalog_is_well_formed() -> None:
    ids = [m.id for m in catalog()]
    assert len(ids) == len(set(ids))
    assert {m.category for m in catalog()} == set(CATEGORIES)
    for m in catalog():
        if m.category == "new-passrole":
            assert "iam:PassRole" in m.actions
            assert m.passes_to
    assert {"iam-001", "lambda-001", "lambda-003", "cloudformation-002", "iam-012"} <= set(ids)


def test_two_policies_together_escalate_to_the_passed_role() -> None:
    found = [e for e in escalations(engine(), role("SplitRole")) if e.method.id == "lambda-001"]
    assert found, methods("SplitRole")
    esc = found[0]
    assert "StrongRole" in esc.gained
    assert {a.action for a in esc.actions} == {"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"}
    assert all(a.statements for a in esc.actions)


def test_passrole_to_a_role_that_does_not_trust_lambda_is_no_escalation() -> None:
    assert "lambda-001" not in methods("Ec2PassRole")


def test_deny_cancels_allow() -> None:
    assert not methods("DeniedRole") & {"iam-005", "lambda-003"}


def test_update_code_of_a_function_with_a_stronger_role() -> None:
    found = [e for e in escalations(engine(), role("UpdaterRole")) if e.method.id == "lambda-003"]
    assert found
    assert "function" in found[0].gained


def test_self_escalation_honours_the_resource_it_is_scoped_to() -> None:
    assert not methods("PathScopedRole") & {"iam-005", "iam-009"}
    assert "iam-005" in methods("OwnArnRole")


def test_attaching_only_read_only_managed_policies_is_no_escalation() -> None:
    assert "iam-009" not in methods("ReadOnlyAttachRole")


def test_every_workload_of_the_graph_runs_code() -> None:
    """The attack graph's workload footholds and the services that run the app's code are one list."""
    from remit.graph.build import WORKLOADS
    from remit.iam.services import RUNS_CODE

    assert set(WORKLOADS) <= RUNS_CODE


_DEPLOYER = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DeployerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: deploy
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: [iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction], Resource: "*"}
  {name}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonS3FullAccess]
"""


def test_escalation_targets_stay_in_their_own_app(tmp_path: Path) -> None:
    """Two unrelated apps scanned together: a role's escalation names its own app's roles, not the other's."""
    from remit.api import scan

    for app, role in (("billing", "BillingWorkerRole"), ("search", "SearchWorkerRole")):
        (tmp_path / app).mkdir()
        (tmp_path / app / "template.yaml").write_text(_DEPLOYER.replace("{name}", role))
    result = scan([tmp_path], ScanOptions(select=("RMT-IAM-022",), strict=True))
    by_file = {f.location.path: f.message for f in result.findings}
    assert "BillingWorkerRole" in by_file["billing/template.yaml"]
    assert "SearchWorkerRole" not in by_file["billing/template.yaml"]
    assert "BillingWorkerRole" not in by_file["search/template.yaml"]


GROUPS = """\
Resources:
  Ops:
    Type: AWS::IAM::Group
    Properties: {GroupName: ops}
  Auditors:
    Type: AWS::IAM::Group
    Properties: {GroupName: auditors}
  OwnGroupUser:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Ops]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: iam:PutGroupPolicy, Resource: !Sub "arn:aws:iam::${AWS::AccountId}:group/ops"}
  OtherGroupUser:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Ops]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: iam:AttachGroupPolicy
                Resource: !Sub "arn:aws:iam::${AWS::AccountId}:group/auditors"
  NoGroupUser:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Ops]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [iam:PutGroupPolicy, iam:AttachGroupPolicy]
                Resource: !Sub "arn:aws:iam::${AWS::AccountId}:group/partners/*"
  AnyGroupRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement: [{Effect: Allow, Action: iam:AttachGroupPolicy, Resource: "*"}]
"""


def test_group_policy_writes_honour_the_groups_they_are_scoped_to(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(GROUPS)
    root, docs, _ = load_documents([tmp_path], ScanOptions())
    app, _ = build(docs, root, expander(root))
    principals = {p.logical_id: p for p in (*app.users, *app.roles)}

    def gained(logical_id: str) -> dict[str, str]:
        return {e.method.id: e.gained for e in escalations(IamEngine(app), principals[logical_id])
                if e.method.id in {"iam-010", "iam-011"}}

    assert gained("OwnGroupUser") == {"iam-011": "add an inline policy to a group: admin"}
    assert gained("OtherGroupUser") == {"iam-010": "attach any managed policy to group auditors (not its own)"}
    assert gained("NoGroupUser") == {}
    assert gained("AnyGroupRole") == {"iam-010": "attach any managed policy to a group: admin"}
