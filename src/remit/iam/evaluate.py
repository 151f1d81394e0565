"""AWS's policy evaluation logic, three-valued, over normalised statements.

For one request (an action on a resource, by a caller, with what is known of its condition keys) a statement
*applies* when its (Not)Action covers the action, its (Not)Resource the resource, its (Not)Principal the caller
(resource policies only) and every condition clause holds. Each part answers true, false or unknown (a value
computed at deployment, a condition key remit cannot know offline, a statement under ``Fn::If``); an unknown
part makes the statement apply *only if* the named clause holds.

Then, as AWS decides within one account:

1. an explicit ``Deny`` that applies wins (:attr:`Decision.DENIED`);
2. otherwise the request needs an ``Allow`` from an identity policy or from the resource policy;
3. a permissions boundary, when set, must also allow what the identity policies allow;
4. nothing allowing it is an implicit deny (:attr:`Decision.NOT_ALLOWED`).

An ``Allow`` or ``Deny`` that applies only under conditions makes the answer :attr:`Decision.CONDITIONAL`, with
the clauses that decide it (a conditional ``Deny`` shows as ``unless ...``). Every answer names the statements
that decide it; ``Statement.node`` leads to file and line through ``app.locate``.

How a statement's resource values and principals are compared with the request is the caller's choice
(:class:`Matchers`): :mod:`remit.iam.engine` matches template symbols against modelled entities; the
default compares literal ARNs with IAM wildcards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from remit.iam.conditions import RequestContext, Tri, describe, evaluate_clause, substitute
from remit.iam.match import action_patterns, wildcard_match
from remit.model.policy import Principal, Statement
from remit.model.values import Value, render, text

__all__ = [
    "Answer",
    "Applies",
    "Decision",
    "Matchers",
    "action_matches",
    "applies",
    "applies_apart_from_action",
    "decide",
    "with_action",
]


class Decision(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"  # an explicit Deny
    NOT_ALLOWED = "not-allowed"  # implicit: nothing allows it
    CONDITIONAL = "conditional"  # allowed only if the named conditions hold


@dataclass(frozen=True, slots=True)
class Answer:
    decision: Decision
    conditions: tuple[str, ...] = ()  # human-readable clauses that must hold (CONDITIONAL)
    allowed_by: tuple[Statement, ...] = ()
    denied_by: tuple[Statement, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOWED

    @property
    def possible(self) -> bool:
        return self.decision in (Decision.ALLOWED, Decision.CONDITIONAL)


@dataclass(frozen=True, slots=True)
class Applies:
    """Whether one statement applies to the request, and under which clauses when that is unknown."""

    tri: Tri
    conditions: tuple[str, ...] = ()


ResourceMatcher = Callable[[Value], Tri]
PrincipalMatcher = Callable[[Principal], Tri]


def literal_resource(arn: str) -> ResourceMatcher:
    """Compare statement resources with one literal ARN (``*`` stands for "every resource")."""

    def match(value: Value) -> Tri:
        literal = text(value)
        if literal is None:
            return Tri.UNKNOWN
        return Tri.of(wildcard_match(literal, arn))

    return match


def _no_principal(_: Principal) -> Tri:
    return Tri.FALSE


@dataclass(frozen=True)
class Matchers:
    """How the request's resource and caller compare with statement values."""

    resource: ResourceMatcher = field(default_factory=lambda: literal_resource("*"))
    principal: PrincipalMatcher = _no_principal


def action_matches(statement: Statement, action: str) -> Tri:
    """The statement's Action (or NotAction complement) covers ``action``; a value computed at deployment is
    unknown."""
    compiled = action_patterns(statement.actions)
    found = Tri.TRUE if compiled.hit(action) else Tri.UNKNOWN if compiled.unknown else Tri.FALSE
    return ~found if statement.not_action else found


def _resource_matches(statement: Statement, matcher: ResourceMatcher, context: RequestContext) -> Tri:
    if not statement.resources:
        return Tri.TRUE if statement.not_resource else Tri.FALSE
    found = Tri.FALSE
    for value in statement.resources:
        literal = text(value)
        if literal is not None and "${" in literal:
            substituted = substitute(literal, context)
            one = Tri.UNKNOWN if substituted is None else matcher(substituted)
        else:
            one = matcher(value)
        found = found | one
        if found is Tri.TRUE:
            break
    return ~found if statement.not_resource else found


def _principal_matches(statement: Statement, matcher: PrincipalMatcher) -> Tri:
    found = Tri.FALSE
    for p in statement.principals:
        found = found | matcher(p)
        if found is Tri.TRUE:
            break
    return ~found if statement.not_principal else found


def applies(statement: Statement, action: str, matchers: Matchers, context: RequestContext,
            *, resource_policy: bool = False) -> Applies:
    """Whether ``statement`` applies to the request, three-valued, with the clauses left to decide."""
    result = action_matches(statement, action)
    if result is Tri.FALSE:
        return Applies(Tri.FALSE)
    return with_action(result, applies_apart_from_action(statement, matchers, context,
                                                         resource_policy=resource_policy))


_ACTIONS_UNKNOWN = "the statement's actions, computed at deployment"


