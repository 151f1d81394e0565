"""Parity: the bundled example deployed into moto gives the findings of the template scan, except a documented list.

The example (``examples/orders-app``, copied into a temporary directory) is modelled by remit, deployed into
moto resource by resource by :mod:`tests.moto_deploy` with the tags CloudFormation adds, collected with
``remit collect`` (code downloaded from a loopback server, values kept) and scanned. Findings are compared by
(rule id, the template resource they name): a deployed resource is named after the template resource it is
placed at (``Analysis.live``). Every difference has its reason below and in docs/live.md. Then the account is
changed by hand the ways RMT-DRIFT-001 knows, collected again, and scanned with the template.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from remit.api import ScanResult, analyze, scan
from remit.live.aws import Reader, permission
from remit.live.collect import CollectOptions, collect
from remit.model.policy import _managed_entry
from remit.options import ScanOptions
from tests.moto_deploy import ACCOUNT, REGION, Deployment, deploy
from tests.test_live import _CodeServer, fake_credentials

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "orders-app"
OTHER_ACCOUNT = "999988887777"
_CORS = "snapshot: a REST API's CORS is in its OPTIONS methods' integration responses, which collect does not read"
_ROLES = "moto: no SetIdentityPoolRoles, so the deployed identity pool has no roles"

# (rule id, resource) the template scan finds and the deployed account does not, and why
TEMPLATE_ONLY = {
    ("RMT-API-002", "InternalApi"): _CORS,
    ("RMT-API-002", "OrdersFunction"): _CORS,
    ("RMT-COGNITO-005", "GuestIdentities"): _ROLES,
    ("RMT-COGNITO-006", "GuestIdentities"): _ROLES,
    ("RMT-IAM-036", "ThumbnailFunction"): "snapshot: SAM policy templates exist only in the template; the deployed "
                                          "role holds the statement they expand to (RMT-IAM-031 reports it there)",
    ("RMT-LAMBDA-008", "OrdersFunctionLogs"): "snapshot: log groups are not joined (their tags take one more call "
                                              "per group), so the deployed finding keeps the deployed name",
    ("RMT-SECRET-005", "StorefrontClient"): "snapshot: template Outputs are not deployed resources",
}
# (rule id, resource) found in the deployed account only, and why
SNAPSHOT_ONLY = {
    ("RMT-IAM-031", "ThumbnailFunction"): "the statement SAM's SSMParameterReadPolicy expands to (RMT-IAM-036 in "
                                          "the template)",
    ("RMT-LAMBDA-003", "PaymentWebhookFunction"): "moto: keeps the FunctionUrlAuthType / InvokedViaFunctionUrl of "
                                                  "a permission beside its statement instead of in its Condition, so "
                                                  "the function URL's own permission reads as public",
    ("RMT-LAMBDA-008", "LogsLogGroupAwsLambdaOrdersOrdersFunctionF332B483C57D"): "the log group, not joined",
}
# deployed resources the template scan would place nowhere: their findings keep the aws:// address
UNPLACED = {"logs/log-group"}  # log groups: untagged in the snapshot (their tags take one call per group)


@pytest.fixture(scope="module")
def parity(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("parity")
    repo = base / "deployed" / "repo"
    shutil.copytree(EXAMPLE, repo)
    shutil.copytree(EXAMPLE, base / "edited" / "repo")
    options = ScanOptions(parallel=False, strict=True, advisories=(repo / "advisories",))
    an, _ = analyze([repo], options)
    app = an.app if an is not None else None
    assert app is not None
    with pytest.MonkeyPatch.context() as mp:
        fake_credentials(mp)
        mp.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # AWS managed policies to attach
        with mock_aws():
            session = boto3.Session(region_name=REGION)
            dep = deploy(app, session, parameters={"DatabasePassword": "not-a-password"})
            with _CodeServer({f"{name}.zip": code for name, code in dep.code.items()}) as server:
                original = Reader.call

                def call(self: Reader, service: str, region: str, method: str, resource: str = "",
                         **kwargs: Any) -> Any:
                    answer = original(self, service, region, method, resource, **kwargs)
                    if method == "get_function" and isinstance(answer, dict):  # moto's location is not served
                        answer["Code"] = {"Location": f"{server.url}/{kwargs['FunctionName']}.zip"}
                    return answer

                mp.setattr(Reader, "call", call)
                asked: set[str] = set()
                operation = Reader._operation

                def record(self: Reader, client: Any, method: str) -> str:
                    name = operation(self, client, method)
                    asked.add(permission(client.meta.service_model.service_name, name))
                    return name

                mp.setattr(Reader, "_operation", record)
                wanted = CollectOptions(regions=REGION, download_code=True, keep_values=True)
                collect(wanted, base / "deployed" / "snapshot", session=session)
                edit_by_hand(session, dep)
                collect(wanted, base / "edited" / "snapshot", session=session)
    return {"dep": dep, "asked": asked, "template": scan([repo], options),
            "snapshot": scan([base / "deployed" / "snapshot"], options),
            "joined": scan([base / "deployed"], options), "edited": scan([base / "edited"], options)}


def edit_by_hand(session: Any, dep: Deployment) -> None:
    """What RMT-DRIFT-001 must see: console edits and incident fixes made after deployment."""
    fn = {lid: dep.refs[lid] for lid in ("OrdersFunction", "ReportsFunction", "ThumbnailFunction")}
    lam, iam = session.client("lambda", region_name=REGION), session.client("iam", region_name=REGION)
    lam.create_function_url_config(FunctionName=fn["OrdersFunction"], AuthType="NONE")
    lam.add_permission(FunctionName=fn["ReportsFunction"], StatementId="partner", Action="lambda:InvokeFunction",
                       Principal=OTHER_ACCOUNT)
    lam.update_function_configuration(FunctionName=fn["ThumbnailFunction"], Runtime="python3.7",
                                      Environment={"Variables": {"ORDERS_TABLE": "t", "STAGE": "dev",
                                                                 "UPLOADS_BUCKET": "b", "DEBUG_TOKEN": "x"}})
    iam.put_role_policy(RoleName=dep.refs["OrdersFunctionRole"], PolicyName="incident", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}))
    iam.attach_role_policy(RoleName=dep.refs["ThumbnailFunctionRole"],
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.update_assume_role_policy(RoleName=dep.refs["BackOfficeRole"], PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
             "Action": "sts:AssumeRole"}]}))
    s3 = session.client("s3", region_name=REGION)
    s3.put_public_access_block(Bucket=dep.refs["UploadsBucket"], PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    queue = dep.refs["FulfilmentQueue"]
    session.client("sqs", region_name=REGION).set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
             "Resource": dep.atts[("FulfilmentQueue", "Arn")]},
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:ReceiveMessage",
             "Resource": dep.atts[("FulfilmentQueue", "Arn")]}]})})


def _named(result: ScanResult, joined: ScanResult) -> set[tuple[str, str]]:
    """(rule id, resource) of ``result``'s findings, a deployed resource named after its template resource."""
    assert joined.application is not None
    names = {p.deployed.logical_id: p.template.origin.logical_id
             for p in joined.analysis.live.placements.values()}
    return {(f.rule_id, names.get(f.resource, f.resource)) for f in result.findings}


