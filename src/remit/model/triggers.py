"""What each kind of trigger is: one table every stage asks.

A trigger is something that invokes a function (:class:`remit.model.entities.Trigger`). What a kind of trigger
*means* — how Lambda invokes the function, who decides what the event holds, which write on the source fires
it, which event fields it delivers, what the Lambda service does with the function's role to read it — is
written once here, in :data:`TRIGGERS`, and read by:

* the model (``Trigger.invocation``, ``Application.is_internet_facing``),
* taint sources (:mod:`remit.code.sources`: the event fields and how sure remit is that an outsider wrote them),
* the permissions the platform uses (:mod:`remit.code.sdk.usage`: polling, VPC access),
* the attack graph (:mod:`remit.graph.build`: a write to a source reaches the functions it triggers),
* rules (recursive loops, async failure destinations).

A new kind of trigger is a new :class:`TriggerKind` member and one row here, plus the reader that finds it in
templates (:mod:`remit.model.readers.triggers`) and its row in :data:`remit.model.readers.READERS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ANY", "TRIGGERS", "AccessPath", "Caller", "Field", "Invocation", "TriggerKind", "TriggerSpec", "spec"]

ANY = "*"  # in an access path: any key or index
AccessPath = tuple[str, ...]  # keys from the event's root: ("Records", "*", "s3", "object", "key")


class TriggerKind(StrEnum):
    API_ROUTE = "api-route"
    FUNCTION_URL = "function-url"
    S3 = "s3"
    SQS = "sqs"
    KINESIS = "kinesis"
    DYNAMODB_STREAM = "dynamodb-stream"
    KAFKA = "kafka"
    MQ = "mq"
    DOCUMENTDB = "documentdb"  # a DocumentDB change stream read by an event source mapping
    SNS = "sns"
    EVENTBRIDGE = "eventbridge"
    SCHEDULE = "schedule"
    COGNITO = "cognito"
    IOT = "iot"
    LOGS = "cloudwatch-logs"
    ALB = "alb"
    CUSTOM_RESOURCE = "custom-resource"  # CloudFormation calls it with the resource's properties (ServiceToken)
    S3_OBJECT_LAMBDA = "s3-object-lambda"  # an S3 Object Lambda access point transforms GetObject through it
    OTHER = "other"


class Invocation(StrEnum):
    SYNC = "sync"  # the caller waits (API, URL, Cognito) and sees what the function returns
    ASYNC = "async"  # Lambda queues the event (S3, SNS, EventBridge): failures need a DLQ or destination
    POLL = "poll"  # an event source mapping reads a queue or stream


class Caller(StrEnum):
    """Who decides what the event holds."""

    ENDPOINT = "endpoint"  # whoever reaches an HTTP endpoint: the internet, unless the API is private
    END_USER = "end-user"  # end users through an AWS service (anyone can sign up to a pool; a load balancer)
    WRITERS = "writers"  # whoever may write to the source (its resource policy says who else may)
    SERVICE = "service"  # an AWS service or the account's own configuration (schedules, logs, stacks, brokers)
    UNKNOWN = "unknown"  # a trigger remit does not know: the whole event is suspect


Field = tuple[AccessPath, str]  # an event field and what it is ("S3 object key")

_HTTP: tuple[Field, ...] = (
    (("body",), "request body"),
    (("headers", ANY), "request header"),
    (("multiValueHeaders", ANY), "request header"),
    (("queryStringParameters", ANY), "query string parameter"),
    (("multiValueQueryStringParameters", ANY), "query string parameter"),
    (("pathParameters", ANY), "path parameter"),
    (("rawPath",), "request path"),
    (("rawQueryString",), "query string"),
    (("path",), "request path"),
    (("cookies", ANY), "cookie"),
    (("requestContext", "http", "path"), "request path"),
    (("requestContext", "http", "userAgent"), "user agent"),
    (("requestContext", "identity", "userAgent"), "user agent"),
)


@dataclass(frozen=True, slots=True)
class TriggerSpec:
    """What one kind of trigger is.

    ``feeds``: the actions on the source that deliver an event into the function (a write to a bucket, a message
    to a queue); whoever holds them chooses the event. ``name_property``: the source's property holding its
    physical name, where a role can name it in an ARN. ``polls``: what the Lambda service does with the
    function's role to read the source (event source mappings); ``polled_in_vpc``: the poller reaches the source
    inside a VPC with credentials from Secrets Manager; ``source_attribute``: the source's attribute the mapping
    reads when it is not the source's ARN. ``stream``: an ordered stream whose failed batches go to the mapping's
    on-failure destination. ``fields``: the event fields the source's writer controls.
    """

    kind: TriggerKind
    invocation: Invocation
    caller: Caller
    fields: tuple[Field, ...] = ()
    feeds: tuple[str, ...] = ()
    name_property: str = ""
    polls: tuple[str, ...] = ()
    polled_in_vpc: bool = False
    stream: bool = False
    returns_to_caller: bool = False  # whoever chose the event sees what the function returns (HTTP, unknown)
    source_attribute: str = ""  # the source's attribute a mapping reads, when not its ARN (a table's StreamArn)


TRIGGERS: Mapping[TriggerKind, TriggerSpec] = {s.kind: s for s in (
    TriggerSpec(TriggerKind.API_ROUTE, Invocation.SYNC, Caller.ENDPOINT, _HTTP, returns_to_caller=True),
    TriggerSpec(TriggerKind.FUNCTION_URL, Invocation.SYNC, Caller.ENDPOINT, _HTTP, returns_to_caller=True),
    TriggerSpec(TriggerKind.ALB, Invocation.SYNC, Caller.END_USER, _HTTP, returns_to_caller=True),
    TriggerSpec(TriggerKind.COGNITO, Invocation.SYNC, Caller.END_USER,
                ((("request", "userAttributes"), "Cognito user attribute"),
                 (("request", "clientMetadata"), "Cognito client metadata"),
                 (("request", "validationData"), "Cognito validation data"),
                 (("userName",), "Cognito user name"))),
    TriggerSpec(TriggerKind.S3, Invocation.ASYNC, Caller.WRITERS,
                ((("Records", ANY, "s3", "object", "key"), "S3 object key"),
                 (("Records", ANY, "s3", "object", "metadata"), "S3 object metadata"),
                 (("detail", "object", "key"), "S3 object key")),
                feeds=("s3:PutObject",), name_property="BucketName"),
    TriggerSpec(TriggerKind.SNS, Invocation.ASYNC, Caller.WRITERS,
                ((("Records", ANY, "Sns", "Message"), "SNS message"),
                 (("Records", ANY, "Sns", "Subject"), "SNS subject"),
                 (("Records", ANY, "Sns", "MessageAttributes"), "SNS message attribute")),
                feeds=("sns:Publish",), name_property="TopicName"),
    TriggerSpec(TriggerKind.EVENTBRIDGE, Invocation.ASYNC, Caller.WRITERS,
                ((("detail",), "EventBridge event detail"),), feeds=("events:PutEvents",)),
    TriggerSpec(TriggerKind.SQS, Invocation.POLL, Caller.WRITERS,
                ((("Records", ANY, "body"), "SQS message body"),
                 (("Records", ANY, "messageAttributes"), "SQS message attribute")),
                feeds=("sqs:SendMessage",), name_property="QueueName",
                polls=("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")),
    TriggerSpec(TriggerKind.KINESIS, Invocation.POLL, Caller.WRITERS,
                ((("Records", ANY, "kinesis", "data"), "Kinesis record data"),),
                polls=("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                       "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams",
                       "kinesis:SubscribeToShard"), stream=True),
    TriggerSpec(TriggerKind.DYNAMODB_STREAM, Invocation.POLL, Caller.WRITERS,
                ((("Records", ANY, "dynamodb", "NewImage"), "DynamoDB stream new image"),
                 (("Records", ANY, "dynamodb", "OldImage"), "DynamoDB stream old image"),
                 (("Records", ANY, "dynamodb", "Keys"), "DynamoDB stream keys")),
                feeds=("dynamodb:PutItem", "dynamodb:UpdateItem"),
                polls=("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                       "dynamodb:ListStreams"), stream=True, source_attribute="StreamArn"),
    TriggerSpec(TriggerKind.KAFKA, Invocation.POLL, Caller.SERVICE,
                ((("records", ANY, ANY, "value"), "Kafka record value"),
                 (("records", ANY, ANY, "key"), "Kafka record key")),
                polls=("kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers",
                       "kafka-cluster:Connect", "kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup",
                       "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData",
                       "kafka-cluster:DescribeClusterDynamicConfiguration"), polled_in_vpc=True),
    TriggerSpec(TriggerKind.MQ, Invocation.POLL, Caller.SERVICE, ((("messages", ANY, "data"), "MQ message data"),),
                polls=("mq:DescribeBroker",), polled_in_vpc=True),
    TriggerSpec(TriggerKind.DOCUMENTDB, Invocation.POLL, Caller.SERVICE,
                ((("events", ANY, "event"), "DocumentDB change event"),),
                polls=("rds:DescribeDBClusters", "rds:DescribeDBClusterParameters", "rds:DescribeDBSubnetGroups"),
                polled_in_vpc=True),
    TriggerSpec(TriggerKind.SCHEDULE, Invocation.ASYNC, Caller.SERVICE),  # a schedule carries no outside data
    TriggerSpec(TriggerKind.IOT, Invocation.ASYNC, Caller.SERVICE, (((), "IoT message"),)),
    TriggerSpec(TriggerKind.LOGS, Invocation.ASYNC, Caller.SERVICE, ((("awslogs", "data"), "CloudWatch Logs data"),)),
    TriggerSpec(TriggerKind.CUSTOM_RESOURCE, Invocation.SYNC, Caller.SERVICE,
                ((("ResourceProperties", ANY), "custom resource property"),
                 (("OldResourceProperties", ANY), "custom resource property"))),
    TriggerSpec(TriggerKind.S3_OBJECT_LAMBDA, Invocation.SYNC, Caller.SERVICE,
                ((("userRequest", "url"), "requested object URL"),
                 (("userRequest", "headers", ANY), "request header"))),
    TriggerSpec(TriggerKind.OTHER, Invocation.SYNC, Caller.UNKNOWN, (((), "event"),), returns_to_caller=True),
)}


def spec(kind: TriggerKind) -> TriggerSpec:
    """The table's row for ``kind`` (every kind has one; ``tests/test_triggers.py`` checks)."""
    return TRIGGERS[kind]
