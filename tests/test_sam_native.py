"""remit's own SAM expansion gives exactly what aws-sam-translator gives, or refuses.

Each accepted template is expanded both ways and compared as JSON text (same resources, ids, values and key
order); each refused shape is refused with its reason. The corpus case (``-m corpus``) compares every template
of the shared corpora that the native expansion accepts, APIs included, as
:func:`~remit.loaders.sam_native.contract.comparable` text (REST APIs have their own cases in
``test_sam_native_api``)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from remit.loaders import sam, sam_native
from remit.loaders.cloudformation import load_template
from remit.loaders.discover import InputFile, discover
from remit.loaders.sam import clone
from remit.loaders.sam_native.contract import comparable

from .conftest import CORPORA

HEAD = "Transform: AWS::Serverless-2016-10-31\n"


def _prepared(path: Path, root: Path) -> dict[str, Any] | None:
    loaded = load_template(InputFile(path, path.relative_to(root).as_posix()))
    if loaded.document is None or loaded.document.kind.name != "SAM":
        return None
    template, _, _ = sam._prepare(loaded.document, root)
    return template


def _translated(template: dict[str, Any]) -> dict[str, Any]:
    translator = sam._translator()
    translator.document_errors = []
    return clone(translator.translate(sam_template=clone(template), parameter_values={}, passthrough_metadata=True))


def _template(tmp_path: Path, text: str) -> dict[str, Any]:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text))
    template = _prepared(path, tmp_path)
    assert template is not None
    return template


FN = """\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
"""

ACCEPTED = {
    "minimal": HEAD + "Resources:\n" + FN,
    "no-transform-line": "Resources:\n" + FN,
    "globals-merge": HEAD + """\
Globals:
  Function:
    Timeout: 10
    Runtime: nodejs20.x
    Architectures: [x86_64]
    Layers: [arn:aws:lambda:us-east-1:111122223333:layer:a:1]
    Environment:
      Variables: {A: global, B: global}
    Tags: {team: core, cost: shared}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Architectures: [arm64]
      Layers: [!Ref Layer]
      Environment:
        Variables: {C: local, A: local}
      Tags: {cost: mine}
  Layer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: {S3Bucket: b, S3Key: k}
""",
    "globals-code-and-handler": HEAD + """\
Globals:
  Function:
    CodeUri: src/
    Handler: index.handler
    Runtime: python3.12
    MemorySize: 256
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: {}
  B:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: !Ref Memory
Parameters:
  Memory: {Type: Number, Default: 128}
""",
    "tracing-vpc-durable": HEAD + """\
Resources:
  Traced:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(e, c): return 1"
      Tracing: Active
      VpcConfig:
        SecurityGroupIds: [sg-1]
        SubnetIds: [subnet-1]
  Untraced:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: s3://bucket/code.zip?versionId=v3
      Tracing: Disabled
      DurableConfig: {ExecutionTimeout: 900}
""",
    "role-given": HEAD + """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Role: !GetAtt Shared.Arn
      Policies: [AmazonS3ReadOnlyAccess]
  Named:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      FunctionName: !Sub "${AWS::StackName}-named"
      Role: arn:aws:iam::111122223333:role/outside
  Shared:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
""",
    "role-shape": HEAD + """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      RolePath: /app/
      PermissionsBoundary: arn:aws:iam::111122223333:policy/boundary
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: [lambda.amazonaws.com, edgelambda.amazonaws.com]}
            Action: sts:AssumeRole
""",
    "policies-every-kind": HEAD + """\
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      BillingMode: PAY_PER_REQUEST
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Policies:
        - AWSLambdaBasicExecutionRole
        - AmazonDynamoDBReadOnlyAccess
        - arn:aws:iam::111122223333:policy/custom
        - !Ref ManagedPolicy
        - NotAKnownPolicyName
        - DynamoDBCrudPolicy:
            TableName: !Ref Table
        - SQSPollerPolicy:
            QueueName: !GetAtt Queue.QueueName
        - VPCAccessPolicy: {}
        - S3ReadPolicy:
            BucketName: my-bucket
            Extra: ignored
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: "*"
        - Statement:
            Effect: Allow
            Action: [kms:Decrypt]
            Resource: !GetAtt Key.Arn
  Queue:
    Type: AWS::SQS::Queue
  Key:
    Type: AWS::KMS::Key
  ManagedPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Version: "2012-10-17", Statement: []}
