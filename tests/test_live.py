"""Live accounts: collectors against moto (in-process and in server mode), the snapshot format, the loader.

Nothing here reaches AWS: credentials are fake, every client talks to moto or to a botocore Stubber, and code
downloads come from an HTTP server on 127.0.0.1 started by the test.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.server import ThreadedMotoServer

from remit.api import scan
from remit.cli import main
from remit.live import aws as live_aws
from remit.live.aws import Reader, permission
from remit.live.collect import CollectOptions, _unpack, collect, regions_for
from remit.live.snapshot import MANIFEST, Snapshot, read, write
from remit.loaders.discover import discover
from remit.options import ScanOptions

REGION = "us-east-1"
OTHER_ACCOUNT = "999988887777"
HANDLER = "import os\n\n\ndef handler(event, context):\n    os.system(event['body'])\n    return {'statusCode': 200}\n"


def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and no ambient AWS configuration, so nothing can reach a real account."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN",
                 "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/remit-test-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/remit-test-credentials")


@pytest.fixture
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_credentials(monkeypatch)


def _zip(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", source)
    return buf.getvalue()


def _doc(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


LAMBDA_TRUST = _doc([{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                      "Action": "sts:AssumeRole"}])


def build_account(endpoint: str | None = None, session: Any = boto3) -> dict[str, str]:
    """An account with what the rules and attack paths must find: a function URL without auth in front of a
    command injection, an admin role, a REST API without an authorizer, an HTTP API with a JWT authorizer on one
    route, a public bucket, a role another account may assume without an external id, and a user who can pass
    any role to a new function (an escalation). ``session``: whose credentials (the account they belong to)."""
    kw = {"region_name": REGION, **({"endpoint_url": endpoint} if endpoint else {})}
    iam = session.client("iam", **kw)
    role = iam.create_role(RoleName="orders-role", AssumeRolePolicyDocument=LAMBDA_TRUST,
                           Tags=[{"Key": "aws:cloudformation:logical-id", "Value": "OrdersRole"}])["Role"]["Arn"]
    iam.put_role_policy(RoleName="orders-role", PolicyName="everything",
                        PolicyDocument=_doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))
    iam.create_role(RoleName="partner", AssumeRolePolicyDocument=_doc([{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]))
    iam.create_user(UserName="deployer")
    iam.create_access_key(UserName="deployer")
    managed = iam.create_policy(PolicyName="deploy", PolicyDocument=_doc([{
        "Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
        "Resource": "*"}]))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="deployer", PolicyArn=managed)
    lam = session.client("lambda", **kw)
    fn = lam.create_function(FunctionName="orders", Runtime="python3.12", Role=role, Handler="app.handler",
                             Code={"ZipFile": _zip(HANDLER)}, Environment={"Variables": {"STAGE": "prod"}},
                             Tags={"aws:cloudformation:logical-id": "OrdersFunction"})["FunctionArn"]
    lam.create_function_url_config(FunctionName="orders", AuthType="NONE")
    lam.add_permission(FunctionName="orders", StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")
    apigw = session.client("apigateway", **kw)
    api = apigw.create_rest_api(name="public-api")["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/")
    orders = apigw.create_resource(restApiId=api, parentId=root, pathPart="orders")["id"]
    apigw.put_method(restApiId=api, resourceId=orders, httpMethod="POST", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=orders, httpMethod="POST", type="AWS_PROXY",
                          integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{fn}/invocations")
    v2 = session.client("apigatewayv2", **kw)
    http = v2.create_api(Name="http-api", ProtocolType="HTTP")["ApiId"]
    integration = v2.create_integration(ApiId=http, IntegrationType="AWS_PROXY", IntegrationUri=fn,
                                        PayloadFormatVersion="2.0")["IntegrationId"]
    jwt = v2.create_authorizer(ApiId=http, AuthorizerType="JWT", Name="jwt",
                               IdentitySource=["$request.header.Authorization"],
                               JwtConfiguration={"Audience": ["app"], "Issuer": "https://issuer.example"})
    v2.create_route(ApiId=http, RouteKey="GET /private", AuthorizationType="JWT",
                    AuthorizerId=jwt["AuthorizerId"], Target=f"integrations/{integration}")
    v2.create_route(ApiId=http, RouteKey="POST /open", AuthorizationType="NONE", Target=f"integrations/{integration}")
    s3 = session.client("s3", **kw)
    s3.create_bucket(Bucket="public-assets")
    s3.put_bucket_policy(Bucket="public-assets", Policy=_doc([{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-assets/*"}]))
    sqs = session.client("sqs", **kw)
    sqs.create_queue(QueueName="jobs")
    return {"function": fn, "role": role}


class _CodeServer:
    """Serves code archives on 127.0.0.1 (what Lambda's presigned code location would be)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = files.get(self.path.lstrip("/"))
                self.send_response(200 if body is not None else 404)
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _CodeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def code_locations(monkeypatch: pytest.MonkeyPatch) -> Iterator[_CodeServer]:
    """moto gives no download location for code uploaded inline: point GetFunction at the local server."""
    with _CodeServer({"orders.zip": _zip(HANDLER)}) as server:
        original = Reader.call

        def call(self: Reader, service: str, region: str, method: str, resource: str = "", **kwargs: Any) -> Any:
            answer = original(self, service, region, method, resource, **kwargs)
            if method == "get_function" and isinstance(answer, dict):
                answer["Code"] = {"Location": f"{server.url}/{kwargs['FunctionName']}.zip"}
            return answer

        monkeypatch.setattr(Reader, "call", call)
        yield server


@pytest.fixture
def collected(fake_aws: None, code_locations: _CodeServer, tmp_path: Path) -> Path:
    out = tmp_path / "snapshot"
    with mock_aws():
        build_account()
        collect(CollectOptions(regions=REGION, download_code=True), out, session=boto3.Session(region_name=REGION))
    return out


def test_snapshot_layout_and_masking(collected: Path) -> None:
    manifest = json.loads((collected / MANIFEST).read_text())
    assert manifest["format"] == "remit-aws-snapshot"
    assert manifest["regions"] == [REGION]
    assert manifest["files"] == ["iam.json", f"regions/{REGION}.json", "s3.json"]
    regional = json.loads((collected / "regions" / f"{REGION}.json").read_text())
    config = regional["lambda"]["Functions"][0]["Configuration"]
    assert config["Environment"]["Variables"] == {"STAGE": "remit:masked"}
    code_dir = collected / regional["lambda"]["Functions"][0]["Code"]
    assert (code_dir / "app.py").read_text() == HANDLER
    snap = read(collected)
    assert snap.account == "123456789012"
    assert snap.masked


def test_scan_of_snapshot_finds_the_deployed_weaknesses(collected: Path) -> None:
    result = scan([collected], ScanOptions(parallel=False, strict=True))
    found = {(f.rule_id, f.location.path) for f in result.findings}
    account = "aws://123456789012"
    expected = {
        ("RMT-LAMBDA-001", f"{account}/{REGION}/lambda/url/orders/$LATEST"),  # function URL without auth
        ("RMT-IAM-001", f"{account}/global/iam/role/orders-role"),  # admin role
        ("RMT-TRUST-003", f"{account}/global/iam/role/partner"),  # another account, no external id
        ("RMT-S3-001", f"{account}/us-east-1/s3/bucket-policy/public-assets"),  # public bucket policy
    }
    assert expected <= found, found
    admin = next(f for f in result.findings if f.rule_id == "RMT-IAM-001")
    assert ("arn", "arn:aws:iam::123456789012:role/orders-role") in admin.details  # no template: the ARN
    assert any(f.rule_id.startswith("RMT-CODE") and f.location.path.endswith("app.py") for f in result.findings), \
        "the downloaded code is analysed"
    routes = {(r.key, r.auth.kind.value) for api in result.application.apis for r in api.routes}  # type: ignore[union-attr]  # the scan's application is present here
    assert ("POST /orders", "none") in routes
    assert ("GET /private", "jwt") in routes
    assert ("POST /open", "none") in routes
    summaries = [p.summary for p in result.attack_paths]
    assert any("internet" in s and "OrdersFunction" in s for s in summaries), summaries
    assert any("S3BucketPublicAssets" in s for s in summaries), summaries
    # the escalation chain: the deployer's leaked key passes a role to a new function, up to administrator
    assert ("RMT-IAM-022", f"{account}/global/iam/user/deployer") in found
    assert any([s.kind for s in p.steps] == ["attacker", "user", "admin"] and "IamUserDeployer" in p.summary
               for p in result.attack_paths), summaries
    # logical ids from the aws:cloudformation:logical-id tag, else from the name
    ids = {r.logical_id for r in result.application.resources}  # type: ignore[union-attr]  # the scan's application is present here
    assert {"OrdersFunction", "OrdersRole", "IamRolePartner", "IamUserDeployer"} <= ids


def test_versions_and_the_policy_of_an_alias(fake_aws: None, tmp_path: Path) -> None:
    """Published versions are read, and an alias's own resource policy: a public grant on the alias is a public
    grant on its function."""
    with mock_aws():
        role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
        lam = boto3.client("lambda", region_name=REGION)
        lam.create_function(FunctionName="billing", Runtime="python3.12", Role=role, Handler="app.handler",
                            Code={"ZipFile": _zip(HANDLER)})
        version = lam.publish_version(FunctionName="billing")["Version"]
        lam.create_alias(FunctionName="billing", Name="live", FunctionVersion=version)
        lam.add_permission(FunctionName="billing", Qualifier="live", StatementId="anyone",
                           Action="lambda:InvokeFunction", Principal="*")
        collect(CollectOptions(regions=REGION, services=("iam", "lambda")), tmp_path / "s",
                session=boto3.Session(region_name=REGION))
    regional = json.loads((tmp_path / "s" / "regions" / f"{REGION}.json").read_text())
    record = regional["lambda"]["Functions"][0]
    assert [v["Version"] for v in record["Versions"]] == [version]
    assert record["AliasPolicies"]["live"]["Statement"][0]["Principal"] == "*"
    result = scan([tmp_path / "s"], ScanOptions(parallel=False, strict=True))
    public = [f for f in result.findings if f.rule_id == "RMT-LAMBDA-003"]
    # (moto also answers the function's GetPolicy with the alias's statements, so it is reported twice here)
    assert f"aws://123456789012/{REGION}/lambda/permission/billing:live/anyone" in [f.location.path for f in public]
    assert result.application is not None
    fn = result.application.functions[0]
    assert "LambdaPermissionBillingLiveAnyone" in [p.logical_id for p in result.application.permissions_of(fn)]


def test_discovery_offers_only_the_manifest(collected: Path) -> None:
    found = discover([collected.parent])
    assert [f.rel for f in found.files] == [f"snapshot/{MANIFEST}"]


def test_hostile_manifest_is_a_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "outside.json").write_text("{}")
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / MANIFEST).write_text(json.dumps({"format": "remit-aws-snapshot", "version": 1,
                                             "files": ["../outside.json", "iam.json"]}))
    (snap / "iam.json").write_text('{"RoleDetailList": "not a list"}')
    result = scan([snap], ScanOptions(parallel=False))
    assert not result.findings
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / MANIFEST).write_text(json.dumps({"format": "remit-aws-snapshot", "version": 99}))
    result = scan([newer], ScanOptions(parallel=False))
    assert [d.code for d in result.diagnostics] == ["snapshot-error"]


