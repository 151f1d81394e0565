"""What a role may do to a resource, as the graph asks it: "may this role perform this action on that entity,
and which statements say so?"

Every answer comes from the IAM engine (``an.iam``): :meth:`~remit.iam.engine.IamEngine.grants` says which
actions a role holds at all (after explicit Deny on every resource, the permissions boundary, NotAction), and
:meth:`~remit.iam.engine.IamEngine.can` decides one action on one entity (Deny on that resource, resource
policies, KMS key policies, conditions). A grant that holds only under conditions is a *conditional*
permission: the graph keeps the edge at a lower likelihood.

The only shortcut: when a role holds an action unconditionally on ``*``, has no Deny statement and no
boundary, and the target has no resource policy, the answer is "allowed by the grant's statements" without
asking ``can`` (the engine would say the same; a dense application asks this millions of times).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from remit.iam.engine import Grant, IamEngine
from remit.iam.evaluate import Decision
from remit.model.entities import Api, DataStore, Entity, IamPrincipal, KmsKey, Role
from remit.model.policy import Statement
from remit.model.values import SymbolKind, Value, symbols, text

_E = TypeVar("_E", bound=Entity)
ANY_ROLE = "arn:aws:iam::111122223333:role/remit-probe-any-role"  # a role the template does not define


@dataclass(frozen=True, slots=True)
class Permission:
    """An action the role may perform: the statements that allow it, and the conditions it holds under."""

    statements: tuple[Statement, ...]
    conditional: bool = False
    conditions: tuple[str, ...] = ()


def _on_star(grant: Grant) -> bool:
    return _all_star(grant.resources)


def _all_star(resources: tuple[Value, ...]) -> bool:
    return bool(resources) and all(text(v) == "*" for v in resources)


class Access:
    """Per-role permission answers from the IAM engine, cached per role and action."""

    def __init__(self, iam: IamEngine) -> None:
        self.app = iam.app
        self.iam = iam
        self._power: dict[object, int] = {}
        self._plain: dict[object, bool] = {}  # role id -> no Deny statement and no boundary
        self._indexes: dict[int, tuple[Sequence[Entity], dict[str, list[Entity]]]] = {}

    def grants(self, role: IamPrincipal) -> Mapping[str, Grant]:
        """The role's grants by lower-case action."""
        return self.iam.granted(role)

    def grant(self, role: IamPrincipal, action: str) -> Grant | None:
        return self.iam.grant(role, action)

    def _is_plain(self, role: IamPrincipal) -> bool:
        found = self._plain.get(role.id)
        if found is None:
            denies = any(not st.allows for p in self.app.principal_policies(role) for st in p.statements)
            found = self._plain[role.id] = not denies and role.boundary is None
        return found

    def allowed(self, role: IamPrincipal, action: str, target: Entity | None = None, probe: str | None = None) -> \
            Permission | None:
        """The permission for ``action`` on ``target`` (or on the ARN ``probe``, else ``*``), or None."""
        grant = self.grant(role, action)
        if grant is None:
            return None
        guarded = isinstance(target, KmsKey) or (isinstance(target, (DataStore, Api)) and target.policy is not None)
        if not grant.conditional and _on_star(grant) and not guarded and self._is_plain(role):
            return Permission(grant.statements)
        answer = self.iam.can(role, action, target if target is not None else (probe or "*"))
        if not answer.possible:
            return None
        return Permission(tuple(answer.allowed_by) or grant.statements, conditional=not answer.allowed,
                          conditions=tuple(answer.conditions))

    def denied(self, principal: IamPrincipal, action: str, target: Entity) -> bool:
        """An explicit Deny in the principal's own policies for ``action`` on ``target`` (what still stops a move
        a resource policy allows by name)."""
        if self._is_plain(principal):
            return False
        return self.iam.can(principal, action, target).decision is Decision.DENIED

    def allowed_any(self, role: IamPrincipal, actions: Sequence[str], target: Entity | None = None,
                    probe: str | None = None) -> tuple[str, Permission] | None:
        """The first action of ``actions`` the role may perform on the target."""
        for action in actions:
            perm = self.allowed(role, action, target, probe)
            if perm is not None:
                return action, perm
        return None

    def targets(self, role: IamPrincipal, actions: Sequence[str], candidates: Sequence[_E], limit: int) -> \
            list[tuple[_E, str, Permission]]:
        """The candidates the role may perform one of ``actions`` on (with the first such action), at most
        ``limit``. Only candidates a grant could cover are asked about: those its resources name by reference,
        or every candidate when a grant names resources by pattern (``*``, a literal ARN)."""
        held = [g for g in (self.grant(role, a) for a in actions) if g is not None]
        if not held:
            return []
        by_pattern = any(not any(s.kind is SymbolKind.RESOURCE for s in symbols(v)) for g in held
                         for v in g.resources) or any(not g.resources for g in held)
        pool: Sequence[_E]
        if by_pattern:
            pool = candidates
        else:
            named = {s.name for g in held for v in g.resources for s in symbols(v) if s.kind is SymbolKind.RESOURCE}
            index = self._indexes.get(id(candidates))
            if index is None or index[0] is not candidates:
                by_name: dict[str, list[Entity]] = {}
                for c in candidates:
                    by_name.setdefault(c.logical_id, []).append(c)
                index = self._indexes[id(candidates)] = (candidates, by_name)
            pool = [c for name in sorted(named) for c in index[1].get(name, ())]  # type: ignore[misc]  # _E is one entity type per call
        out: list[tuple[_E, str, Permission]] = []
        for candidate in pool:
            found = self.allowed_any(role, actions, candidate)
            if found is not None:
                out.append((candidate, *found))
                if len(out) >= limit:
                    break
        return out

    def power(self, role: IamPrincipal) -> int:
        """How many actions the role holds unconditionally on every resource (to rank takeovers)."""
        found = self._power.get(role.id)
        if found is None:
            found = self._power[role.id] = self.iam.count_unconditional(role, _all_star)
        return found


def trusts_service(iam: IamEngine, role: Role, service: str) -> bool:
    """The role's trust policy lets the service (or anyone) assume it, so it can be passed to that service."""
    return any((e.kind == "service" and e.value.lower() == service) or e.kind == "anyone"
               for e in iam.trusted_by(role))