""",
    "single-policy-forms": HEAD + """\
Resources:
  ByName:
    Type: AWS::Serverless::Function
    Properties: {Handler: a.b, Runtime: python3.12, CodeUri: src/, Policies: AmazonSQSFullAccess}
  ByDocument:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.b
      Runtime: python3.12
      CodeUri: src/
      Policies:
        Statement: [{Effect: Allow, Action: "sns:Publish", Resource: "*"}]
  ByTemplate:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.b
      Runtime: python3.12
      CodeUri: src/
      Policies:
        SSMParameterReadPolicy: {ParameterName: app/*}
""",
    "sections-and-order": HEAD + """\
AWSTemplateFormatVersion: "2010-09-09"
Description: sections kept as written
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Mappings:
  Sizes: {dev: {mem: 128}}
Resources:
  First:
    Type: AWS::SNS::Topic
""" + FN + """\
  Last:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Second:
    Type: AWS::Serverless::Function
    Description: a resource-level key CloudFormation ignores
    Metadata: {BuildMethod: makefile}
    Properties:
      Handler: app.handler
      Runtime: provided.al2023
      CodeUri: src/
      Description: ""
      Timeout: 30
      ReservedConcurrentExecutions: 5
      EphemeralStorage: {Size: 1024}
      LoggingConfig: {LogFormat: JSON}
      SnapStart: {ApplyOn: None}
      RuntimeManagementConfig: {UpdateRuntimeOn: Auto}
      RecursiveLoop: Terminate
      KmsKeyArn: !GetAtt Key.Arn
      PackageType: Zip
Outputs:
  FnArn:
    Value: !GetAtt Fn.Arn
""",
    "simple-tables": HEAD + """\
Globals:
  SimpleTable:
    SSESpecification: {SSEEnabled: true}
Resources:
  Plain:
    Type: AWS::Serverless::SimpleTable
  Keyed:
    Type: AWS::Serverless::SimpleTable
    DependsOn: Plain
    Properties:
      TableName: !Sub "${AWS::StackName}-keyed"
      PrimaryKey: {Name: pk, Type: Number}
      ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: 5}
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
      Tags: {team: data}
      SSESpecification: {SSEEnabled: false}
""" + FN + """\
  Waits:
    Type: AWS::Serverless::Function
    DependsOn: [Plain, Keyed]
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Policies:
        - DynamoDBReadPolicy: {TableName: !Ref Keyed}
""",
    "function-urls": HEAD + """\
Globals:
  Function:
    FunctionUrlConfig:
      AuthType: AWS_IAM
Resources:
  Public:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      FunctionUrlConfig:
        AuthType: NONE
        Cors:
          AllowOrigins: ["*"]
          AllowCredentials: true
          MaxAge: 300
  Private:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      FunctionUrlConfig:
        InvokeMode: RESPONSE_STREAM
""",
    "resource-attributes": HEAD + """\
Conditions:
  IsProd: !Equals [!Ref "AWS::AccountId", "111122223333"]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Condition: IsProd
    DeletionPolicy: Retain
    UpdateReplacePolicy: Delete
    Metadata: {Owner: data-team}
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      FunctionUrlConfig: {AuthType: NONE}
      Policies: [AmazonS3ReadOnlyAccess]
  Table:
    Type: AWS::Serverless::SimpleTable
    Condition: IsProd
    DeletionPolicy: Retain
""",
    "auto-publish-alias": HEAD + """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      MemorySize: 512
      Environment:
        Variables: {TABLE: !Ref Table}
      SnapStart: {ApplyOn: PublishedVersions}
      AutoPublishAlias: live-v1_a
      FunctionUrlConfig: {AuthType: NONE}
  Kept:
    Type: AWS::Serverless::Function
    Condition: Always
    DeletionPolicy: Delete
    Properties:
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(e, c): return 1"
      AutoPublishAlias: prod
  Table:
    Type: AWS::Serverless::SimpleTable
Conditions:
  Always: !Equals [a, a]
Outputs:
  Plain:
    Value: !Ref Fn
  Live:
    Value: !Ref Fn.Alias
  Published:
    Value: !Ref Kept.Version
  LiveArn:
    Value: !GetAtt Fn.Alias.Arn
  LiveSub:
    Value: !Sub "${Fn.Alias} and ${Kept.Version.Version} but not ${Fn.Other}"
""",
    "layers": HEAD + """\
Globals:
  LayerVersion:
    PublishLambdaVersion: true
Resources:
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/deps/
      CompatibleRuntimes: [python3.12]
      CompatibleArchitectures: [arm64]
      RetentionPolicy: delete
  Named:
    Type: AWS::Serverless::LayerVersion
    DependsOn: Deps
    Condition: Always
    Properties:
      LayerName: shared-utils
      Description: helpers
      LicenseInfo: MIT
      ContentUri: s3://artifacts/utils.zip
  ByStack:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: !Sub ${AWS::StackName}-common
      Description: !Join ["", [common, " ", !Ref AWS::AccountId]]
      ContentUri: s3://artifacts/common.zip
  Fn:
    Type: AWS::Serverless::Function
    DependsOn: [Named, Table]
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Layers: [!Ref Deps, !Ref Named, arn:aws:lambda:us-east-1:111122223333:layer:x:3]
  Table:
    Type: AWS::DynamoDB::Table
    DependsOn: Deps
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      BillingMode: PAY_PER_REQUEST
Conditions:
  Always: !Equals [a, a]
  DepsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
Outputs:
  DepsArn:
    Value: !Ref Deps
  NotTheLayer:
    Value: !GetAtt DepsFunction.Arn
  NorThis:
    Value: !Sub "${DepsFunction} ${DepsFunction.Arn} ${!Deps}"
""",
    "state-machines": HEAD + """\
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src/}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: !Sub "${AWS::StackName}-flow"
      Type: EXPRESS
      Definition:
        StartAt: Work
        States:
          Work:
            Type: Task
            Resource: !GetAtt Worker.Arn
            Parameters:
              Secret: "{{resolve:secretsmanager:app/key}}"
              Table: !Ref Table
              Plain: [1, !Ref Table, {Nested: !Sub "${Table}-x"}]
            Next: Done
          Done: {Type: Succeed}
      DefinitionSubstitutions:
        Given: value
      Logging:
        Level: ALL
        Destinations: [{CloudWatchLogsLogGroup: {LogGroupArn: !GetAtt Logs.Arn}}]
      Tracing: {Enabled: true}
      Tags: {team: flow}
      RolePath: /flows/
      Policies:
        - LambdaInvokePolicy: {FunctionName: !Ref Worker}
        - CloudWatchLogsFullAccess
        - Statement: [{Effect: Allow, Action: "dynamodb:GetItem", Resource: !GetAtt Table.Arn}]
  FromS3:
    Type: AWS::Serverless::StateMachine
    Condition: Always
    Properties:
      DefinitionUri: s3://bucket/flow.asl.json?versionId=7
      Role: !GetAtt SharedRole.Arn
  Bare:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}
  SharedRole:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}}
  Table:
    Type: AWS::Serverless::SimpleTable
  Logs:
    Type: AWS::Logs::LogGroup
Conditions:
  Always: !Equals [a, a]
""",
    "alias-as-event-target": HEAD + """\
Conditions:
  Always: !Equals [a, a]
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Condition: Always
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      AutoPublishAlias: live
      Events:
        Work:
          Type: SQS
          Properties: {Queue: !GetAtt Jobs.Arn, BatchSize: 5}
        Nightly:
          Type: Schedule
          Properties: {Schedule: rate(1 day), Input: '{"full": true}'}
        Logs:
          Type: CloudWatchLogs
          Properties: {LogGroupName: app-logs, FilterPattern: ERROR}
""",
    "state-machine-events": HEAD + """\
Conditions:
  Always: !Equals [a, a]
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Condition: Always
    Properties:
      DefinitionUri: s3://bucket/flow.json
      PermissionsBoundary: arn:aws:iam::111122223333:policy/boundary
      Events:
        Nightly:
          Type: Schedule
          Properties:
            Schedule: cron(0 3 * * ? *)
            Enabled: false
            Input: '{"mode": "full"}'
            Target: {Id: nightly-run}
            DeadLetterConfig: {Type: SQS}
            RetryPolicy: {MaximumRetryAttempts: 2}
        Given:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
            RoleArn: arn:aws:iam::111122223333:role/scheduler
        Orders:
          Type: EventBridgeRule
          Properties:
            EventBusName: orders
            Pattern: {source: [shop.orders]}
            InputTransformer: {InputPathsMap: {id: $.detail.id}, InputTemplate: '{"id": <id>}'}
            DeadLetterConfig: {Arn: arn:aws:sqs:us-east-1:111122223333:dlq}
        Legacy:
          Type: CloudWatchEvent
          Properties:
            Pattern: {source: [aws.ec2]}
            State: DISABLED
            InputPath: $.detail
""",
    "container-images": HEAD + """\
Resources:
  Built:
    Type: AWS::Serverless::Function
    Metadata: {Dockerfile: Dockerfile, DockerContext: ./app}
    Properties:
      PackageType: Image
      Architectures: [arm64]
  Pushed:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1
      ImageConfig: {Command: [app.handler]}
      AutoPublishAlias: live
  FromParameter:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: !Ref Image
  FromSub:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: !Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/app:${Image}"
""",
}


ACCEPTED["async-invocation"] = HEAD + """\
Globals:
  Function:
    DeadLetterQueue: {Type: SNS, TargetArn: arn:aws:sns:us-east-1:111122223333:dead}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata: {owner: me}
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Dead.Arn}
      Policies:
        - Statement: [{Effect: Allow, Action: s3:GetObject, Resource: '*'}]
        - AmazonSQSReadOnlyAccess
      EventInvokeConfig:
        MaximumRetryAttempts: 1
        MaximumEventAgeInSeconds: 60
        DestinationConfig:
          OnSuccess: {Type: SQS}
          OnFailure: {Type: Lambda, Destination: !GetAtt Other.Arn}
  Published:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      AutoPublishAlias: live
      EventInvokeConfig:
        DestinationConfig:
          OnSuccess: {Type: SNS}
          OnFailure: {Type: EventBridge, Destination: arn:aws:events:us-east-1:111122223333:event-bus/default}
  Bare:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      EventInvokeConfig:
        MaximumRetryAttempts: 0
        DestinationConfig:
          OnFailure: {Type: S3Bucket, Destination: arn:aws:s3:::failures}
  Other:
    Type: AWS::Lambda::Function
    Properties: {Role: arn:aws:iam::111122223333:role/r, Code: {ZipFile: x}}
  Dead:
    Type: AWS::SQS::Queue
"""


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_native_expansion_equals_translator(tmp_path: Path, name: str) -> None:
    template = _template(tmp_path, ACCEPTED[name])
    native = clone(sam_native.expand(clone(template)))
    assert json.dumps(native, indent=1) == json.dumps(_translated(template), indent=1)


REFUSED = {
    "api-event-request-model": ("""\
      Events:
        Get: {Type: Api, Properties: {Path: /, Method: get, RequestModel: {Model: User}}}
""", "Api: property 'RequestModel'"),
    "alias-numeric": ("      AutoPublishAlias: '123'\n", "Function: AutoPublishAlias"),
    "alias-intrinsic": ("      AutoPublishAlias: !Ref Stage\n", "Function: AutoPublishAlias"),
    "url-auth-intrinsic": ("      FunctionUrlConfig: {AuthType: !Ref Auth}\n", "Function: FunctionUrlConfig"),
    "url-cors-unknown": ("      FunctionUrlConfig: {AuthType: NONE, Cors: {AllowAll: true}}\n",
                         "Function: FunctionUrlConfig"),
    "policy-if": ("""\
      Policies:
        - !If [Cond, AmazonS3ReadOnlyAccess, !Ref AWS::NoValue]
""", "Policies: Fn::If"),
    "unknown-policy-shape": ("""\
      Policies:
        - NotATemplate: {Name: x}
""", "Policies: an entry"),
    "template-missing-parameter": ("""\
      Policies:
        - DynamoDBCrudPolicy: {}
""", "parameters missing"),
    "template-values-not-a-map": ("""\
      Policies:
        - DynamoDBCrudPolicy: my-table
""", "not a mapping"),
    "reserved-tag": ("      Tags: {'lambda:createdBy': me}\n", "Function: Tags"),
    "image-intrinsic-with-alias": ("      PackageType: Image\n      ImageUri: !Ref Image\n"
                                   "      AutoPublishAlias: live\n", "Function: ImageUri"),
    "role-if": ("      Role: !If [Cond, arn:aws:iam::111122223333:role/a, !Ref AWS::NoValue]\n", "Function: Role"),
    "code-as-mapping": ("      InlineCode: null\n", "without a value"),
    "tracing-intrinsic": ("      Tracing: !Ref TracingMode\n", "Function: Tracing"),
    "image-with-handler": ("      PackageType: Image\n", "an image function with Handler"),
    "invoke-destination-if": ("""\
      EventInvokeConfig:
        DestinationConfig:
          OnFailure: {Type: SQS, Destination: !If [Cond, !GetAtt Q.Arn, "arn:aws:sqs:us-east-1:111122223333:q"]}
""", "Fn::If"),
    "invoke-destination-parameter": ("""\
      EventInvokeConfig:
        DestinationConfig:
          OnFailure: {Type: SNS, Destination: !Sub "arn:${AWS::Partition}:sns:us-east-1:111122223333:t"}
""", "refers to a parameter"),
    "invoke-without-destination": ("""\
      EventInvokeConfig:
        DestinationConfig:
          OnFailure: {Type: Lambda}
""", "without Destination"),
    "dead-letter-type": ("      DeadLetterQueue: {Type: Kinesis, TargetArn: arn:aws:kinesis:::stream/s}\n",
                         "DeadLetterQueue the translator rejects"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_native_expansion_refuses(tmp_path: Path, name: str) -> None:
    extra, reason = REFUSED[name]
    template = _template(tmp_path, HEAD + "Resources:\n" + FN + extra)
    with pytest.raises(sam_native.Refused) as refused:
        sam_native.expand(clone(template))
    assert reason in refused.value.reason


@pytest.mark.parametrize(("text", "reason"), [
    (HEAD + "Globals:\n  StateMachine:\n    PropagateTags: true\nResources:\n" + FN, "Globals: section StateMachine"),
    (HEAD + "Globals:\n  Api:\n    GatewayResponses: {DEFAULT_4XX: {StatusCode: 400}}\nResources:\n" + FN,
     "Globals.Api: GatewayResponses"),
    (HEAD + "Globals:\n  Function:\n    AutoPublishAlias: live\nResources:\n" + FN, "Globals.Function"),
    (HEAD + "Resources:\n" + FN + "    IgnoreGlobals: '*'\n", "attribute IgnoreGlobals"),
    (HEAD + "Resources:\n  L:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: s3://b/k\n"
     "Outputs:\n  A:\n    Value: !Sub '${L}'\n", "a layer referenced inside"),
    (HEAD + "Resources:\n  L:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: s3://b/k\n"
     "Outputs:\n  A:\n    Value: !GetAtt [L, LayerVersionArn]\n", "a layer referenced inside"),
    (HEAD + "Resources:\n  L:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: s3://b/k\n"
     "Outputs:\n  A:\n    Value: !Sub ['${Arn}', {Arn: !Sub '${L.Arn}'}]\n", "a layer referenced inside"),
    (HEAD + "Resources:\n  L:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: s3://b/k\n"
     "      RetentionPolicy: !Ref Keep\n", "RetentionPolicy"),
    (HEAD + "Parameters:\n  Env: {Type: String, Default: dev}\nResources:\n  L:\n"
     "    Type: AWS::Serverless::LayerVersion\n"
     "    Properties:\n      ContentUri: s3://b/k\n      LayerName: !Sub deps-${Env}\n", "LayerName"),
    (HEAD + "Resources:\n" + FN + "    Condition: [IsProd]\n", "Condition is not a name"),
    (HEAD + "Resources:\n" + FN + "  Api:\n    Type: AWS::Serverless::GraphQLApi\n    Properties: {Name: x}\n",
     "AWS::Serverless::GraphQLApi"),
    (HEAD + "Resources:\n  S:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
     "      DefinitionUri: s3://b/k\n      Role: arn:aws:iam::111122223333:role/r\n"
     "      Policies: [AmazonS3ReadOnlyAccess]\n",
     "both Role and Policies"),
    (HEAD + "Resources:\n  S:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
     "      DefinitionUri: s3://b/k\n      Events:\n        E: {Type: Api, Properties: {Path: /, Method: get}}\n",
     "StateMachine: Api event"),
    (HEAD + "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Connectors:\n      C: {Properties: {}}\n" + FN,
     "Connectors"),
    ("Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources:\n" + FN, "Transform"),
])
def test_native_expansion_refuses_template_shapes(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(sam_native.Refused) as refused:
        sam_native.expand(clone(_template(tmp_path, text)))
    assert reason in refused.value.reason


def test_refused_expansion_leaves_the_translators_input_alone(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(HEAD + "Resources:\n" + FN
                    + "      DeploymentPreference: {Type: AllAtOnce}\n      AutoPublishAlias: live\n")
    loaded = load_template(InputFile(path, "template.yaml"))
    assert loaded.document is not None
    assert sam.translate_natively(loaded.document, tmp_path) is None
    translated = sam.translate(loaded.document, tmp_path)
    assert "FnAliaslive" in translated.template["Resources"]


@pytest.mark.corpus
@pytest.mark.parametrize("folder", ["sam-translator-tests", "serverless-patterns"])
def test_native_expansion_equals_translator_on_the_corpora(folder: str) -> None:
    base = CORPORA / folder
    if not base.is_dir():
        pytest.skip(f"{base} is not present")
    accepted, differing = 0, []
    for found in discover([base]).files:
        template = _prepared(found.path, base)
        if template is None:
            continue
        try:
            native = clone(sam_native.expand(clone(template)))
        except sam_native.Refused:
            continue
        try:
            expected = _translated(template)
        except Exception as exc:  # noqa: BLE001 - a template the translator rejects must have been refused
            differing.append(f"{found.rel}: accepted, but the translator rejects it: {exc}")
            continue
        accepted += 1
        if comparable(native) != comparable(expected):
            differing.append(f"{found.rel}: differs")
    assert not differing
    assert accepted > 0


def test_the_translator_can_be_asked_for_every_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(HEAD + "Resources:\n" + FN)
    loaded = load_template(InputFile(path, "template.yaml"))
    assert loaded.document is not None
    native = sam.translate_natively(loaded.document, tmp_path)
    assert native is not None
    monkeypatch.setenv("REMIT_NO_NATIVE_SAM", "1")
    assert sam.translate_natively(loaded.document, tmp_path) is None
    assert json.dumps(sam.translate(loaded.document, tmp_path).template) == json.dumps(native.template)


def test_a_self_referring_policy_template_value_goes_to_the_translator(tmp_path: Path) -> None:
    """A hostile value that names the template's own renamed parameter would be substituted into itself without
    end; the native side gives up and the translator's rejection becomes the file's diagnostic."""
    path = tmp_path / "template.yaml"
    path.write_text(HEAD + "Resources:\n" + FN + "      Policies:\n        - DynamoDBCrudPolicy:\n"
                    "            TableName: {Wrapped: {Ref: ___SAM_POLICY_PARAMETER_TableName}}\n")
    loaded = load_template(InputFile(path, "template.yaml"))
    assert loaded.document is not None
    assert sam.translate_natively(loaded.document, tmp_path) is None
    codes = [d.code for d in sam.translate(loaded.document, tmp_path).diagnostics]
    assert codes == ["sam-invalid", "sam-invalid-resource"]
