"""RMT-IAM-001."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.shapes import admin_shaped
from remit.model.entities import IamPrincipal
from remit.model.policy import Statement
from remit.model.resources import ResourceId
from remit.model.values import render
from remit.rules.base import Hit, rule
from remit.rules.iam._grants import action_node, describe_principals, grants


@rule(
    id="RMT-IAM-001",
    title="Identity policy grants administrator access",
    severity=Severity.CRITICAL,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("Whoever controls the principal controls the account: one code injection, one malicious dependency or "
            "one leaked set of temporary credentials gives the attacker every bucket, table, secret and key, and IAM "
            "to stay."),
    remediation="Replace the statement with the actions and resources the principal uses (for a function: the "
                "SDK calls its code makes, on the tables, buckets and queues it names; SAM policy templates such as "
                "DynamoDBCrudPolicy or S3ReadPolicy do this in one line). Detach AdministratorAccess and "
                "PowerUserAccess from workload roles; keep them for break-glass human access only.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-250", "CWE-269"),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """An identity policy statement allows every action on every resource: ``Action: "*"`` (or ``"*:*"``) with
    ``Resource: "*"`` (critical), or ``NotAction`` with ``Resource: "*"`` (high: everything except the listed
    actions, usually still enough to take over the account or its data).

    Whoever controls a principal with such a policy controls the account: a function's role is used by the
    function's code, so one injection, one vulnerable dependency or one leaked set of temporary credentials
    (they sit in the function's environment) gives the attacker every bucket, table, secret and key, and with
    IAM actions a way to persist. AWS managed policies count: ``AdministratorAccess`` is ``Action: "*"``,
    ``PowerUserAccess`` is ``NotAction`` on IAM and Organizations. Their statements are reported at the line
    that attaches them (a SAM ``Policies:`` entry or a ``ManagedPolicyArns`` item).

    The statement is judged on each principal's effective permissions (the IAM engine, after explicit Deny and
    the permissions boundary): it is reported when it still grants some principal at least half of all
    actions, critical when that principal is left with every action unconditionally, high otherwise (a Deny
    of ``iam:*`` beside ``Action: "*"`` leaves a near-administrator). A ``Deny`` of ``*`` or a boundary that
    allows one service makes it a near miss. A principal reported here gets no other over-privilege finding
    (RMT-IAM-030..036): whatever they would say, it can already do.

    Every identity policy is checked once, however many principals it is attached to; the message lists them.
    Permissions boundaries, trust policies and resource policies are not grants and are not checked.
    ``NotResource`` counts as every resource. A statement with a ``Condition`` is still reported (high, as the
    principal is not an administrator unconditionally): conditions such as MFA or source IP narrow when the
    power applies, not how much it is.
    """
    for grant in grants(an):
        st = grant.statement
        if not admin_shaped(st):
            continue
        full = _effective_admin(an, grant.principals, st)
        if full is None:
            continue  # a Deny or the permissions boundary removes (most of) what it grants
        actions = ", ".join(render(a) for a in st.actions)
        if st.not_action:
            what = f"every action except {actions}"
            severity = Severity.HIGH
            power = "can do nearly anything in the account"
        elif full:
            what = "every action"
            severity = Severity.CRITICAL
            power = "administers the account"
        else:
            what = "every action (less what an explicit Deny or the permissions boundary removes)"
            severity = Severity.HIGH
            power = "can do nearly anything in the account"
        resources = "every resource" if not st.not_resource else \
            f"every resource except {', '.join(render(r) for r in st.resources)}"
        message = (f"The {grant.policy_label()} grants {what} on {resources} to "
                   f"{describe_principals(an, grant.principals)}: whoever runs code as it (an injection, a "
                   f"compromised dependency, its leaked credentials) {power}.")
        evidence = grant.evidence(f"{'not ' if st.not_action else ''}{actions}")
        yield Hit(action_node(an, st), message, grant.resource, evidence=evidence, severity=severity)


def _effective_admin(an: Analysis, principals: tuple[ResourceId, ...], st: Statement) -> bool | None:
    """Whether the statement makes some principal a full administrator (True), still grants at least half of all
    actions to one (False), or neither (None). Without a principal in the template, the statement alone."""
    targets = [e for e in (an.app.entity(rid) for rid in principals) if isinstance(e, IamPrincipal)]
    if not targets:
        return True
    best: bool | None = None
    for principal in targets:
        share, untouched = an.effective.admin_share(principal, st)
        if share < 0.5:
            continue
        if untouched:
            return True
        best = False
    return best
