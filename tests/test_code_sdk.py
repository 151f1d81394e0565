"""boto3 call extraction, SDK names for JavaScript, and operation -> IAM action mapping (remit.code.sdk)."""

from __future__ import annotations

import ast
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remit.code.facts import EnvRef, SdkCall
from remit.code.sdk import DYNAMIC, actions_for, boto3_calls, index, is_dynamic, js_service, operation_for
from remit.code.sdk import python as extractor
from remit.code.sdk.required import CMK
from remit.model.values import Unknown
from remit.source import SourceLocation


def calls(source: str) -> list[tuple[int, str, str, dict[str, object]]]:
    tree = ast.parse(textwrap.dedent(source))
    return [(c.location.line, c.service, c.operation, dict(c.arguments)) for c in boto3_calls(tree, "app.py")]


def ops(source: str) -> list[tuple[str, str]]:
    return [(service, op) for _, service, op, _ in calls(source)]


def call(service: str, operation: str, **arguments: object) -> SdkCall:
    return SdkCall(service, operation, "x", SourceLocation("app.py", 1), tuple(arguments.items()))  # type: ignore[arg-type]  # test arguments are plain strings, not the Value union


def actions(c: SdkCall) -> list[str]:
    return [r.action for r in actions_for(c) if not r.when]


# ------------------------------------------------------------------------------------------------
# clients


def test_module_level_client_and_location() -> None:
    found = calls("""
        import boto3
        s3 = boto3.client("s3")

        def handler(event, context):
            return s3.get_object(Bucket="acme", Key=event["key"])
    """)
    assert found == [(6, "s3", "GetObject", {"Bucket": "acme", "Key": Unknown("computed by the code")})]


def test_client_made_inside_the_function_and_chained() -> None:
    assert ops("""
        import boto3
        def handler(event, context):
            sqs = boto3.client("sqs", region_name="eu-west-1")
            sqs.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/jobs", MessageBody="x")
            boto3.client("sns").publish(TopicArn="arn:aws:sns:eu-west-1:123456789012:t", Message="m")
    """) == [("sqs", "SendMessage"), ("sns", "Publish")]


def test_import_aliases_sessions_and_service_name_keyword() -> None:
    assert ops("""
        import boto3 as b3
        from boto3 import client as make_client
        from boto3.session import Session
        import boto3.session

        a = b3.client(service_name="lambda")
        b = make_client("stepfunctions")
        c = Session(region_name="us-east-1").client("secretsmanager")
        d = boto3.session.Session().client("ssm")
        e = b3.Session().resource("dynamodb").Table("orders")

        a.invoke(FunctionName="worker")
        b.start_execution(stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:m")
        c.get_secret_value(SecretId="prod/db")
        d.get_parameter(Name="/app/key", WithDecryption=True)
        e.get_item(Key={"id": "1"})
    """) == [("lambda", "Invoke"), ("stepfunctions", "StartExecution"), ("secretsmanager", "GetSecretValue"),
             ("ssm", "GetParameter"), ("dynamodb", "GetItem")]


def test_environment_arguments() -> None:
    found = calls("""
        import os
        from os import environ, getenv
        import boto3
        s3 = boto3.client("s3")
        BUCKET = os.environ["BUCKET"]

        def handler(event, context):
            s3.put_object(Bucket=BUCKET, Key="a", Body=b"")
            s3.put_object(Bucket=os.getenv("OTHER"), Key=os.environ.get("KEY", "x"), Body=b"")
            s3.put_object(Bucket=environ["THIRD"], Key=getenv("K2"), Body=b"")
            s3.put_object(Bucket=event["bucket"], Key=f"{event['key']}.json", Body=b"")
    """)
    assert [c[3] for c in found] == [
        {"Bucket": EnvRef("BUCKET"), "Key": "a"},
        {"Bucket": EnvRef("OTHER"), "Key": EnvRef("KEY")},
        {"Bucket": EnvRef("THIRD"), "Key": EnvRef("K2")},
        {"Bucket": Unknown("computed by the code"), "Key": Unknown("computed by the code")},
    ]


def test_attribute_clients_and_factory_functions() -> None:
    assert ops("""
        import boto3

        def _table():
            return boto3.resource("dynamodb").Table("orders")

        class Store:
            def __init__(self):
                self.client = boto3.client("kinesis")

            def put(self, data):
                self.client.put_record(StreamName="events", Data=data, PartitionKey="k")

        def handler(event, context):
            _table().query(KeyConditionExpression="id = :i")
    """) == [("kinesis", "PutRecord"), ("dynamodb", "Query")]