def test_unpack_refuses_names_outside(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../evil.py", "x")
        zf.writestr("/abs.py", "x")
        zf.writestr("ok/app.py", "y")
    buf.seek(0)
    _unpack(buf, tmp_path / "code")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.py")) == ["code/ok/app.py"]


# -- Stubber: pagination, throttling, denied calls ------------------------------------------------------


class _StubSession:
    """A session whose clients are real botocore clients with a Stubber each (no network)."""

    region_name = REGION

    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}
        self.stubs: dict[str, Stubber] = {}

    def client(self, service: str, region_name: str | None = None, config: Any = None) -> Any:
        if service not in self.clients:
            client = boto3.Session(region_name=REGION).client(service, config=config)
            self.clients[service] = client
            self.stubs[service] = Stubber(client)
            self.stubs[service].activate()
        return self.clients[service]

    def stub(self, service: str) -> Stubber:
        self.client(service)
        return self.stubs[service]


def test_pagination_follows_every_page(fake_aws: None) -> None:
    session = _StubSession()
    stub = session.stub("lambda")
    stub.add_response("list_functions", {"Functions": [{"FunctionName": "a"}], "NextMarker": "m1"}, {})
    stub.add_response("list_functions", {"Functions": [{"FunctionName": "b"}]}, {"Marker": "m1"})
    reader = Reader(session, lambda gap: None)
    assert [f["FunctionName"] for f in reader.pages("lambda", REGION, "list_functions", "Functions")] == ["a", "b"]
    stub.assert_no_pending_responses()


