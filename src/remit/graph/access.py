"""What a role may do to a resource, as the graph asks it: "may this role perform this action on that entity,
and which statements say so?"

The answer comes from the IAM engine (``app.iam.can``) when the application has one. Until then (and for
anything the engine cannot answer) it comes from the role's own identity policies, statement by statement:
an ``Allow`` whose actions match and whose resources refer to the entity (``!Ref``, ``!GetAtt``, ``${X}`` in
an ARN), match its ARN as a pattern, or are ``*``; an unconditional ``Deny`` of the action on every resource
or on that entity wins. A conditional ``Allow`` counts, less surely.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from remit.iam.match import resource_refers_to, statement_matches_action, wildcard_match
from remit.model.application import Application
from remit.model.entities import (
    Bucket,
    Entity,
    EventBus,
    Function,
    KmsKey,
    Queue,
    Role,
    Secret,
    StateMachine,
    Table,
    Topic,
)
from remit.model.policy import PolicyDocument, Statement
from remit.model.values import SymbolKind, Value, render, symbols, text

ENGINE_BUDGET = 5.0  # seconds of IAM-engine answers per scan; then the role's statements answer
_ACCOUNT = "123456789012"
_REGION = "us-east-1"
_PSEUDO = {"${AWS::AccountId}": _ACCOUNT, "${AWS::Partition}": "aws", "${AWS::Region}": _REGION,
           "${AWS::URLSuffix}": "amazonaws.com"}
_SYMBOL = re.compile(r"\$\{[^}]*\}")
_E = TypeVar("_E", bound=Entity)
_UNNAMED = "\x01"  # a name no literal pattern spells: only a wildcard matches a resource named at deployment


@dataclass(frozen=True, slots=True)
class Permission:
    """An action the role may perform: the statements that allow it, and whether conditions apply."""

    statements: tuple[Statement, ...]
    conditional: bool = False


def _name(entity: Entity) -> str:
    value: Value | None = getattr(entity, "name", None)
    literal = text(value) if value is not None else None
    return literal if literal else _UNNAMED + entity.logical_id


_PROBES: dict[int, tuple[Entity, str]] = {}


def probe_arn(entity: Entity) -> str:
    """:func:`_probe_arn`, remembered per entity (asked for every role that may touch it)."""
    cached = _PROBES.get(id(entity))
    if cached is not None and cached[0] is entity:
        return cached[1]
    if len(_PROBES) > 200_000:
        _PROBES.clear()
    arn = _probe_arn(entity)
    _PROBES[id(entity)] = (entity, arn)
    return arn


def _probe_arn(entity: Entity) -> str:
    """An ARN of the entity (an object ARN for a bucket) for matching literal resource patterns."""
    name = _name(entity)
    svc = {Table: f"dynamodb:{_REGION}:{_ACCOUNT}:table/{name}", Queue: f"sqs:{_REGION}:{_ACCOUNT}:{name}",
           Topic: f"sns:{_REGION}:{_ACCOUNT}:{name}", EventBus: f"events:{_REGION}:{_ACCOUNT}:event-bus/{name}",
           Secret: f"secretsmanager:{_REGION}:{_ACCOUNT}:secret:{name}-AbCdEf",
           KmsKey: f"kms:{_REGION}:{_ACCOUNT}:key/{name}",
           StateMachine: f"states:{_REGION}:{_ACCOUNT}:stateMachine:{name}",
           Function: f"lambda:{_REGION}:{_ACCOUNT}:function:{name}",
           Role: f"iam::{_ACCOUNT}:role/{name}"}
    if isinstance(entity, Bucket):
        return f"arn:aws:s3:::{name}/remit-probe-object"
    for kind, tail in svc.items():
        if isinstance(entity, kind):
            return f"arn:aws:{tail}"
    return f"arn:aws:remit:::{name}"


ANY_ROLE = "arn:aws:iam::123456789012:role/remit-probe-any-role"


def _pattern(value: Value) -> str:
    shown = render(value)
    for token, sample in _PSEUDO.items():
        shown = shown.replace(token, sample)
    return _SYMBOL.sub("\x00", shown)


def covers(statement: Statement, target: Entity | None, probe: str) -> bool:
    """Whether the statement's resources include the target (or the probe ARN when there is no entity)."""
    if statement.not_resource:
        return not any(wildcard_match(_pattern(v), probe) for v in statement.resources)
    for value in statement.resources:
        if target is not None and resource_refers_to(value, target.logical_id):
            return True
        if wildcard_match(_pattern(value), probe):
            return True
    return False


def _by_pattern(value: Value) -> bool:
    """A resource value that names no template resource: it matches by pattern (``*``, a literal ARN)."""
    return not any(sym.kind is SymbolKind.RESOURCE for sym in symbols(value))


def on_any_resource(statement: Statement) -> bool:
    return statement.not_resource or any(text(v) in ("*", "arn:aws:*:*:*:*") for v in statement.resources)


