"""Each identity-policy statement that allows something, once, with every principal it applies to: what the IAM
rules judge statement by statement.

A policy defined once and attached to several principals (an ``AWS::IAM::ManagedPolicy`` listed in several
roles' ``ManagedPolicyArns``, an ``AWS::IAM::Policy`` with several ``Roles``) appears in the model once per
attachment; its statements are written once, so they are reported once. AWS managed policies are located at
each attachment line, so each attachment is its own place to fix and is reported there.

Worked out once per scan (:meth:`remit.iam.effective.Effective.written_grants`): several rules read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from remit.iam.services import service_role_policy
from remit.model.application import Application
from remit.model.policy import Policy, PolicyDocument, PolicyKind, Statement
from remit.model.resources import Resource, ResourceId
from remit.model.values import render
from remit.source import NodePath

__all__ = ["IDENTITY_KINDS", "WrittenGrant", "written_grants"]

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


def written_grants(app: Application) -> tuple[WrittenGrant, ...]:
    """Every Allow statement of every identity policy (inline, customer managed, AWS managed), once, in the order
    of ``app.policies``.

    A managed policy that serves only as a permissions boundary (attached to no principal) is not a grant, nor
    is an AWS ``service-role/`` policy on roles only non-code services assume
    (:func:`remit.iam.services.service_role_policy`)."""
    boundaries = {p.boundary.document.node for p in (*app.roles, *app.users)
                  if p.boundary is not None and isinstance(p.boundary.document, PolicyDocument)}
    groups: dict[tuple[NodePath, str, int], list[Policy]] = {}
    first: dict[tuple[NodePath, str, int], Statement] = {}
    for policy in app.policies:
        if policy.kind not in IDENTITY_KINDS or not isinstance(policy.document, PolicyDocument):
            continue
        for i, st in enumerate(policy.document.statements):
            key = (policy.document.node, policy.name, i)
            groups.setdefault(key, []).append(policy)
            first.setdefault(key, st)
    out: list[WrittenGrant] = []
    for key, policies in groups.items():
        st = first[key]
        if not st.allows:
            continue
        principals: list[ResourceId] = []
        for p in policies:
            principals.extend(r for r in p.attached_to if r not in principals)
        if not principals and key[0] in boundaries:
            continue  # a permissions boundary written as a managed policy: a limit, not a grant
        if all(service_role_policy(app, p) for p in policies):
            continue  # AWS's own service role (AWSBatchServiceRole) for a service that runs none of the app's code
        resource = _written_in(app, st.node, policies)
        if resource is None:
            continue
        out.append(WrittenGrant(st, policies[0], tuple(principals), resource))
    return tuple(out)


def _written_in(app: Application, node: NodePath, policies: list[Policy]) -> Resource | None:
    carriers = [r for r in (app.resource(p.carrier) for p in policies) if r is not None]
    for res in carriers:
        if res.doc == node.doc and node.path[:2] == ("Resources", res.origin.logical_id):
            return res
    return carriers[0] if carriers else None