def test_throttling_and_denial_become_unknowns_naming_the_permission(fake_aws: None) -> None:
    session = _StubSession()
    gaps: list[Any] = []
    reader = Reader(session, gaps.append)
    session.stub("lambda").add_client_error("get_policy", "ThrottlingException", "Rate exceeded")
    session.stub("s3").add_client_error("get_bucket_policy", "AccessDenied", "no")
    session.stub("s3").add_client_error("get_bucket_policy", "NoSuchBucketPolicy", "none")
    throttled = reader.call("lambda", REGION, "get_policy", "fn", FunctionName="fn")
    denied = reader.call("s3", REGION, "get_bucket_policy", "b", Bucket="b")
    absent = reader.call("s3", REGION, "get_bucket_policy", "b", Bucket="b")
    assert throttled == {"remit:unknown": f"still throttled after {live_aws.MAX_ATTEMPTS} attempts "
                                          "(ThrottlingException) (needs lambda:GetPolicy)"}
    assert denied == {"remit:unknown": "access denied (AccessDenied) (needs s3:GetBucketPolicy)"}
    assert absent is None
    assert [(g.call, g.permission) for g in gaps] == [("GetPolicy", "lambda:GetPolicy"),
                                                     ("GetBucketPolicy", "s3:GetBucketPolicy")]
    assert reader.config.retries == {"mode": "standard", "max_attempts": live_aws.MAX_ATTEMPTS}


