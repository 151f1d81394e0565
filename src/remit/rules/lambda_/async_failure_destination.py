"""RMT-LAMBDA-007."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function, Trigger
from remit.model.triggers import Invocation
from remit.model.values import Value, number, present_options
from remit.rules.base import Hit, rule
from remit.rules.lambda_._common import always_set, names


def _unbounded(value: Value | None) -> bool:
    """A retry or record-age limit that is unset or -1 (Lambda's "until the record expires")."""
    if value is None:
        return True
    return any(number(v) in (None, -1.0) for v in present_options(value))


def _stream_hit(fn: Function, trigger: Trigger, an: Analysis) -> Hit:
    mapping = an.app.resource(trigger.carrier)
    blocks = mapping is None or (_unbounded(mapping.prop("MaximumRetryAttempts"))
                                 and _unbounded(mapping.prop("MaximumRecordAgeInSeconds")))
    if blocks:
        message = (f"The {trigger.kind.value} event source of {fn.display} has no on-failure destination and no "
                   f"retry limit: one record the function cannot process is retried until it expires, blocking "
                   f"its shard (a single crafted record stalls processing), and is then dropped without a trace.")
        severity = Severity.MEDIUM
    else:
        message = (f"The {trigger.kind.value} event source of {fn.display} has no on-failure destination: records "
                   f"that still fail after the retry limit are discarded and nothing keeps them for replay or "
                   f"investigation.")
        severity = Severity.LOW
    return Hit(trigger.node, message, fn.resource, evidence=f"stream {trigger.detail}", severity=severity)


@rule(
    id="RMT-LAMBDA-007",
    title="Failed events are dropped silently (no dead-letter queue or on-failure destination)",
    severity=Severity.LOW,
    category=Category.ERROR_HANDLING,
    responsibility=Responsibility.CONFIGURATION,
    scope=Function,
    impact=("An attacker who can make the function fail (a malformed object, an oversized message) has their events "
            "discarded after the retries with no copy kept: the evidence of what they sent disappears, and so does "
            "legitimate data."),
    remediation="Give the function an on-failure destination (EventInvokeConfig DestinationConfig.OnFailure, an SQS "
                "queue, SNS topic, EventBridge bus or S3 bucket) or a DeadLetterConfig/DeadLetterQueue, and alarm "
                "on it. For Kinesis and DynamoDB stream sources, set DestinationConfig.OnFailure on the event "
                "source mapping together with MaximumRetryAttempts or MaximumRecordAgeInSeconds, and "
                "BisectBatchOnFunctionError.",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html",
        "CSA SAS-10 Improper Exception Handling and Verbose Error Messages",
    ),
    cwe=("CWE-755", "CWE-778"),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """Events the function fails to process disappear without a trace.

    S3, SNS, EventBridge, schedules, IoT and CloudWatch Logs invoke functions asynchronously: Lambda queues the
    event, retries twice, then discards it unless the function has a dead-letter queue (``DeadLetterConfig``,
    SAM ``DeadLetterQueue``, Globals included) or an ``EventInvokeConfig`` with an on-failure destination. Data
    is lost, and an attacker who can make the function fail (a malformed object, an oversized message) erases
    the evidence of what they sent. Reported once per function at its ``EventInvokeConfig`` when one is written
    without ``OnFailure``, else at its first asynchronous trigger. A dead-letter target under ``Fn::If`` with an
    ``AWS::NoValue`` branch does not count. Delivery retry policies of the source (an SNS subscription's
    ``RedrivePolicy``, an EventBridge target's ``DeadLetterConfig``) only cover failures to *deliver* to Lambda,
    not errors of the function, so they do not count either.

    Kinesis and DynamoDB stream event source mappings without ``DestinationConfig.OnFailure`` are reported at
    the mapping: failed records are discarded after the retries. With neither ``MaximumRetryAttempts`` nor
    ``MaximumRecordAgeInSeconds`` limited, one poisoned record also blocks its shard until it expires, which
    an attacker who can write one record uses to stall processing: those hits are medium, the others low.
    SQS sources keep failed messages in the queue's own redrive policy and are not reported here.

    Low by default: it makes a failure or an attack invisible and unrecoverable, but is not by itself a way in.
    """
    for trigger in an.app.triggers_of(fn):
        if trigger.spec.stream and not always_set(trigger.on_failure):
            yield _stream_hit(fn, trigger, an)
    async_triggers = [t for t in an.app.triggers_of(fn) if t.invocation is Invocation.ASYNC]
    if not async_triggers or always_set(fn.dead_letter_target):
        return
    configs = an.app.invoke_configs_of(fn)
    if any(always_set(c.on_failure) for c in configs):
        return
    sources = names(t.detail for t in async_triggers)
    node = configs[0].node if configs else async_triggers[0].node
    yield Hit(
        node,
        f"{fn.display} is invoked asynchronously ({sources}) but has no dead-letter queue or on-failure "
        f"destination: events it fails on are dropped once the retries run out, losing the data and any trace of "
        f"what was sent.",
        fn.resource,
        evidence="async",
        related=tuple(dict.fromkeys(t.node for t in async_triggers if t.node != node)),
    )