# ------------------------------------------------------------------------------------------------
# resources, paginators, waiters, helpers


def test_resources_and_their_identifiers() -> None:
    found = calls("""
        import os
        import boto3
        s3 = boto3.resource("s3")
        table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

        def handler(event, context):
            table.put_item(Item={"id": "1"})
            s3.Object("acme", "reports/latest.json").get()
            bucket = s3.Bucket(os.environ["BUCKET"])
            bucket.upload_file("/tmp/x", "uploads/x")
            bucket.Object("k").delete()
            for obj in bucket.objects.filter(Prefix="uploads/"):
                print(obj.key)
            bucket.objects.all().delete()
            table.meta.client.describe_table(TableName="orders")
    """)
    assert [(c[1], c[2], c[3]) for c in found] == [
        ("dynamodb", "PutItem", {"TableName": EnvRef("TABLE")}),
        ("s3", "GetObject", {"Bucket": "acme", "Key": "reports/latest.json"}),
        ("s3", "PutObject", {"Bucket": EnvRef("BUCKET"), "Key": "uploads/x"}),
        ("s3", "DeleteObject", {"Bucket": EnvRef("BUCKET"), "Key": "k"}),
        ("s3", "ListObjects", {"Bucket": EnvRef("BUCKET")}),
        ("s3", "ListObjects", {"Bucket": EnvRef("BUCKET")}),
        ("s3", "DeleteObjects", {"Bucket": EnvRef("BUCKET")}),
        ("dynamodb", "DescribeTable", {"TableName": "orders"}),
    ]


def test_paginators_waiters_and_transfer_helpers() -> None:
    found = calls("""
        import boto3
        s3 = boto3.client("s3")
        ddb = boto3.resource("dynamodb").Table("orders")

        def handler(event, context):
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket="acme"):
                pass
            s3.get_waiter("object_exists").wait(Bucket="acme", Key="k")
            s3.upload_file("/tmp/a", "acme", "a")
            s3.download_file("acme", "a", "/tmp/a")
            s3.copy({"Bucket": "src-bucket", "Key": "a"}, "acme", "b")
            with ddb.batch_writer() as batch:
                batch.put_item(Item={"id": "1"})
            url = s3.generate_presigned_url("get_object", Params={"Bucket": "acme", "Key": "a"})
    """)
    assert [(c[2], c[3]) for c in found] == [
        ("ListObjectsV2", {"Bucket": "acme"}),
        ("HeadObject", {"Bucket": "acme", "Key": "k"}),
        ("PutObject", {"Bucket": "acme", "Key": "a"}),
        ("GetObject", {"Bucket": "acme", "Key": "a"}),
        ("CopyObject", {"CopySource.Bucket": "src-bucket", "CopySource.Key": "a", "Bucket": "acme", "Key": "b"}),
        ("BatchWriteItem", {"TableName": "orders"}),
        ("GetObject", {"Bucket": "acme", "Key": "a"}),
    ]


def test_async_context_managers() -> None:
    assert ops("""
        import aioboto3
        session = aioboto3.Session()

        async def handler(event, context):
            async with session.client("sqs") as sqs:
                await sqs.delete_message(QueueUrl="u", ReceiptHandle="r")
    """) == [("sqs", "DeleteMessage")]


# ------------------------------------------------------------------------------------------------
# what cannot be named is explicit


def test_computed_operation_and_service_are_dynamic() -> None:
    found = boto3_calls(ast.parse(textwrap.dedent("""
        import boto3
        s3 = boto3.client("s3")
        other = boto3.client(SERVICE)

        def handler(event, context):
            getattr(s3, event["op"])(Bucket="acme")
            getattr(s3, "delete_object")(Bucket="acme", Key="k")
            other.do_something(Name="x")
    """)), "app.py")
    assert [(c.service, c.operation) for c in found] == [("s3", DYNAMIC), ("s3", "DeleteObject"), (DYNAMIC, DYNAMIC)]
    assert [is_dynamic(c) for c in found] == [True, False, True]


