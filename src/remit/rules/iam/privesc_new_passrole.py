"""RMT-IAM-022."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.rules.base import Hit, rule
from remit.rules.iam._privesc import hits


@rule(
    id="RMT-IAM-022",
    title="Principal can pass a stronger role to new compute",
    severity=Severity.HIGH,
    category=Category.PRIVILEGE_ESCALATION,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("Code running as the principal can create a function, instance, stack or job that runs with a stronger "
            "role it passes to it, and so do anything that role may do."),
    remediation=("Limit iam:PassRole to the roles the principal must hand out, with an iam:PassedToService condition, "
                 "and do not grant the create/run actions with it."),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://pathfinding.cloud",
    ),
    cwe=("CWE-269",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A role, user or group can pass a role to a compute resource it creates (a Lambda function, EC2 instance,
    CloudFormation stack, Glue job, CodeBuild project...) and run code as that role. It counts only when
    iam:PassRole covers a modelled role that trusts the service the method needs, or every role (a role that could
    exist).

    The method catalog is remit's data file ``privesc.json`` (category "new-passrole"). Actions count on the
    principal's combined effective permissions: actions split over several policies count together; an explicit
    Deny or a permissions boundary removes them; a conditional grant is reported with its conditions. The
    finding names the principal, the method, each statement granting an action (as the flow) and what is gained.
    """
    yield from hits(an, "new-passrole")