def with_action(action: Tri, rest: Applies) -> Applies:
    """:func:`applies` from the statement's action match and the rest of the answer (which does not depend on
    the action: ask it once per statement when asking about many actions)."""
    if action is Tri.FALSE or rest.tri is Tri.FALSE:
        return Applies(Tri.FALSE)
    if action is Tri.TRUE:
        return rest
    return Applies(Tri.UNKNOWN, (_ACTIONS_UNKNOWN, *rest.conditions))


def applies_apart_from_action(statement: Statement, matchers: Matchers, context: RequestContext, *,
                              resource_policy: bool = False) -> Applies:
    """Whether the statement's resources, principals and conditions apply (its actions aside)."""
    unknown: list[str] = []
    res = _resource_matches(statement, matchers.resource, context)
    if res is Tri.FALSE:
        return Applies(Tri.FALSE)
    if res is Tri.UNKNOWN:
        shown = ", ".join(render(r) for r in statement.resources)
        unknown.append(f"the resource is {'not ' if statement.not_resource else ''}{shown}")
    if resource_policy:
        who = _principal_matches(statement, matchers.principal)
        if who is Tri.FALSE:
            return Applies(Tri.FALSE)
        if who is Tri.UNKNOWN:
            unknown.append("the caller is " + ("not " if statement.not_principal else "")
                           + ", ".join(f"{p.kind} {render(p.value)}" for p in statement.principals))
    for clause in statement.conditions:
        held = evaluate_clause(clause, context)
        if held is Tri.FALSE:
            return Applies(Tri.FALSE)
        if held is Tri.UNKNOWN:
            unknown.append(describe(clause))
    if statement.when:
        unknown.append(f"template condition {statement.when} is true")
    return Applies(Tri.UNKNOWN if unknown else Tri.TRUE, tuple(unknown))


def _collect(statements: Iterable[Statement], action: str, matchers: Matchers, context: RequestContext,
             resource_policy: bool) -> tuple[list[tuple[Statement, Applies]], list[tuple[Statement, Applies]]]:
    allows: list[tuple[Statement, Applies]] = []
    denies: list[tuple[Statement, Applies]] = []
    for st in statements:
        found = applies(st, action, matchers, context, resource_policy=resource_policy)
        if found.tri is Tri.FALSE:
            continue
        (allows if st.allows else denies).append((st, found))
    return allows, denies


def _either(options: Sequence[tuple[Statement, Applies]]) -> str:
    parts = [" and ".join(a.conditions) for _, a in options]
    return parts[0] if len(parts) == 1 else " or ".join(f"({p})" for p in parts)


def decide(action: str, *, identity: Sequence[Statement] = (), resource_policy: Sequence[Statement] = (),
           boundary: Sequence[Statement] | None = None, matchers: Matchers | None = None,
           context: RequestContext | None = None, resource_policy_required: bool = False) -> Answer:
    """The decision for ``action`` under the given policies (one account's evaluation logic).

    ``boundary`` None means no permissions boundary; an empty sequence is a boundary that allows nothing.
    ``resource_policy_required`` is for resources whose own policy must allow (a KMS key policy): identity
    policies then count only together with it; the engine handles the key policy's delegation to IAM.
    """
    m = matchers or Matchers()
    ctx = context or RequestContext()
    id_allows, id_denies = _collect(identity, action, m, ctx, False)
    rp_allows, rp_denies = _collect(resource_policy, action, m, ctx, True)
    denies = id_denies + rp_denies
    bd_allows: list[tuple[Statement, Applies]] = []
    if boundary is not None:
        b_allows, b_denies = _collect(boundary, action, m, ctx, False)
        denies += b_denies
        bd_allows = b_allows
    sure_denies = [st for st, a in denies if a.tri is Tri.TRUE]
    if sure_denies:
        return Answer(Decision.DENIED, denied_by=tuple(sure_denies))
    maybe_denies = [(st, a) for st, a in denies if a.tri is Tri.UNKNOWN]

    # identity allows are limited by the boundary; resource-policy allows for the caller are not
    identity_ok = list(id_allows)
    boundary_conditions: tuple[str, ...] = ()
    if boundary is not None and identity_ok:
        if not bd_allows:
            identity_ok = []
        elif not any(a.tri is Tri.TRUE for _, a in bd_allows):
            boundary_conditions = (f"the permissions boundary allows it: {_either(bd_allows)}",)
    candidates = rp_allows if resource_policy_required else identity_ok + rp_allows
    if not candidates:
        return Answer(Decision.NOT_ALLOWED)
    sure = [st for st, a in rp_allows if a.tri is Tri.TRUE]
    if not resource_policy_required and not boundary_conditions:
        sure = [st for st, a in identity_ok if a.tri is Tri.TRUE] + sure
    conditions: list[str] = []
    if not sure:
        conditions.append(_either(candidates))
        conditions.extend(boundary_conditions)
    for st, a in maybe_denies:
        label = f" ({st.sid})" if st.sid else ""
        conditions.append(f"unless the Deny{label} applies: " + " and ".join(a.conditions))
    allowed_by = tuple(sure) if sure else tuple(st for st, _ in candidates)
    if conditions:
        return Answer(Decision.CONDITIONAL, tuple(dict.fromkeys(conditions)), allowed_by,
                      tuple(st for st, _ in maybe_denies))
    return Answer(Decision.ALLOWED, (), allowed_by)
