"""The native expansion of SAM function events against aws-sam-translator itself.

Every case is a small template translated twice by the real translator: as written, and without the events
under test. The native expansion starts from the second (its execution role, its resources) and must give
exactly what the first has: the same resources under the same logical ids, key order included (compared as
``json.dumps`` text), the same additions to the execution role, the same edited bucket. Shapes the native
expansion does not reproduce are refused, each with its reason.

The corpus test (skipped when ``../shared/corpora`` is absent) does the same for every function event of the
types expanded natively in the translator's own test inputs and in serverless-patterns.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from remit.documents import DocKind, Document
from remit.loaders import sam
from remit.loaders.cloudformation import parse
from remit.loaders.sam_native.common import FunctionContext, Refused
from remit.loaders.sam_native.events import event_resources

from .conftest import CORPORA

NATIVE = frozenset({"SQS", "Kinesis", "DynamoDB", "S3", "Schedule", "EventBridgeRule", "CloudWatchEvent", "SNS",
                    "CloudWatchLogs", "IoTRule", "AlexaSkill", "Cognito", "MSK", "SelfManagedKafka", "MQ",
                    "DocumentDB", "ScheduleV2"})
TRANSFORM = "AWS::Serverless-2016-10-31"


def _translate(template: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = sam._translator().translate(sam_template=sam.clone(dict(template)), parameter_values={},
                                                      passthrough_metadata=False)
    return out


def _dump(value: Any) -> str:
    return json.dumps(value)  # not sort_keys: the order of keys is part of what must match


def _without_metadata(res: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in res.items() if k != "Metadata"}


def _order_key(item: tuple[str, Any]) -> Any:
    name, event = item
    props = event.get("Properties") if isinstance(event, dict) else None
    return props.get("Path", name) if isinstance(props, dict) else name


@dataclass
class Outcome:
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # what the native expansion gave
    role_added: dict[str, list[Any]] = field(default_factory=dict)  # per function: ManagedPolicyArns, Policies


def _without_native_events(template: Mapping[str, Any]) -> dict[str, Any]:
    reduced = sam.clone(dict(template))
    for res in reduced["Resources"].values():
        props = res.get("Properties") if isinstance(res, dict) else None
        if res.get("Type") != "AWS::Serverless::Function" or not isinstance(props, dict):
            continue
        events = props.get("Events")
        if isinstance(events, dict):
            kept = {n: e for n, e in events.items() if not (isinstance(e, dict) and e.get("Type") in NATIVE)}
            if kept:
                props["Events"] = kept
            else:
                props.pop("Events")
    return reduced


def check(template: Mapping[str, Any], outcome: Outcome | None = None) -> Outcome:
    """Expand natively every event of a native type in ``template`` (which must translate) and assert the
    result is the translator's.

    The translator expands the template twice: as written (``full``) and without those events (``base``).
    Starting from ``base``'s resources and execution roles, the native expansion runs function by function in
    template order, each function's events sorted as the translator sorts them, adding what it returns. Each
    returned resource must equal ``full``'s of the same id; when every event was accepted, the whole result must
    equal ``full`` resource by resource (execution roles, edited buckets and user pools included) and the new
    resources must come in ``full``'s order."""
    outcome = outcome if outcome is not None else Outcome()
    full = _translate(template)["Resources"]
    try:
        base = _translate(_without_native_events(template))["Resources"]
    except Exception:  # noqa: BLE001 - without those events the template may not translate: not comparable
        return outcome
    resources = sam.clone(base)
    globals_fn = (template.get("Globals") or {}).get("Function") or {}
    generated: list[str] = []
    every = True
    for fid, res in template["Resources"].items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res.get("Properties") or {}
        events = props.get("Events") if isinstance(props.get("Events"), dict) else {}
        mine = {n: e for n, e in events.items() if isinstance(e, dict) and e.get("Type") in NATIVE}
        if not mine:
            continue
        own_role = "Role" in props or "Role" in globals_fn
        role = None if own_role else resources[fid + "Role"]["Properties"]
        before = sam.clone(role)
        fn = FunctionContext(fid, role, resources, template)
        for name, event in sorted(mine.items(), key=_order_key):
            try:
                got = event_resources(fn, name, event)
            except Refused as refusal:
                outcome.refused[refusal.reason] += 1
                every = False
                continue
            outcome.accepted += 1
            for lid, made in got:
                assert lid in full, f"{fid}.{name}: {lid} is not in the translator's output"
                assert _dump(made) == _dump(_without_metadata(full[lid])), f"{fid}.{name}: {lid}"
                outcome.resources[lid] = made
                resources[lid] = made
                generated.append(lid)
            if event["Type"] in ("S3", "Cognito"):  # the bucket or the user pool, edited in place
                edited = event["Properties"]["Bucket" if event["Type"] == "S3" else "UserPool"]["Ref"]
                outcome.resources[edited] = resources[edited]
        if role is not None and before is not None:
            outcome.role_added[fid] = [
                [a for a in role["ManagedPolicyArns"] if a not in before["ManagedPolicyArns"]],
                [p for p in role.get("Policies", []) if p not in before.get("Policies", [])],
            ]
    if every:
        assert [k for k in full if k not in base] == generated
        assert sorted(resources) == sorted(full)
        for lid, made in resources.items():
            assert _dump(made) == _dump(full[lid]), lid
    return outcome


def _template(events: Mapping[str, Any], *, extra: Mapping[str, Any] | None = None,
              function: Mapping[str, Any] | None = None, attributes: Mapping[str, Any] | None = None,
              globals_: Mapping[str, Any] | None = None) -> dict[str, Any]:
    fn: dict[str, Any] = {"Type": "AWS::Serverless::Function", **(attributes or {}), "Properties": {
        "CodeUri": "s3://bucket/key", "Handler": "index.handler", "Runtime": "python3.12", **(function or {}),
        "Events": dict(events)}}
    template: dict[str, Any] = {"Transform": TRANSFORM, "Resources": {"Fn": fn, **(extra or {})}}
    if attributes and "Condition" in attributes:
        template["Conditions"] = {attributes["Condition"]: {"Fn::Equals": ["a", "a"]}}
    template.setdefault("Conditions", {})["Yes"] = {"Fn::Equals": ["a", "a"]}
    if globals_:
        template["Globals"] = dict(globals_)
    return template


def _refusal(events: Mapping[str, Any], **kw: Any) -> list[str]:
    """The reasons the native expansion refuses the events of a template (which the translator translates)."""
    return sorted(check(_template(events, **kw)).refused)


QUEUE = {"Q": {"Type": "AWS::SQS::Queue"}}
STREAM = {"S": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}}}
TABLE = {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST",
    "StreamSpecification": {"StreamViewType": "NEW_IMAGE"}}}}
TOPIC = {"Topic": {"Type": "AWS::SNS::Topic"}}
QARN = {"Fn::GetAtt": ["Q", "Arn"]}
SQS_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"


# --- SQS ----------------------------------------------------------------------------------------------------------

def test_sqs_minimal_event_is_one_mapping_and_the_sqs_managed_policy() -> None:
    out = check(_template({"Ev": {"Type": "SQS", "Properties": {"Queue": QARN}}}, extra=QUEUE))
    assert out.accepted == 1
    assert out.resources == {"FnEv": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
        "EventSourceArn": QARN, "FunctionName": {"Ref": "Fn"}}}}
    assert out.role_added == {"Fn": [[SQS_POLICY], []]}


def test_sqs_every_property_in_the_mappings_order() -> None:
    props = {
        "LoggingConfig": {"SystemLogLevel": "INFO"}, "MetricsConfig": {"Metrics": ["EventCount"]},
        "ProvisionedPollerConfig": {"MinimumPollers": 1}, "ScalingConfig": {"MaximumConcurrency": 5},
        "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k",
        "FilterCriteria": {"Filters": [{"Pattern": '{"body": {"a": [1]}}'}]},
        "FunctionResponseTypes": ["ReportBatchItemFailures"], "MaximumBatchingWindowInSeconds": 5,
        "Enabled": False, "BatchSize": 7, "Queue": QARN,
    }
    out = check(_template({"Ev": {"Type": "SQS", "Properties": props}}, extra=QUEUE))
    assert out.accepted == 1
    assert list(out.resources["FnEv"]["Properties"]) == [
        "BatchSize", "Enabled", "EventSourceArn", "FunctionName", "MaximumBatchingWindowInSeconds",
        "FunctionResponseTypes", "FilterCriteria", "KmsKeyArn", "ScalingConfig", "ProvisionedPollerConfig",
        "MetricsConfig", "LoggingConfig"]


def test_sqs_intrinsics_and_parameters_pass_through() -> None:
    template = _template({"Ev": {"Type": "SQS", "Properties": {
        "Queue": {"Fn::Sub": "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q"},
        "BatchSize": {"Ref": "Size"}, "Enabled": {"Fn::If": ["C", True, False]}}}})
    template["Parameters"] = {"Size": {"Type": "Number", "Default": 10}}
    template["Conditions"] = {"C": {"Fn::Equals": ["a", "a"]}}
    out = check(template)
    assert out.accepted == 1
    assert out.resources["FnEv"]["Properties"]["BatchSize"] == {"Ref": "Size"}


def test_sqs_with_a_given_role_adds_nothing_and_a_second_queue_no_second_policy() -> None:
    out = check(_template({"Ev": {"Type": "SQS", "Properties": {"Queue": QARN}}}, extra=QUEUE,
                          function={"Role": "arn:aws:iam::123456789012:role/r"}))
    assert (out.accepted, out.role_added) == (1, {})
    out = check(_template({"A": {"Type": "SQS", "Properties": {"Queue": QARN}},
                           "B": {"Type": "SQS", "Properties": {"Queue": "arn:aws:sqs:us-east-1:1:q2"}}},
                          extra=QUEUE))
    assert out.accepted == 2
    assert out.role_added == {"Fn": [[SQS_POLICY], []]}


