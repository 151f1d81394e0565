"""Shared by the IAM rules: each identity-policy statement once, with every principal it applies to
(:mod:`remit.iam.written`, worked out once per scan), and how findings name principals and actions."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.iam.match import statement_matches_action
from remit.iam.shapes import on_every_resource
from remit.iam.written import IDENTITY_KINDS, WrittenGrant
from remit.model.entities import IamPrincipal, Role
from remit.model.policy import Statement
from remit.model.resources import ResourceId
from remit.source import NodePath

__all__ = ["IDENTITY_KINDS", "WrittenGrant", "action_node", "denied_to_all", "describe_principals", "grants"]


def grants(an: Analysis) -> Iterator[WrittenGrant]:
    """Every Allow statement of every identity policy (inline, customer managed, AWS managed), once
    (:func:`remit.iam.written.written_grants`)."""
    return iter(an.effective.written_grants())


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
    marks = an.app.marks_of(statement.node.doc)
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
