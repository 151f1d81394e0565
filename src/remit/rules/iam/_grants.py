"""Shared by the IAM rules: each identity-policy statement once, with every principal it applies to.

A policy defined once and attached to several principals (an ``AWS::IAM::ManagedPolicy`` listed in several
roles' ``ManagedPolicyArns``, an ``AWS::IAM::Policy`` with several ``Roles``) appears in the model once per
attachment; its statements are written once, so they are reported once. AWS managed policies are located at
each attachment line, so each attachment is its own place to fix and is reported there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from remit.analysis import Analysis
from remit.iam.match import statement_matches_action
from remit.iam.services import service_role_policy
from remit.iam.shapes import on_every_resource
from remit.model.entities import IamPrincipal, Role
from remit.model.policy import Policy, PolicyDocument, PolicyKind, Statement
from remit.model.resources import Resource, ResourceId
from remit.model.values import render
from remit.source import NodePath

IDENTITY_KINDS = frozenset({PolicyKind.INLINE, PolicyKind.CUSTOMER_MANAGED, PolicyKind.AWS_MANAGED})


@dataclass(frozen=True)
class WrittenGrant:
    """One Allow statement of an identity policy, with the policy it belongs to and whom it applies to."""

    statement: Statement
    policy: Policy
    principals: tuple[ResourceId, ...]
    resource: Resource  # where the statement is written (for suppression and the reported name)

    def evidence(self, what: str) -> str:
        """What tells this statement's hits apart from others of the same rule: policy, sid, resources."""
        st = self.statement
        resources = ",".join(render(r) for r in st.resources)
        return f"{self.policy.name}|{st.sid or ''}|{'not ' if st.not_resource else ''}{resources}|{what}"

    def policy_label(self) -> str:
        if self.policy.kind is PolicyKind.AWS_MANAGED:
            return f"AWS managed policy {self.policy.name}"
        return f"policy {self.policy.name}"


def grants(an: Analysis) -> Iterator[WrittenGrant]:
    """Every Allow statement of every identity policy (inline, customer managed, AWS managed), once.

    A managed policy that serves only as a permissions boundary (attached to no principal) is not a grant, nor
    is an AWS ``service-role/`` policy on roles only non-code services assume
    (:func:`remit.iam.services.service_role_policy`)."""
    boundaries = {p.boundary.document.node for p in (*an.app.roles, *an.app.users)
                  if p.boundary is not None and isinstance(p.boundary.document, PolicyDocument)}
    groups: dict[tuple[NodePath, str, int], list[Policy]] = {}
    first: dict[tuple[NodePath, str, int], Statement] = {}
    for policy in an.app.policies:
        if policy.kind not in IDENTITY_KINDS or not isinstance(policy.document, PolicyDocument):
            continue
        for i, st in enumerate(policy.document.statements):
            key = (policy.document.node, policy.name, i)
            groups.setdefault(key, []).append(policy)
            first.setdefault(key, st)
    for key, policies in groups.items():
        st = first[key]
        if not st.allows:
            continue
        principals: list[ResourceId] = []
        for p in policies:
            principals.extend(r for r in p.attached_to if r not in principals)
        if not principals and key[0] in boundaries:
            continue  # a permissions boundary written as a managed policy: a limit, not a grant
        if all(service_role_policy(an.app, p) for p in policies):
            continue  # AWS's own service role (AWSBatchServiceRole) for a service that runs none of the app's code
        resource = _written_in(an, st.node, policies)
        if resource is None:
            continue
        yield WrittenGrant(st, policies[0], tuple(principals), resource)


def _written_in(an: Analysis, node: NodePath, policies: list[Policy]) -> Resource | None:
    carriers = [r for r in (an.app.resource(p.carrier) for p in policies) if r is not None]
    for res in carriers:
        if res.doc == node.doc and node.path[:2] == ("Resources", res.origin.logical_id):
            return res
    return carriers[0] if carriers else None


def describe_principals(an: Analysis, principals: tuple[ResourceId, ...]) -> str:
    if not principals:
        return "no principal in the template (it applies wherever it is attached outside it)"
    parts = []
    for rid in principals:
        entity = an.app.entity(rid)
        if isinstance(entity, Role):
            users = [f.display for f in an.app.functions_using_role(entity)]
            parts.append(f"role {rid.logical_id}" + (f" (used by {', '.join(users)})" if users else ""))
        elif entity is not None:
            parts.append(f"{type(entity).__name__.lower()} {rid.logical_id}")
        else:
            parts.append(rid.logical_id)
    return ", ".join(parts)


# ------------------------------------------------------------------------------------------------
# what a Resource value covers

def action_node(an: Analysis, statement: Statement, index: int | None = None) -> NodePath:
    """The most precise written node for the statement's Action (one item of it when ``index`` is given)."""
    key = "NotAction" if statement.not_action else "Action"
    marks = next((d.marks for d in an.app.documents if d.id == statement.node.doc), None)
    candidates = []
    if index is not None and len(statement.actions) > 1:
        candidates.append(statement.node.child(key, index))
    candidates.append(statement.node.child(key))
    for node in candidates:
        if marks is not None and marks.has(node.path):
            return node
    return statement.node


def denied_to_all(an: Analysis, principals: tuple[ResourceId, ...], action: str) -> bool:
    """Every principal has an unconditional Deny of ``action`` on every resource in one of its identity
    policies (so an Allow of it is void). False when there are no principals in the template."""
    if not principals:
        return False
    for rid in principals:
        entity = an.app.entity(rid)
        if not isinstance(entity, IamPrincipal):
            return False
        if not any(st.effect == "Deny" and not st.conditions and on_every_resource(st)
                   and statement_matches_action(st, action)
                   for policy in an.app.principal_policies(entity) for st in policy.statements):
            return False
    return True
