"""RMT-SQS-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Queue
from remit.rules.base import Hit, rule
from remit.rules.data._resource_policy import Grade, open_statement_hits

_CONSUME = Grade(
    severity=Severity.CRITICAL,
    effects=(
        ("sqs:ReceiveMessage", "read its messages before your consumers see them"),
        ("sqs:DeleteMessage", "delete its messages"),
        ("sqs:PurgeQueue", "delete its messages"),
        ("sqs:ChangeMessageVisibility", "hide messages from your consumers"),
        ("sqs:SetQueueAttributes", "change the queue's policy and settings"),
        ("sqs:AddPermission", "change the queue's policy and settings"),
        ("sqs:RemovePermission", "change the queue's policy and settings"),
        ("sqs:DeleteQueue", "delete the queue"),
    ),
)
_SEND = Grade(severity=Severity.HIGH,
              gain="send messages your consumers will process as if your own producers had sent them")


@rule(
    id="RMT-SQS-001",
    title="Queue policy lets anyone in",
    severity=Severity.HIGH,
    category=Category.PUBLIC_EXPOSURE,
    responsibility=Responsibility.CONFIGURATION,
    scope=Queue,
    impact=("Any AWS account can send messages that the queue's consumer processes with its own permissions, from a "
            "source the code trusts; with receive, delete or attribute actions they read the messages, make them "
            "disappear or take over the queue's policy."),
    remediation="Replace Principal \"*\" with the principals that use the queue. When an AWS service delivers to "
                "it (an SNS topic, an EventBridge rule, an S3 notification), grant that service principal and pin "
                "the source with aws:SourceArn (and aws:SourceAccount).",
    references=(
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-284",),
)
def check(queue: Queue, an: Analysis) -> Iterator[Hit]:
    """An SQS queue policy statement allows anyone (``Principal: "*"``, ``AWS: "*"`` or ``NotPrincipal``)
    with no condition that narrows who may call.

    ``sqs:SendMessage`` for anyone lets any AWS account inject messages that the queue's consumer (usually a
    Lambda function) processes with its own permissions: event injection with a trusted face. Receive, delete,
    purge or attribute-changing actions let an attacker read the messages, make them disappear, or rewrite the
    queue's policy; those are reported as critical, send-only statements as high.

    The usual safe forms are not reported: a service principal (``sns.amazonaws.com``), or ``Principal: "*"``
    with a concrete ``aws:SourceArn``/``aws:SourceAccount``/``aws:PrincipalOrgID`` condition, or a ``Deny`` for
    everyone outside such a condition. ``...IfExists`` conditions do not narrow (a direct caller has no
    ``aws:SourceArn`` and passes them).
    """
    yield from open_statement_hits(queue, "queue", (_CONSUME,), _SEND)
