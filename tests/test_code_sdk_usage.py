"""What each function uses, resolved against its template (remit.code.sdk.usage) and checked against its role."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from remit.analysis import Analysis
from remit.api import analyze
from remit.code.sdk.access import check
from remit.code.sdk.usage import Usage
from remit.iam.evaluate import Decision
from remit.model.application import Application
from remit.model.values import Concat, Symbol, SymbolKind, Value, render

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: {Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "kms:*", Resource: "*"}]}
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: !GetAtt Key.Arn}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
  Jobs:
    Type: AWS::SQS::Queue
  Failures:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Tracing: Active
      DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Failures.Arn}
      Environment:
        Variables:
          DATA: !Ref Data
          TABLE: !Ref Table
          NAMED: literal-bucket
          CHOSEN: !If [IsProd, !Ref Data, other-bucket]
      Policies:
        - S3ReadPolicy: {BucketName: !Ref Data}
        - Statement:
            - Effect: Allow
              Action: dynamodb:Query
              Resource: !Sub "${Table.Arn}/index/*"
      Events:
        Work:
          Type: SQS
          Properties: {Queue: !GetAtt Jobs.Arn}
"""

CODE = """\
import os
import boto3

s3 = boto3.client("s3")
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    s3.get_object(Bucket=os.environ["DATA"], Key="config.json")
    s3.put_object(Bucket=os.environ["NAMED"], Key="x", Body=b"")
    s3.put_object(Bucket=os.environ["CHOSEN"], Key="x", Body=b"")
    s3.put_object(Bucket=os.environ["MISSING"], Key="x", Body=b"")
    table.query(IndexName="by-date", KeyConditionExpression="d = :d")
"""


@pytest.fixture(scope="module")
def an(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    root = tmp_path_factory.mktemp("usage")
    (root / "template.yaml").write_text(TEMPLATE)
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text(CODE)
    found, _ = analyze([root])
    assert found is not None
    return found


@pytest.fixture(scope="module")
def app(an: Analysis) -> Application:
    return an.app


def _usage(an: Analysis) -> Usage:
    return an.usage[an.app.functions[0].id]


def _uses(an: Analysis) -> dict[tuple[str, str], list[int]]:
    return {(u.action, render(u.resource)): [c.location.line for c in u.calls] for u in _usage(an).uses}


def test_environment_variables_resolve_to_template_resources(an: Analysis, app: Application) -> None:
    uses = _uses(an)
    assert uses[("s3:GetObject", "${Data.Arn}/config.json")] == [9]
    assert uses[("s3:PutObject", "arn:aws:s3:::literal-bucket/x")] == [10]
    assert uses[("dynamodb:Query", "${Table.Arn}/index/by-date")] == [13]


def test_what_cannot_be_resolved_is_any_resource_with_a_reason(an: Analysis, app: Application) -> None:
    unresolved = {u.note for u in _usage(an).uses if u.action == "s3:PutObject" and render(u.resource) == "*"}
    assert any("depends on a template condition" in n for n in unresolved)
    assert any("$MISSING, which the template does not set" in n for n in unresolved)


def test_customer_managed_key_needs_decrypt(an: Analysis, app: Application) -> None:
    kms = [u for u in _usage(an).uses if u.action == "kms:Decrypt"]
    assert [(render(u.resource), u.cmk) for u in kms] == [("${Key.Arn}", True)]


def test_what_lambda_does_with_the_role(an: Analysis, app: Application) -> None:
    platform = {(u.action, render(u.resource)) for u in _usage(an).uses if u.platform}
    assert ("sqs:ReceiveMessage", "${Jobs.Arn}") in platform
    assert ("sqs:SendMessage", "${Failures.Arn}") in platform
    assert ("xray:PutTraceSegments", "*") in platform
    assert any(a == "logs:PutLogEvents" and "/aws/lambda/${Fn}" in r for a, r in platform)


def test_complete_analysis(an: Analysis, app: Application) -> None:
    assert _usage(an).complete
    assert _usage(an).gaps == ()


def test_resource_forms_compare_equal(an: Analysis, app: Application) -> None:
    """S3ReadPolicy writes ``arn:${AWS::Partition}:s3:::${Data}/*``; the code's call is on ``${Data.Arn}/...``."""
    role = app.role_of(app.functions[0])
    assert role is not None
    assert render(_usage(an).uses[0].resource) == "${Data.Arn}/config.json"
    assert check(an.iam, role, "s3:GetObject", _usage(an).uses[0].resource).decision is Decision.ALLOWED
    every_object = Concat((Symbol(SymbolKind.RESOURCE, "Data", "Arn"), "/*"))
    assert check(an.iam, role, "s3:GetObject", every_object).decision is Decision.ALLOWED


@pytest.mark.parametrize(("action", "resource", "verdict"), [
    ("s3:GetObject", "${Data.Arn}/config.json", Decision.ALLOWED),
    ("s3:PutObject", "${Data.Arn}/config.json", Decision.NOT_ALLOWED),
    ("dynamodb:Query", "${Table.Arn}/index/by-date", Decision.ALLOWED),
    ("dynamodb:Query", "${Table.Arn}", Decision.NOT_ALLOWED),
    ("s3:GetObject", "*", Decision.ALLOWED),
    ("s3:DeleteObject", "*", Decision.NOT_ALLOWED),
])
def test_role_checks(an: Analysis, app: Application, action: str, resource: str, verdict: Decision) -> None:
    role = app.role_of(app.functions[0])
    assert role is not None
    value = next((u.resource for u in _usage(an).uses if render(u.resource) == resource), resource)
    assert check(an.iam, role, action, value).decision is verdict


def test_code_not_analysed_is_incomplete(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: s3://bucket/code.zip}
    """))
    found, _ = analyze([tmp_path])
    assert found is not None
    result = found.usage[found.app.functions[0].id]
    assert not result.complete
    assert result.gaps == ("its code was not analysed",)


def test_deny_on_one_resource_does_not_deny_an_unknown_target(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(textwrap.dedent("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Vault:
            Type: AWS::S3::Bucket
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: s3://bucket/code.zip
              Policies:
                - Statement:
                    - {Effect: Allow, Action: "s3:*", Resource: "*"}
                    - {Effect: Deny, Action: s3:DeleteObject, Resource: !Sub "${Vault.Arn}/*"}
                    - {Effect: Deny, Action: s3:PutBucketPolicy, Resource: "*"}
    """))
    found, _ = analyze([tmp_path])
    assert found is not None
    role = found.app.role_of(found.app.functions[0])
    assert role is not None
    # allowed on some resources (the engine may call that conditional): never reported
    assert check(found.iam, role, "s3:DeleteObject", "*").decision in (Decision.ALLOWED, Decision.CONDITIONAL)
    assert check(found.iam, role, "s3:PutBucketPolicy", "*").decision is Decision.DENIED
    vault_objects = "${Vault.Arn}/*"
    value = Concat((Symbol(SymbolKind.RESOURCE, "Vault", "Arn"), "/*"))
    assert render(value) == vault_objects
    assert check(found.iam, role, "s3:DeleteObject", value).decision is Decision.DENIED