def test_deployed_example_matches_the_template_scan_except_the_documented_list(parity: dict[str, Any]) -> None:
    assert parity["dep"].skipped == {
        "GuestIdentityRoles": "moto: The set_identity_pool_roles action has not been implemented"}
    template = {(f.rule_id, f.resource) for f in parity["template"].findings}
    deployed = _named(parity["snapshot"], parity["joined"])
    assert len(template & deployed) >= 100, len(template & deployed)  # the comparison compares something
    assert {k: TEMPLATE_ONLY.get(k, "?") for k in template - deployed} == TEMPLATE_ONLY
    assert {k: SNAPSHOT_ONLY.get(k, "?") for k in deployed - template} == SNAPSHOT_ONLY


def test_a_clean_deployment_has_no_drift_and_its_findings_sit_at_the_template(parity: dict[str, Any]) -> None:
    joined: ScanResult = parity["joined"]
    assert not [f for f in joined.findings if f.rule_id == "RMT-DRIFT-001"]
    at_address = {f.location.path.split("/", 5)[4] + "/" + f.location.path.split("/", 6)[5]
                  for f in joined.findings if f.location.path.startswith("aws://")}
    assert at_address <= UNPLACED, at_address
    # the template's findings are reported once; what stays of the deployed ones is the documented list
    moved = {(f.rule_id, f.resource) for f in joined.findings if any(k == "deployed" for k, _ in f.details)}
    assert moved == {k for k in SNAPSHOT_ONLY if k[0] != "RMT-LAMBDA-008"}


def test_attack_path_steps_of_deployed_resources_show_the_template_line(parity: dict[str, Any]) -> None:
    joined: ScanResult = parity["joined"]
    template: ScanResult = parity["template"]
    steps = [s for p in joined.attack_paths for s in p.steps]
    assert steps
    assert not [s for s in steps if s.location is not None and s.location.path.startswith("aws://")
                and s.location.path.split("/")[4:6] != ["logs", "log-group"]]
    assert not [s for s in steps if s.evidence is not None and s.evidence.path.startswith("aws://")
                and s.evidence.path.split("/")[4:6] != ["logs", "log-group"]]
    # paths of the deployed app that repeat the template's are dropped; the rest carry the ARN of each step
    assert {p.summary for p in template.attack_paths} <= {p.summary for p in joined.attack_paths}
    deployed = [s for p in joined.attack_paths for s in p.steps if s.deployed]
    assert all(s.deployed.startswith(("arn:aws:", "aws://")) for s in deployed)