def test_receivers_the_module_does_not_create() -> None:
    assert ops("""
        import boto3
        s3 = boto3.client("s3")

        def save(client, body):
            client.put_object(Bucket="acme", Key="k", Body=body)   # s3: the module makes s3 clients

        def publish(client):
            client.publish(TopicArn="arn:aws:sns:us-east-1:1:t", Message="m")   # TopicArn names an SNS topic
            client.publish(Message="m")   # sns? iot-data? unknown

        def unrelated(session):
            session.get(url="https://example.com")
            session.commit()
    """) == [("s3", "PutObject"), ("sns", "Publish"), (DYNAMIC, DYNAMIC)]


def test_helper_modules_without_boto3() -> None:
    assert ops("""
        import os

        def save(table, item):
            table.put_item(Item=item)

        def read(client, key):
            return client.get_object(Bucket=os.environ["B"], Key=key)

        def other(thing):
            thing.render(Template="x")
    """) == [("dynamodb", "PutItem"), ("s3", "GetObject")]


def test_modules_without_boto3_and_odd_code() -> None:
    assert ops("import json\nprint(json.dumps({}))\n") == []
    deep = "import boto3\nx = " + "(" * 200 + "1" + ")" * 200 + "\n"
    assert ops(deep) == []


def test_a_failure_inside_the_extractor_counts_as_not_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: object) -> tuple[SdkCall, ...]:
        raise ValueError("unexpected")

    monkeypatch.setattr(extractor._Extractor, "run", boom)
    found = boto3_calls(ast.parse("import boto3\n"), "app.py")
    assert [(c.service, c.operation) for c in found] == [(DYNAMIC, DYNAMIC)]


def test_partiql_transactions_and_event_entries() -> None:
    found = calls("""
        import os
        import boto3
        ddb = boto3.client("dynamodb")
        events = boto3.client("events")

        def handler(event, context):
            ddb.execute_statement(Statement="UPDATE \\"orders\\" SET a = 1 WHERE id = ?")
            query = f"SELECT * FROM \\"{os.environ['TABLE']}\\" WHERE id = '{event['id']}'"
            ddb.execute_statement(Statement=query)
            ddb.execute_statement(Statement=event["statement"])
            ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": "orders", "Item": {}}},
                {"ConditionCheck": {"TableName": "orders", "Key": {}}},
            ])
            events.put_events(Entries=[{"Source": "app", "DetailType": "x", "Detail": "{}"}])
            events.put_events(Entries=[{"EventBusName": os.environ["BUS"], "Source": "app"}])
    """)
    args = [c[3] for c in found]
    assert args[0] == {"Statement#verb": "UPDATE", "TableName": "orders"}
    assert args[1] == {"Statement#verb": "SELECT", "TableName": EnvRef("TABLE")}
    assert args[2] == {}
    assert args[3] == {"TransactItems#kinds": "Put,ConditionCheck", "TableName": "orders"}
    assert args[4]["EventBusName"] == "default"
    assert args[5]["EventBusName"] == EnvRef("BUS")


# ------------------------------------------------------------------------------------------------
# operation -> IAM actions


@pytest.mark.parametrize(("service", "operation", "arguments", "expected"), [
    ("s3", "GetObject", {}, ["s3:GetObject"]),
    ("s3", "HeadObject", {}, ["s3:GetObject"]),
    ("s3", "ListObjectsV2", {}, ["s3:ListBucket"]),
    ("s3", "HeadBucket", {}, ["s3:ListBucket"]),
    ("s3", "ListBuckets", {}, ["s3:ListAllMyBuckets"]),
    ("s3", "CreateMultipartUpload", {}, ["s3:PutObject"]),
    ("s3", "DeleteObjects", {}, ["s3:DeleteObject"]),
    ("s3", "CopyObject", {}, ["s3:PutObject", "s3:GetObject"]),
    ("s3", "GetBucketCors", {}, ["s3:GetBucketCORS"]),
    ("s3", "GetBucketEncryption", {}, ["s3:GetEncryptionConfiguration"]),
    ("lambda", "Invoke", {}, ["lambda:InvokeFunction"]),
    ("dynamodb", "ExecuteStatement", {"Statement#verb": "SELECT"}, ["dynamodb:PartiQLSelect"]),
    ("dynamodb", "ExecuteStatement", {}, ["dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert",
                                          "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"]),
    ("dynamodb", "TransactWriteItems", {"TransactItems#kinds": "Put,Delete"},
     ["dynamodb:PutItem", "dynamodb:DeleteItem"]),
    ("dynamodb", "TransactGetItems", {}, ["dynamodb:GetItem"]),
    ("dynamodb", "BatchWriteItem", {}, ["dynamodb:BatchWriteItem"]),
    ("sqs", "SendMessageBatch", {}, ["sqs:SendMessage"]),
    ("sns", "PublishBatch", {}, ["sns:Publish"]),
    ("kms", "ReEncrypt", {}, ["kms:ReEncryptFrom", "kms:ReEncryptTo"]),
    ("sts", "GetCallerIdentity", {}, []),
    ("stepfunctions", "StartExecution", {}, ["states:StartExecution"]),
    ("bedrock-runtime", "Converse", {}, ["bedrock:InvokeModel"]),
    ("apigatewaymanagementapi", "PostToConnection", {}, ["execute-api:ManageConnections"]),
    ("apigateway", "GetRestApis", {}, ["apigateway:GET"]),
    ("logs", "PutLogEvents", {}, ["logs:PutLogEvents"]),
    ("iot-data", "Publish", {}, ["iot:Publish"]),
    ("iot-data", "GetThingShadow", {}, ["iot:GetThingShadow"]),
])
def test_operation_to_actions(service: str, operation: str, arguments: dict[str, object],
                              expected: list[str]) -> None:
    assert actions(call(service, operation, **arguments)) == expected