def test_sqs_a_managed_policy_the_author_lists_is_not_repeated() -> None:
    out = check(_template({"Ev": {"Type": "SQS", "Properties": {"Queue": QARN}}}, extra=QUEUE,
                          function={"Policies": ["AWSLambdaSQSQueueExecutionRole"]}))
    assert (out.accepted, out.role_added) == (1, {"Fn": [[], []]})


def test_function_attributes_pass_to_the_mapping() -> None:
    out = check(_template({"Ev": {"Type": "SQS", "Properties": {"Queue": QARN}}}, extra=QUEUE,
                          attributes={"Condition": "Yes", "DeletionPolicy": "Retain",
                                      "UpdateReplacePolicy": "Retain"}))
    assert out.accepted == 1
    assert list(out.resources["FnEv"]) == ["Type", "Condition", "DeletionPolicy", "UpdateReplacePolicy",
                                           "Properties"]


@pytest.mark.parametrize("kind", ["SQS", "SNS", "S3"])
def test_pull_destination_type_becomes_a_role_policy(kind: str) -> None:
    destination = {"SQS": QARN, "SNS": {"Ref": "Topic"}, "S3": "arn:aws:s3:::b"}[kind]
    out = check(_template({"Ev": {"Type": "Kinesis", "Properties": {
        "Stream": {"Fn::GetAtt": ["S", "Arn"]}, "StartingPosition": "LATEST",
        "DestinationConfig": {"OnFailure": {"Type": kind, "Destination": destination}}}}},
        extra={**STREAM, **QUEUE, **TOPIC}))
    assert out.accepted == 1
    assert out.resources["FnEv"]["Properties"]["DestinationConfig"] == {"OnFailure": {"Destination": destination}}
    [policy] = out.role_added["Fn"][1]
    assert policy["PolicyName"] == "FnEv" + kind + "Policy"


def test_pull_destination_without_type_and_empty_destination_config() -> None:
    out = check(_template({"A": {"Type": "SQS", "Properties": {
        "Queue": QARN, "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:1:d"}}}},
        "B": {"Type": "SQS", "Properties": {"Queue": "arn:aws:sqs:us-east-1:1:b", "DestinationConfig": {}}}},
        extra=QUEUE))
    assert out.accepted == 2
    assert "DestinationConfig" not in out.resources["FnB"]["Properties"]
    assert out.role_added == {"Fn": [[SQS_POLICY], []]}


def test_same_destination_document_is_added_once() -> None:
    dest = {"OnFailure": {"Type": "SQS", "Destination": QARN}}
    stream = {"Fn::GetAtt": ["S", "Arn"]}
    out = check(_template({
        "A": {"Type": "Kinesis", "Properties": {"Stream": stream, "StartingPosition": "LATEST",
                                                "DestinationConfig": dest}},
        "B": {"Type": "Kinesis", "Properties": {"Stream": stream, "StartingPosition": "TRIM_HORIZON",
                                                "DestinationConfig": dest}}}, extra={**STREAM, **QUEUE}))
    assert out.accepted == 2
    assert [p["PolicyName"] for p in out.role_added["Fn"][1]] == ["FnASQSPolicy"]


def test_a_destination_policy_is_placed_before_the_roles_tags() -> None:
    out = check(_template({"Ev": {"Type": "SQS", "Properties": {
        "Queue": QARN, "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": QARN}}}}},
        extra=QUEUE, function={"Tags": {"team": "a"}, "PermissionsBoundary": "arn:aws:iam::1:policy/pb"}))
    assert out.accepted == 1


# --- Kinesis and DynamoDB -----------------------------------------------------------------------------------------

def test_kinesis_and_dynamodb_every_stream_property() -> None:
    stream_props = {
        "StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 1700000000, "BatchSize": 100,
        "MaximumRetryAttempts": 2, "BisectBatchOnFunctionError": True, "MaximumRecordAgeInSeconds": 60,
        "ParallelizationFactor": 2, "TumblingWindowInSeconds": 30, "Enabled": True,
        "FilterCriteria": {"Filters": []}, "MetricsConfig": {"Metrics": ["EventCount"]}}
    out = check(_template({
        "K": {"Type": "Kinesis", "Properties": {"Stream": {"Fn::GetAtt": ["S", "Arn"]}, **stream_props}},
        "D": {"Type": "DynamoDB", "Properties": {"Stream": {"Fn::GetAtt": ["T", "StreamArn"]},
                                                 **stream_props, "StartingPosition": "LATEST"}}},
        extra={**STREAM, **TABLE}))
    assert out.accepted == 2
    assert out.role_added == {"Fn": [["arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",
                                      "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole"], []]}
    assert out.resources["FnK"] == {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
        "BatchSize": 100, "Enabled": True, "EventSourceArn": {"Fn::GetAtt": ["S", "Arn"]},
        "FunctionName": {"Ref": "Fn"}, "MaximumRetryAttempts": 2, "BisectBatchOnFunctionError": True,
        "MaximumRecordAgeInSeconds": 60, "ParallelizationFactor": 2, "StartingPosition": "AT_TIMESTAMP",
        "StartingPositionTimestamp": 1700000000, "TumblingWindowInSeconds": 30, "FilterCriteria": {"Filters": []},
        "MetricsConfig": {"Metrics": ["EventCount"]}}}


def test_null_properties_count_as_absent() -> None:
    out = check(_template({"Ev": {"Type": "SQS", "Properties": {"Queue": QARN, "BatchSize": None}}},
                          extra=QUEUE))
    assert out.accepted == 1
    assert "BatchSize" not in out.resources["FnEv"]["Properties"]


# --- pull refusals ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("props", "reason"), [
    ({"Queue": QARN, "BatchSize": True}, "SQS: BatchSize of type bool"),
    ({"Queue": QARN, "DestinationConfig": {"OnFailure": {"Type": "SQS"}}},
     "SQS: DestinationConfig.OnFailure without Destination"),
    ({"Queue": {"Fn::GetAtt": ["Fn", "Arn"]}}, "SQS: reference 'Fn.Arn' to a SAM resource"),
    ({"Queue": {"Ref": "Fn.Alias"}}, "SQS: reference 'Fn.Alias' to a SAM resource"),
])
def test_sqs_refusals(props: dict[str, Any], reason: str) -> None:
    assert _refusal({"Ev": {"Type": "SQS", "Properties": props}}, extra=QUEUE) == [reason]


def test_refused_before_any_change_to_the_role() -> None:
    role = {"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": []}
    fn = FunctionContext("Fn", role, {}, _template({}, extra=QUEUE))
    with pytest.raises(Refused, match=r"SQS: DestinationConfig\.OnFailure is not a mapping"):
        event_resources(fn, "Ev", {"Type": "SQS", "Properties": {
            "Queue": QARN, "DestinationConfig": {"OnFailure": "x"}}})
    assert role == {"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": []}


def test_shapes_refused_without_translating() -> None:
    fn = FunctionContext("Fn", None, {}, _template({}))
    for name, event, reason in [
        ("Ev", {"Type": "WebSocket", "Properties": {"Route": "$connect"}},
         "WebSocket: event type not expanded natively"),
        ("Ev", {"Type": "SQS", "Properties": {"Queue": "q"}, "Condition": "C"}, "SQS: event key 'Condition'"),
        ("E-v", {"Type": "SQS", "Properties": {"Queue": "q"}}, "SQS: event name 'E-v' is not alphanumeric"),
        ("Ev", {"Type": "SQS", "Properties": {}}, "SQS: Queue missing"),
        ("Ev", {"Type": "Kinesis", "Properties": {"Stream": "s"}}, "Kinesis: StartingPosition missing"),
        ("Ev", {"Type": "SQS", "Properties": {"Queue": "q", "FilterCriteria": {"Filter": []}}},
         "SQS: FilterCriteria keys ['Filter']"),
        ("Ev", {"Properties": {}}, "event without a Type"),
        ("Ev", {"Type": "SQS", "Properties": {"Queue": "q", "ConsumerGroupId": "g"}},
         "SQS: property 'ConsumerGroupId'"),
        ("Ev", {"Type": "SQS", "Properties": {
            "Queue": "q", "DestinationConfig": {"OnFailure": {"Type": "Lambda", "Destination": "x"}}}},
         "SQS: DestinationConfig.OnFailure.Type 'Lambda'"),
    ]:
        with pytest.raises(Refused) as refused:
            event_resources(fn, name, event)
        assert refused.value.reason == reason



# --- S3 -----------------------------------------------------------------------------------------------------------

BUCKET = {"B": {"Type": "AWS::S3::Bucket"}}
POOL = {"Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "p"}}}


def test_s3_event_is_a_permission_and_edits_the_bucket() -> None:
    event = {"Type": "S3", "Properties": {"Bucket": {"Ref": "B"}, "Events": "s3:ObjectCreated:*"}}
    out = check(_template({"Ev": event}, extra=BUCKET))
    assert out.accepted == 1
    assert out.resources == {
        "FnEvPermission": {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Fn"}, "Principal": "s3.amazonaws.com",
            "SourceAccount": {"Ref": "AWS::AccountId"}}},
        "B": {"Type": "AWS::S3::Bucket", "DependsOn": ["FnEvPermission"], "Properties": {
            "NotificationConfiguration": {"LambdaConfigurations": [
                {"Function": {"Fn::GetAtt": ["Fn", "Arn"]}, "Event": "s3:ObjectCreated:*"}]}}},
    }
    assert out.role_added == {"Fn": [[], []]}


