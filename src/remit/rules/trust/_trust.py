"""Shared by the trust rules: the roles' trust edges and hits placed at the trusting statement."""

from __future__ import annotations

from collections.abc import Iterator

from remit.analysis import Analysis
from remit.findings import Severity
from remit.iam import arns
from remit.iam.reach import TrustEdge
from remit.model.entities import Role
from remit.rules.base import Hit

OWN_ACCOUNTS = ("self", arns.ACCOUNT)  # the template's own account


def edges(role: Role, an: Analysis, *kinds: str) -> Iterator[TrustEdge]:
    for edge in an.iam.trusted_by(role):
        if edge.kind in kinds:
            yield edge


def hit(role: Role, edge: TrustEdge, message: str, severity: Severity | None = None) -> Hit:
    """A hit at the trust statement that lets the principal in."""
    st = edge.statements[0]
    return Hit(st.node, message, role.resource, evidence=f"{edge.kind} {edge.value}", severity=severity,
               details=(("principal", edge.value), ("kind", edge.kind),
                        ("conditions", "; ".join(edge.conditions) or "none")))