def test_regions_enabled_all_or_listed(fake_aws: None) -> None:
    """``enabled`` asks EC2 for the account's enabled regions, ``all`` for every region of the partition; a
    list is taken as given; a denied DescribeRegions leaves the home region and a gap naming the permission."""
    session = _StubSession()
    gaps: list[Any] = []
    reader = Reader(session, gaps.append)
    stub = session.stub("ec2")
    stub.add_response("describe_regions", {"Regions": [{"RegionName": "eu-west-1"}, {"RegionName": REGION}]},
                      {"AllRegions": False})
    stub.add_response("describe_regions", {"Regions": [{"RegionName": "af-south-1"}, {"RegionName": REGION}]},
                      {"AllRegions": True})
    stub.add_client_error("describe_regions", "UnauthorizedOperation", "no", expected_params={"AllRegions": False})
    assert regions_for(reader, "enabled", REGION) == ["eu-west-1", REGION]
    assert regions_for(reader, "all", REGION) == ["af-south-1", REGION]
    assert regions_for(reader, " eu-west-1, us-west-2 ,", REGION) == ["eu-west-1", "us-west-2"]
    assert regions_for(reader, "enabled", REGION) == [REGION]
    assert [(g.call, g.permission) for g in gaps] == [("DescribeRegions", "ec2:DescribeRegions")]
    stub.assert_no_pending_responses()