class Access:
    """Per-role permission answers, cached (a role's statements are read once)."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self._statements: dict[Any, tuple[tuple[Statement, ...], tuple[Statement, ...]]] = {}
        self._indexes: dict[int, tuple[Sequence[Entity], dict[str, list[Entity]]]] = {}
        self._by_action: dict[tuple[Any, str], tuple[tuple[Statement, ...], tuple[Statement, ...]]] = {}
        self._engine: Any = getattr(app, "iam", None) if _has_engine(app) else None
        self._engine_time = 0.0

    def _split(self, role: Role) -> tuple[tuple[Statement, ...], tuple[Statement, ...]]:
        cached = self._statements.get(role.id)
        if cached is None:
            allows: list[Statement] = []
            denies: list[Statement] = []
            for policy in self.app.principal_policies(role):
                for st in policy.statements:
                    (allows if st.allows else denies).append(st)
            cached = (tuple(allows), tuple(d for d in denies if not d.conditions))
            self._statements[role.id] = cached
        return cached

    def allowed(self, role: Role, action: str, target: Entity | None = None, probe: str | None = None) -> \
            Permission | None:
        """The permission for ``action`` on ``target`` (or on the ARN ``probe``), or None when not allowed."""
        arn = probe or (probe_arn(target) if target is not None else "*")
        if self._engine is not None:
            answered, permission = self._ask_engine(role, action, target if target is not None else arn)
            if answered:
                return permission
        allows, denies = self._matching(role, action)
        if not allows or any(on_any_resource(d) or covers(d, target, arn) for d in denies):
            return None
        found = tuple(st for st in allows if covers(st, target, arn))
        if not found:
            return None
        return Permission(found, conditional=all(st.conditions for st in found))

    def _matching(self, role: Role, action: str) -> tuple[tuple[Statement, ...], tuple[Statement, ...]]:
        """The role's Allow statements and unconditional Deny statements whose actions cover ``action``."""
        key = (role.id, action)
        matching = self._by_action.get(key)
        if matching is None:
            allows, denies = self._split(role)
            matching = (tuple(st for st in allows if statement_matches_action(st, action)),
                        tuple(d for d in denies if statement_matches_action(d, action)))
            self._by_action[key] = matching
        return matching

    def targets(self, role: Role, actions: Sequence[str], candidates: Sequence[_E], limit: int) -> \
            list[tuple[_E, str, Permission]]:
        """The candidates the role may perform one of ``actions`` on (with the first such action), at most
        ``limit``. Only candidates a statement could cover are examined: those its resources refer to, or every
        candidate when a statement names resources by pattern (``*``, a literal ARN) or uses NotResource."""
        allows = [st for a in actions for st in self._matching(role, a)[0]]
        if not allows:
            return []
        if self._engine is None:
            first = next(a for a in actions if self._matching(role, a)[0])
            granted, denied = self._matching(role, first)
            if not denied and all(text(v) == "*" for st in granted if not st.not_resource for v in st.resources) \
                    and not any(st.not_resource for st in granted):
                # the first action is allowed on every resource and denied on none: every candidate, alike
                perm = Permission(granted, conditional=all(st.conditions for st in granted))
                return [(c, first, perm) for c in candidates[:limit]]
        if any(st.not_resource or any(_by_pattern(v) for v in st.resources) for st in allows):
            pool: Sequence[_E] = candidates
        else:
            named = {sym.name for st in allows for v in st.resources for sym in symbols(v)
                     if sym.kind is SymbolKind.RESOURCE}
            index = self._indexes.get(id(candidates))
            if index is None or index[0] is not candidates:
                by_name: dict[str, list[Entity]] = {}
                for c in candidates:
                    by_name.setdefault(c.logical_id, []).append(c)
                index = self._indexes[id(candidates)] = (candidates, by_name)
            pool = [c for name in sorted(named) for c in index[1].get(name, ())]  # type: ignore[misc]
        out: list[tuple[_E, str, Permission]] = []
        for candidate in pool:
            found = self.allowed_any(role, actions, candidate)
            if found is not None:
                out.append((candidate, *found))
                if len(out) >= limit:
                    break
        return out

    def allowed_any(self, role: Role, actions: Sequence[str], target: Entity | None = None,
                    probe: str | None = None) -> tuple[str, Permission] | None:
        """The first action of ``actions`` the role may perform on the target."""
        for action in actions:
            perm = self.allowed(role, action, target, probe)
            if perm is not None:
                return action, perm
        return None

    def _ask_engine(self, role: Role, action: str, resource: object) -> tuple[bool, Permission | None]:
        """The IAM engine's answer, and whether it gave one (if not, the statements are read here). The engine
        gets :data:`ENGINE_BUDGET` seconds in all; past that the statements answer, so a huge application
        cannot make the graph slow."""
        if self._engine_time > ENGINE_BUDGET:
            self._engine = None
            return False, None
        began = time.perf_counter()
        try:
            answer = self._engine.can(role, action, resource)
            if not answer.possible:
                return True, None
            return True, Permission(tuple(answer.allowed_by), conditional=not answer.allowed)
        except Exception:  # noqa: BLE001 - an engine still being built must not break the graph
            self._engine = None
            return False, None
        finally:
            self._engine_time += time.perf_counter() - began


def _has_engine(app: Application) -> bool:
    return "iam" in type(app).__dict__


def trusts_lambda(role: Role) -> bool:
    """The role's trust policy lets the Lambda service assume it (so it can be passed to a new function)."""
    if not isinstance(role.trust, PolicyDocument):
        return False
    for st in role.trust.statements:
        if not st.allows:
            continue
        for p in st.principals:
            if p.is_anyone:
                return True
            if p.kind == "Service" and "lambda.amazonaws.com" in render(p.value):
                return True
    return False
