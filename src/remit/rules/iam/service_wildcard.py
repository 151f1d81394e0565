"""RMT-IAM-003."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.actions import expand
from remit.iam.shapes import admin_shaped, on_every_resource
from remit.model.entities import IamPrincipal, Role
from remit.model.policy import Policy, Statement
from remit.model.resources import ResourceId
from remit.model.values import render
from remit.rules.base import Hit, rule
from remit.rules.iam._grants import action_node, describe_principals, grants

#: Services whose every action, granted at once, hands over data, identity or control - and what that means.
SENSITIVE_SERVICES: Mapping[str, str] = {
    "iam": "create users, keys and policies: account takeover",
    "sts": "assume any role that trusts the account",
    "organizations": "change the organization's accounts and guardrails",
    "kms": "decrypt with, re-key, or schedule the deletion of encryption keys",
    "secretsmanager": "read and replace every secret",
    "ssm": "read SecureString parameters and run commands on managed instances",
    "s3": "read, overwrite and delete objects and rewrite bucket policies",
    "dynamodb": "read, change and delete every item, and drop tables",
    "sqs": "read, inject and purge messages and rewrite queue policies",
    "sns": "publish, subscribe to and rewrite topics",
    "events": "put forged events and route events to new targets",
    "lambda": "replace function code, change roles and invoke anything",
    "states": "start, stop and redefine workflows",
    "cloudformation": "create stacks that create anything the stack role may",
    "ec2": "launch instances with any instance profile, open security groups, snapshot volumes",
    "ecr": "push images that workloads will run",
    "rds": "snapshot, share and modify databases",
    "logs": "read logs (and whatever handlers print into them) and delete the evidence",
    "cloudtrail": "stop or delete the audit trail",
    "cognito-idp": "create users, reset passwords and change user pools",
    "apigateway": "rewrite APIs, their authorizers and stages",
    "kinesis": "read and inject stream records",
    "glue": "run jobs with any role and read catalogued data",
    "codebuild": "run builds with their project roles",
}


#: Services whose wildcard is reported one level lower: reading and deleting logs, not data or identity.
LOWER_TIER = frozenset({"logs"})


@rule(
    id="RMT-IAM-003",
    title="Service-wide wildcard on a sensitive service",
    severity=Severity.HIGH,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("A service wildcard includes the destructive and administrative actions nobody meant to grant "
            "(`s3:PutBucketPolicy`, `dynamodb:DeleteTable`, `lambda:UpdateFunctionCode`) and every action the "
            "service adds later: code running as the principal can use them all."),
    remediation="List the actions the principal uses instead of <service>:* (for a function: the SDK calls in "
                "its code), and scope them to the resources it names. SAM policy templates (S3ReadPolicy, "
                "DynamoDBCrudPolicy, SQSSendMessagePolicy...) give a least-privilege set in one line.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-250",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """An identity policy allows every action of a sensitive service (``s3:*``, ``dynamodb:*``, ``kms:*``,
    ``iam:*``...): high on every resource, medium when the statement's resources are scoped.

    A service wildcard grants today's actions and every action the service adds later, including the
    destructive and administrative ones nobody meant to give: ``s3:*`` is also ``s3:PutBucketPolicy`` and
    ``s3:DeleteBucket``, ``dynamodb:*`` is also ``dynamodb:DeleteTable``, ``lambda:*`` is also
    ``lambda:UpdateFunctionCode``. An attacker who runs code as the principal inherits all of it.

    Sensitive services: identity (``iam``, ``sts``, ``organizations``), keys and secrets (``kms``,
    ``secretsmanager``, ``ssm``), the data stores and messaging services serverless applications use (``s3``,
    ``dynamodb``, ``sqs``, ``sns``, ``events``, ``kinesis``, ``rds``), services that run code or deploy with
    another role (``lambda``, ``states``, ``cloudformation``, ``ec2``, ``ecr``, ``glue``, ``codebuild``), user
    directories and APIs (``cognito-idp``, ``apigateway``) and audit (``cloudtrail``, ``logs``). ``logs:*`` is
    graded one level lower (medium on every resource, low when scoped): it reads and deletes logs, not data or
    identities. Wildcards on other services (``xray:*``, ``cloudwatch:*``) are not reported, nor are partial
    wildcards (``s3:Get*``, ``sqs:SendMessage*``) or single actions on every resource (``s3:GetObject`` on
    ``*``). ``Action: "*"`` on scoped resources is reported here (every action of every service on those
    resources); on every resource it is RMT-IAM-001's, and ``NotAction`` statements are left to
    RMT-IAM-001 as well. One finding per wildcard action, at the action when it is one item of a list.

    The statement is judged on each principal's effective permissions (the IAM engine): a wildcard is reported
    when the statement still grants some principal at least one of its actions after explicit Deny and the
    permissions boundary (a ``Deny`` of ``s3:*`` beside ``s3:*`` is a near miss). An AWS managed full-access
    policy (``AmazonS3FullAccess``) attached only to roles that functions use is RMT-IAM-035's, which names the
    actions the code calls instead.
    """
    for grant in grants(an):
        st = grant.statement
        if st.not_action or admin_shaped(st):
            continue
        if not _counts(an, grant.principals, grant.policy):
            continue  # an AWS managed full-access policy on a function's role: RMT-IAM-035 reports it
        everywhere = on_every_resource(st)
        scope = "every resource" if everywhere else ", ".join(render(r) for r in st.resources)
        whom = describe_principals(an, grant.principals)
        for index, action in enumerate(st.actions):
            pattern = render(action).strip()
            gain = _gain(pattern)
            if gain is None or not _survives(an, grant.principals, st, pattern):
                continue
            lower = pattern.partition(":")[0].lower() in LOWER_TIER
            severity = (Severity.HIGH if everywhere else Severity.MEDIUM) if not lower else \
                (Severity.MEDIUM if everywhere else Severity.LOW)
            message = (f"The {grant.policy_label()} allows {pattern} on {scope} to {whom}: code running as it can "
                       f"{gain}.")
            evidence = grant.evidence(pattern.lower())
            yield Hit(action_node(an, st, index), message, grant.resource, evidence=evidence, severity=severity)


def _gain(pattern: str) -> str | None:
    """What a service-wide wildcard hands over, or None when it is not one on a sensitive service."""
    if pattern in ("*", "*:*"):
        return "perform every action of every service on them"
    service, sep, rest = pattern.partition(":")
    if not sep or not rest or any(c != "*" for c in rest):
        return None
    return SENSITIVE_SERVICES.get(service.lower())


def _targets(an: Analysis, principals: tuple[ResourceId, ...]) -> list[IamPrincipal]:
    return [e for e in (an.app.entity(rid) for rid in principals) if isinstance(e, IamPrincipal)]


def _survives(an: Analysis, principals: tuple[ResourceId, ...], st: Statement, pattern: str) -> bool:
    """Whether the statement still grants some principal an action of ``pattern`` (Deny and boundary applied)."""
    targets = _targets(an, principals)
    if not targets:
        return True
    covered = {a.lower() for a in expand(pattern)}
    return any(an.effective.kept_actions(p, st) & covered for p in targets)


def _counts(an: Analysis, principals: tuple[ResourceId, ...], policy: Policy) -> bool:
    from remit.rules.iam.managed_full_access import is_full_access  # noqa: PLC0415 - avoids an import cycle

    if not is_full_access(policy):
        return True
    targets = _targets(an, principals)
    return not targets or not all(isinstance(p, Role) and an.app.functions_using_role(p) for p in targets)
