"""RMT-LAMBDA-008."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function, LogGroup
from remit.model.resources import ResourceId
from remit.model.values import SymbolKind, Value, present_options, render, resource_ref, symbols, text
from remit.rules.base import Hit, rule
from remit.rules.lambda_._common import always_set

DEFAULT_PREFIX = "/aws/lambda/"


def _renders(value: Value | None) -> set[str]:
    return {render(v) for v in present_options(value)} if value is not None else set()


def _default_names(fn: Function) -> set[str]:
    """How a template can write the name of the function's default log group: ``/aws/lambda/${Fn}`` (a Ref of
    the function) or ``/aws/lambda/`` + its FunctionName as written."""
    found = {f"{DEFAULT_PREFIX}${{{fn.logical_id}}}"}
    written = fn.resource.prop("FunctionName")
    found.update(DEFAULT_PREFIX + r for r in _renders(written))
    return found


def _groups_of(fn: Function, an: Analysis) -> tuple[list[LogGroup], bool]:
    """The log groups the function writes to that the application declares, and whether its destination is
    known at all (a LoggingConfig.LogGroup naming a group outside the template is not)."""
    groups = [g for g in an.app.log_groups if g.id.doc == fn.id.doc]
    if fn.log_group is not None:
        matched: dict[ResourceId, LogGroup] = {}
        for option in present_options(fn.log_group):
            lid = resource_ref(option)
            refs = {s.name for s in symbols(option) if s.kind is SymbolKind.RESOURCE}
            literal = text(option)
            for group in groups:
                if (lid == group.logical_id or group.logical_id in refs
                        or (literal is not None and literal in _renders(group.name))):
                    matched.setdefault(group.id, group)
        return list(matched.values()), bool(matched)
    wanted = _default_names(fn)
    return [g for g in groups if _renders(g.name) & wanted], True


@rule(
    id="RMT-LAMBDA-008",
    title="Function logs are kept forever (log group without retention)",
    severity=Severity.LOW,
    category=Category.LOGGING_MONITORING,
    responsibility=Responsibility.CONFIGURATION,
    scope=Function,
    impact=("Everything the function ever logged (events, tokens, personal data in stack traces) stays readable for "
            "whoever later gains read access to the logs, long after anyone needs it."),
    remediation="Declare the function's log group in the template (AWS::Logs::LogGroup with LogGroupName "
                "!Sub /aws/lambda/${MyFunction}, or point LoggingConfig.LogGroup at it) and set RetentionInDays "
                "to what your policy requires; consider a KmsKeyId as well.",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html",
        "CSA SAS-5 Inadequate Function Monitoring and Logging",
    ),
    cwe=("CWE-779",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """The function's CloudWatch log group never expires its logs.

    When the template declares no log group for a function, Lambda creates ``/aws/lambda/<name>`` on first
    invocation with no retention and outside the stack: every event, stack trace and anything the code logs
    (tokens, personal data) is kept indefinitely, billed forever, and the group survives deleting the stack.
    Reported at the function. A declared group without ``RetentionInDays`` (or with it under ``Fn::If`` and an
    ``AWS::NoValue`` branch) is reported at the group.

    The group is found through ``LoggingConfig.LogGroup`` when set (a Ref to, or the name of, a group of the
    template; a group outside the template is not judged), else as the ``AWS::Logs::LogGroup`` named
    ``/aws/lambda/`` followed by a Ref of the function or its literal ``FunctionName``.
    """
    groups, known = _groups_of(fn, an)
    if not known:
        return
    if not groups:
        yield Hit(
            fn.node,
            f"No log group is declared for {fn.display}: Lambda creates /aws/lambda/<function name> with no "
            f"retention, so its logs (and whatever secrets or personal data they contain) are kept forever and "
            f"outlive the stack.",
            fn.resource,
            evidence="default log group",
        )
        return
    for group in groups:
        if always_set(group.retention_days):
            continue
        conditional = group.retention_days is not None
        node = group.at("RetentionInDays") if conditional else group.node
        what = "loses RetentionInDays in one branch of a condition" if conditional else "has no RetentionInDays"
        yield Hit(
            node,
            f"Log group {group.display} of {fn.display} {what}: its logs never expire.",
            group.resource,
        )