DRIFT = {
    ("OrdersFunction", "function-url"), ("ReportsFunction", "lambda-permission"),
    ("ThumbnailFunction", "runtime"), ("ThumbnailFunction", "environment"),
    ("OrdersFunction", "inline-policy"), ("ThumbnailFunction", "managed-policy"), ("BackOfficeRole", "trust"),
    ("UploadsBucket", "public-access-block"), ("FulfilmentQueue", "resource-policy"),
}


def test_hand_edits_are_drift_at_the_template_line(parity: dict[str, Any]) -> None:
    edited: ScanResult = parity["edited"]
    found = {(f.resource, dict(f.details)["drift"]) for f in edited.findings if f.rule_id == "RMT-DRIFT-001"}
    assert found == DRIFT
    for f in edited.findings:
        if f.rule_id == "RMT-DRIFT-001":
            assert f.location.path == "repo/template.yaml", f
    lines = {(f.resource, dict(f.details)["drift"]): f.location.line for f in edited.findings
             if f.rule_id == "RMT-DRIFT-001"}
    text = (EXAMPLE / "template.yaml").read_text().splitlines()
    assert text[lines[("BackOfficeRole", "trust")] - 1].strip() == "BackOfficeRole:"
    assert text[lines[("FulfilmentQueue", "resource-policy")] - 1].strip() == "FulfilmentQueue:"
    assert ACCOUNT not in "".join(f.message for f in edited.findings if f.rule_id == "RMT-DRIFT-001")



def test_reports_show_the_template_line_and_the_arn_of_deployed_steps(parity: dict[str, Any]) -> None:
    from remit.report import Format, render

    edited: ScanResult = parity["edited"]
    moved = [(p, s) for p in edited.attack_paths for s in p.steps if s.deployed]
    assert moved, "the hand-opened function URL makes a path of the deployed app"
    path, step = moved[0]
    assert step.location is not None
    assert step.location.path == "repo/template.yaml"
    data = json.loads(render(edited, Format.JSON))
    steps = [s for p in data["attack_paths"] if p["id"] == path.id for s in p["steps"] if "deployed" in s]
    assert steps
    assert steps[0]["deployed"] == step.deployed
    assert steps[0]["location"]["path"] == "repo/template.yaml"
    sarif = json.loads(render(edited, Format.SARIF))
    flows = [loc for r in sarif["runs"][0]["results"] if r["partialFingerprints"].get("remitFingerprint/v1") == path.id
             for loc in r["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert any(loc.get("properties", {}).get("deployed") == step.deployed
               and loc["location"]["physicalLocation"]["artifactLocation"]["uri"].endswith("repo/template.yaml")
               for loc in flows), flows
    assert f"deployed as <code>{step.deployed}</code>" in render(edited, Format.HTML)
    only = dataclasses.replace(edited, attack_paths=(path,))  # text shows the top paths only
    assert f"deployed as {step.deployed}" in render(only, Format.TEXT)


def test_every_call_is_allowed_by_security_audit_and_the_documented_policy(parity: dict[str, Any]) -> None:
    """docs/live-policy.json: AWS's SecurityAudit plus the few reads it lacks cover what collect asks."""
    extra = json.loads((EXAMPLE.parents[1] / "docs" / "live-policy.json").read_text())
    granted = [a.lower() for st in (*_managed_entry("SecurityAudit")["document"]["Statement"],
                                    *extra["Statement"]) if st["Effect"] == "Allow"
               for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])]
    asked: set[str] = parity["asked"] - {"sts:GetCallerIdentity"}  # needs no permission: AWS always answers it
    assert len(asked) > 40
    assert sorted(a for a in asked if not any(fnmatch.fnmatchcase(a.lower(), g) for g in granted)) == []


def test_values_are_kept_when_asked(parity: dict[str, Any]) -> None:
    """collect --keep-values: the secret written in an environment variable is in the snapshot and reported."""
    snapshot: ScanResult = parity["snapshot"]
    assert not any(d.code == "live-masked" for d in snapshot.diagnostics)
    assert any(f.rule_id == "RMT-SECRET-001" and "PAYMENT_API_KEY" in f.message for f in snapshot.findings)