def test_s3_filters_lists_and_a_bucket_with_its_own_settings() -> None:
    bucket = {"B": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "DependsOn": "Q",
                    "Metadata": {"m": 1}, "Properties": {
                        "VersioningConfiguration": {"Status": "Enabled"}, "BucketName": "b", "Tags": None,
                        "NotificationConfiguration": {"QueueConfigurations": [
                            {"Event": "s3:ObjectRemoved:*", "Queue": QARN}]}}}}
    filter_ = {"S3Key": {"Rules": [{"Name": "suffix", "Value": ".jpg"}]}}
    out = check(_template({
        "A": {"Type": "S3", "Properties": {"Bucket": {"Ref": "B"}, "Events": ["s3:ObjectCreated:Put",
                                                                               "s3:ObjectCreated:Post"],
                                           "Filter": filter_}},
        "C": {"Type": "S3", "Properties": {"Bucket": {"Ref": "B"}, "Events": "s3:ObjectCreated:Put",
                                           "Filter": filter_}}}, extra={**bucket, **QUEUE}))
    assert out.accepted == 2
    assert list(out.resources["B"]) == ["Type", "DependsOn", "DeletionPolicy", "Metadata", "Properties"]
    assert sorted(out.resources["B"]["DependsOn"]) == ["FnAPermission", "FnCPermission", "Q"]
    assert list(out.resources["B"]["Properties"]) == ["BucketName", "NotificationConfiguration",
                                                      "VersioningConfiguration"]


def test_s3_events_of_two_functions_on_one_bucket() -> None:
    template = _template({"Ev": {"Type": "S3", "Properties": {"Bucket": {"Ref": "B"}, "Events": "s3:ObjectCreated:*"}}},
                         extra=BUCKET)
    template["Resources"]["Other"] = sam.clone(template["Resources"]["Fn"])
    template["Resources"]["Other"]["Properties"]["Events"]["Ev"]["Properties"]["Events"] = "s3:ObjectRemoved:*"
    assert check(template).accepted == 2


def test_s3_event_of_a_conditional_function_depends_through_a_tag() -> None:
    bucket = {"B": {"Type": "AWS::S3::Bucket", "DependsOn": "Q", "Properties": {"Tags": [{"Key": "k", "Value": "v"}]}},
              "B2": {"Type": "AWS::S3::Bucket"}}
    out = check(_template({
        "A": {"Type": "S3", "Properties": {"Bucket": {"Ref": "B"}, "Events": ["s3:ObjectCreated:*"]}},
        "C": {"Type": "S3", "Properties": {"Bucket": {"Ref": "B2"}, "Events": "s3:ObjectCreated:*"}}},
        extra={**bucket, **QUEUE}, attributes={"Condition": "Yes"}))
    assert out.accepted == 2
    assert out.resources["B"] == {"Type": "AWS::S3::Bucket", "DependsOn": "Q", "Properties": {
        "NotificationConfiguration": {"LambdaConfigurations": [{"Fn::If": ["Yes", {
            "Function": {"Fn::GetAtt": ["Fn", "Arn"]}, "Event": "s3:ObjectCreated:*"}, {"Ref": "AWS::NoValue"}]}]},
        "Tags": [{"Key": "k", "Value": "v"}, {
            "Key": "sam:ConditionalDependsOn:FnAPermission",
            "Value": {"Fn::If": ["Yes", {"Ref": "FnAPermission"}, "no dependency"]}}]}}
    assert list(out.resources["B2"]) == ["Type", "Properties"]
    assert out.resources["FnAPermission"]["Condition"] == "Yes"


@pytest.mark.parametrize(("props", "extra", "kw", "reason"), [
    ({"Bucket": {"Ref": "B"}, "Events": "s3:ObjectCreated:*"}, BUCKET,
     {"function": {"Tags": {"a": "b"}, "PropagateTags": True}}, "S3: function with PropagateTags"),
    ({"Bucket": {"Ref": "B"}, "Events": "s3:ObjectCreated:*"},
     {"B": {"Type": "AWS::S3::Bucket", "Properties": {"NotificationConfiguration": {
         "Fn::If": ["Yes", {}, {"Ref": "AWS::NoValue"}]}}}}, {},
     "S3: bucket NotificationConfiguration is not a mapping"),
])
def test_s3_refusals(props: dict[str, Any], extra: dict[str, Any], kw: dict[str, Any], reason: str) -> None:
    template = _template({"Ev": {"Type": "S3", "Properties": props}}, extra=extra, **kw)
    template.setdefault("Conditions", {})["Yes"] = {"Fn::Equals": ["a", "a"]}
    assert sorted(check(template).refused) == [reason]


def test_s3_refusals_without_translating() -> None:
    resources: dict[str, Any] = {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Unknown": 1}},
                                 "Q": {"Type": "AWS::SQS::Queue"}}
    template = _template({}, extra=resources)
    fn = FunctionContext("Fn", None, sam.clone(resources), template)
    for props, reason in [
        ({"Bucket": "B", "Events": "e"}, "S3: Bucket is not a Ref"),
        ({"Bucket": {"Ref": "Q"}, "Events": "e"}, "S3: Bucket Q not found"),
        ({"Bucket": {"Ref": "Nowhere"}, "Events": "e"}, "S3: Bucket Nowhere not found"),
        ({"Bucket": {"Ref": "B"}, "Events": "e"}, "S3: bucket property 'Unknown'"),
        ({"Bucket": {"Ref": "B"}, "Events": {"Ref": "P"}}, "S3: Events of type dict"),
        ({"Bucket": {"Ref": "B"}, "Events": "e", "Filter": {"S3Key": {}, "Other": {}}}, "S3: Filter of type dict"),
    ]:
        with pytest.raises(Refused) as refused:
            event_resources(fn, "Ev", {"Type": "S3", "Properties": props})
        assert refused.value.reason == reason
    assert fn.resources == resources


# --- Schedule and rules -------------------------------------------------------------------------------------------

def test_schedule_minimal_and_full() -> None:
    out = check(_template({
        "A": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 minute)"}},
        "B": {"Type": "Schedule", "Properties": {
            "Schedule": "cron(0 12 * * ? *)", "Input": '{"a": 1}', "Name": "n", "Description": "d",
            "Enabled": False, "RuleName": "ignored", "RetryPolicy": {"MaximumRetryAttempts": 1},
            "DeadLetterConfig": None}},
        "C": {"Type": "Schedule", "Properties": {"Schedule": {"Ref": "Rate"}, "State": "DISABLED"}}}))
    assert out.accepted == 3
    assert out.resources["FnA"] == {"Type": "AWS::Events::Rule", "Properties": {
        "ScheduleExpression": "rate(1 minute)", "Targets": [{"Arn": {"Fn::GetAtt": ["Fn", "Arn"]},
                                                             "Id": "FnALambdaTarget"}]}}
    assert out.resources["FnAPermission"] == {"Type": "AWS::Lambda::Permission", "Properties": {
        "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Fn"}, "Principal": "events.amazonaws.com",
        "SourceArn": {"Fn::GetAtt": ["FnA", "Arn"]}}}
    assert out.resources["FnB"]["Properties"]["State"] == "DISABLED"
    assert "Name" not in out.resources["FnC"]["Properties"]