NAMED = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
  Uploads:
    Type: AWS::S3::Bucket
  Vault:
    Type: AWS::S3::Bucket
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: {Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "kms:Decrypt", Resource: "*"}]}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/code.zip
      Policies:
        - Statement:
            - {Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt Orders.Arn}
            - {Effect: Allow, Action: s3:GetObject, Resource: !Sub "${Uploads.Arn}/incoming/*"}
            - {Effect: Allow, Action: s3:DeleteObject, Resource: "*"}
            - {Effect: Deny, Action: s3:DeleteObject, Resource: !Sub "${Vault.Arn}/locked/*"}
"""


def _objects(bucket: str) -> Concat:
    return Concat((Symbol(SymbolKind.RESOURCE, bucket, "Arn"), "/*"))


@pytest.mark.parametrize(("action", "resource", "verdict"), [
    # a name without account and region is in the function's own account and region, as the SDK resolves it
    ("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/orders", Decision.ALLOWED),
    ("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/other", Decision.NOT_ALLOWED),
    ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/orders", Decision.NOT_ALLOWED),
    ("dynamodb:PutItem", "arn:aws:dynamodb:*:*:table/orders", Decision.NOT_ALLOWED),
    # some object of a bucket: the role allows part of them (incoming/*), so remit does not claim a failure
    ("s3:GetObject", _objects("Uploads"), Decision.CONDITIONAL),
    ("s3:GetObject", _objects("Vault"), Decision.NOT_ALLOWED),
    ("s3:GetObject", Concat((Symbol(SymbolKind.RESOURCE, "Uploads", "Arn"), "/incoming/*")), Decision.ALLOWED),
    # a Deny of part of the objects does not deny some object; of the whole part it names, it does
    ("s3:DeleteObject", _objects("Vault"), Decision.CONDITIONAL),
    ("s3:DeleteObject", Concat((Symbol(SymbolKind.RESOURCE, "Vault", "Arn"), "/locked/a.txt")), Decision.DENIED),
    # the key policy allows what the role's own statements do not
    ("kms:Decrypt", Symbol(SymbolKind.RESOURCE, "Key", "Arn"), Decision.ALLOWED),
    # an unknown target: allowed when some statement grants the action on anything
    ("s3:GetObject", "*", Decision.ALLOWED),
    ("s3:PutObject", "*", Decision.NOT_ALLOWED),
])
def test_the_engine_answers_names_and_patterns(tmp_path: Path, action: str, resource: Value,
                                               verdict: Decision) -> None:
    (tmp_path / "template.yaml").write_text(NAMED)
    found, _ = analyze([tmp_path])
    assert found is not None
    role = found.app.role_of(found.app.functions[0])
    assert role is not None
    assert check(found.iam, role, action, resource).decision is verdict
