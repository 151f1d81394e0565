"""Serverless Framework services load as SAM documents whose findings point at serverless.yml lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from remit.api import scan
from remit.loaders.discover import InputFile
from remit.loaders.serverless import UNKNOWN_KEY, load_serverless
from remit.model.intrinsics import Resolver
from remit.model.triggers import TriggerKind
from remit.model.values import Concat, Unknown

FIXTURE = Path(__file__).parent / "fixtures" / "formats" / "serverless-basic"


@pytest.fixture(scope="module")
def findings() -> set[tuple[str, str, str]]:
    result = scan([FIXTURE])
    return {(f.rule_id, f.resource or "", str(f.location)) for f in result.findings}


def test_findings_point_at_serverless_yml(findings: set[tuple[str, str, str]]) -> None:
    assert ("RMT-IAM-001", "OrdersLambdaFunction", "serverless.yml:18") in findings  # Action "*" statement
    assert ("RMT-LAMBDA-001", "OrdersLambdaFunction", "serverless.yml:24") in findings  # url: true
    assert ("RMT-API-001", "HttpApi", "serverless.yml:26") in findings  # httpApi route without auth


def test_handler_code_is_analysed(findings: set[tuple[str, str, str]]) -> None:
    assert ("RMT-CODE-001", "OrdersLambdaFunction", "src/orders/app.py:7") in findings


def test_per_function_statements_replace_provider_role(findings: set[tuple[str, str, str]]) -> None:
    assert not any(rule == "RMT-IAM-001" and res == "ReportsLambdaFunction" for rule, res, _ in findings)


def _load(tmp_path: Path, text: str) -> tuple[object, tuple[str, ...]]:
    path = tmp_path / "serverless.yml"
    path.write_text(text)
    loaded = load_serverless(InputFile(path, "serverless.yml"))
    return loaded.document, tuple(d.code for d in loaded.diagnostics)


def _doc(tmp_path: Path, text: str) -> tuple[dict[str, Any], list[str]]:
    path = tmp_path / "svc" / "serverless.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    loaded = load_serverless(InputFile(path, "svc/serverless.yml"))  # the scanned root is tmp_path
    assert loaded.document is not None
    return dict(loaded.document.data), [f"{d.code}: {d.message}" for d in loaded.diagnostics]


def _fn(doc: dict[str, Any], lid: str = "FLambdaFunction") -> dict[str, Any]:
    props = doc["Resources"][lid]["Properties"]
    assert isinstance(props, dict)
    return props


def _env(tmp_path: Path, variables: str, custom: str = "{}") -> tuple[dict[str, Any], list[str]]:
    doc, diags = _doc(tmp_path, f"service: s\ncustom: {custom}\nprovider:\n  name: aws\n"
                                "  stage: ${opt:stage, 'prod'}\n"
                                f"functions:\n  f:\n    handler: app.h\n    environment:\n{variables}")
    return _fn(doc)["Environment"]["Variables"], diags


def test_self_opt_sls_and_defaults_resolve(tmp_path: Path) -> None:
    env, diags = _env(tmp_path, (
        "      A: a-${sls:stage}\n      B: ${self:custom.name}\n      C: ${opt:region, 'eu-west-1'}\n"
        "      D: ${env:NOPE, ${self:custom.name}}\n      E: ${opt:x, env:Y, 'third'}\n      F: ${self:custom.n}\n"
        "      G: ${self:custom.list}\n"), custom="{name: 'n-${sls:stage}', n: 3, list: [1, 2]}")
    assert env == {"A": "a-prod", "B": "n-prod", "C": "eu-west-1", "D": "n-prod", "E": "third", "F": 3, "G": [1, 2]}
    assert diags == []


def test_env_opt_and_remote_sources_are_explicit_unknowns(tmp_path: Path) -> None:
    env, diags = _env(tmp_path, "      A: ${env:API_TOKEN}\n      B: key-${ssm:/app/key}-x\n      C: ${opt:foo}\n"
                                "      D: ${cf:other.Out}\n")
    assert env["A"] == {UNKNOWN_KEY: "serverless variable ${env:API_TOKEN}: environment variable API_TOKEN of the "
                                     "deploying machine; remit does not read the environment (write a default: "
                                     "${env:NAME, value})"}
    assert env["B"]["Fn::Join"][1][0] == "key-"
    assert UNKNOWN_KEY in env["B"]["Fn::Join"][1][1]
    assert env["B"]["Fn::Join"][1][2] == "-x"
    assert UNKNOWN_KEY in env["C"]
    assert UNKNOWN_KEY in env["D"]
    assert sorted(d.split(" is unknown")[0] for d in diags) == [
        "unresolved-variable: ${cf:other.Out}", "unresolved-variable: ${env:API_TOKEN}",
        "unresolved-variable: ${opt:foo}", "unresolved-variable: ${ssm:/app/key}"]
    assert "" not in env.values()  # never silently an empty string


def test_unknown_values_reach_the_model_as_unknown(tmp_path: Path) -> None:
    env, _ = _env(tmp_path, "      A: ${env:TOKEN}\n      B: pre-${env:TOKEN}\n")
    resolver = Resolver({"Resources": {}})
    a, b = resolver.resolve(env["A"]), resolver.resolve(env["B"])
    assert isinstance(a, Unknown)
    assert "TOKEN" in a.reason
    assert isinstance(b, Concat)
    assert b.parts[0] == "pre-"
    assert isinstance(b.parts[1], Unknown)


def test_file_variables_are_read_inside_the_root_only(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "config.yml").write_text("db:\n  name: orders-${sls:stage}\nport: 5432\n")
    (tmp_path / "shared.json").write_text('{"team": "acme"}')
    (tmp_path.parent / f"{tmp_path.name}-outside.json").write_text('{"x": "leak"}')
    (tmp_path / "svc" / "vars.js").write_text("module.exports = () => { throw new Error('ran') }")
    env, diags = _env(tmp_path, (
        "      A: ${file(./config.yml):db.name}\n      B: ${file(../shared.json):team}\n"
        f"      C: ${{file(../../{tmp_path.name}-outside.json):x}}\n      D: ${{file(./vars.js):fn}}\n"
        "      E: ${file(./missing.yml):a, 'fallback'}\n      F: ${file(./config.yml)}\n"
        "      G: ${file(./config.yml):nope}\n"))
    assert env["A"] == "orders-prod"
    assert env["B"] == "acme"
    assert env["E"] == "fallback"
    assert env["F"] == {"db": {"name": "orders-prod"}, "port": 5432}
    assert "leak" not in str(env)
    assert "outside the scanned root" in env["C"][UNKNOWN_KEY]
    assert "never runs" in env["D"][UNKNOWN_KEY]
    assert UNKNOWN_KEY in env["G"]
    assert sorted(d.split(" is unknown")[0] for d in diags) == [
        f"unresolved-variable: ${{file(../../{tmp_path.name}-outside.json):x}}",
        "unresolved-variable: ${file(./config.yml):nope}", "unresolved-variable: ${file(./vars.js):fn}"]


def test_cloudformation_sub_variables_stay_and_pseudo_parameters_resolve(tmp_path: Path) -> None:
    env, diags = _env(tmp_path, "      A: !Sub 'arn:aws:s3:::${Bucket}/${AWS::Region}'\n"
                                "      B: arn:aws:sqs:${aws:region}:${aws:accountId}:q\n")
    assert env["A"] == {"Fn::Sub": "arn:aws:s3:::${Bucket}/${AWS::Region}"}
    assert env["B"] == {"Fn::Join": ["", ["arn:aws:sqs:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                                          ":q"]]}
    assert diags == []


def test_cycles_become_unknown(tmp_path: Path) -> None:
    env, diags = _env(tmp_path, "      A: ${self:custom.a}\n", custom="{a: '${self:custom.b}', b: 'x${self:custom.a}'}")
    assert "cycle" in str(env["A"])
    assert diags


@pytest.mark.parametrize("text", [
    "", "functions: 3\n", "functions: {f: 1, g: {handler: 7, events: [1, {http: 3}, {sqs: {}}]}}\n",
    "provider: [1]\nfunctions: {f: {handler: a.b, url: {authorizer: aws_iam}, events: [{schedule: [1]}]}}\n",
    "custom: {a: '${self:custom.b}', b: '${self:custom.a}'}\nfunctions: {f: {handler: '${self:custom.a}'}}\n",
    "functions: [\n",
    "custom: {a: '${file(./serverless.yml):custom.a}'}\nfunctions: {f: {handler: '${self:custom.a}'}}\n",
    "custom: {a: '${file(/etc/passwd)}', b: '${file(${self:custom.b})}'}\nfunctions: {f: {handler: a.b}}\n",
    "functions: {f: {handler: a.b, events: [{s3: {}}, {cognitoUserPool: 1}, {stream: {}}, {eventBridge: {}}]}}\n",
])
def test_hostile_input_does_not_crash(tmp_path: Path, text: str) -> None:
    _load(tmp_path, text)


def test_authorizers_are_carried_over() -> None:
    result = scan([FIXTURE.parent / "serverless-auth"])
    unauthenticated = {str(f.location) for f in result.findings if f.rule_id == "RMT-API-001"}
    assert "serverless.yml:27" in unauthenticated  # GET /open
    assert "serverless.yml:15" not in unauthenticated  # JWT authorizer
    assert "serverless.yml:20" not in unauthenticated  # aws_iam


IAM = """service: s
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements: [{Effect: Allow, Action: 's3:*', Resource: '*'}]
      managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
      permissionsBoundary: arn:aws:iam::123456789012:policy/boundary
