"""The application: every typed view of every scanned document, with the lookups rules need."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from remit.model.entities import (
    Api,
    Bucket,
    DataStore,
    Entity,
    EventBus,
    EventInvokeConfig,
    Function,
    FunctionUrl,
    Group,
    IamPrincipal,
    IdentityPool,
    InstanceProfile,
    KmsKey,
    LambdaPermission,
    LayerVersion,
    LogGroup,
    Queue,
    Role,
    Route,
    Secret,
    StateMachine,
    Table,
    Topic,
    Trigger,
    TriggerKind,
    UsagePlan,
    User,
    UserPool,
    UserPoolClient,
)
from remit.model.policy import Policy
from remit.model.resources import Resource, ResourceId
from remit.source import NodePath, Position, SourceLocation, SourceMap


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    id: str
    kind: str
    path: Path
    marks: SourceMap = field(repr=False)
    metadata: Mapping[str, Any] = field(default_factory=dict, repr=False)  # the template's top-level Metadata


@dataclass(frozen=True)
class Application:
    """Everything the scan read, as one model. Collections are in document, then template, order."""

    root: Path
    documents: tuple[DocumentInfo, ...] = ()
    resources: tuple[Resource, ...] = ()
    functions: tuple[Function, ...] = ()
    function_urls: tuple[FunctionUrl, ...] = ()
    permissions: tuple[LambdaPermission, ...] = ()
    invoke_configs: tuple[EventInvokeConfig, ...] = ()
    layers: tuple[LayerVersion, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    apis: tuple[Api, ...] = ()
    usage_plans: tuple[UsagePlan, ...] = ()
    roles: tuple[Role, ...] = ()
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    instance_profiles: tuple[InstanceProfile, ...] = ()
    policies: tuple[Policy, ...] = ()  # every identity policy written or attached in the templates
    buckets: tuple[Bucket, ...] = ()
    tables: tuple[Table, ...] = ()
    queues: tuple[Queue, ...] = ()
    topics: tuple[Topic, ...] = ()
    buses: tuple[EventBus, ...] = ()
    secrets: tuple[Secret, ...] = ()
    keys: tuple[KmsKey, ...] = ()
    state_machines: tuple[StateMachine, ...] = ()
    log_groups: tuple[LogGroup, ...] = ()
    user_pools: tuple[UserPool, ...] = ()
    user_pool_clients: tuple[UserPoolClient, ...] = ()
    identity_pools: tuple[IdentityPool, ...] = ()

    # -- lookups -------------------------------------------------------------------------------
    @cached_property
    def _entities(self) -> Mapping[ResourceId, Entity]:
        index: dict[ResourceId, Entity] = {}
        for group in (
            self.functions, self.function_urls, self.permissions, self.invoke_configs, self.layers, self.apis,
            self.usage_plans, self.roles, self.users, self.groups, self.instance_profiles, self.stores,
            self.log_groups, self.user_pools, self.user_pool_clients, self.identity_pools,
        ):
            for entity in group:
                index.setdefault(entity.id, entity)
        return index

    @cached_property
    def _resources(self) -> Mapping[ResourceId, Resource]:
        return {r.id: r for r in self.resources}

    @cached_property
    def _marks(self) -> Mapping[str, SourceMap]:
        return {d.id: d.marks for d in self.documents}

    @cached_property
    def _triggers_by_function(self) -> Mapping[ResourceId, tuple[Trigger, ...]]:
        out: dict[ResourceId, list[Trigger]] = defaultdict(list)
        for t in self.triggers:
            out[t.function_id].append(t)
        return {k: tuple(v) for k, v in out.items()}

    @property
    def stores(self) -> tuple[DataStore, ...]:
        return (*self.buckets, *self.tables, *self.queues, *self.topics, *self.buses, *self.secrets, *self.keys,
                *self.state_machines)

    def entity(self, rid: ResourceId | None) -> Entity | None:
        return None if rid is None else self._entities.get(rid)

    def resource(self, rid: ResourceId | None) -> Resource | None:
        return None if rid is None else self._resources.get(rid)

    def function(self, rid: ResourceId | None) -> Function | None:
        found = self.entity(rid)
        return found if isinstance(found, Function) else None

    def role(self, rid: ResourceId | None) -> Role | None:
        found = self.entity(rid)
        return found if isinstance(found, Role) else None

    def role_of(self, fn: Function) -> Role | None:
        return self.role(fn.role_id)

    def triggers_of(self, fn: Function) -> tuple[Trigger, ...]:
        return self._triggers_by_function.get(fn.id, ())

    def urls_of(self, fn: Function) -> tuple[FunctionUrl, ...]:
        return tuple(u for u in self.function_urls if u.function_id == fn.id)

    def permissions_of(self, fn: Function) -> tuple[LambdaPermission, ...]:
        return tuple(p for p in self.permissions if p.function_id == fn.id)

    def invoke_configs_of(self, fn: Function) -> tuple[EventInvokeConfig, ...]:
        return tuple(c for c in self.invoke_configs if c.function_id == fn.id)

    def routes_of(self, fn: Function) -> Iterator[tuple[Api, Route]]:
        for api in self.apis:
            for route in api.routes:
                if route.function_id == fn.id:
                    yield api, route

    def api(self, rid: ResourceId | None) -> Api | None:
        found = self.entity(rid)
        return found if isinstance(found, Api) else None

    def functions_using_role(self, role: Role) -> tuple[Function, ...]:
        return tuple(f for f in self.functions if f.role_id == role.id)

    def principal_policies(self, principal: IamPrincipal) -> tuple[Policy, ...]:
        """Every identity policy in force for a principal (a user's groups included)."""
        policies = list(principal.policies)
        if isinstance(principal, User):
            for gid in principal.groups:
                group = self.entity(gid)
                if isinstance(group, Group):
                    policies.extend(group.policies)
        return tuple(policies)

    def is_internet_facing(self, fn: Function) -> bool:
        """Reachable from the internet: a function URL, or a route of a public (non-private) API."""
        for trigger in self.triggers_of(fn):
            if trigger.kind is TriggerKind.FUNCTION_URL:
                return True
            if trigger.kind is TriggerKind.API_ROUTE:
                api = self.api(trigger.source_id)
                if api is None or not api.private:
                    return True
        return False

    # -- locations -----------------------------------------------------------------------------
    def position(self, node: NodePath) -> Position:
        marks = self._marks.get(node.doc)
        return marks.position(node.path) if marks is not None else Position(1, 1)

    def locate(self, node: NodePath) -> SourceLocation:
        pos = self.position(node)
        return SourceLocation(node.doc, pos.line, pos.column)
