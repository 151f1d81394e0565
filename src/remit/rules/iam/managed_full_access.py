"""RMT-IAM-035."""

from __future__ import annotations

import re
from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Category, FlowStep, Responsibility, Severity
from remit.model.entities import Function
from remit.model.policy import Policy, PolicyKind
from remit.model.values import text
from remit.rules.base import Hit, rule
from remit.rules.iam._effective import listed

#: AWS managed policies that hand over a whole service (AmazonS3FullAccess, AWSLambda_FullAccess...).
FULL_ACCESS = re.compile(r"FullAccess", re.IGNORECASE)


def is_full_access(policy: Policy) -> bool:
    return policy.kind is PolicyKind.AWS_MANAGED and bool(FULL_ACCESS.search(policy.name))


def _services(policy: Policy) -> list[str]:
    out: list[str] = []
    for st in policy.statements:
        if st.allows and not st.not_action:
            for a in st.action_texts():
                prefix = a.partition(":")[0].lower()
                if prefix and prefix != "*" and prefix not in out:
                    out.append(prefix)
    return out


def _used(an: Analysis, functions: tuple[Function, ...], services: list[str]) -> str:
    """What the functions' code calls of these services, or why remit cannot say."""
    table = an.usage
    actions: list[str] = []
    gaps: list[str] = []
    for fn in functions:
        found = table.get(fn.id)
        if found is None:
            continue
        actions.extend(u.action for u in found.code_uses if u.prefix in services and u.action not in actions)
        gaps.extend(f"{fn.display}: {g}" for g in found.gaps if g not in gaps)
    if actions:
        tail = f" (remit may miss some: {gaps[0]})" if gaps else ""
        return f"its code calls only {listed(sorted(actions))}{tail}"
    if gaps:
        return f"remit cannot say which actions its code needs ({gaps[0]})"
    return "remit found no call to these services in its code"


@rule(
    id="RMT-IAM-035",
    title="AWS managed full-access policy on a function's role",
    severity=Severity.MEDIUM,
    category=Category.OVER_PRIVILEGED,
    responsibility=Responsibility.IAM,
    scope=None,
    impact=("An injection or a compromised dependency in this function gets every action of the service on every "
            "resource of the account, deletes and policy changes included, instead of the few actions the code uses."),
    remediation="Replace the managed policy with the actions the function's code calls, on the resources it names "
                "(SAM policy templates such as S3ReadPolicy, DynamoDBCrudPolicy or SQSSendMessagePolicy do it in "
                "one line; `remit policy` writes a least-privilege policy from the code).",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies",
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html",
        "CSA SAS-4 Over-Privileged Function Permissions and Roles",
    ),
    cwe=("CWE-250",),
)
def check(an: Analysis, _: Analysis) -> Iterator[Hit]:
    """A function's role has an AWS managed *full-access* policy (``AmazonS3FullAccess``,
    ``AmazonDynamoDBFullAccess``, ``AWSLambda_FullAccess``, ``AmazonSQSFullAccess``...): every action of the
    service on every resource of the account, where the function uses a few actions on a few resources.

    The finding names what the function's code actually calls of those services (from its SDK calls, as
    ``remit policy`` reads them) or says that remit could not tell (code not analysed, dynamic calls) or found
    no call at all. It is reported at the line that attaches the policy (a SAM ``Policies:`` entry or a
    ``ManagedPolicyArns`` item), once per role, listing every full-access policy the role has.

    Not reported: ``AdministratorAccess`` and ``PowerUserAccess`` (RMT-IAM-001), a role no function uses, a
    role RMT-IAM-001 reports, and a policy whose every grant an explicit Deny or the permissions boundary
    removes. RMT-IAM-003 leaves such policies to this rule for function roles, so one attachment raises one
    finding here, and RMT-IAM-031/033 still report the data and policy actions the service wildcard reaches.
    """
    for role in an.app.roles:
        functions = an.app.functions_using_role(role)
        if not functions or an.effective.admin_statements(role):
            continue
        attached = [p for p in an.app.principal_policies(role)
                    if is_full_access(p) and any(an.effective.kept_actions(role, st) for st in p.statements)]
        if not attached:
            continue
        attached.sort(key=lambda p: an.app.locate(p.node))
        services = [s for p in attached for s in _services(p)]
        names = [p.name for p in attached]
        used = _used(an, functions, services)
        users = ", ".join(f.display for f in functions)
        message = (f"Role {role.logical_id} of {users} has {listed(names)}: whole services "
                   f"({listed(services, 4)}) on every resource; {used}. A scoped policy would do.")
        flow = tuple(FlowStep(an.app.locate(p.node), f"{p.name} attached here") for p in attached)
        details = (("role", text(role.name) or role.resource.display), ("policies", ", ".join(names)),
                   ("services", ", ".join(services)), ("used", used))
        yield Hit(attached[0].node, message, role.resource, evidence="full-access",
                  related=tuple(p.node for p in attached[1:]), flow=flow, details=details)