functions:
  a: {handler: app.h}
  b:
    handler: app.h
    iamRoleStatements: [{Effect: Allow, Action: sqs:SendMessage, Resource: '*'}]
  c:
    handler: app.h
    iamRoleStatementsInherit: true
    iamRoleStatements: [{Effect: Allow, Action: sns:Publish, Resource: '*'}]
  d: {handler: app.h, role: Written}
  e: {handler: app.h, role: someone-elses-role}
  f: {handler: app.h, role: !GetAtt Written.Arn}
  g: {handler: app.h, role: 'arn:aws:iam::123456789012:role/x'}
resources:
  Resources:
    Written: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
"""


def test_iam_forms(tmp_path: Path) -> None:
    doc, _ = _doc(tmp_path, IAM)
    a = _fn(doc, "ALambdaFunction")
    assert a["Policies"] == [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                      "Resource": "*"}]},
                             "arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert a["PermissionsBoundary"] == "arn:aws:iam::123456789012:policy/boundary"
    assert [s["Action"] for s in _fn(doc, "BLambdaFunction")["Policies"][0]["Statement"]] == ["sqs:SendMessage"]
    assert [s["Action"] for s in _fn(doc, "CLambdaFunction")["Policies"][0]["Statement"]] == ["s3:*", "sns:Publish"]
    assert _fn(doc, "DLambdaFunction")["Role"] == {"Fn::GetAtt": ["Written", "Arn"]}
    assert _fn(doc, "ELambdaFunction")["Role"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/someone-elses-role"}
    assert _fn(doc, "FLambdaFunction")["Role"] == {"Fn::GetAtt": ["Written", "Arn"]}
    assert _fn(doc, "GLambdaFunction")["Role"] == "arn:aws:iam::123456789012:role/x"
    assert "Policies" not in _fn(doc, "DLambdaFunction")


@pytest.mark.parametrize(("role", "expected"), [
    ("arn:aws:iam::123456789012:role/shared", "arn:aws:iam::123456789012:role/shared"),
    ("Written", {"Fn::GetAtt": ["Written", "Arn"]}),
    ("!GetAtt Written.Arn", {"Fn::GetAtt": ["Written", "Arn"]}),
])
def test_provider_existing_role(tmp_path: Path, role: str, expected: object) -> None:
    doc, _ = _doc(tmp_path, f"provider:\n  name: aws\n  iam:\n    role: {role}\nfunctions:\n  f: {{handler: a.h}}\n"
                            "resources: {Resources: {Written: {Type: AWS::IAM::Role}}}\n")
    assert _fn(doc)["Role"] == expected
    assert "Policies" not in _fn(doc)


def test_v2_provider_statements(tmp_path: Path) -> None:
    doc, _ = _doc(tmp_path, "provider:\n  name: aws\n"
                            "  iamRoleStatements: [{Effect: Allow, Action: '*', Resource: '*'}]\n"
                            "  iamManagedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]\n"
                            "functions: {f: {handler: a.h}}\n")
    assert _fn(doc)["Policies"][0]["Statement"][0]["Action"] == "*"
    assert _fn(doc)["Policies"][1] == "arn:aws:iam::aws:policy/AdministratorAccess"


EVENTS = """service: s
provider: {name: aws, runtime: nodejs20.x, layers: [arn:aws:lambda:us-east-1:1:layer:x:1],
           environment: {A: '1', B: '2'}, tracing: {lambda: true}}