def test_resources_from_literal_arguments() -> None:
    def resources(c: SdkCall) -> list[tuple[str, str, str]]:
        return [(r.action, r.resource_type, r.resource) for r in actions_for(c) if not r.when]

    assert resources(call("s3", "GetObject", Bucket="acme", Key="a/b.json")) == [
        ("s3:GetObject", "object", "arn:aws:s3:::acme/a/b.json")]
    assert resources(call("s3", "ListObjectsV2", Bucket="acme")) == [("s3:ListBucket", "bucket", "arn:aws:s3:::acme")]
    assert resources(call("dynamodb", "Query", TableName="orders", IndexName="by-customer")) == [
        ("dynamodb:Query", "index", "arn:aws:dynamodb:*:*:table/orders/index/by-customer")]
    assert resources(call("sqs", "SendMessage", QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/jobs")) \
        == [("sqs:SendMessage", "queue", "arn:aws:sqs:eu-west-1:123456789012:jobs")]
    assert resources(call("lambda", "Invoke", FunctionName="worker")) == [
        ("lambda:InvokeFunction", "function", "arn:aws:lambda:*:*:function:worker")]
    assert resources(call("secretsmanager", "GetSecretValue", SecretId="prod/db")) == [
        ("secretsmanager:GetSecretValue", "Secret", "arn:aws:secretsmanager:*:*:secret:prod/db-??????")]
    assert resources(call("ssm", "GetParameter", Name="/app/key")) == [
        ("ssm:GetParameter", "parameter", "arn:aws:ssm:*:*:parameter/app/key")]
    assert resources(call("s3", "GetObject", Bucket=EnvRef("B"))) == [("s3:GetObject", "object", "*")]
    assert resources(call("sqs", "ListQueues")) == [("sqs:ListQueues", "", "*")]
    copy = actions_for(call("s3", "CopyObject", **{"CopySource.Bucket": "from", "CopySource.Key": "k",
                                                   "Bucket": "to", "Key": "k"}))
    assert [(r.action, r.resource) for r in copy if not r.when] == [
        ("s3:PutObject", "arn:aws:s3:::to/k"), ("s3:GetObject", "arn:aws:s3:::from/k")]


def test_customer_managed_key_actions_are_conditional() -> None:
    needs = actions_for(call("secretsmanager", "GetSecretValue", SecretId=EnvRef("S")))
    assert [(r.action, r.when) for r in needs] == [("secretsmanager:GetSecretValue", ""), ("kms:Decrypt", CMK)]


def test_unknown_and_dynamic_operations() -> None:
    assert actions_for(call("s3", DYNAMIC)) == ()
    guessed = actions_for(call("s3", "RenameObject"))
    assert [(r.action, r.known) for r in guessed] == [("s3:RenameObject", False)]


# ------------------------------------------------------------------------------------------------
# JavaScript names


@pytest.mark.parametrize(("name", "service"), [
    ("@aws-sdk/client-s3", "s3"), ("S3", "s3"), ("AWS.S3", "s3"), ("S3Client", "s3"),
    ("@aws-sdk/client-sfn", "stepfunctions"), ("StepFunctions", "stepfunctions"), ("SFNClient", "stepfunctions"),
    ("DynamoDB.DocumentClient", "dynamodb"), ("DynamoDBDocumentClient", "dynamodb"),
    ("@aws-sdk/lib-dynamodb", "dynamodb"), ("@aws-sdk/lib-storage", "s3"),
    ("@aws-sdk/client-secrets-manager", "secretsmanager"), ("SecretsManager", "secretsmanager"),
    ("@aws-sdk/client-cloudwatch-logs", "logs"), ("CloudWatchLogs", "logs"),
    ("@aws-sdk/client-eventbridge", "events"), ("EventBridge", "events"),
    ("SES", "ses"), ("SESV2", "sesv2"), ("BedrockRuntime", "bedrock-runtime"),
    ("ApiGatewayManagementApi", "apigatewaymanagementapi"),
    ("CognitoIdentityServiceProvider", "cognito-idp"), ("@aws-sdk/client-cognito-identity-provider", "cognito-idp"),
    ("lodash", None), ("@aws-sdk/credential-providers", None), ("./s3", None),
])
def test_js_service(name: str, service: str | None) -> None:
    assert js_service(name) == service


@pytest.mark.parametrize(("service", "method", "operation"), [
    ("s3", "getObject", "GetObject"), ("s3", "GetObjectCommand", "GetObject"), ("s3", "get_object", "GetObject"),
    ("s3", "paginateListObjectsV2", "ListObjectsV2"), ("s3", "waitUntilObjectExists", "HeadObject"),
    ("s3", "upload", "PutObject"), ("s3", "Upload", "PutObject"), ("s3", "upload_file", "PutObject"),
    ("dynamodb", "put", "PutItem"), ("dynamodb", "PutCommand", "PutItem"), ("dynamodb", "batchWrite",
                                                                           "BatchWriteItem"),
    ("dynamodb", "TransactWriteCommand", "TransactWriteItems"), ("dynamodb", "paginateQuery", "Query"),
    ("lambda", "invoke", "Invoke"), ("sqs", "SendMessageCommand", "SendMessage"),
    ("s3", "send", None), ("s3", "nonsense", None), ("nope", "getObject", None),
])
def test_operation_for(service: str, method: str, operation: str | None) -> None:
    assert operation_for(service, method) == operation


# ------------------------------------------------------------------------------------------------
# properties over the index


_SERVICES = sorted(index.data()["services"])


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_SERVICES), st.data())
def test_every_client_method_maps_back_to_its_operation(service: str, data: st.DataObject) -> None:
    """For any operation of any service: ``boto3.client(svc).<boto3 name>()`` extracts that operation, and the
    JavaScript spellings of it resolve to it too."""
    operation = data.draw(st.sampled_from(index.service(service)["ops"]))  # type: ignore[index]  # the index is plain JSON
    method = next((m for m, op in index.service(service).get("snake", {}).items() if op == operation),  # type: ignore[union-attr]  # the index is plain JSON
                  index.snake(operation))
    found = boto3_calls(ast.parse(f"import boto3\nboto3.client({service!r}).{method}()\n"), "app.py")
    assert [(c.service, c.operation) for c in found] == [(service, operation)]
    assert operation_for(service, operation + "Command") == operation
    assert operation_for(service, operation[:1].lower() + operation[1:]) == operation


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_extraction_never_raises_on_arbitrary_strings_in_calls(text: str) -> None:
    source = f"import boto3, os\nc = boto3.client({text!r})\nc.get_object(Bucket=os.environ.get({text!r}))\n"
    for found in boto3_calls(ast.parse(source), "app.py"):
        assert found.location.path == "app.py"


def test_lazy_initialisation_and_class_attributes() -> None:
    assert ops("""
        import boto3

        _client = None
        _table = None

        def client():
            global _client
            if _client is None:
                _client = boto3.client("secretsmanager")
            return _client

        def handler(event, context):
            global _table
            if _table is None:
                _table = boto3.resource("dynamodb").Table("orders")
            _table.delete_item(Key={"id": "1"})
            client().get_secret_value(SecretId="prod/api")
            Repo().save()

        class Repo:
            s3 = boto3.client("s3")

            def save(self):
                self.s3.put_object(Bucket="acme", Key="k", Body=b"")
                Repo.s3.delete_object(Bucket="acme", Key="old")
    """) == [("dynamodb", "DeleteItem"), ("secretsmanager", "GetSecretValue"), ("s3", "PutObject"),
             ("s3", "DeleteObject")]