def test_progress_per_service_and_region(fake_aws: None, tmp_path: Path) -> None:
    """collect tells its progress per service and region; the CLI draws it as one bar each on a terminal."""
    from remit.cli import _CollectProgress

    told: list[tuple[str, str, int, int]] = []
    with mock_aws():
        boto3.client("sqs", region_name=REGION).create_queue(QueueName="jobs")
        collect(CollectOptions(regions=f"{REGION},eu-west-1", services=("iam", "sqs", "lambda")),
                tmp_path / "snap", session=boto3.Session(region_name=REGION), progress=lambda *a: told.append(a))
    assert {(s, r) for s, r, _, _ in told} == {("iam", "global"), ("sqs", REGION), ("sqs", "eu-west-1"),
                                               ("lambda", REGION), ("lambda", "eu-west-1")}
    assert all(done == total for s, r, done, total in told if (s, r, done) != (s, r, 0))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    with _CollectProgress(screen) as bar:
        for event in told:
            bar(*event)
        drawn = screen.getvalue()
    assert "reading sqs in eu-west-1" in drawn
    assert "reading lambda in us-east-1" in drawn


def test_permission_names() -> None:
    assert permission("apigatewayv2", "GetRoutes") == "apigateway:GET"
    assert permission("s3", "ListBuckets") == "s3:ListAllMyBuckets"
    assert permission("stepfunctions", "DescribeStateMachine") == "states:DescribeStateMachine"


def test_denied_policy_is_unknown_in_the_model(tmp_path: Path) -> None:
    regional = {"lambda": {"Functions": [{
        "Configuration": {"FunctionName": "f", "FunctionArn": f"arn:aws:lambda:{REGION}:111122223333:function:f",
                          "Runtime": "python3.12", "Handler": "app.handler",
                          "Role": "arn:aws:iam::111122223333:role/r"},
        "Policy": {"remit:unknown": "access denied (AccessDenied) (needs lambda:GetPolicy)"}}]}}
    write(Snapshot("111122223333", "aws", (REGION,), {"RoleDetailList": [{
        "RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
        "AssumeRolePolicyDocument": json.loads(LAMBDA_TRUST)}]}, {}, {REGION: regional}), tmp_path / "s")
    result = scan([tmp_path / "s"], ScanOptions(parallel=False, strict=True))
    app = result.application
    assert app is not None
    fn = app.functions[0]
    assert fn.role_id is not None
    assert fn.role_id.logical_id == "IamRoleR"
    assert any(d.code == "live-unknown" and "lambda:GetPolicy" in d.message for d in result.diagnostics)


# -- end to end: the real command against moto in server mode ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_collect_command_against_moto_server(fake_aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        build_account(endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        out = tmp_path / "snap"
        assert main(["collect", "aws", "--regions", REGION, "-o", str(out), "--no-progress"]) == 0
        assert (out / MANIFEST).is_file()
        report = tmp_path / "report.json"
        assert main(["scan", str(out), "-f", "json", "-o", str(report), "--no-progress", "--no-parallel"]) == 1
    finally:
        server.stop()
    data = json.loads(report.read_text())
    rules = {f["rule_id"] for f in data["findings"]}
    assert {"RMT-LAMBDA-001", "RMT-IAM-001", "RMT-TRUST-003", "RMT-S3-001"} <= rules
    assert "wrote the snapshot" in capsys.readouterr().err


# -- join to the template, drift ---------------------------------------------------------------------------

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OrdersRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: orders-role
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  OrdersFunction:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: orders
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt OrdersRole.Arn
      Code: {ZipFile: "def handler(event, context):\\n    return 1\\n"}
