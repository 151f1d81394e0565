"""Shared by the privilege-escalation rules (RMT-IAM-020..023): one hit per principal and catalog method."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import FlowStep
from remit.iam.privesc import Escalation, escalations
from remit.iam.services import service_role_policy
from remit.model.entities import IamPrincipal
from remit.model.values import render
from remit.rules.base import Hit
from remit.source import NodePath


def principals(an: Analysis) -> Iterator[IamPrincipal]:
    yield from an.app.roles
    yield from an.app.users
    yield from an.app.groups


def hits(an: Analysis, category: str) -> Iterator[Hit]:
    """One hit per principal with methods of ``category``; the granting statements are the flow."""
    for principal in principals(an):
        found = [e for e in escalations(an.iam, principal)
                 if e.method.category == category and not _aws_service_work(an, e)]
        if found:
            yield _hit(an, principal, found)


def _aws_service_work(an: Analysis, esc: Escalation) -> bool:
    """Every grant of the method comes from AWS's service-role policy of a role only a non-code service assumes
    (AWSBatchServiceRole): AWS does that service's work with it, nothing of the app acts as the role."""
    policy_of = an.effective.policy_of
    statements = [st for grant in esc.actions for st in grant.statements]
    return bool(statements) and all(service_role_policy(an.app, policy_of.get(st.node)) for st in statements)


def _hit(an: Analysis, principal: IamPrincipal, found: list[Escalation]) -> Hit:
    flow: list[FlowStep] = []
    related: list[NodePath] = []
    for esc in found:
        for grant in esc.actions:
            for st in grant.statements[:3]:
                if st.node not in related:
                    related.append(st.node)
                    flow.append(FlowStep(an.app.locate(st.node), f"{grant.action} granted here"))
    shown = found[:3]
    parts = []
    for esc in shown:
        when = ", only under conditions" if esc.conditional else ""
        parts.append(f"{esc.method.id} ({' + '.join(a.action for a in esc.actions)}{when}) gains {esc.gained}")
    more = f"; and {len(found) - len(shown)} more method(s)" if len(found) > len(shown) else ""
    name = render(principal.name)
    message = (f"{type(principal).__name__} {name} can escalate privileges ({found[0].method.category}): "
               + "; ".join(parts) + more + ".")
    details = (("principal", name), ("category", found[0].method.category),
               ("methods", ", ".join(e.method.id for e in found)), ("gained", found[0].gained))
    return Hit(principal.resource.origin.node, message, principal.resource, evidence=found[0].method.category,
               related=tuple(related), flow=tuple(flow), details=details)
