"""Privilege escalation: the method catalog (``remit/data/privesc.json``) matched on a principal's combined grants.

A method counts when every action it needs is granted to the principal by any of its policies (actions split
across several policies count), after explicit Deny and the permissions boundary (``an.iam.grants``).

* ``new-passrole`` methods also need ``iam:PassRole`` on a role that trusts the service the method runs code in:
  a modelled role that trusts that service and that the PassRole grant covers, or any role when PassRole is
  granted on ``*`` (such a role could exist or be created).
  A PassRole grant whose ``iam:PassedToService`` condition names another service does not count.
* ``existing-passrole`` methods need an existing resource to take over: for Lambda, a modelled function (other
  than the principal's own) the action covers whose role is *stronger* (grants some action on some resource the
  principal lacks; an unmodelled role counts), or any function when the action reaches functions the template
  does not define (``*``, ``arn:aws:lambda:*:*:function:*``); for other resource kinds, the action granted on
  ``*``.
* ``sts:AssumeRole`` counts toward modelled roles whose trust lets the principal's account in.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from remit.iam.conditions import RequestContext, Tri, evaluate_clause
from remit.iam.engine import Grant, IamEngine
from remit.model.entities import Function, IamPrincipal, Role, User
from remit.model.policy import Statement
from remit.model.values import Value, render, text

CATEGORIES = ("self-escalation", "principal-access", "new-passrole", "existing-passrole", "credential-access")


@dataclass(frozen=True)
class Method:
    """One catalog entry."""

    id: str
    category: str
    actions: tuple[str, ...]
    gain: str
    passes_to: str | None = None  # the service the passed role must trust (new-passrole)
    existing: str | None = None  # the kind of existing resource taken over (existing-passrole)


@dataclass(frozen=True)
class ActionGrant:
    """One action a method needs, with the statements granting it."""

    action: str
    statements: tuple[Statement, ...]
    conditional: bool = False


@dataclass(frozen=True)
class Escalation:
    """A method the principal can use, the grants that make it possible, and what it gains."""

    principal: str
    method: Method
    actions: tuple[ActionGrant, ...]
    gained: str

    @property
    def conditional(self) -> bool:
        return any(a.conditional for a in self.actions)


@cache
def catalog() -> tuple[Method, ...]:
    """The methods of the bundled data file."""
    raw: dict[str, Any] = json.loads(resources.files("remit.data").joinpath("privesc.json").read_text("utf-8"))
    return tuple(Method(m["id"], m["category"], tuple(m["actions"]), m["gain"], m.get("passes_to"),
                        m.get("existing")) for m in raw["methods"])


_SOME_ROLE = "arn:aws:iam::111122223333:role/remit-probe-any-role"  # a role the template does not define


_SOME_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:remit-probe-function"  # not in the template


def _trusts_service(iam: IamEngine, role: Role, service: str) -> bool:
    return any(e.kind == "service" and e.value.lower() == service for e in iam.trusted_by(role))


def _can_pass(iam: IamEngine, principal: IamPrincipal, role: Role | str, service: str) -> bool:
    """Whether the principal may pass ``role`` to ``service``: PassRole allowed, and some allowing statement's
    ``iam:PassedToService`` clauses (if any) admit that service."""
    answer = iam.can(principal, "iam:PassRole", role)
    if not answer.possible:
        return False
    if not answer.allowed_by:
        return True
    ctx = RequestContext({"iam:passedtoservice": (service,)})
    return any(all(evaluate_clause(c, ctx) is not Tri.FALSE for c in st.conditions
                   if c.key_lower == "iam:passedtoservice") for st in answer.allowed_by)


def _stronger(iam: IamEngine, principal: IamPrincipal, fn: Function) -> bool:
    """Whether the function's role grants something the principal lacks: an action, or the action on a
    resource the principal's grant of it does not name (``*`` names everything). An unmodelled role counts.
    Compared on both principals' plans (:meth:`remit.iam.engine.IamEngine.grants_beyond`), remembered per
    (principal, role): many functions share a role."""
    role = iam.app.role_of(fn)
    if role is None:
        return True
    memo = _STRONGER.setdefault(iam, {})
    key = (principal.id, role.id)
    found = memo.get(key)
    if found is None:
        found = memo[key] = iam.grants_beyond(role, principal, _wider)
    return found


def _wider(theirs: tuple[Value, ...], mine: tuple[Value, ...]) -> bool:
    """Whether a grant on the resources ``theirs`` reaches one that a grant on ``mine`` does not name."""
    return not _on_star(mine) and any(r not in mine for r in theirs)


_NAMED = 5  # stronger functions named in a finding when the principal may rewrite any function
_LOOKED_AT = 200  # functions looked at for those names; past it the finding says "any existing function"


_ATTACH = frozenset({"iam:attachuserpolicy", "iam:attachrolepolicy", "iam:attachgrouppolicy"})
_ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"


def _may_attach_admin(grants: Mapping[str, Grant], method: Method) -> bool:
    """Whether some statement allowing the method's attach action lets ``AdministratorAccess`` be attached:
    an ``iam:PolicyARN`` condition naming only other policies (a read-only policy, say) gains nothing."""
    ctx = RequestContext({"iam:policyarn": (_ADMIN_POLICY,)})
    for action in method.actions:
        grant = grants.get(action.lower())
        if grant is None or action.lower() not in _ATTACH or not grant.statements:
            continue
        if not any(all(evaluate_clause(c, ctx) is not Tri.FALSE for c in st.conditions
                       if c.key_lower == "iam:policyarn") for st in grant.statements):
            return False
    return True


_ON_ROLE = frozenset({"iam:putrolepolicy", "iam:attachrolepolicy", "iam:deleterolepermissionsboundary",
                      "iam:putrolepermissionsboundary"})
_ON_USER = frozenset({"iam:putuserpolicy", "iam:attachuserpolicy", "iam:deleteuserpermissionsboundary",
                      "iam:putuserpermissionsboundary"})


_ON_GROUP = frozenset({"iam:putgrouppolicy", "iam:attachgrouppolicy"})


def _on_groups(iam: IamEngine, principal: IamPrincipal, method: Method, grants: Mapping[str, Grant]) -> str | None:
    """A policy written onto a group helps a user of that group. A grant on ``*`` reaches some group of the account
    (the principal's own, or one it joins); a grant scoped to groups names those it reaches, is plain
    self-escalation when one of them is the user's own, and gains nothing when the application has none."""
    if all(_on_star(grants[a.lower()].resources) for a in method.actions):
        return method.gain
    own = set(principal.groups) if isinstance(principal, User) else set()
    reached = [g for g in iam.app.groups if all(iam.can(principal, a, g).possible for a in method.actions)]
    if any(g.id in own for g in reached):
        return method.gain
    if not reached:
        return None
    names = ", ".join(sorted(render(g.name) for g in reached))
    return method.gain.split(":", 1)[0].replace("a group", f"group {names}") + " (not its own)"


def _on_whom(iam: IamEngine, principal: IamPrincipal, method: Method, grants: Mapping[str, Grant]) -> str | None:
    """A policy a role writes onto roles (a user onto users) helps it when it may write it onto itself. A grant scoped
    to other roles or users (a path such as ``role/app/*``) is no self-escalation: it names the others it reaches,
    and gains nothing when the application has none. A grant on ``*`` reaches some identity of the account. Group
    policies: :func:`_on_groups`."""
    lowered = {a.lower() for a in method.actions}
    if lowered & _ON_GROUP:
        return _on_groups(iam, principal, method, grants)
    kind: type[Role] | type[User] | None = Role if lowered & _ON_ROLE else User if lowered & _ON_USER else None
    if kind is None or not isinstance(principal, kind):
        return method.gain  # a role writing onto users (or the reverse) acts through others, as before
    if all(_on_star(grants[a.lower()].resources) for a in method.actions) or \
            all(iam.can(principal, a, principal).possible for a in method.actions):
        return method.gain  # any role or user of the account, or the principal itself
    candidates: tuple[Role | User, ...] = iam.app.roles if kind is Role else iam.app.users
    others = sorted(render(x.name) for x in candidates if x.id != principal.id
                    and all(iam.can(principal, a, x).possible for a in method.actions))
    if not others:
        return None
    what = "role" if kind is Role else "user"
    return f"{method.gain.split(':', 1)[0]} of {what} {', '.join(others)} (not its own)"


def _on_star(resources_: tuple[Any, ...]) -> bool:
    return any(text(r) == "*" for r in resources_)


def _gain(iam: IamEngine, principal: IamPrincipal, method: Method,
          grants: Mapping[str, Grant]) -> str | None:
    """What the method gains for this principal, or None when no target makes it work."""
    unit = iam.app.unit_of(principal.id)  # an app's roles and functions, never those of an unrelated app beside it
    if method.category == "new-passrole" and method.passes_to:
        passrole = grants["iam:passrole"]
        names = [render(r.name) for r in iam.app.roles
                 if r.id != principal.id and iam.app.unit_of(r.id) == unit and _trusts_service(iam, r, method.passes_to)
                 and _can_pass(iam, principal, r, method.passes_to)]
        if names:
            return "the permissions of role " + _listed(names)
        if _on_star(passrole.resources) and _can_pass(iam, principal, _SOME_ROLE, method.passes_to):
            return f"the permissions of any role trusting {method.passes_to} (PassRole on *)"
        return None
    if method.category == "existing-passrole":
        first = grants[method.actions[0].lower()]
        if method.existing == "function":
            own = {f.id for f in iam.app.functions_using_role(principal)} if isinstance(principal, Role) else set()
            anywhere = all(iam.can(principal, a, _SOME_FUNCTION).possible for a in method.actions
                           if a.lower().startswith("lambda:"))
            fns: list[Function] = []
            others = (f for f in iam.app.functions if f.id not in own and iam.app.unit_of(f.id) == unit)
            for looked, f in enumerate(others):
                if anywhere and (len(fns) >= _NAMED or looked >= _LOOKED_AT):
                    break  # the method works on any function: a few names are enough to show it
                if all(iam.can(principal, a, f).possible for a in method.actions) \
                        and _stronger(iam, principal, f):
                    fns.append(f)
            shown = ", ".join(sorted(render(f.name) for f in fns))
            if anywhere:
                return "the role of any existing function in the account" + (f" (e.g. {shown})" if fns else "")
            return f"the role of function {shown}" if fns else None
        if _on_star(first.resources):
            return f"the role of any existing {method.existing or 'resource'} in the account"
        return None
    if any(a.lower() in _ATTACH for a in method.actions) and not _may_attach_admin(grants, method):
        return None
    if method.category == "self-escalation":
        return _on_whom(iam, principal, method, grants)
    if method.actions == ("sts:AssumeRole",):
        roles = [render(r.name) for r in iam.app.roles
                 if r.id != principal.id and iam.app.unit_of(r.id) == unit
                 and iam.can(principal, "sts:AssumeRole", r).possible
                 and any(e.kind in ("account", "anyone", "principal") for e in iam.trusted_by(r))]
        return ("role " + _listed(roles)) if roles else None
    return method.gain


def _listed(names: list[str], shown: int = 10) -> str:
    """Names in order, the first ``shown`` of them and how many more (a finding stays readable)."""
    ordered = sorted(dict.fromkeys(names))
    more = len(ordered) - shown
    return ", ".join(ordered[:shown]) + (f" and {more} more" if more > 0 else "")


_MEMO: weakref.WeakKeyDictionary[object, dict[object, tuple[Escalation, ...]]] = weakref.WeakKeyDictionary()
_STRONGER: weakref.WeakKeyDictionary[object, dict[tuple[object, object], bool]] = weakref.WeakKeyDictionary()


def escalations(iam: IamEngine, principal: IamPrincipal) -> tuple[Escalation, ...]:
    """Every catalog method the principal's combined effective permissions allow (none for an administrator,
    which has nothing left to gain; RMT-IAM-001 reports those). Answers are kept per application's IAM
    engine: the rules, the blast radius and the attack graph all ask."""
    memo = _MEMO.setdefault(iam, {})
    found = memo.get(principal.id)
    if found is None:
        found = memo[principal.id] = _escalations(iam, principal)
    return found


def _escalations(iam: IamEngine, principal: IamPrincipal) -> tuple[Escalation, ...]:
    if iam.is_admin(principal):
        return ()
    grants = iam.granted(principal)
    out: list[Escalation] = []
    for method in catalog():
        if not all(a.lower() in grants for a in method.actions):
            continue
        gained = _gain(iam, principal, method, grants)
        if gained is None:
            continue
        acts = tuple(ActionGrant(a, grants[a.lower()].statements, grants[a.lower()].conditional)
                     for a in method.actions)
        out.append(Escalation(render(principal.name), method, acts, gained))
    return tuple(out)
