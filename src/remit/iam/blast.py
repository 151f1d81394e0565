"""Blast radius of a function: what its role can read, write, invoke, pass and escalate to, compactly.

Grants (``an.iam.grants``, after Deny and boundary) are grouped per kind and service; each item names the
resources as written (or the modelled entities they cover) and the statement that allows it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache

from remit.iam.actions import AccessLevel, action_info
from remit.iam.engine import IamEngine
from remit.iam.privesc import escalations
from remit.model.entities import Function, Role
from remit.model.values import render

_INVOKE = frozenset({"lambda:invokefunction", "lambda:invokefunctionurl", "states:startexecution",
                     "states:startsyncexecution", "execute-api:invoke", "sns:publish", "sqs:sendmessage",
                     "events:putevents"})


@dataclass(frozen=True)
class BlastItem:
    """A group of allowed actions of one service on some resources, with where the first grant is written."""

    service: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    where: str  # file:line of a granting statement ("" when unknown)
    conditional: bool = False

    @property
    def target(self) -> str:
        """The resources as one string (what the attack graph shows)."""
        return ", ".join(self.resources)

    @property
    def label(self) -> str:
        return f"{self.describe()} (allowed at {self.where})" if self.where else self.describe()

    def describe(self) -> str:
        shown = ", ".join(self.actions[:4]) + (f" (+{len(self.actions) - 4})" if len(self.actions) > 4 else "")
        when = " [conditional]" if self.conditional else ""
        return f"{shown} on {', '.join(self.resources[:3])}{when}"


@dataclass(frozen=True)
class BlastRadius:
    """What one function's role allows."""

    function: str
    role: str
    admin: bool
    read: tuple[BlastItem, ...] = ()
    write: tuple[BlastItem, ...] = ()
    invoke: tuple[BlastItem, ...] = ()
    passes: tuple[BlastItem, ...] = ()
    escalate: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        def items(xs: tuple[BlastItem, ...]) -> list[dict[str, object]]:
            return [{"service": x.service, "actions": list(x.actions), "resources": list(x.resources),
                     "where": x.where, "conditional": x.conditional} for x in xs]
        return {"function": self.function, "role": self.role, "admin": self.admin, "read": items(self.read),
                "write": items(self.write), "invoke": items(self.invoke), "pass": items(self.passes),
                "escalate": list(self.escalate)}


@lru_cache(maxsize=65536)
def _kind(action: str) -> str:
    low = action.lower()
    if low == "iam:passrole":
        return "pass"
    if low in _INVOKE:
        return "invoke"
    info = action_info(action)
    if info is None:
        return "write"
    if info.levels <= {AccessLevel.READ, AccessLevel.LIST}:
        return "read"
    return "write"


_Items = tuple[tuple[BlastItem, ...], tuple[BlastItem, ...], tuple[BlastItem, ...], tuple[BlastItem, ...]]
_BY_ROLE: weakref.WeakKeyDictionary[object, dict[object, _Items]] = weakref.WeakKeyDictionary()


def blast_radius(iam: IamEngine, function: Function) -> BlastRadius:
    """The function's blast radius (empty when its role is not modelled)."""
    role = iam.app.role_of(function)
    name = render(function.name) if function.name is not None else function.logical_id
    if role is None:
        return BlastRadius(name, render(function.role) if function.role is not None else "", False)
    admin = iam.is_admin(role)
    memo = _BY_ROLE.setdefault(iam, {})
    items = memo.get(role.id)
    if items is None:
        items = memo[role.id] = _items(iam, role, admin)
    escalate = tuple(f"{e.method.id}: {e.gained}" for e in escalations(iam, role))
    return BlastRadius(name, render(role.name), admin, *items, escalate)


def _items(iam: IamEngine, role: Role, admin: bool) -> _Items:
    """The role's grants grouped per kind, service and resources (many functions may share the role)."""
    groups: dict[tuple[str, str, tuple[str, ...]], list[tuple[str, str, bool]]] = {}
    shown: dict[int, tuple[str, ...]] = {}  # grants share their resource tuples and statements
    places: dict[int, str] = {}
    # an administrator's list would be every action: summarised by ``admin``, only its PassRole is listed
    held = iam.grants(role) if not admin else tuple(g for g in (iam.grant(role, "iam:PassRole"),) if g)
    for g in held:
        kind = _kind(g.action)
        resources = shown.get(id(g.resources))
        if resources is None:
            resources = shown[id(g.resources)] = tuple(dict.fromkeys(render(r) for r in g.resources)) or ("*",)
        where = ""
        if g.statements:
            first = g.statements[0]
            where = places.get(id(first), "")
            if id(first) not in places:
                loc = iam.app.locate(first.node)
                where = places[id(first)] = f"{loc.path}:{loc.line}"
        key = (kind, g.action.split(":", 1)[0], resources)
        groups.setdefault(key, []).append((g.action, where, g.conditional))
    by_kind: dict[str, list[BlastItem]] = {"read": [], "write": [], "invoke": [], "pass": []}
    for (kind, service, resources), acts in sorted(groups.items()):
        by_kind[kind].append(BlastItem(service, tuple(sorted(a for a, _, _ in acts)), resources, acts[0][1],
                                       all(c for _, _, c in acts)))
    return tuple(by_kind["read"]), tuple(by_kind["write"]), tuple(by_kind["invoke"]), tuple(by_kind["pass"])


def blast_radii(iam: IamEngine) -> tuple[BlastRadius, ...]:
    """Every modelled function's blast radius."""
    return tuple(blast_radius(iam, fn) for fn in iam.app.functions)
