"""Effective grants, the IAM stage's answers the over-privilege rules judge: per principal and statement, the
actions a statement still grants after unconditional Deny and the permissions boundary; the principal's
administrator statements; per statement, the policy it belongs to and whether it was written as a SAM policy
template; and each identity-policy Allow statement once with the principals it applies to. Computed once per
scan and kept in the :class:`~remit.analysis.Analysis` (``an.effective``); the rules only read them.
"""

from __future__ import annotations

from collections.abc import Mapping

from remit.iam.shapes import admin_shaped, all_actions, covered, on_every_resource
from remit.iam.written import WrittenGrant, written_grants
from remit.model.application import Application
from remit.model.entities import IamPrincipal
from remit.model.policy import Policy, PolicyDocument, PolicyKind, Statement
from remit.model.resources import ResourceId
from remit.source import NodePath

__all__ = ["Effective", "sam_template"]

Template = tuple[str, tuple[str, ...]]  # a SAM policy template's name and its parameter names


class Effective:
    """The effective grants of one application's principals, each answer computed once."""

    def __init__(self, app: Application) -> None:
        self.app = app
        policy_of: dict[NodePath, Policy] = {}
        templates: dict[NodePath, Template] = {}
        marks = {d.id: d.marks for d in app.documents}
        children: dict[str, Mapping[tuple[object, ...], list[tuple[object, ...]]]] = {}
        for policy in app.policies:
            for st in policy.statements:
                policy_of.setdefault(st.node, policy)
            doc = policy.node.doc
            if doc not in children:
                children[doc] = _children(marks.get(doc))
            found = sam_template(policy, children[doc])
            if found is not None:
                for st in policy.statements:
                    templates[st.node] = found
        #: statement node -> the policy it belongs to
        self.policy_of: Mapping[NodePath, Policy] = policy_of
        #: statement node -> (template name, parameters), for statements written as a SAM policy template
        self.templates: Mapping[NodePath, Template] = templates
        self._kept: dict[tuple[ResourceId, NodePath], frozenset[str]] = {}
        self._admins: dict[ResourceId, tuple[Statement, ...]] = {}
        self._written: tuple[WrittenGrant, ...] | None = None

    def written_grants(self) -> tuple[WrittenGrant, ...]:
        """Each identity-policy Allow statement once, with its principals (:mod:`remit.iam.written`)."""
        if self._written is None:
            self._written = written_grants(self.app)
        return self._written

    def kept_actions(self, principal: IamPrincipal, statement: Statement) -> frozenset[str]:
        """The actions (lower case) ``statement`` still grants the principal after its unconditional ``Deny``
        statements on every resource and its permissions boundary (what ``IamEngine.grants`` keeps, counted on action
        sets so that an administrator statement's 20,000 actions cost little)."""
        key = (principal.id, statement.node)
        found = self._kept.get(key)
        if found is not None:
            return found
        kept = set(covered(statement)) if statement.allows else set()
        for policy in self.app.principal_policies(principal):
            for st in policy.statements:
                if not st.allows and not st.conditions and on_every_resource(st):
                    kept -= covered(st)
        if principal.boundary is not None and isinstance(principal.boundary.document, PolicyDocument):
            allowed: set[str] = set()
            for st in principal.boundary.statements:
                if st.allows:
                    allowed |= covered(st)
                elif not st.conditions and on_every_resource(st):
                    kept -= covered(st)
            kept &= allowed
        found = self._kept[key] = frozenset(kept)
        return found

    def admin_share(self, principal: IamPrincipal, statement: Statement) -> tuple[float, bool]:
        """The share of every action that ``statement`` still grants the principal, and whether nothing at all is
        taken away (no Deny, boundary or condition)."""
        everything = all_actions()
        kept = self.kept_actions(principal, statement)
        return len(kept) / (len(everything) or 1), kept == everything and not statement.conditions

    def admin_statements(self, principal: IamPrincipal) -> tuple[Statement, ...]:
        """The principal's admin-shaped statements (``Action: "*"`` or ``NotAction`` on every resource) that still
        grant at least half of all actions: what RMT-IAM-001 reports."""
        if principal.id in self._admins:
            return self._admins[principal.id]
        out: list[Statement] = []
        for policy in self.app.principal_policies(principal):
            if policy.kind not in (PolicyKind.INLINE, PolicyKind.CUSTOMER_MANAGED, PolicyKind.AWS_MANAGED):
                continue
            out.extend(st for st in policy.statements if admin_shaped(st) and self.admin_share(principal, st)[0] >= 0.5)
        found = self._admins[principal.id] = tuple(out)
        return found


def _children(marks: object) -> dict[tuple[object, ...], list[tuple[object, ...]]]:
    """The marked children of each ``Resources/<id>/Properties/Policies/<i>`` entry and of the key under it
    (what :func:`sam_template` reads), so a policy's shape is read without walking every mark again."""
    table = getattr(marks, "marks", None)
    out: dict[tuple[object, ...], list[tuple[object, ...]]] = {}
    if isinstance(table, Mapping):
        for key in table:
            if isinstance(key, tuple) and 6 <= len(key) <= 7 and key[3] == "Policies":
                out.setdefault(key[:-1], []).append(key)
    return out


def sam_template(policy: Policy,
                 children: Mapping[tuple[object, ...], list[tuple[object, ...]]]) -> tuple[str, tuple[str, ...]] | None:
    """``(template name, parameter names)`` when the policy was written as a SAM policy template
    (``- S3ReadPolicy: {BucketName: ...}`` under a function's or state machine's ``Policies``); ``children``
    indexes the document's marked key paths by parent."""
    path = tuple(policy.node.path)
    if policy.kind is not PolicyKind.INLINE or len(path) != 5 or path[3] != "Policies":
        return None
    below = children.get(path, [])
    if not below or (*path, "Statement") in below:
        return None
    names = [k[-1] for k in below]
    if len(names) != 1 or not isinstance(names[0], str) or not names[0].endswith("Policy"):
        return None  # SAM's policy templates are all named ...Policy (PolicyDocument/PolicyName are not)
    name = names[0]
    params = tuple(str(k[-1]) for k in children.get((*path, name), []))
    return name, params
