"""Whether a function's role lets a call through: the question the least-privilege rules ask of IAM.

The IAM engine (:mod:`remit.iam.engine`) answers, and :func:`check` only reads its decision: every
identity policy, the permissions boundary, explicit Deny, conditions and the target's resource policy count.
A resource the code names in part is the engine's question too (:func:`remit.iam.arns.request`): a name
without account or region (``Table(os.environ["TABLE"])`` with ``TABLE: orders``) is in the function's own
account and region, as the SDK resolves it; a pattern such as ``${Bucket.Arn}/*`` that the role allows only in
part (``${Bucket.Arn}/uploads/*``) is conditional, never a failure remit claims.

A resource the code does not name (``*``) is allowed when some statement allows the action on any resource at
all: remit cannot tell which one the code will touch, so it never claims such a call fails unless nothing
grants the action.
"""

from __future__ import annotations

from dataclasses import dataclass

from remit.iam.engine import IamEngine
from remit.iam.evaluate import Decision
from remit.model.entities import IamPrincipal
from remit.model.policy import Statement
from remit.model.values import Value


@dataclass(frozen=True, slots=True)
class Check:
    """The engine's decision on one use (conditional: under conditions remit cannot decide, or on part of the
    target), with the statements behind it."""

    decision: Decision
    statements: tuple[Statement, ...] = ()  # the Deny statements when denied, the Allow ones when allowed


ANY = "*"


def check(engine: IamEngine, role: IamPrincipal, action: str, resource: Value) -> Check:
    """The engine's decision on one use (see the module docstring)."""
    if resource == ANY:
        grant = engine.grant(role, action)
        if grant is None:
            answer = engine.can(role, action, ANY)
            if answer.decision is Decision.DENIED:
                return Check(Decision.DENIED, answer.denied_by)
            return Check(Decision.NOT_ALLOWED)
        return Check(Decision.CONDITIONAL if grant.conditional else Decision.ALLOWED, grant.statements)
    answer = engine.can(role, action, resource)
    if answer.decision is Decision.DENIED:
        return Check(Decision.DENIED, answer.denied_by)
    return Check(answer.decision, answer.allowed_by if answer.possible else ())