def test_a_long_rule_id_is_cut_for_its_target() -> None:
    name = "E" * 70
    out = check(_template({name: {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)"}}}))
    assert out.accepted == 1
    [target] = out.resources["Fn" + name]["Properties"]["Targets"]
    assert target["Id"] == "Fn" + "E" * 50 + "LambdaTarget"


@pytest.mark.parametrize("kind", ["EventBridgeRule", "CloudWatchEvent"])
def test_rules_every_property(kind: str) -> None:
    out = check(_template({
        "A": {"Type": kind, "Properties": {"Pattern": {"source": ["aws.ec2"]}}},
        "B": {"Type": kind, "Properties": {
            "EventBusName": "bus", "RuleName": "r", "Pattern": {"source": ["x"]}, "InputPath": "$.detail",
            "Target": {"Id": "Mine"}, "Enabled": True, "RetryPolicy": {"MaximumEventAgeInSeconds": 60}}},
        "C": {"Type": kind, "Properties": {
            "Pattern": {"source": ["x"]}, "Input": "{}", "State": "ENABLED",
            "InputTransformer": {"InputPathsMap": {"a": "$.a"}, "InputTemplate": "<a>"}}}}))
    assert out.accepted == 3
    assert out.resources["FnB"] == {"Type": "AWS::Events::Rule", "Properties": {
        "EventBusName": "bus", "EventPattern": {"source": ["x"]}, "Name": "r", "State": "ENABLED",
        "Targets": [{"Arn": {"Fn::GetAtt": ["Fn", "Arn"]}, "Id": "Mine", "InputPath": "$.detail",
                     "RetryPolicy": {"MaximumEventAgeInSeconds": 60}}]}}


@pytest.mark.parametrize("kind", ["Schedule", "EventBridgeRule", "CloudWatchEvent"])
def test_rule_dead_letter_queues(kind: str) -> None:
    first = {"Schedule": "rate(1 hour)"} if kind == "Schedule" else {"Pattern": {"source": ["x"]}}
    out = check(_template({
        "A": {"Type": kind, "Properties": {**first, "DeadLetterConfig": {"Type": "SQS"}}},
        "B": {"Type": kind, "Properties": {**first, "DeadLetterConfig": {"Type": "SQS", "QueueLogicalId": "Dlq"}}},
        "C": {"Type": kind, "Properties": {**first, "DeadLetterConfig": {"Arn": QARN}}}},
        extra=QUEUE, attributes={"UpdateReplacePolicy": "Retain"}))
    assert out.accepted == 3
    assert out.resources["FnAQueue"] == {"Type": "AWS::SQS::Queue", "UpdateReplacePolicy": "Retain",
                                         "Properties": {}}
    statement = {
        "Action": "sqs:SendMessage", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Resource": {"Fn::GetAtt": ["Dlq", "Arn"]},
        "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["FnB", "Arn"]}}}}
    assert out.resources["FnBQueuePolicy"] == {"Type": "AWS::SQS::QueuePolicy", "UpdateReplacePolicy": "Retain",
                                               "Properties": {"PolicyDocument": {"Version": "2012-10-17",
                                                                                 "Statement": [statement]},
                                                              "Queues": [{"Ref": "Dlq"}]}}
    assert out.resources["FnC"]["Properties"]["Targets"][0]["DeadLetterConfig"] == {"Arn": QARN}


def test_kafka_destination_gets_no_policy() -> None:
    out = check(_template({"Ev": {"Type": "SQS", "Properties": {
        "Queue": QARN, "DestinationConfig": {"OnFailure": {"Type": "Kafka", "Destination": "kafka://x"}}}}},
        extra=QUEUE))
    assert out.accepted == 1
    assert out.resources["FnEv"]["Properties"]["DestinationConfig"] == {"OnFailure": {"Destination": "kafka://x"}}
    assert out.role_added == {"Fn": [[SQS_POLICY], []]}


@pytest.mark.parametrize(("kind", "props", "reason"), [
    ("Schedule", {"Schedule": "rate(1 hour)", "Enabled": {"Fn::If": ["Yes", True, False]}},
     "Schedule: Enabled is not a boolean"),
    ("CloudWatchEvent", {"Pattern": {}, "Target": {"Id": "a", "Arn": "b"}}, "CloudWatchEvent: Target of type dict"),
])
def test_rule_refusals(kind: str, props: dict[str, Any], reason: str) -> None:
    template = _template({"Ev": {"Type": kind, "Properties": props}})
    template["Conditions"] = {"Yes": {"Fn::Equals": ["a", "a"]}}
    assert sorted(check(template).refused) == [reason]


def test_rule_refusals_without_translating() -> None:
    fn = FunctionContext("Fn", None, {}, _template({}))
    for kind, props, reason in [
        ("Schedule", {"Schedule": "rate(1 hour)", "State": "ENABLED", "Enabled": True},
         "Schedule: State and Enabled both given"),
        ("Schedule", {"Schedule": 5}, "Schedule: Schedule of type int"),
        ("EventBridgeRule", {"Pattern": []}, "EventBridgeRule: Pattern of type list"),
        ("Schedule", {"Schedule": "rate(1 hour)", "DeadLetterConfig": {"Type": "SQS", "Arn": "a"}},
         "Schedule: DeadLetterConfig needs one of Arn and Type"),
        ("EventBridgeRule", {"Pattern": {}, "DeadLetterConfig": {"Type": "SNS"}},
         "EventBridgeRule: DeadLetterConfig.Type 'SNS'"),
        ("EventBridgeRule", {"DeadLetterConfig": {"Fn::If": ["C", {"Type": "SQS"}, {}]}},
         "EventBridgeRule: DeadLetterConfig keys ['Fn::If']"),
        ("Schedule", {"Schedule": "rate(1 hour)", "DeadLetterConfig": {"Type": "SQS", "QueueLogicalId": "a-b"}},
         "Schedule: DeadLetterConfig.QueueLogicalId 'a-b'"),
    ]:
        with pytest.raises(Refused) as refused:
            event_resources(fn, "Ev", {"Type": kind, "Properties": props})
        assert refused.value.reason == reason


# --- SNS ----------------------------------------------------------------------------------------------------------

def test_sns_to_the_function() -> None:
    out = check(_template({
        "A": {"Type": "SNS", "Properties": {"Topic": {"Ref": "Topic"}}},
        "B": {"Type": "SNS", "Properties": {
            "Topic": "arn:aws:sns:us-west-2:123456789012:t", "Region": "us-west-2",
            "FilterPolicy": {"k": ["v"]}, "FilterPolicyScope": "MessageBody", "SqsSubscription": False,
            "RedrivePolicy": {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:d"}}}}, extra=TOPIC))
    assert out.accepted == 2
    assert out.resources["FnA"] == {"Type": "AWS::SNS::Subscription", "Properties": {
        "Endpoint": {"Fn::GetAtt": ["Fn", "Arn"]}, "Protocol": "lambda", "TopicArn": {"Ref": "Topic"}}}
    assert out.resources["FnAPermission"]["Properties"]["SourceArn"] == {"Ref": "Topic"}
    assert out.role_added == {"Fn": [[], []]}


def test_sns_through_a_queue_sam_makes() -> None:
    fifo = {"Fifo": {"Type": "AWS::SNS::Topic", "Properties": {"FifoTopic": True, "TopicName": "t.fifo"}}}
    out = check(_template({
        "A": {"Type": "SNS", "Properties": {"Topic": {"Ref": "Topic"}, "SqsSubscription": True}},
        "B": {"Type": "SNS", "Properties": {"Topic": {"Ref": "Fifo"}, "SqsSubscription": True}}},
        extra={**TOPIC, **fifo}, attributes={"DeletionPolicy": "Delete"}))
    assert out.accepted == 2
    assert out.resources["FnAQueue"] == {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Delete", "Properties": {}}
    assert out.resources["FnBQueue"]["Properties"] == {"FifoQueue": True}
    assert out.resources["FnAEventSourceMapping"]["Properties"] == {
        "BatchSize": 10, "Enabled": True, "EventSourceArn": {"Fn::GetAtt": ["FnAQueue", "Arn"]},
        "FunctionName": {"Ref": "Fn"}}
    assert out.role_added == {"Fn": [[SQS_POLICY], []]}


def test_sns_through_an_existing_queue() -> None:
    out = check(_template({"A": {"Type": "SNS", "Properties": {"Topic": {"Ref": "Topic"}, "SqsSubscription": {
        "QueueArn": QARN, "QueueUrl": {"Ref": "Q"}, "QueuePolicyLogicalId": "MyPolicy", "BatchSize": 5,
        "Enabled": False}}}, "B": {"Type": "SNS", "Properties": {"Topic": {"Ref": "Topic"}, "SqsSubscription": {
            "QueueArn": QARN, "QueueUrl": {"Ref": "Q"}}}}}, extra={**TOPIC, **QUEUE}))
    assert out.accepted == 2
    assert out.resources["FnAEventSourceMapping"]["Properties"]["BatchSize"] == 5
    assert out.resources["FnAEventSourceMapping"]["Properties"]["Enabled"] is True
    assert "FnBQueuePolicy" in out.resources


def test_sns_refusals() -> None:
    template = _template({"Ev": {"Type": "SNS", "Properties": {"Topic": {"Ref": "Topic"}, "SqsSubscription": True}}},
                         extra=TOPIC, function={"Tags": {"a": "b"}, "PropagateTags": True})
    assert sorted(check(template).refused) == ["SNS: function with PropagateTags"]
    fn = FunctionContext("Fn", None, {}, _template({}, extra={"P": {"Type": "AWS::SNS::Topic", "Properties": {
        "FifoTopic": {"Ref": "Fifo"}}}}))
    for props, reason in [
        ({"Topic": {"Ref": "P"}, "SqsSubscription": True}, "SNS: topic P FifoTopic is not a boolean"),
        ({"Topic": "t", "SqsSubscription": {"QueueArn": "a"}}, "SNS: SqsSubscription without QueueArn or QueueUrl"),
        ({"Topic": "t", "SqsSubscription": {"QueueArn": "a", "QueueUrl": "u", "QueuePolicyLogicalId": "a-b"}},
         "SNS: QueuePolicyLogicalId 'a-b'"),
        ({"Topic": "t", "SqsSubscription": {"QueueArn": "a", "QueueUrl": "u", "BatchSize": "5"}},
         "SNS: SqsSubscription.BatchSize of type str"),
        ({"Topic": "t", "SqsSubscription": "yes"}, "SNS: SqsSubscription of type str"),
    ]:
        with pytest.raises(Refused) as refused:
            event_resources(fn, "Ev", {"Type": "SNS", "Properties": props})
        assert refused.value.reason == reason


def test_a_generated_id_already_taken_is_refused() -> None:
    taken = {"FnEvPermission": {"Type": "AWS::SNS::Topic"}}
    event = {"Type": "SNS", "Properties": {"Topic": {"Ref": "FnEvPermission"}}}
    template = _template({"Ev": event}, extra=taken)
    with pytest.raises(Exception, match="FnEvPermission"):  # the translator rejects it
        _translate(template)
    fn = FunctionContext("Fn", None, sam.clone(taken), template)
    with pytest.raises(Refused, match="SNS: generated logical id FnEvPermission already in the template"):
        event_resources(fn, "Ev", event)
    fn = FunctionContext("Fn", None, {"FnEv": {"Type": "AWS::Lambda::EventSourceMapping"}}, _template({}))
    with pytest.raises(Refused, match="SQS: generated logical id FnEv already in the template"):
        event_resources(fn, "Ev", {"Type": "SQS", "Properties": {"Queue": "q"}})


def test_aliased_and_tenancy_functions_are_refused() -> None:
    fn = FunctionContext("Fn", None, {}, _template({}, globals_={"Function": {"AutoPublishAlias": "live"}}))
    with pytest.raises(Refused, match="SQS: function with AutoPublishAlias"):
        event_resources(fn, "Ev", {"Type": "SQS", "Properties": {"Queue": "q"}})
    fn = FunctionContext("Fn", None, {}, _template({}, function={"TenancyConfig": {"TenantIsolationMode": "x"}}))
    with pytest.raises(Refused, match="SQS: function with TenancyConfig"):
        event_resources(fn, "Ev", {"Type": "SQS", "Properties": {"Queue": "q"}})




# --- brokers ------------------------------------------------------------------------------------------------------

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s"


def test_msk_with_a_client_certificate_and_a_consumer_group() -> None:
    out = check(_template({"Ev": {"Type": "MSK", "Properties": {
        "Stream": "arn:aws:kafka:us-east-1:123456789012:cluster/c/x", "StartingPosition": "LATEST",
        "Topics": ["t"], "ConsumerGroupId": "g",
        "SourceAccessConfigurations": [{"Type": "CLIENT_CERTIFICATE_TLS_AUTH", "URI": SECRET}]}}}))
    assert out.accepted == 1
    assert out.resources["FnEv"]["Properties"]["AmazonManagedKafkaEventSourceConfig"] == {"ConsumerGroupId": "g"}
    assert out.role_added == {"Fn": [["arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole"], [{
        "PolicyName": "MSKExecutionRolePolicy", "PolicyDocument": {"Statement": [{
            "Action": ["secretsmanager:GetSecretValue"], "Effect": "Allow", "Resource": SECRET}]}}]]}


def test_kafka_schema_registries() -> None:
    registry = {"SchemaRegistryURI": "arn:aws:glue:us-east-1:123456789012:registry/reg", "EventRecordFormat": "JSON",
                "SchemaValidationConfigs": [{"Attribute": "KEY"}], "AccessConfigs": [{"Type": "BASIC_AUTH",
                                                                                      "URI": SECRET}]}
    out = check(_template({
        "M": {"Type": "MSK", "Properties": {"Stream": "arn:aws:kafka:us-east-1:123456789012:cluster/c/x",
                                            "StartingPosition": "LATEST", "SchemaRegistryConfig": registry}},
        "S": {"Type": "SelfManagedKafka", "Properties": {
            "KafkaBootstrapServers": ["b:9092"], "Topics": ["t"], "ConsumerGroupId": "g",
            "SourceAccessConfigurations": [{"Type": "IAM_AUTH"}], "SchemaRegistryConfig": registry}}}))
    assert out.accepted == 2
    assert out.resources["FnS"]["Properties"]["SelfManagedKafkaEventSourceConfig"] == {
        "ConsumerGroupId": "g", "SchemaRegistryConfig": registry}
    msk, kafka = out.role_added["Fn"][1]
    assert [st["Action"] for st in msk["PolicyDocument"]["Statement"]] == [
        ["secretsmanager:GetSecretValue"], ["glue:GetRegistry"], ["glue:GetSchemaVersion"]]
    assert msk["PolicyDocument"]["Statement"][2]["Resource"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:schema/reg/*"}]
    assert kafka["PolicyName"] == "SelfManagedKafkaExecutionRolePolicy"


def test_self_managed_kafka_in_a_vpc_with_a_kms_key() -> None:
    out = check(_template({"Ev": {"Type": "SelfManagedKafka", "Properties": {
        "KafkaBootstrapServers": ["b1:9092"], "Topics": ["t"], "SecretsManagerKmsKeyId": "key-1",
        "SourceAccessConfigurations": [{"Type": "VPC_SUBNET", "URI": "subnet:s1"},
                                       {"Type": "VPC_SECURITY_GROUP", "URI": "security_group:g1"},
                                       {"Type": "SASL_SCRAM_512_AUTH", "URI": SECRET}]}}}))
    assert out.accepted == 1
    assert out.resources["FnEv"]["Properties"]["SelfManagedEventSource"] == {
        "Endpoints": {"KafkaBootstrapServers": ["b1:9092"]}}
    [[], [policy]] = out.role_added["Fn"]
    assert list(policy) == ["PolicyDocument", "PolicyName"]
    assert [st["Action"][0] for st in policy["PolicyDocument"]["Statement"]] == [
        "secretsmanager:GetSecretValue", "ec2:CreateNetworkInterface", "kms:Decrypt"]


def test_mq_policy_names_and_documentdb_config() -> None:
    basic = [{"Type": "BASIC_AUTH", "URI": SECRET}]
    out = check(_template({
        "A": {"Type": "MQ", "Properties": {"Broker": "arn:aws:mq:us-east-1:1:broker:a", "Queues": ["q"],
                                           "SourceAccessConfigurations": basic}},
        "B": {"Type": "MQ", "Properties": {"Broker": "arn:aws:mq:us-east-1:1:broker:b", "Queues": ["q"],
                                           "SourceAccessConfigurations": basic, "DynamicPolicyName": True,
                                           "SecretsManagerKmsKeyId": "key-1"}},
        "D": {"Type": "DocumentDB", "Properties": {"Cluster": "arn:aws:rds:us-east-1:1:cluster:c",
                                                   "DatabaseName": "db", "CollectionName": "col",
                                                   "StartingPosition": "LATEST",
                                                   "SourceAccessConfigurations": basic}}}))
    assert out.accepted == 3
    assert [p["PolicyName"] for p in out.role_added["Fn"][1]] == [
        "SamAutoGeneratedAMQPolicy", "FnBAMQPolicy", "SamAutoGeneratedDocumentDBPolicy"]
    assert out.resources["FnD"]["Properties"]["DocumentDBEventSourceConfig"] == {
        "DatabaseName": "db", "CollectionName": "col"}
    assert list(out.resources["FnD"]["Properties"])[:3] == ["DocumentDBEventSourceConfig", "EventSourceArn",
                                                            "FunctionName"]


def test_broker_refusals() -> None:
    fn = FunctionContext("Fn", None, {}, _template({}))
    for kind, props, reason in [
        ("MSK", {"Stream": "s", "StartingPosition": "LATEST", "SchemaRegistryConfig": {
            "SchemaRegistryURI": {"Ref": "R"}, "EventRecordFormat": "JSON", "SchemaValidationConfigs": []}},
         "MSK: SchemaRegistryURI is neither a string nor a Fn::Sub of one"),
        ("MSK", {"Stream": "s", "StartingPosition": "LATEST", "SchemaRegistryConfig": {
            "SchemaRegistryURI": {"Fn::Sub": "arn:aws:glue:${Region}:1:registry/r"}, "EventRecordFormat": "JSON",
            "SchemaValidationConfigs": []}}, "MSK: SchemaRegistryURI names a parameter or a resource"),
        ("MQ", {"Broker": "b", "SourceAccessConfigurations": [{"Type": "VIRTUAL_HOST", "URI": "v"}]},
         "MQ: no BASIC_AUTH in SourceAccessConfigurations"),
        ("MQ", {"Broker": "b", "ConsumerGroupId": "g"}, "MQ: property 'ConsumerGroupId'"),
        ("SelfManagedKafka", {"KafkaBootstrapServers": ["h"], "Topics": {"Ref": "T"},
                              "SourceAccessConfigurations": [{"Type": "IAM_AUTH"}]},
         "SelfManagedKafka: Topics is not a list of one"),
        ("DocumentDB", {"Cluster": "c", "DatabaseName": "d", "SecretsManagerKmsKeyId": {"Ref": "K"},
                        "SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": "u"}]},
         "DocumentDB: SecretsManagerKmsKeyId is not a string"),
    ]:
        with pytest.raises(Refused) as refused:
            event_resources(fn, "Ev", {"Type": kind, "Properties": props})
        assert refused.value.reason == reason


def test_broker_policy_refused_beside_a_conditional_policy() -> None:
    role = {"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": [], "Policies": [{"Fn::If": ["C", {}, {}]}]}
    fn = FunctionContext("Fn", role, {}, _template({}))
    with pytest.raises(Refused, match="an execution role policy without PolicyDocument"):
        event_resources(fn, "Ev", {"Type": "MQ", "Properties": {
            "Broker": "b", "SourceAccessConfigurations": [{"Type": "BASIC_AUTH", "URI": "u"}]}})

# --- CloudWatchLogs, IoTRule, AlexaSkill --------------------------------------------------------------------------

def test_cloudwatch_logs_iot_rule_and_alexa_skill() -> None:
    out = check(_template({
        "Logs": {"Type": "CloudWatchLogs", "Properties": {"LogGroupName": {"Ref": "G"}, "FilterPattern": "ERROR"}},
        "Iot": {"Type": "IoTRule", "Properties": {"Sql": "SELECT * FROM 't'", "AwsIotSqlVersion": "2016-03-23"}},
        "Alexa": {"Type": "AlexaSkill", "Properties": {"SkillId": "amzn1.ask.skill.1"}},
        "AnyAlexa": {"Type": "AlexaSkill"}}, extra={"G": {"Type": "AWS::Logs::LogGroup"}},
        attributes={"Condition": "Yes"}))
    assert out.accepted == 4
    assert out.resources["FnLogs"] == {"Type": "AWS::Logs::SubscriptionFilter", "DependsOn": ["FnLogsPermission"],
                                       "Condition": "Yes", "Properties": {
        "LogGroupName": {"Ref": "G"}, "FilterPattern": "ERROR", "DestinationArn": {"Fn::GetAtt": ["Fn", "Arn"]}}}
    assert out.resources["FnLogsPermission"]["Properties"]["SourceArn"] == {"Fn::Sub": [
        "arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:${__LogGroupName__}:*",
        {"__LogGroupName__": {"Ref": "G"}}]}
    assert out.resources["FnIot"]["Properties"] == {"TopicRulePayload": {
        "Sql": "SELECT * FROM 't'", "RuleDisabled": False,
        "Actions": [{"Lambda": {"FunctionArn": {"Fn::GetAtt": ["Fn", "Arn"]}}}], "AwsIotSqlVersion": "2016-03-23"}}
    assert out.resources["FnAlexaPermission"]["Properties"]["EventSourceToken"] == "amzn1.ask.skill.1"
    assert "EventSourceToken" not in out.resources["FnAnyAlexaPermission"]["Properties"]
    assert out.role_added == {"Fn": [[], []]}


def test_cognito_triggers_edit_the_user_pool() -> None:
    pool = {"Pool": {"Type": "AWS::Cognito::UserPool", "DependsOn": ["Q"], "Condition": "Yes", "Properties": {
        "UserPoolName": "p", "LambdaConfig": {"CustomMessage": QARN}, "AutoVerifiedAttributes": ["email"]}}}
    out = check(_template({
        "A": {"Type": "Cognito", "Properties": {"UserPool": {"Ref": "Pool"},
                                                "Trigger": ["PreSignUp", "PostConfirmation"]}}},
        extra={**pool, **QUEUE}))
    assert out.accepted == 1
    assert out.resources["Pool"] == {"Type": "AWS::Cognito::UserPool", "DependsOn": ["Q"], "Condition": "Yes",
                                     "Properties": {"AutoVerifiedAttributes": ["email"], "LambdaConfig": {
                                         "CustomMessage": QARN, "PreSignUp": {"Fn::GetAtt": ["Fn", "Arn"]},
                                         "PostConfirmation": {"Fn::GetAtt": ["Fn", "Arn"]}}, "UserPoolName": "p"}}
    assert out.resources["FnCognitoPermission"]["Properties"] == {
        "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Fn"}, "Principal": "cognito-idp.amazonaws.com",
        "SourceArn": {"Fn::GetAtt": ["Pool", "Arn"]}}


def test_several_cognito_events_of_one_function_are_refused() -> None:
    """The translator writes the one ``<function>CognitoPermission`` for each Cognito event, the later replacing
    the earlier without the function's Metadata: not reproduced, so refused."""
    pools = {"Pool": {"Type": "AWS::Cognito::UserPool"}, "Pool2": {"Type": "AWS::Cognito::UserPool"}}
    out = check(_template({
        "A": {"Type": "Cognito", "Properties": {"UserPool": {"Ref": "Pool"}, "Trigger": "PreSignUp"}},
        "B": {"Type": "Cognito", "Properties": {"UserPool": {"Ref": "Pool2"}, "Trigger": "PreSignUp"}}},
        extra=pools))
    assert out.refused == Counter({"Cognito: Fn has several Cognito events": 2})


def test_generated_ids_one_event_could_share_with_another_are_refused() -> None:
    dlq = {"Type": "SQS", "QueueLogicalId": "Dlq"}
    out = check(_template({
        "A": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)", "DeadLetterConfig": dlq}},
        "B": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["x"]}, "DeadLetterConfig": dlq}}}))
    assert out.refused == Counter({"Schedule: QueueLogicalId Dlq given by more than one event": 1,
                                   "EventBridgeRule: QueueLogicalId Dlq given by more than one event": 1})
    subscription = {"QueueArn": QARN, "QueueUrl": {"Ref": "Q"}, "QueuePolicyLogicalId": "Qp"}
    out = check(_template({
        "A": {"Type": "SNS", "Properties": {"Topic": {"Ref": "Topic"}, "SqsSubscription": subscription}},
        "B": {"Type": "SNS", "Properties": {"Topic": "arn:aws:sns:us-east-1:1:t", "SqsSubscription": subscription}}},
        extra={**TOPIC, **QUEUE}))
    assert out.refused == Counter({"SNS: QueuePolicyLogicalId Qp given by more than one event": 2})


def test_schedule_v2_makes_its_role_and_queue() -> None:
    out = check(_template({
        "A": {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "rate(5 minutes)"}},
        "B": {"Type": "ScheduleV2", "Properties": {
            "ScheduleExpression": "rate(1 hour)", "OmitName": True, "PermissionsBoundary": "arn:aws:iam::1:policy/pb",
            "DeadLetterConfig": {"Type": "SQS"}, "Input": "{}", "State": "ENABLED"}},
        "C": {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "rate(1 day)", "RoleArn": "arn:r"}}},
        attributes={"DeletionPolicy": "Retain"}))
    assert out.accepted == 3
    assert out.resources["FnA"] == {"Type": "AWS::Scheduler::Schedule", "DeletionPolicy": "Retain", "Properties": {
        "ScheduleExpression": "rate(5 minutes)", "FlexibleTimeWindow": {"Mode": "OFF"}, "Name": "FnA",
        "Target": {"Arn": {"Fn::GetAtt": ["Fn", "Arn"]}, "RoleArn": {"Fn::GetAtt": ["FnARole", "Arn"]}}}}
    assert [p["PolicyName"] for p in out.resources["FnBRole"]["Properties"]["Policies"]] == [
        "FnBLambdaPolicy", "FnBSQSPolicy"]
    assert "Name" not in out.resources["FnB"]["Properties"]
    assert "FnCRole" not in out.resources
    assert out.role_added == {"Fn": [[], []]}


def test_iot_rule_of_a_function_propagating_tags_is_refused() -> None:
    template = _template({"Ev": {"Type": "IoTRule", "Properties": {"Sql": "SELECT 1"}}},
                         function={"Tags": {"a": "b"}, "PropagateTags": True})
    assert sorted(check(template).refused) == ["IoTRule: function with PropagateTags"]

# --- many shapes: every one either refused or the translator's own -----------------------------------------------

_ANY = [None, True, 3, "s", [], ["a"], {}, {"Ref": "P"}, {"Fn::If": ["Yes", 1, 2]}, {"k": "v", "k2": "v"}]
_POOLS: dict[str, dict[str, list[Any]]] = {
    "SQS": {"Queue": [QARN, "arn:aws:sqs:us-east-1:1:q", {"Ref": "P"}, None],
            "BatchSize": [10, True, "10", {"Ref": "P"}, None], "Enabled": [True, False, "true", {"Ref": "P"}],
            "FilterCriteria": [{"Filters": []}, {}, {"Filter": []}, {"Ref": "P"}, []],
            "DestinationConfig": [{}, {"OnFailure": {"Type": "SQS", "Destination": QARN}},
                                  {"OnFailure": {"Destination": QARN}}, {"OnFailure": {"Type": "SNS"}},
                                  {"OnFailure": {"Type": "S3", "Destination": "arn:aws:s3:::b"}, "OnSuccess": {}},
                                  {"OnFailure": "x"}, {"Fn::If": ["Yes", {}, {}]}],
            "ScalingConfig": [{"MaximumConcurrency": 2}, "x"], "Topics": [["t"], "t"], "ConsumerGroupId": ["g"],
            "Queues": [["q"]], "KafkaBootstrapServers": [["h:9092"], [], {"Ref": "P"}],
            "SchemaRegistryConfig": [{"SchemaRegistryURI": "x"}, []], "SourceAccessConfigurations": [[{"Type": "x"}]],
            "StartingPosition": ["LATEST", None], "MaximumBatchingWindowInSeconds": [1, 1.5],
            "FunctionResponseTypes": [["ReportBatchItemFailures"], "ReportBatchItemFailures"]},
    "Kinesis": {"Stream": [{"Fn::GetAtt": ["S", "Arn"]}, None, "arn:aws:kinesis:us-east-1:1:stream/s"],
                "StartingPosition": ["LATEST", "TRIM_HORIZON", {"Ref": "P"}, None],
                "ParallelizationFactor": [2, "2"], "TumblingWindowInSeconds": [5, None],
                "BisectBatchOnFunctionError": [True, 1], "MaximumRecordAgeInSeconds": [60, {"Ref": "P"}],
                "DestinationConfig": [{"OnFailure": {"Type": "SNS", "Destination": {"Ref": "Topic"}}},
                                      {"OnFailure": {"Type": "Kafka", "Destination": "x"}}],
                "SecretsManagerKmsKeyId": ["k"], "KmsKeyArn": ["arn:aws:kms:us-east-1:1:key/k", 5]},
    "DynamoDB": {"Stream": [{"Fn::GetAtt": ["T", "StreamArn"]}], "StartingPosition": ["LATEST", None],
                 "MaximumRetryAttempts": [0, -1, "x"], "FilterCriteria": [{"Filters": [{"Pattern": "{}"}]}],
                 "StartingPositionTimestamp": [5, "x"], "MetricsConfig": [{"Metrics": ["EventCount"]}, []]},
    "S3": {"Bucket": [{"Ref": "B"}, {"Ref": "Q"}, "B", {"Ref": "Nowhere"}, None],
           "Events": ["s3:ObjectCreated:*", ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"], [], {"Ref": "P"}, [1]],
           "Filter": [{"S3Key": {"Rules": [{"Name": "prefix", "Value": "a/"}]}}, {"a": "b"}, {"a": 1, "b": 2},
                      None]},
    "Schedule": {"Schedule": ["rate(1 minute)", {"Ref": "P"}, 5, None], "Enabled": [True, False, "x"],
                 "State": ["ENABLED", "", {"Ref": "P"}], "Input": ["{}", 5], "Name": ["n", {"Ref": "P"}],
                 "Description": ["d", None], "RuleName": ["r", 3],
                 "DeadLetterConfig": [{"Type": "SQS"}, {"Arn": QARN}, {"Type": "SQS", "QueueLogicalId": "Dlq"},
                                      {"Type": "SNS"}, {}, None],
                 "RetryPolicy": [{"MaximumRetryAttempts": 2}, "x"]},
    "EventBridgeRule": {"Pattern": [{"source": ["x"]}, {"Ref": "P"}, [], None], "EventBusName": ["b", 1],
                        "Target": [{"Id": "T"}, {"Id": {"Ref": "P"}}, {"Arn": "x"}, "T"],
                        "Enabled": [True, {"Ref": "P"}], "State": ["DISABLED"], "InputPath": ["$.a"],
                        "InputTransformer": [{"InputTemplate": "x"}], "RuleName": ["r"],
                        "DeadLetterConfig": [{"Type": "SQS"}, {"Arn": "a", "Type": "SQS"}]},
    "SNS": {"Topic": [{"Ref": "Topic"}, "arn:aws:sns:us-east-1:1:t", 5, None], "Region": ["us-east-2", 1],
            "FilterPolicy": [{"a": ["b"]}, "x"], "FilterPolicyScope": ["MessageBody"],
            "SqsSubscription": [True, False, {}, {"QueueArn": QARN, "QueueUrl": {"Ref": "Q"}},
                                {"QueueArn": QARN}, {"QueueArn": QARN, "QueueUrl": "u", "BatchSize": 0}, "x"],
            "RedrivePolicy": [{"deadLetterTargetArn": QARN}, "x"]},
}
_POOLS["CloudWatchEvent"] = _POOLS["EventBridgeRule"]
_POOLS["CloudWatchLogs"] = {"LogGroupName": ["/aws/lambda/x", {"Ref": "P"}, 5, None],
                            "FilterPattern": ["", "ERROR", {"Fn::Sub": "${P}"}, ["x"]]}
_POOLS["IoTRule"] = {"Sql": ["SELECT * FROM 'a'", {"Ref": "P"}, None, 1],
                     "AwsIotSqlVersion": ["2016-03-23", "", {"Ref": "P"}, 3]}
_SECRET = "arn:aws:secretsmanager:us-east-1:1:secret:s"
_GLUE = "arn:aws:glue:us-east-1:123456789012:registry/my-registry"
_VALIDATION = [{"Attribute": "VALUE"}]
_REGISTRIES: list[Any] = [
    {"SchemaRegistryURI": _GLUE, "EventRecordFormat": "JSON", "SchemaValidationConfigs": _VALIDATION},
    {"SchemaRegistryURI": "https://example.com/registry", "EventRecordFormat": "SOURCE",
     "SchemaValidationConfigs": _VALIDATION, "AccessConfigs": [{"Type": "BASIC_AUTH", "URI": _SECRET}]},
    {"SchemaRegistryURI": {"Fn::Sub": "arn:aws:glue:${AWS::Region}:1:registry/r"}, "EventRecordFormat": "JSON",
     "SchemaValidationConfigs": _VALIDATION},
    {"SchemaRegistryURI": {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:registry/r"},
     "EventRecordFormat": "JSON", "SchemaValidationConfigs": _VALIDATION},
    {"SchemaRegistryURI": {"Fn::Sub": "arn:aws:glue:${P}:1:registry/r"}, "EventRecordFormat": "JSON",
     "SchemaValidationConfigs": _VALIDATION},
    {"SchemaRegistryURI": _GLUE, "EventRecordFormat": "AVRO", "SchemaValidationConfigs": _VALIDATION},
    {"SchemaRegistryURI": _GLUE, "EventRecordFormat": "JSON", "SchemaValidationConfigs": _VALIDATION,
     "AccessConfigs": None},
    {"SchemaRegistryURI": _GLUE, "EventRecordFormat": "JSON"}, {}, {"Ref": "P"}]
_POOLS["MSK"] = {"Stream": ["arn:aws:kafka:us-east-1:1:cluster/c/x", {"Ref": "P"}],
                 "StartingPosition": ["LATEST", None], "Topics": [["t"], ["a", "b"]],
                 "ConsumerGroupId": ["g", {"Ref": "P"}, ""],
                 "SourceAccessConfigurations": [[{"Type": "CLIENT_CERTIFICATE_TLS_AUTH", "URI": _SECRET}],
                                                [{"Type": "SASL_SCRAM_512_AUTH", "URI": _SECRET}], {"Ref": "P"}],
                 "SecretsManagerKmsKeyId": ["k"], "SchemaRegistryConfig": _REGISTRIES,
                 "DestinationConfig": [{"OnFailure": {"Type": "Kafka", "Destination": "kafka://x"}}]}
_POOLS["SelfManagedKafka"] = {
    "KafkaBootstrapServers": [["h:9092"], [], None], "Topics": [["t"], ["a", "b"], "t", None],
    "SourceAccessConfigurations": [
        [{"Type": "SASL_SCRAM_256_AUTH", "URI": _SECRET}],
        [{"Type": "BASIC_AUTH", "URI": _SECRET}, {"Type": "VPC_SUBNET", "URI": "subnet:s"},
         {"Type": "VPC_SECURITY_GROUP", "URI": {"Ref": "P"}}, {"Type": "SERVER_ROOT_CA_CERTIFICATE", "URI": "ca"}],
        [{"Type": "IAM_AUTH"}],
        [{"Type": "OAUTHBEARER_AUTH", "URI": _SECRET}, {"Type": "OAUTHBEARER_SCOPE", "URI": "s"}],
        [{"Type": "VPC_SUBNET", "URI": "s"}], [{"Type": "BASIC_AUTH"}], [{"Type": "X", "URI": "u"}],
        [{"Type": "BASIC_AUTH", "URI": "a"}, {"Type": "IAM_AUTH"}], [], None],
    "SecretsManagerKmsKeyId": ["k", {"Ref": "P"}, ""], "ConsumerGroupId": ["g"], "StartingPosition": ["LATEST"],
    "SchemaRegistryConfig": _REGISTRIES}
_POOLS["MQ"] = {
    "Broker": ["arn:aws:mq:us-east-1:1:broker:b", {"Ref": "P"}, None], "Queues": [["q"], "q"],
    "SourceAccessConfigurations": [[{"Type": "BASIC_AUTH", "URI": _SECRET}],
                                   [{"Type": "BASIC_AUTH", "URI": _SECRET}, {"Type": "VIRTUAL_HOST", "URI": "v"}],
                                   [{"Type": "VIRTUAL_HOST", "URI": "v"}], [{"Type": "BASIC_AUTH"}],
                                   [{"Type": "BASIC_AUTH", "URI": "a"}, {"Type": "BASIC_AUTH", "URI": "b"}],
                                   [{"Type": 5}], ["x"], None],
    "DynamicPolicyName": [True, False, "yes", {"Ref": "P"}], "SecretsManagerKmsKeyId": ["k", {"Ref": "P"}],
    "ConsumerGroupId": ["g"], "BatchSize": [5]}
_POOLS["DocumentDB"] = {
    "Cluster": ["arn:aws:rds:us-east-1:1:cluster:c", None], "DatabaseName": ["db", {"Ref": "P"}, None],
    "CollectionName": ["c", ""], "FullDocument": ["UpdateLookup", None],
    "SourceAccessConfigurations": [[{"Type": "BASIC_AUTH", "URI": _SECRET}], [{"Type": "VIRTUAL_HOST", "URI": "v"}],
                                   {"Ref": "P"}, None],
    "SecretsManagerKmsKeyId": ["k", 5], "StartingPosition": ["LATEST"], "SchemaRegistryConfig": [{"a": 1}]}
_POOLS["Cognito"] = {"UserPool": [{"Ref": "Pool"}, {"Ref": "Q"}, "Pool", None],
                     "Trigger": ["PreSignUp", ["PostConfirmation", "PreSignUp"], ["CustomMessage"], [], 5, None]}
_POOLS["ScheduleV2"] = {
    "ScheduleExpression": ["rate(1 minute)", {"Ref": "P"}, None, 3],
    "FlexibleTimeWindow": [{"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 5}, {}],
    "Name": ["n", ""], "OmitName": [True, False, "yes"], "State": ["DISABLED", ""], "Description": ["d"],
    "StartDate": ["2026-01-01T00:00:00Z"], "EndDate": ["2027-01-01T00:00:00Z"],
    "ScheduleExpressionTimezone": ["Europe/Paris"], "GroupName": ["g"], "KmsKeyArn": ["arn:aws:kms:us-east-1:1:key/k"],
    "Input": ["{}"], "RoleArn": ["arn:aws:iam::1:role/r", "", {"Ref": "P"}], "PermissionsBoundary": ["arn:pb", ""],
    "DeadLetterConfig": [{"Type": "SQS"}, {"Arn": QARN}, {"Type": "SQS", "QueueLogicalId": "Dlq"}, {"Type": "SNS"}],
    "RetryPolicy": [{"MaximumRetryAttempts": 1}]}
_POOLS["AlexaSkill"] = {"SkillId": ["amzn1.ask.skill.x", {"Ref": "P"}, None, 4, ""]}
_REQUIRED = frozenset({"Queue", "Stream", "StartingPosition", "Bucket", "Events", "Schedule", "Topic",
                       "LogGroupName", "FilterPattern", "Sql", "KafkaBootstrapServers", "Topics",
                       "SourceAccessConfigurations", "Broker", "Cluster", "DatabaseName", "UserPool", "Trigger",
                       "ScheduleExpression"})


SHAPES = 80
MIXED = 200


def _shapes(kind: str, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` event properties drawn from the pool of ``kind`` (the same every run): the required ones
    nearly always, the others about half the time; each value half the time the pool's first (valid) one."""
    rng = random.Random(seed)
    pool = _POOLS[kind]
    shapes = []
    for _ in range(count):
        props = {}
        for key, values in pool.items():
            if rng.random() < (0.9 if key in _REQUIRED else 0.4):
                props[key] = sam.clone(values[0] if rng.random() < 0.5 else rng.choice(values))
        if rng.random() < 0.05:
            props["Unknown"] = sam.clone(rng.choice(_ANY))
        shapes.append(props)
    return shapes


@pytest.mark.parametrize("kind", sorted(_POOLS))
def test_many_shapes_are_refused_or_exactly_the_translators(kind: str) -> None:
    accepted = refused = rejected = 0
    extra = {**QUEUE, **STREAM, **TABLE, **TOPIC, **BUCKET, **POOL}
    for props in _shapes(kind, SHAPES, seed=sum(map(ord, kind))):
        template = _template({"Ev": {"Type": kind, "Properties": props}}, extra=extra)
        template["Parameters"] = {"P": {"Type": "String", "Default": "x"}}
        template["Conditions"] = {"Yes": {"Fn::Equals": ["a", "a"]}}
        try:
            _translate(template)
        except Exception:  # noqa: BLE001 - the translator rejects the event: it must be refused
            role = {"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": []}
            fn = FunctionContext("Fn", role, sam.clone(template["Resources"]), template)
            with pytest.raises(Refused):
                event_resources(fn, "Ev", template["Resources"]["Fn"]["Properties"]["Events"]["Ev"])
            rejected += 1
            continue
        out = check(template)
        accepted += out.accepted
        refused += sum(out.refused.values())
    assert accepted + refused + rejected == SHAPES
    print(f"{kind}: {accepted} expanded, {refused} refused, {rejected} rejected by the translator and refused")
    assert accepted >= SHAPES // 20, (accepted, refused, rejected)


_FUNCTION_SETTINGS: list[dict[str, Any]] = [
    {}, {"Role": "arn:aws:iam::123456789012:role/r"}, {"Tags": {"t": "v"}}, {"Tags": {"t": "v"}, "PropagateTags": True},
    {"PropagateTags": True}, {"Tags": {"t": "v"}, "PropagateTags": False},
    {"Policies": ["AWSLambdaSQSQueueExecutionRole", {"Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                    "Resource": "*"}]}]},
    {"PermissionsBoundary": "arn:aws:iam::1:policy/pb", "Tags": {"a": "b"}},
    {"Policies": [{"Statement": {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QARN}}]},
]
_ATTRIBUTES: list[dict[str, Any]] = [{}, {"Condition": "Yes"}, {"DeletionPolicy": "Retain"},
                                     {"Condition": "Yes", "UpdateReplacePolicy": "Delete", "DeletionPolicy": "Delete"}]
_POOLS_OF_USERS: list[dict[str, Any]] = [
    {"Type": "AWS::Cognito::UserPool"},
    {"Type": "AWS::Cognito::UserPool", "DependsOn": "Q", "DeletionPolicy": "Retain", "Properties": {
        "UserPoolName": "p", "LambdaConfig": {"PreTokenGeneration": QARN}, "Policies": None}},
]
_GLOBALS: list[dict[str, Any]] = [{}, {}, {"Tags": {"g": "1"}}, {"PropagateTags": True},
                                  {"Tags": {"g": "1"}, "PropagateTags": True}, {"Timeout": 5}]
_BUCKETS: list[dict[str, Any]] = [
    {"Type": "AWS::S3::Bucket"},
    {"Type": "AWS::S3::Bucket", "DependsOn": ["Q", "S"], "Properties": {"BucketName": "b"}},
    {"Type": "AWS::S3::Bucket", "DependsOn": "Q", "Condition": "Yes", "Properties": {
        "Tags": [{"Key": "a", "Value": "b"}], "NotificationConfiguration": {"LambdaConfigurations": [
            {"Event": "s3:ObjectCreated:*", "Function": "arn:aws:lambda:us-east-1:1:function:f"}]}}},
]


def test_mixed_events_functions_and_buckets() -> None:
    """Templates of one or two functions with one to three events each, drawn (the same every run) from the
    pools above with mostly valid values, across function settings, attributes and bucket shapes."""
    rng = random.Random(7)
    accepted = refused = rejected = 0
    reasons: Counter[str] = Counter()
    kinds = sorted(_POOLS)
    for _ in range(MIXED):
        resources: dict[str, Any] = {**QUEUE, **STREAM, **TABLE, **TOPIC, "B": sam.clone(rng.choice(_BUCKETS)),
                                     "Pool": sam.clone(rng.choice(_POOLS_OF_USERS))}
        for fid in ("Fn", "Other")[: rng.randint(1, 2)]:
            events = {}
            for index in range(rng.randint(1, 3)):
                kind = rng.choice(kinds)
                pool = _POOLS[kind]
                props = {key: sam.clone(values[0] if rng.random() < 0.9 else rng.choice(values))
                         for key, values in pool.items() if key in _REQUIRED or rng.random() < 0.3}
                events[f"E{index}{kind}"] = {"Type": kind, "Properties": props}
            resources[fid] = {"Type": "AWS::Serverless::Function", **sam.clone(rng.choice(_ATTRIBUTES)),
                              "Properties": {"CodeUri": "s3://b/k", "Handler": "i.h", "Runtime": "python3.12",
                                             **sam.clone(rng.choice(_FUNCTION_SETTINGS)), "Events": events}}
        template = {"Transform": TRANSFORM, "Parameters": {"P": {"Type": "String", "Default": "x"}},
                    "Conditions": {"Yes": {"Fn::Equals": ["a", "a"]}}, "Resources": resources}
        globals_ = sam.clone(rng.choice(_GLOBALS))
        if globals_:
            template["Globals"] = {"Function": globals_}
        try:
            _translate(template)
        except Exception:  # noqa: BLE001 - an invalid draw: nothing to compare
            rejected += 1
            continue
        out = check(template)
        accepted += out.accepted
        refused += sum(out.refused.values())
        reasons.update(out.refused)
    print(f"mixed: {accepted} events expanded, {refused} refused, {rejected} templates rejected")
    for reason, count in reasons.most_common():
        print(f"  {count:4d}  {reason}")
    assert accepted >= MIXED // 2

# --- corpus -------------------------------------------------------------------------------------------------------

def _corpus_templates() -> list[Path]:
    found = sorted((CORPORA / "sam-translator-tests" / "tests" / "translator" / "input").glob("*.yaml"))
    patterns = CORPORA / "serverless-patterns"
    if patterns.is_dir():
        found += sorted(p for p in patterns.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
    return found


def _prepared(path: Path) -> dict[str, Any] | None:
    """The template as remit hands it to the translator (local code paths swapped for placeholders), or
    ``None`` when it is not a SAM template with a native event."""
    try:
        loaded = parse(path.read_text(encoding="utf-8"), path.suffix)
    except Exception:  # noqa: BLE001 - not a template
        return None
    data = loaded.data
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        return None
    text = json.dumps(data)
    if not any(f'"Type": "{kind}"' in text for kind in NATIVE):
        return None
    doc = Document(path.name, path, DocKind.SAM, data, loaded.marks)
    template, _, _ = sam._prepare(doc, path.parent)
    return template


def _assert_blamed_events_refused(template: Mapping[str, Any], error: str, path: Path) -> int:
    """In a template the translator rejects, the native events its error names are refused (each function's
    events expanded in turn, as the caller would): an event named by id, or whose bucket is named; and, in
    an error of a function about its events, at least one of them. Returns how many were refused."""
    count = 0
    resources = sam.clone(dict(template["Resources"]))
    for fid, res in template["Resources"].items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Serverless::Function":
            continue
        events = (res.get("Properties") or {}).get("Events")
        if not isinstance(events, dict):
            continue
        mine = {n: e for n, e in events.items() if isinstance(e, dict) and e.get("Type") in NATIVE}
        role = {"AssumeRolePolicyDocument": {}, "ManagedPolicyArns": []}
        fn = FunctionContext(fid, role, resources, template)
        refused = set()
        for name, event in sorted(mine.items(), key=_order_key):
            try:
                for lid, made in event_resources(fn, name, event):
                    resources[lid] = made
            except Refused:
                refused.add(name)
        count += len(refused)
        for name, event in mine.items():
            linked = (event.get("Properties") or {}).get("Bucket") or (event.get("Properties") or {}).get("UserPool")
            named = {f"[{fid}{name}]", f"[{name}]"}
            if isinstance(linked, dict) and isinstance(linked.get("Ref"), str):
                named.add(f"[{linked['Ref']}]")
            if any(n in error for n in named) and name not in refused:
                pytest.fail(f"{path.name}: {fid}.{name} accepted, the translator says: {error}")
        if mine and f"[{fid}]" in error and "Event" in error and not refused:
            pytest.fail(f"{path.name}: every event of {fid} accepted, the translator says: {error}")
    return count


@pytest.mark.corpus
@pytest.mark.skipif(not (CORPORA / "sam-translator-tests").is_dir(), reason="the corpora are not present")
def test_corpus_events_expand_as_the_translator_does() -> None:
    outcome = Outcome()
    templates = untranslated = refused_blamed = 0
    for path in _corpus_templates():
        template = _prepared(path)
        if template is None:
            continue
        try:
            _translate(template)
        except Exception as exc:  # noqa: BLE001 - the translator rejects it: the events it names must be refused
            untranslated += 1
            refused_blamed += _assert_blamed_events_refused(template, sam._error_text(exc), path)
            continue
        templates += 1
        try:
            check(template, outcome)
        except AssertionError as exc:
            raise AssertionError(f"{path.relative_to(CORPORA)}: {exc}") from exc
    refused = sum(outcome.refused.values())
    print(f"\n{templates} templates ({untranslated} rejected by the translator, {refused_blamed} events refused "
          f"there): {outcome.accepted} events expanded natively, {refused} refused")
    for reason, count in outcome.refused.most_common():
        print(f"  {count:4d}  {reason}")
    assert outcome.accepted > 0
