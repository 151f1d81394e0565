"""RMT-LAMBDA-009."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.model.values import NO_VALUE, options, text
from remit.rules.base import Hit, rule


@rule(
    id="RMT-LAMBDA-009",
    title="Active tracing is not enabled",
    severity=Severity.LOW,
    category=Category.LOGGING_MONITORING,
    responsibility=Responsibility.CONFIGURATION,
    scope=Function,
    impact=("Without traces nobody can follow what an attacker's request touched downstream, and an anomaly such as "
            "a function suddenly calling a new service goes unseen."),
    remediation="Set TracingConfig Mode: Active (SAM: Tracing: Active on the function or in Globals.Function) and "
                "allow xray:PutTraceSegments and xray:PutTelemetryRecords in the role (SAM adds them).",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",
        "CSA SAS-5 Inadequate Function Monitoring and Logging",
    ),
    cwe=("CWE-778",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """The function does not sample and record traces with AWS X-Ray.

    Without active tracing, Lambda only forwards a trace an upstream service already started (``PassThrough``,
    the default). Requests that arrive any other way leave no record of which downstream calls they made, so
    after an incident nobody can follow what an attacker's request touched, and anomalies (a function suddenly
    calling a new service) go unseen.

    Reported at the tracing property when it is written with anything but ``Active`` (``PassThrough``,
    ``Disabled``, or an ``Fn::If`` with such a branch or an ``AWS::NoValue`` one), including when it comes from
    SAM ``Globals``; otherwise at the function.
    """
    if fn.tracing is None:
        yield Hit(fn.node, f"{fn.display} has no tracing configuration: X-Ray active tracing is off "
                           f"(PassThrough by default), so its requests cannot be followed across services.",
                  fn.resource, evidence="not set")
        return
    modes = [("AWS::NoValue" if v is NO_VALUE else text(v)) for v in options(fn.tracing)]
    if all(m == "Active" for m in modes):
        return
    other = sorted({m if m is not None else "a computed value" for m in modes if m != "Active"})
    conditional = " in one branch of a condition" if "Active" in modes else ""
    yield Hit(fn.at("TracingConfig", "Mode"),
              f"{fn.display} sets tracing to {' / '.join(other)}{conditional}: X-Ray active tracing is off, so its "
              f"requests cannot be followed across services.",
              fn.resource, evidence="not active")