functions:
  f:
    handler: src/fn/index.handler
    description: the function
    runtime: python3.12
    reservedConcurrency: 5
    environment: {B: '3'}
    url: {authorizer: aws_iam, cors: {allowedOrigins: ['*'], allowCredentials: true}}
    events:
      - s3: {bucket: written-bucket, event: 's3:ObjectRemoved:*', existing: true}
      - s3: {bucket: new-bucket, rules: [{prefix: in/}, {suffix: .csv}]}
      - s3: {bucket: someone-elses, existing: true}
      - sqs: arn:aws:sqs:us-east-1:1:q
      - sns: my-topic
      - schedule: {rate: [rate(1 hour)]}
      - eventBridge: {eventBus: bus, pattern: {source: [a]}}
      - stream: {type: kinesis, arn: arn:aws:kinesis:us-east-1:1:stream/x}
      - stream: arn:aws:dynamodb:us-east-1:1:table/t/stream/1
      - cognitoUserPool: {pool: customers, trigger: PreSignUp}
      - alb: {listenerArn: arn:aws:elasticloadbalancing:x, priority: 1, conditions: {path: /x}}
      - websocket: $connect
  g:
    handler: g.h
    package: {artifact: build/g.zip}
resources:
  Resources:
    WrittenBucket: {Type: AWS::S3::Bucket, Properties: {BucketName: written-bucket}}
  Outputs:
    Out: {Value: x}
  Metadata:
    remit: {ignore: [{id: RMT-LAMBDA-009, reason: r}]}
