"""RMT-PERM-002."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.code.sdk.access import check
from remit.code.sdk.usage import ANY, Use
from remit.findings import Category, FlowStep, Responsibility, Severity
from remit.iam.evaluate import Decision
from remit.model.entities import Function, Role
from remit.model.values import render
from remit.rules.base import Hit, rule
from remit.rules.perm._usage import call_steps
from remit.source import NodePath


@rule(
    id="RMT-PERM-002",
    title="Function code calls an AWS operation its role does not allow",
    severity=Severity.LOW,
    category=Category.INSECURE_CONFIGURATION,
    responsibility=Responsibility.IAM,
    scope=Function,
    impact=("Not a way in by itself: the failing call breaks a feature in production, and the usual fix under "
            "pressure, a wildcard such as `s3:*` on `*`, hands a later attacker far more than the code needs."),
    remediation="Grant exactly the action on the resource the code uses (`remit policy PATH --function NAME` "
                "prints the statement), not a wildcard; when a Deny refuses it on purpose, remove the call or "
                "handle the refusal; remove calls that are dead code.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "CSA SAS-3 Insecure Serverless Deployment Configuration",
    ),
    cwe=("CWE-755",),
)
def check_function(fn: Function, an: Analysis) -> Iterator[Hit]:
    """The function's code makes an AWS SDK call whose IAM action the function's role does not allow on the
    resource the call touches: in production the call fails with ``AccessDenied``.

    Beyond a broken feature, a failing permission is a security smell: the usual fix under pressure is a
    wildcard (``s3:*`` on ``*``), and error paths that were never exercised run for the first time in
    production. Reported so the grant is added deliberately and narrowly.

    remit maps each call to its action (``HeadObject`` needs ``s3:GetObject``, a PartiQL ``SELECT`` needs
    ``dynamodb:PartiQLSelect``, ``Invoke`` needs ``lambda:InvokeFunction``...) and resolves the resource the
    call names when it can: a literal, or an environment variable that the template sets from ``!Ref`` /
    ``!GetAtt`` of a resource. The role's identity policies, its permissions boundary and explicit Deny
    statements decide (the IAM engine's evaluation, with resource policies, when present). A call whose
    resource is not known is reported only when no statement allows the action on any resource. Calls on a
    customer managed key the target is encrypted with (``kms:Decrypt`` for a secret or object) are checked
    too. Functions whose role is not in the template, and actions remit only guessed, are not assessed.

    Reported at the statement that denies the action, or at the role's policies (a SAM function's
    ``Policies``); the calls are the finding's flow.
    """
    role = an.app.role_of(fn)
    if role is None:
        return
    usage = an.usage.get(fn.id)
    if usage is None:
        return
    for use in usage.uses:
        if not use.calls or not use.known:
            continue
        answer = check(an.iam, role, use.action, use.resource)
        if answer.decision not in (Decision.DENIED, Decision.NOT_ALLOWED):
            continue
        yield _hit(an, fn, role, use, answer.decision, answer.statements[0].node if answer.statements else None)


def _policies_node(an: Analysis, fn: Function, role: Role) -> NodePath:
    """Where a grant would be added: a SAM function's ``Policies``, else the role's ``Policies``."""
    origin = role.resource.origin
    if origin.generated and origin.logical_id == fn.resource.origin.logical_id:
        return NodePath(origin.doc, ("Resources", origin.logical_id, "Properties", "Policies"))
    return role.at("Policies")


def _hit(an: Analysis, fn: Function, role: Role, use: Use, decision: Decision, deny: NodePath | None) -> Hit:
    target = "any resource" if use.resource == ANY else render(use.resource)
    calls = use.calls
    where = ", ".join(str(c.location) for c in calls[:3]) + (f" and {len(calls) - 3} more" if len(calls) > 3 else "")
    first = calls[0]
    why = "" if not use.cmk else " (the target is encrypted with a customer managed key)"
    if decision is Decision.DENIED:
        node = deny if deny is not None else _policies_node(an, fn, role)
        cause = "an explicit Deny refuses it"
    else:
        node = _policies_node(an, fn, role)
        cause = f"role {role.display} does not allow it" + ("" if use.resource != ANY else " on any resource")
    message = (f"{fn.display} calls {first.service} {first.operation} ({first.method}) at {where}, which needs "
               f"{use.action} on {target}{why}; {cause}: the call will fail with AccessDenied.")
    flow = (*call_steps(calls), FlowStep(an.app.locate(node), f"{use.action} is not granted here"))
    details = (("action", use.action), ("resource", target), ("function", fn.logical_id), ("role", role.logical_id),
               ("calls", ", ".join(str(c.location) for c in calls)))
    return Hit(node, message, fn.resource, evidence=f"{use.action.lower()}|{target}", at=None, flow=flow,
               details=details, related=(fn.node,))