"""


def test_snapshot_with_its_template_reports_drift_at_the_template_line(collected: Path) -> None:
    repo = collected.parent / "repo"
    repo.mkdir()
    (repo / "template.yaml").write_text(TEMPLATE)
    result = scan([repo, collected], ScanOptions(parallel=False, strict=True))
    drift = {(f.location.path, f.location.line, f.details) for f in result.findings if f.rule_id == "RMT-DRIFT-001"}
    assert drift == {("repo/template.yaml", 10, (("drift", "function-url"),)),  # the URL opened by hand
                     ("repo/template.yaml", 10, (("drift", "environment"),)),  # STAGE, not in the template
                     ("repo/template.yaml", 3, (("drift", "inline-policy"),))}, drift  # "everything", by hand
    url = [f for f in result.findings if f.rule_id == "RMT-LAMBDA-001"]
    assert [(f.location.path, f.location.line) for f in url] == [("repo/template.yaml", 10)]
    assert ("deployed", f"aws://123456789012/{REGION}/lambda/url/orders/$LATEST") in url[0].details
    # a deployed resource the template does not hold keeps its address
    assert any(f.location.path.startswith("aws://123456789012/global/iam/role/partner") for f in result.findings)


def test_scan_aws_with_a_repository_needs_a_snapshot_dir(fake_aws: None, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--aws", str(tmp_path)]) == 2
    assert "--snapshot-dir" in capsys.readouterr().err


# -- collectors of the other services: the snapshot holds what moto was given -----------------------------

QUEUE_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
    "Resource": f"arn:aws:sqs:{REGION}:123456789012:jobs"}]}
SFN_DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}


@pytest.fixture(scope="module")
def services_snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One account with a resource of every service below, collected without IAM, S3 and Lambda."""
    patch = pytest.MonkeyPatch()
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        patch.delenv(name, raising=False)
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", REGION), ("AWS_CONFIG_FILE", "/nonexistent/remit-test-config"),
                        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/remit-test-credentials")):
        patch.setenv(name, value)
    out = tmp_path_factory.mktemp("services") / "snapshot"
    kw = {"region_name": REGION}
    try:
        with mock_aws():
            sqs = boto3.client("sqs", **kw)
            sqs.create_queue(QueueName="jobs", Attributes={"Policy": json.dumps(QUEUE_POLICY)},
                             tags={"team": "orders"})
            sns = boto3.client("sns", **kw)
            topic = sns.create_topic(Name="events", Tags=[{"Key": "team", "Value": "orders"}])["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
            sm = boto3.client("secretsmanager", **kw)
            secret = sm.create_secret(Name="db-password", SecretString="not-kept")["ARN"]
            sm.put_resource_policy(SecretId=secret, ResourcePolicy=_doc([{
                "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]))
            kms = boto3.client("kms", **kw)
            key = kms.create_key(Description="orders key")["KeyMetadata"]["KeyId"]
            kms.enable_key_rotation(KeyId=key)
            ddb = boto3.client("dynamodb", **kw)
            ddb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
            events = boto3.client("events", **kw)
            events.create_event_bus(Name="orders-bus")
            events.put_rule(Name="on-order", EventBusName="orders-bus", EventPattern='{"source": ["orders"]}')
            events.put_targets(Rule="on-order", EventBusName="orders-bus",
                               Targets=[{"Id": "t1", "Arn": topic}])
            role = boto3.client("iam", **kw).create_role(RoleName="runner", AssumeRolePolicyDocument=LAMBDA_TRUST)
            role_arn = role["Role"]["Arn"]
            boto3.client("scheduler", **kw).create_schedule(
                Name="nightly", ScheduleExpression="rate(1 day)", FlexibleTimeWindow={"Mode": "OFF"},
                Target={"Arn": topic, "RoleArn": role_arn})
            sfn = boto3.client("stepfunctions", **kw)
            sfn.create_state_machine(name="checkout", definition=json.dumps(SFN_DEFINITION), roleArn=role_arn)
            boto3.client("logs", **kw).create_log_group(logGroupName="/aws/lambda/orders")
            idp = boto3.client("cognito-idp", **kw)
            pool = idp.create_user_pool(PoolName="customers")["UserPool"]["Id"]
            idp.create_user_pool_client(UserPoolId=pool, ClientName="web", GenerateSecret=True)
            identity = boto3.client("cognito-identity", **kw)
            ipool = identity.create_identity_pool(IdentityPoolName="guests",
                                                  AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
            assert ipool  # moto cannot attach identity pool roles (SetIdentityPoolRoles): not checked here
            services = ("sqs", "sns", "secretsmanager", "kms", "dynamodb", "events", "scheduler", "stepfunctions",
                        "logs", "cognito")
            collect(CollectOptions(regions=REGION, services=services), out, session=boto3.Session(region_name=REGION))
    finally:
        patch.undo()
    data: dict[str, Any] = json.loads((out / "regions" / f"{REGION}.json").read_text())
    data["_out"] = str(out)
    return data


def test_collects_sqs(services_snapshot: dict[str, Any]) -> None:
    [queue] = services_snapshot["sqs"]["Queues"]
    assert queue["QueueUrl"].endswith("/123456789012/jobs")
    assert queue["Attributes"]["Policy"] == QUEUE_POLICY
    assert queue["Tags"] == {"team": "orders"}


def test_collects_sns(services_snapshot: dict[str, Any]) -> None:
    [topic] = services_snapshot["sns"]["Topics"]
    assert topic["TopicArn"] == f"arn:aws:sns:{REGION}:123456789012:events"
    assert [(s["Protocol"], s["Endpoint"]) for s in topic["Subscriptions"]] == [("email", "ops@example.com")]
    assert topic["Tags"] == {"team": "orders"}
    assert topic["Attributes"]["Policy"]["Statement"]  # SNS writes a default policy


def test_collects_secrets_without_their_values(services_snapshot: dict[str, Any]) -> None:
    [secret] = services_snapshot["secretsmanager"]["Secrets"]
    assert secret["Name"] == "db-password"
    principal = secret["ResourcePolicy"]["Statement"][0]["Principal"]["AWS"]
    assert principal == f"arn:aws:iam::{OTHER_ACCOUNT}:root"
    assert "not-kept" not in json.dumps(services_snapshot)


def test_collects_kms(services_snapshot: dict[str, Any]) -> None:
    [key] = services_snapshot["kms"]["Keys"]
    assert key["Metadata"]["Description"] == "orders key"
    assert key["Rotation"] is True
    assert key["Policy"]["Statement"]


def test_collects_dynamodb(services_snapshot: dict[str, Any]) -> None:
    [table] = services_snapshot["dynamodb"]["Tables"]
    assert table["Name"] == "orders"
    assert table["Table"]["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}


def test_collects_eventbridge(services_snapshot: dict[str, Any]) -> None:
    buses = {b["Bus"]["Name"]: b for b in services_snapshot["events"]["Buses"]}
    [rule] = buses["orders-bus"]["Rules"]
    assert rule["Name"] == "on-order"
    assert json.loads(rule["EventPattern"]) == {"source": ["orders"]}
    assert [t["Arn"] for t in rule["Targets"]] == [f"arn:aws:sns:{REGION}:123456789012:events"]


def test_collects_scheduler(services_snapshot: dict[str, Any]) -> None:
    [schedule] = services_snapshot["scheduler"]["Schedules"]
    assert schedule["Name"] == "nightly"
    assert schedule["ScheduleExpression"] == "rate(1 day)"
    assert schedule["Target"]["RoleArn"] == "arn:aws:iam::123456789012:role/runner"


def test_collects_step_functions(services_snapshot: dict[str, Any]) -> None:
    [machine] = services_snapshot["stepfunctions"]["StateMachines"]
    assert machine["StateMachine"]["name"] == "checkout"
    assert json.loads(machine["StateMachine"]["definition"]) == SFN_DEFINITION
    assert machine["StateMachine"]["roleArn"] == "arn:aws:iam::123456789012:role/runner"


def test_collects_log_groups(services_snapshot: dict[str, Any]) -> None:
    assert [g["logGroupName"] for g in services_snapshot["logs"]["LogGroups"]] == ["/aws/lambda/orders"]


def test_collects_cognito_without_client_secrets(services_snapshot: dict[str, Any]) -> None:
    [pool] = services_snapshot["cognito"]["UserPools"]
    assert pool["UserPool"]["Name"] == "customers"
    [client] = pool["Clients"]
    assert client["ClientName"] == "web"
    assert client["HasClientSecret"] is True
    assert "ClientSecret" not in client
    [identity] = services_snapshot["cognito"]["IdentityPools"]
    assert identity["Pool"]["IdentityPoolName"] == "guests"
    assert identity["Pool"]["AllowUnauthenticatedIdentities"] is True
    assert "Roles" in identity  # read (or an unknown naming cognito-identity:GetIdentityPoolRoles)
