"""RMT-LAMBDA-005."""

from __future__ import annotations

from collections.abc import Iterator

from remit import runtimes
from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.model.entities import Function
from remit.model.values import texts
from remit.rules.base import Hit, rule


@rule(
    id="RMT-LAMBDA-005",
    title="Function uses a deprecated or soon-deprecated runtime",
    severity=Severity.HIGH,
    category=Category.OBSOLETE,
    responsibility=Responsibility.CONFIGURATION,
    scope=Function,
    impact=("Flaws found in a deprecated runtime's language, libraries or operating system are no longer patched by "
            "AWS and stay exploitable in the function; once AWS blocks updates, an urgent fix cannot be deployed "
            "without a rushed migration."),
    remediation="Move the function to a supported runtime of the same language (for example python3.13, "
                "nodejs22.x, java21, dotnet10, ruby3.4, provided.al2023), test it, and redeploy before AWS blocks "
                "updates to functions on the old runtime.",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
        "CSA SAS-11 Obsolete Functions, Cloud Resources and Event Triggers",
    ),
    cwe=("CWE-1104",),
)
def check(fn: Function, an: Analysis) -> Iterator[Hit]:
    """The function's ``Runtime`` is past its AWS deprecation date (high), or reaches it within 180 days
    (medium).

    After deprecation AWS stops patching the runtime's language, libraries and operating system: a
    vulnerability found in them later stays exploitable in every function still on it, and the function is no
    longer eligible for support. Later AWS blocks creating and then updating such functions, so an urgent
    security fix to the code can no longer be deployed without a runtime migration done in a hurry.

    Dates come from remit's runtime table (``remit/data/runtimes.json``, read from the AWS Lambda runtimes
    documentation; its metadata says when). "Today" is the ``REMIT_TODAY`` environment variable (ISO date) when
    set, else the current date, so a scan can be reproduced. A ``Runtime`` chosen by ``Fn::If`` is reported for
    each deprecated branch. Functions packaged as container images (``PackageType: Image``, no ``Runtime``) are
    not reported: their base image carries the runtime. Identifiers remit does not know (newer runtimes) are not
    reported.
    """
    if fn.package_type.lower() == "image" or fn.runtime is None:
        return
    today = runtimes.today()
    written = list(dict.fromkeys(t for t in texts(fn.runtime) if t))
    branch = " in one branch of a condition" if len(written) > 1 else ""
    for identifier in written:
        info = runtimes.lookup(identifier)
        if info is None or info.deprecation is None:
            continue
        stage = runtimes.lifecycle(info, today)
        if stage is runtimes.Lifecycle.SUPPORTED:
            continue
        blocked = ""
        if info.block_update is not None:
            verb = "were" if info.block_update <= today else "will be"
            blocked = f"; updates to functions on it {verb} blocked from {info.block_update.isoformat()}"
        if stage is runtimes.Lifecycle.DEPRECATED:
            message = (f"{fn.display} runs on {identifier} ({info.name}){branch}, deprecated by AWS since "
                       f"{info.deprecation.isoformat()}{blocked}: its language and OS no longer receive security "
                       f"patches.")
            severity = Severity.HIGH
        else:
            days = (info.deprecation - today).days
            message = (f"{fn.display} runs on {identifier} ({info.name}){branch}, which AWS deprecates on "
                       f"{info.deprecation.isoformat()} (in {days} days){blocked}: plan the migration before "
                       f"security patches stop.")
            severity = Severity.MEDIUM
        yield Hit(fn.at("Runtime"), message, fn.resource, evidence=identifier, severity=severity)
