"""RMT-ENC-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Bucket, DataStore, Queue, Table, Topic
from remit.model.values import Value, options, present_options, render, text, truthy
from remit.rules.base import Hit, rule

_KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


@rule(
    id="RMT-ENC-001",
    title="Data store not encrypted at rest as expected",
    severity=Severity.LOW,
    category=Category.INSECURE_CONFIGURATION,
    responsibility=Responsibility.CONFIGURATION,
    scope=DataStore,
    impact=("Data not encrypted under a key you control is not gated by a key policy: whoever gains read access to "
            "the store reads the data, CloudTrail records no use of a key of yours, and you cannot cut access in an "
            "incident by disabling the key."),
    remediation="Encrypt the store with the template's customer managed key: KmsMasterKeyId on queues and topics, "
                "BucketEncryption with SSEAlgorithm aws:kms and KMSMasterKeyID on buckets, SSESpecification with "
                "SSEEnabled true, SSEType KMS and KMSMasterKeyId on tables. Never set SqsManagedSseEnabled to false "
                "without a KMS key.",
    references=(
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
        "https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-311",),
)
def check(store: DataStore, an: Analysis) -> Iterator[Hit]:
    """A queue, topic, bucket or table is not encrypted at rest the way the template leads one to expect.

    "Expected" means, precisely:

    * **Always**, an SQS queue with ``SqsManagedSseEnabled: false`` and no ``KmsMasterKeyId``: SQS stores its
      messages unencrypted (new queues get SSE-SQS by default; this turns it off). Medium.
    * **Always**, an SNS topic without ``KmsMasterKeyId``: SNS server-side encryption is off. SNS still keeps
      messages on encrypted disks, but message bodies are not encrypted under a key whose policy you control,
      so anyone with ``sns:Subscribe`` or AWS-side access sees them in clear and CloudTrail records no key use.
      Low.
    * **When the same template defines an** ``AWS::KMS::Key`` (the team uses customer managed keys), an S3
      bucket, DynamoDB table, SQS queue or SNS topic that is not encrypted with a customer managed key: S3's
      default SSE-S3 or ``aws:kms`` without a key id, DynamoDB's default AWS owned key or the AWS managed
      ``alias/aws/dynamodb``, SSE-SQS or ``alias/aws/sqs``, ``alias/aws/sns``. Low: the data is encrypted, but
      access to it is not gated by a key policy, key use is not audited per key, and the key cannot be revoked
      to cut access in an incident.

    A key given as a reference or parameter counts as customer managed unless it names an ``alias/aws/`` key.
    Values chosen by ``Fn::If`` are reported when any branch falls short. Other stores (secrets, state machines,
    event buses, keys themselves) are not checked by this rule, nor is a store the template knows only from a
    resource policy naming it (defined by another app).
    """
    if store.external:
        return  # a store another app defines: its encryption is not written here
    cmk_expected = any(k.id.doc == store.id.doc for k in an.app.keys)
    if isinstance(store, Queue):
        yield from _queue(store, cmk_expected)
    elif isinstance(store, Topic):
        yield from _topic(store, cmk_expected)
    elif isinstance(store, Bucket) and cmk_expected:
        yield from _bucket(store)
    elif isinstance(store, Table) and cmk_expected:
        yield from _table(store)


_CMK_NOTE = "the template defines a customer managed KMS key, so this store is expected to use one"


def _aws_managed(key: Value) -> bool:
    literal = text(key)
    return literal is not None and "alias/aws/" in literal.lower()


def _some_branch_without_key(key: Value | None) -> bool:
    """Not set, or set to an empty string (which turns KMS encryption off) or AWS::NoValue in some branch."""
    if key is None:
        return True
    branches = present_options(key)
    return len(branches) < len(options(key)) or not branches or any(text(b) == "" for b in branches)


def _without_cmk(key: Value | None) -> bool:
    """Some branch of ``key`` is absent, empty or an AWS managed key."""
    if key is None:
        return True
    branches = present_options(key)
    return not branches or any(b is None or text(b) == "" or _aws_managed(b) for b in branches)


def _queue(queue: Queue, cmk_expected: bool) -> Iterator[Hit]:
    sse = queue.sqs_managed_sse
    disabled = sse is not None and any(truthy(v) is False for v in present_options(sse))
    if disabled and _some_branch_without_key(queue.kms_key):
        yield Hit(queue.at("SqsManagedSseEnabled"),
                  f"Queue {queue.display} sets SqsManagedSseEnabled to false without a KmsMasterKeyId: its messages "
                  f"are stored unencrypted.", queue.resource, evidence="sse disabled", severity=Severity.MEDIUM)
        return
    if cmk_expected and _without_cmk(queue.kms_key):
        if _some_branch_without_key(queue.kms_key):
            how, node = "SQS-owned keys (SSE-SQS)", queue.node
        else:
            how, node = f"the AWS managed key {render(queue.kms_key)}", queue.at("KmsMasterKeyId")
        yield Hit(node, f"Queue {queue.display} is encrypted with {how}, not a customer managed key; {_CMK_NOTE}.",
                  queue.resource, evidence="no cmk")


def _topic(topic: Topic, cmk_expected: bool) -> Iterator[Hit]:
    if _some_branch_without_key(topic.kms_key):
        note = f"; {_CMK_NOTE}" if cmk_expected else ""
        written = topic.kms_key is not None
        node = topic.at("KmsMasterKeyId") if written else topic.node
        what = "an empty or conditional KmsMasterKeyId" if written else "no KmsMasterKeyId"
        yield Hit(node,
                  f"Topic {topic.display} has {what}: server-side encryption is off, so message bodies "
                  f"are kept only under SNS's own disk encryption, not a KMS key whose policy you control{note}.",
                  topic.resource, evidence="no sse")
    elif cmk_expected and _without_cmk(topic.kms_key):
        yield Hit(topic.at("KmsMasterKeyId"),
                  f"Topic {topic.display} is encrypted with {render(topic.kms_key)}, an AWS managed key or none in "
                  f"some branch, not a customer managed key; {_CMK_NOTE}.", topic.resource, evidence="no cmk")


def _bucket(bucket: Bucket) -> Iterator[Hit]:
    algorithms = [text(a) for a in bucket.encryption_algorithms for a in present_options(a)]
    uses_kms = bool(algorithms) and all(a in _KMS_ALGORITHMS for a in algorithms)
    if uses_kms and not _without_cmk(bucket.kms_key):
        return
    if not algorithms:
        how = "S3's default SSE-S3 (S3-managed keys)"
    elif not uses_kms:
        how = f"{'/'.join(sorted({a or '?' for a in algorithms}))} (S3-managed keys)"
    else:
        how = "the AWS managed key aws/s3"
    node = bucket.node if bucket.resource.prop("BucketEncryption") is None else bucket.at("BucketEncryption")
    yield Hit(node, f"Bucket {bucket.display} is encrypted with {how}, not a customer managed key; {_CMK_NOTE}.",
              bucket.resource, evidence="no cmk")


def _table(table: Table) -> Iterator[Hit]:
    enabled = table.sse_enabled is not None and all(truthy(v) is True for v in present_options(table.sse_enabled))
    if enabled and not _without_cmk(table.kms_key):
        return
    how = "the AWS managed key aws/dynamodb" if enabled else "the default AWS owned key"
    node = table.node if table.resource.prop("SSESpecification") is None else table.at("SSESpecification")
    yield Hit(node, f"Table {table.display} is encrypted with {how}, not a customer managed key; {_CMK_NOTE}.",
              table.resource, evidence="no cmk")
