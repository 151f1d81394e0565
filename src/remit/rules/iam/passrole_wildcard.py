"""RMT-IAM-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam import arns
from remit.iam.match import wildcard_match
from remit.iam.shapes import admin_shaped, on_every_role
from remit.model.entities import IamPrincipal
from remit.model.policy import Statement
from remit.model.resources import ResourceId
from remit.model.values import render
from remit.rules.base import Hit, rule
from remit.rules.iam._grants import action_node, describe_principals, grants


@rule(
    id="RMT-IAM-002",
    title="iam:PassRole allowed on every role",
    severity=Severity.HIGH,
    category=Category.PRIVILEGE_ESCALATION,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("Code running as the principal can hand the most powerful role in the account to a function, instance or "
            "stack it creates or updates, and then run as that role: often administrator."),
    remediation="Limit iam:PassRole to the ARNs of the roles the principal must hand to a service, and add an "
                "iam:PassedToService condition naming that service (for example lambda.amazonaws.com).",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-269",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """An identity policy allows ``iam:PassRole`` on every role: ``Resource: "*"`` (or every role of an
    account, ``arn:aws:iam::<account>:role/*``), through the action itself or a wildcard that covers it
    (``iam:PassRole``, ``iam:Pass*``, ``iam:*``).

    Passing a role is how a principal gives a service an identity: create a Lambda function, an EC2 instance,
    a Glue job or a CloudFormation stack with any role of the account. With ``iam:PassRole`` on every role,
    the principal (and whoever controls its code) can pick the most powerful role in the account, hand it to a
    compute service it can create or update, and run code as that role: a classic privilege escalation. An
    ``iam:PassedToService`` condition does not prevent it (any role can still go to that service) and is still
    reported.

    The statement is judged by the IAM engine on each principal's combined policies: it is reported when, for
    some principal it applies to, ``iam:PassRole`` on a role the template does not define (any role) is still
    allowed, or allowed under conditions, after explicit Deny and the permissions boundary.

    Not reported: PassRole on specific role ARNs; an Allow voided for every principal it applies to by a
    ``Deny`` of ``iam:PassRole`` (on ``*`` or on the roles it would reach) or by a permissions boundary that
    does not allow it; and statements that RMT-IAM-001 already reports (``Action: "*"`` or ``NotAction`` on
    every resource), so one statement raises one finding.
    """
    for grant in grants(an):
        st = grant.statement
        if st.not_action or admin_shaped(st) or not on_every_role(st):
            continue
        patterns = [render(a) for a in st.actions]
        covering = [p for p in patterns if wildcard_match(p, "iam:PassRole")]
        if not covering or not _effective(an, grant.principals, st):
            continue
        index = patterns.index(covering[0])
        scope = "every resource" if any(render(r).strip() == "*" for r in st.resources) or st.not_resource \
            else ", ".join(render(r) for r in st.resources)
        via = f" (as {covering[0]})" if covering[0].lower() != "iam:passrole" else ""
        services = [render(v) for c in st.conditions if c.key_lower == "iam:passedtoservice" for v in c.values]
        if services:
            via += f" to {', '.join(services)}"
        message = (f"The {grant.policy_label()} allows iam:PassRole{via} on {scope} to "
                   f"{describe_principals(an, grant.principals)}: it can hand any role of the account, the most "
                   f"powerful included, to a service resource it creates or updates and run code as that role.")
        evidence = grant.evidence(covering[0])
        yield Hit(action_node(an, st, index), message, grant.resource, evidence=evidence)


_ANY_ROLE = f"arn:aws:iam::{arns.ACCOUNT}:role/remit-probe/remit-probe-role"  # a role the template does not define


def _effective(an: Analysis, principals: tuple[ResourceId, ...], st: Statement) -> bool:
    """Whether the statement lets some principal pass a role the template does not define (the statement
    alone when no principal is in the template)."""
    targets = [e for e in (an.app.entity(rid) for rid in principals) if isinstance(e, IamPrincipal)]
    if not targets:
        return True
    return any(an.iam.can(principal, "iam:PassRole", _ANY_ROLE).possible for principal in targets)