"""


def test_function_properties_and_events(tmp_path: Path) -> None:
    doc, diags = _doc(tmp_path, EVENTS)
    f = _fn(doc)
    assert (f["CodeUri"], f["Handler"], f["Runtime"]) == ("src/fn", "index.handler", "python3.12")
    assert f["ReservedConcurrentExecutions"] == 5
    assert f["Description"] == "the function"
    assert f["Layers"] == ["arn:aws:lambda:us-east-1:1:layer:x:1"]
    assert f["Tracing"] == "Active"
    assert f["Environment"]["Variables"] == {"A": "1", "B": "3"}
    assert f["FunctionUrlConfig"] == {"AuthType": "AWS_IAM", "Cors": {"AllowOrigins": ["*"], "AllowCredentials": True}}
    events = {k: (v["Type"], v["Properties"]) for k, v in f["Events"].items()}
    assert events["S30"] == ("S3", {"Bucket": {"Ref": "WrittenBucket"}, "Events": "s3:ObjectRemoved:*"})
    assert events["S31"][1]["Bucket"] == {"Ref": "S3BucketNewBucket"}
    assert events["S31"][1]["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": "in/"},
                                                              {"Name": "suffix", "Value": ".csv"}]}}
    assert doc["Resources"]["S3BucketNewBucket"]["Type"] == "AWS::S3::Bucket"
    assert "S32" not in events  # an existing bucket elsewhere: only the permission
    assert doc["Resources"]["FLambdaFunctionS32Permission"]["Properties"]["Principal"] == "s3.amazonaws.com"
    assert events["Sqs3"] == ("SQS", {"Queue": "arn:aws:sqs:us-east-1:1:q"})
    assert events["Sns4"][0] == "SNS"
    assert events["Schedule5"] == ("Schedule", {"Schedule": "rate(1 hour)"})
    assert events["EventBridge6"] == ("EventBridgeRule", {"Pattern": {"source": ["a"]}, "EventBusName": "bus"})
    assert events["Stream7"][0] == "Kinesis"
    assert events["Stream8"][0] == "DynamoDB"
    assert events["CognitoUserPool9"] == ("Cognito", {"UserPool": {"Ref": "CognitoUserPoolCustomers"},
                                                      "Trigger": "PreSignUp"})
    alb = doc["Resources"]["FLambdaFunctionAlb10Permission"]["Properties"]
    assert alb["Principal"] == "elasticloadbalancing.amazonaws.com"
    assert any("websocket" in d for d in diags)
    assert _fn(doc, "GLambdaFunction")["CodeUri"] == "build/g.zip"
    assert doc["Outputs"] == {"Out": {"Value": "x"}}
    assert "remit" in doc["Metadata"]
    assert doc["Resources"]["WrittenBucket"]["Properties"]["BucketName"] == "written-bucket"


def test_rest_api_private_routes_cors_and_usage_plan(tmp_path: Path) -> None:
    doc, _ = _doc(tmp_path, "provider:\n  name: aws\n  apiGateway: {usagePlan: {throttle: {rateLimit: 5}}}\n"
                            "functions:\n  f:\n    handler: a.h\n    events:\n"
                            "      - http: {path: x, method: post, private: true, cors: true}\n"
                            "      - http: {path: y, method: get, authorizer: aws_iam}\n")
    api = doc["Resources"]["ApiGatewayRestApi"]["Properties"]
    assert api["Auth"]["UsagePlan"] == {"CreateUsagePlan": "PER_API", "Throttle": {"RateLimit": 5}}
    assert api["Cors"]["AllowOrigin"] == "'*'"
    events = _fn(doc)["Events"]
    assert events["Http0"]["Properties"]["Auth"] == {"ApiKeyRequired": True}
    assert events["Http1"]["Properties"]["Auth"] == {"Authorizer": "AWS_IAM"}


def test_events_become_triggers_in_the_model(tmp_path: Path) -> None:
    (tmp_path / "svc" / "src" / "fn").mkdir(parents=True)
    (tmp_path / "svc" / "src" / "fn" / "index.js").write_text("exports.handler = async () => 1;\n")
    _doc(tmp_path, EVENTS)
    result = scan([tmp_path / "svc"])
    crashes = [d for d in result.diagnostics if d.code in ("model-error", "rule-error", "sam-invalid")]
    assert not crashes, crashes
    app = result.application
    assert app is not None
    fn = next(f for f in app.functions if f.id.logical_id == "FLambdaFunction")
    kinds = {t.kind for t in app.triggers_of(fn)}
    assert {TriggerKind.FUNCTION_URL, TriggerKind.S3, TriggerKind.SQS, TriggerKind.SNS, TriggerKind.SCHEDULE,
            TriggerKind.EVENTBRIDGE, TriggerKind.KINESIS, TriggerKind.DYNAMODB_STREAM, TriggerKind.COGNITO} <= kinds


def test_image_functions_carry_no_runtime(tmp_path: Path) -> None:
    doc, _ = _doc(tmp_path, "provider: {name: aws, runtime: python3.12, layers: [x]}\n"
                            "functions: {f: {image: 1234.dkr.ecr.us-east-1.amazonaws.com/app:1}}\n")
    props = _fn(doc)
    assert props["PackageType"] == "Image"
    assert "Runtime" not in props
    assert "Layers" not in props


def test_paths_through_unknowns_and_framework_defaults(tmp_path: Path) -> None:
    doc, diags = _doc(tmp_path, "custom: {secrets: '${file(./absent.yml)}'}\nprovider: {name: aws}\nfunctions:\n"
                                "  f:\n    handler: a.h\n    environment:\n      K: ${self:custom.secrets.KEY}\n"
                                "      S: ${self:provider.stage}-${self:provider.region}\n")
    env = _fn(doc)["Environment"]["Variables"]
    assert env["S"] == "dev-us-east-1"
    assert "inside ${file(./absent.yml)}, which is unknown" in env["K"][UNKNOWN_KEY]
    assert any("does not exist" in d for d in diags)


FRAGMENTS = Path(__file__).parent / "fixtures" / "formats" / "serverless-fragments"


def test_resources_and_functions_fragments_are_parts_of_the_service() -> None:
    result = scan([FRAGMENTS])
    assert [d.path for d in result.documents] == ["serverless.yml"]  # the fragments are not templates of their own
    found = {(f.rule_id, f.resource, str(f.location)) for f in result.findings}
    # a queue policy from resources/queue.yml, reported at its own line
    assert ("RMT-SQS-001", "JobsQueue", "resources/queue.yml:13") in found
    # the function from functions/orders.yml points there; the role's GetAtt to the fragment's queue resolves
    assert ("RMT-LAMBDA-009", "OrdersLambdaFunction", "functions/orders.yml:1") in found
    assert ("RMT-LAMBDA-009", "ReportsLambdaFunction", "serverless.yml:14") in found
    not_read = {(d.path, d.line, d.message) for d in result.diagnostics if d.code == "serverless-not-read"}
    assert not_read == {
        ("serverless.yml", 11, "provider.iam.role.unknownKey is not read"),
        ("serverless.yml", 19, "resources[2] '${file(resources/missing.yml)}': the file does not exist; not read"),
        ("serverless.yml", 27, "resources.extensions.IamRoleLambdaExecution: extends a resource remit does not model "
                               "(one the framework itself creates, or none); not applied"),
    }


def test_fragments_merge_in_order_and_extensions_apply() -> None:
    loaded = load_serverless(InputFile(FRAGMENTS / "serverless.yml", "serverless.yml"))
    assert loaded.document is not None
    data = loaded.document.data
    assert {"JobsQueue", "JobsQueuePolicy", "UploadsBucket", "OrdersLambdaFunction"} <= set(data["Resources"])
    assert data["Resources"]["JobsQueue"]["Properties"]["QueueName"] == "fragments-jobs"  # ${self:} in a fragment
    assert data["Outputs"]["QueueArn"]["Value"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    assert _fn(dict(data), "OrdersLambdaFunction")["MemorySize"] == 2048  # resources.extensions
    marks = loaded.document.marks
    assert marks.file_of(("Resources", "UploadsBucket")) == "resources/bucket.yml"
    assert marks.position(("Resources", "UploadsBucket")).line == 2
    assert set(loaded.document.includes) == {"functions/orders.yml", "resources/queue.yml", "resources/bucket.yml"}


def test_shapes_remit_does_not_read_are_named(tmp_path: Path) -> None:
    doc, diags = _doc(tmp_path, "service: s\nprovider:\n  name: aws\n  iam: ${file(iam.yml)}\n"
                                "resources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n  Extra: {}\n"
                                "functions:\n  a: [1]\n  b:\n    runtime: python3.12\n"
                                "  c:\n    handler: app.h\n    iamRoleStatements: ${ssm:/x}\n")
    assert "Q" in doc["Resources"]
    shown = [d for d in diags if d.startswith("serverless-not-read")]
    assert any("provider.iam is unknown (serverless variable ${file(iam.yml)}" in d for d in shown)
    assert any("resources: Extra is not a section remit reads" in d for d in shown)
    assert any("functions.a is a list, not a mapping" in d for d in shown)
    assert any("functions.b has neither handler nor image" in d for d in shown)
    assert any("functions.c.iamRoleStatements is unknown" in d for d in shown)
