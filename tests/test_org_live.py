"""remit org over live accounts, end to end: the real `remit org plan/run/merge` against moto in server mode.

Two accounts live in one moto server on 127.0.0.1. moto switches accounts the way AWS does: credentials from
sts:AssumeRole of `arn:aws:iam::ID:role/R` act in account ID. So each account is built through its own assumed
role, and each account target's real `remit collect aws --role-arn` lands in its own account. What moto does not
do is evaluate trust policies or the external id (any role ARN can be assumed); the test checks instead that the
collector asked for the planned role with the planned external id.
"""

from __future__ import annotations

import importlib.util
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from moto.sts.models import sts_backends

from remit.cli import main
from tests import test_live
from tests.test_live import LAMBDA_TRUST, REGION, _doc, _free_port, _zip, build_account

ACCOUNT_A, ACCOUNT_B = "111111111111", "222222222222"
ROLE = "RemitAudit"
EXTERNAL_ID = "org-audit-7"
fake_aws = test_live.fake_aws


@pytest.fixture
def moto_server(fake_aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto in server mode on a free loopback port, with every account empty; the remit subprocesses reach it
    through AWS_ENDPOINT_URL."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        yield endpoint
    finally:
        server.stop()


def _session_in(endpoint: str, account: str) -> Any:
    """Credentials of the audit role of ``account`` (what the collector will assume), and the role itself."""
    creds = boto3.client("sts", region_name=REGION, endpoint_url=endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="setup")["Credentials"]
    session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"], region_name=REGION)
    session.client("iam", endpoint_url=endpoint).create_role(RoleName=ROLE, AssumeRolePolicyDocument=_doc([{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}]))
    return session


def _build_billing(endpoint: str, session: Any) -> None:
    """Account B: a function URL without auth, and a role account A may assume without an external id."""
    iam = session.client("iam", endpoint_url=endpoint)
    role = iam.create_role(RoleName="billing-role", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    iam.create_role(RoleName="from-payments", AssumeRolePolicyDocument=_doc([{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_A}:root"}, "Action": "sts:AssumeRole"}]))
    iam.put_role_policy(RoleName="from-payments", PolicyName="everything",
                        PolicyDocument=_doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))
    lam = session.client("lambda", endpoint_url=endpoint)
    lam.create_function(FunctionName="billing", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": _zip("def handler(event, context):\n    return 1\n")})
    lam.create_function_url_config(FunctionName="billing", AuthType="NONE")
    lam.add_permission(FunctionName="billing", StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")


def _findings(out: Path, account: str) -> set[tuple[str, str]]:
    report = json.loads((out / "reports" / f"aws-{account}.json").read_text())
    return {(f["rule_id"], f["location"]["path"]) for f in report["findings"]}


def test_org_runs_the_real_collector_on_two_moto_accounts(moto_server: str, tmp_path: Path) -> None:
    build_account(moto_server, _session_in(moto_server, ACCOUNT_A))
    _build_billing(moto_server, _session_in(moto_server, ACCOUNT_B))
    accounts, plan = tmp_path / "accounts.txt", tmp_path / "plan.json"
    accounts.write_text(f"{ACCOUNT_A} payments\n{ACCOUNT_B} billing\n")
    assert main(["org", "plan", "--accounts", str(accounts), "--role-name", ROLE, "--external-id", EXTERNAL_ID,
                 "-o", str(plan)]) == 0
    a, b = f"aws://{ACCOUNT_A}", f"aws://{ACCOUNT_B}"
    engines = ("local", "dask") if importlib.util.find_spec("distributed") else ("local",)  # dask: an extra
    for engine in engines:
        out = tmp_path / engine
        assert main(["org", "run", str(plan), "--engine", engine, "--workers", "2", "--out", str(out),
                     "--retries", "0", "--timeout", "120", f"--collect-option=--regions={REGION}"]) == 0, engine
        found_a, found_b = _findings(out, ACCOUNT_A), _findings(out, ACCOUNT_B)
        assert {("RMT-LAMBDA-001", f"{a}/{REGION}/lambda/url/orders/$LATEST"),
                ("RMT-IAM-001", f"{a}/global/iam/role/orders-role"),
                ("RMT-S3-001", f"{a}/us-east-1/s3/bucket-policy/public-assets")} <= found_a, found_a
        assert {("RMT-LAMBDA-001", f"{b}/{REGION}/lambda/url/billing/$LATEST"),
                ("RMT-IAM-001", f"{b}/global/iam/role/from-payments")} <= found_b, found_b
        # each account's report holds only that account's resources
        assert all(path.startswith(a) for _, path in found_a)
        assert all(path.startswith(b) for _, path in found_b)

        merged = tmp_path / f"{engine}.json"
        assert main(["org", "merge", str(out), "--join-accounts", "-o", str(merged)]) == 0
        report = json.loads(merged.read_text())
        assert {f["target"] for f in report["findings"]} == {f"aws-{ACCOUNT_A}", f"aws-{ACCOUNT_B}"}
        assert report["failed"] == []
        joins = {(c["from_account"], c["to_account"], c["role"]) for c in report["cross_account"]}
        assert joins == {(ACCOUNT_A, ACCOUNT_B, "IamRoleFromPayments")}, report["cross_account"]
        (join,) = report["cross_account"]
        assert (join["principals"], join["external_id"]) == ([f"arn:aws:iam::{ACCOUNT_A}:root"], False)
        # the join reads the trust each account's scan wrote as facts: the audit role trusts the (unscanned)
        # auditing account with the external id, from-payments trusts account A without one
        trusts = json.loads((out / "reports" / f"aws-{ACCOUNT_B}.json").read_text())["account_trusts"]
        assert {(t["role"], t["account"], t["external_id"]) for t in trusts} == {
            ("IamRoleRemitAudit", "123456789012", True), ("IamRoleFromPayments", ACCOUNT_A, False)}

    for account in (ACCOUNT_A, ACCOUNT_B):  # one collection per account and run
        asked = [(r.role_arn, r.external_id) for r in sts_backends[account]["aws"].assumed_roles
                 if r.session_name == "remit-collect"]
        assert asked == [(f"arn:aws:iam::{account}:role/{ROLE}", EXTERNAL_ID)] * len(engines)
