"""RMT-COGNITO-005."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, Responsibility, Severity
from remit.iam.actions import AccessLevel, action_info
from remit.iam.engine import Grant
from remit.model.entities import IdentityPool, Role
from remit.model.values import present_options, truthy
from remit.rules.base import Hit, rule
from remit.rules.cognito._grants import summarise
from remit.rules.iam._effective import probes

#: What an anonymous visitor of a web or mobile app is expected to do with guest credentials (lower case;
#: a trailing ``*`` covers a service's actions): send analytics and telemetry, sync its own identity's data,
#: render maps and speech.
HARMLESS = ("mobileanalytics:putevents", "rum:putrumevents", "mobiletargeting:putevents",
            "mobiletargeting:updateendpoint", "personalize:putevents", "cognito-sync:*", "polly:synthesizespeech",
            "sts:getcalleridentity", "cognito-identity:getid", "cognito-identity:getcredentialsforidentity")
#: Reads of private data: a guest reading these is reading what the application keeps.
DATA_READS = frozenset({
    "secretsmanager:getsecretvalue", "ssm:getparameter", "ssm:getparameters", "ssm:getparametersbypath",
    "ssm:getparameterhistory", "kms:decrypt", "dynamodb:getitem", "dynamodb:batchgetitem", "dynamodb:query",
    "dynamodb:scan", "dynamodb:partiqlselect", "dynamodb:getrecords", "sqs:receivemessage", "logs:getlogevents",
    "logs:filterlogevents", "lambda:getfunction", "rds-data:executestatement", "kinesis:getrecords",
})
_S3_READS = frozenset({"s3:getobject", "s3:getobjectversion"})
_ORDER = ("permissions management", "write", "data reads", "reads on every resource")


def _harmless(action: str) -> bool:
    low = action.lower()
    return any(low == h or (h.endswith("*") and low.startswith(h[:-1])) for h in HARMLESS)


def _everywhere(an: Analysis, role: Role, action: str) -> bool:
    """The action reaches resources the template does not define (a probe ARN)."""
    return any(an.iam.can(role, action, probe).possible for probe in probes(action))


def classify(an: Analysis, role: Role) -> dict[str, list[Grant]]:
    """The role's grants beyond reading public data, per kind (permissions management, write, data read,
    every resource)."""
    out: dict[str, list[Grant]] = {}
    for g in an.iam.grants(role):
        if _harmless(g.action):
            continue
        info = action_info(g.action)
        levels = info.levels if info is not None else frozenset()
        low = g.action.lower()
        if AccessLevel.PERMISSIONS_MANAGEMENT in levels:
            kind = "permissions management"
        elif levels & {AccessLevel.WRITE, AccessLevel.TAGGING}:
            kind = "write"
        elif low in DATA_READS or (low in _S3_READS and _everywhere(an, role, g.action)):
            kind = "data reads"
        elif _everywhere(an, role, g.action):
            kind = "reads on every resource"
        else:
            continue
        out.setdefault(kind, []).append(g)
    return {k: out[k] for k in _ORDER if k in out}


@rule(
    id="RMT-COGNITO-005",
    title="Unauthenticated identity pool role can do more than read public data",
    severity=Severity.HIGH,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=IdentityPool,
    impact=("Anyone with the pool id gets these credentials without signing in: the role's writes, private reads and "
            "permission changes are open to the whole internet, straight against AWS APIs."),
    remediation="Give the identity pool's unauthenticated role only what an anonymous visitor may do: specific "
                "reads of public data and telemetry (rum:PutRumEvents, mobileanalytics:PutEvents). Move writes, "
                "reads of tables, secrets and parameters, and anything on \"*\" to the authenticated role or "
                "behind an API that checks the caller.",
    references=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html",
        "https://docs.aws.amazon.com/cognito/latest/developerguide/security-best-practices.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-284", "CWE-306"),
)
def check(pool: IdentityPool, an: Analysis) -> Iterator[Hit]:
    """An identity pool allows unauthenticated identities, and its unauthenticated role
    (``AWS::Cognito::IdentityPoolRoleAttachment`` ``Roles.unauthenticated``) can do more than read public data.
    Anyone who knows the pool id — it ships in the web or mobile app — gets that role's credentials without
    signing in and calls AWS directly, bypassing the application.

    The role's effective grants (``an.iam.grants``: all its policies, after Deny and the permissions
    boundary) are judged: permissions management, writes (telemetry such as ``rum:PutRumEvents`` and
    ``mobileanalytics:PutEvents`` excepted), reads of private data (DynamoDB items, secrets, parameters,
    ``kms:Decrypt``, queue messages, logs, function code; S3 objects only on every bucket), and any other read
    on resources the template does not define. The finding lists what an anonymous visitor gets, with the
    granting statements as the code flow. RMT-COGNITO-004 reports that guests get credentials at all.
    """
    if pool.allow_unauthenticated is None or True not in [truthy(v) for v in present_options(
            pool.allow_unauthenticated)]:
        return
    role = an.app.role(pool.unauthenticated_role)
    if role is None:
        return
    if an.iam.is_admin(role):
        found = {"every action on every resource (administrator)": list(an.iam.grants(role))[:1]}
        severity: Severity | None = Severity.CRITICAL
    else:
        found = classify(an, role)
        severity = Severity.CRITICAL if "permissions management" in found else None
    if not found:
        return
    named, flow = summarise(an, found)
    parts = [kind if severity is Severity.CRITICAL and kind.startswith("every") else f"{kind}: {shown}"
             for kind, shown in named]
    yield Hit(role.node, f"Identity pool {pool.display} gives anonymous visitors role {role.display}, which "
                         f"allows {'; '.join(parts)}.", pool.resource, evidence=role.logical_id,
              severity=severity, related=(pool.at("AllowUnauthenticatedIdentities"),), flow=flow,
              details=tuple((k, ", ".join(g.action for g in v)) for k, v in found.items()))
