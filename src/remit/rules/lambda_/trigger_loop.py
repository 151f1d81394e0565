"""RMT-LAMBDA-011."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.match import allows_action, is_wildcard_resource, names_resource
from remit.model.entities import Function, Trigger
from remit.model.policy import Statement
from remit.model.resources import Resource
from remit.model.triggers import TriggerKind
from remit.model.values import SymbolKind, Value, render, symbols, text
from remit.rules.base import Hit, rule


def _mentions(value: Value, source: Resource, physical: str | None) -> bool:
    if any(s.kind is SymbolKind.RESOURCE and s.name == source.logical_id for s in symbols(value)):
        return True
    literal = text(value)
    return bool(physical and literal and physical in literal)


def _granting(fn: Function, trigger: Trigger, an: Analysis) -> tuple[Statement, bool] | None:
    """The first Allow statement of the function's role that lets it write to the trigger's own source, and
    whether it names the source (False: ``Resource: "*"`` with the source in the function's environment)."""
    source = an.app.resource(trigger.source_id)
    role = an.app.role_of(fn)
    if source is None or role is None:
        return None
    action, physical = trigger.spec.feeds[0], source.text(trigger.spec.name_property)
    in_environment = any(_mentions(v, source, physical) for v in fn.environment.values())
    wildcard: Statement | None = None
    for policy in an.app.principal_policies(role):
        for statement in policy.statements:
            if not allows_action(statement, action):
                continue
            if names_resource(statement, source.logical_id, (physical,) if physical else ()):
                return statement, True
            if wildcard is None and in_environment and is_wildcard_resource(statement):
                wildcard = statement
    return (wildcard, False) if wildcard is not None else None


@rule(
    id="RMT-LAMBDA-011",
    title="Function may trigger itself (recursive invocation loop)",
    severity=Severity.MEDIUM,
    category=Category.DENIAL_OF_SERVICE,
    responsibility=Responsibility.CONFIGURATION,
    scope=Function,
    impact=("One crafted input that makes the function write back to its own trigger starts a loop that runs at full "
            "concurrency, billing every invocation and write and starving the account's other functions until "
            "someone notices."),
    remediation="Write the function's output to a different bucket, queue or topic than the one that triggers it. "
                "If it must write back, restrict the trigger to a prefix/suffix the output never uses (S3), mark "
                "processed messages and drop them, keep Lambda's recursive loop detection on (RecursiveLoop: "
                "Terminate), and set reserved concurrency to bound a runaway loop.",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html",
        "CSA SAS-8 Denial of Service & Financial Resource Exhaustion",
    ),
    cwe=("CWE-674", "CWE-400"),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """The function is triggered by a bucket, queue or topic of the application, and its role may write to that
    same resource: a bug, or one crafted input that makes the code write its output back, starts a loop where
    each invocation triggers the next.

    The loop runs at full concurrency and bills every invocation and every write until someone notices; it also
    starves the account's other functions. Lambda's recursive loop detection stops some loops, but only for the
    services and SDKs it supports, only after the loop has already run more than a dozen times, and not at all
    when the function sets ``RecursiveLoop: Allow``.

    The role must have an Allow statement for the write that feeds the trigger (``s3:PutObject`` for S3,
    ``sqs:SendMessage`` for SQS, ``sns:Publish`` for SNS; wildcards such as ``s3:*`` count) whose ``Resource``
    names the triggering resource (a Ref/GetAtt/Sub of it, or its literal name in an ARN), or is ``*`` while the
    function's environment references that resource (the code is told where to write). SAM policy templates
    (``S3CrudPolicy``, ``SQSSendMessagePolicy``...) count as the statements they expand to. Writing to a
    *different* resource is not reported. Deny statements and permission boundaries are not evaluated.

    An S3 trigger with a prefix or suffix filter is reported as low: the loop only closes when the function
    writes keys that match the filter, which a careful design avoids.
    """
    for trigger in an.app.triggers_of(fn):
        if not (trigger.spec.feeds and trigger.spec.name_property) or trigger.source_id is None:
            continue
        found = _granting(fn, trigger, an)
        if found is None:
            continue
        statement, named = found
        action = trigger.spec.feeds[0]
        source = trigger.source_id.logical_id
        how = (f"its role allows {action} on {source}" if named
               else f"its role allows {action} on any resource and its environment points at {source}")
        filters = {k: render(v) for k, v in trigger.filters.items() if k in ("prefix", "suffix")}
        severity = None
        note = ""
        if trigger.kind is TriggerKind.S3 and filters:
            severity = Severity.LOW
            shown = ", ".join(f"{k} {v!r}" for k, v in sorted(filters.items()))
            note = f" (the trigger only fires for keys with {shown}: the loop closes only if the output matches)"
        yield Hit(
            trigger.node,
            f"{fn.display} is triggered by {source} and {how}: one write back to {source} re-invokes the "
            f"function, an unbounded loop that bills every invocation and starves other functions{note}.",
            fn.resource,
            evidence=f"{trigger.kind.value} {source}",
            severity=severity,
            related=(statement.node,),
        )
