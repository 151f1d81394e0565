"""The application: every typed view of every scanned document, with the lookups rules need.

The model only: what later stages find about it (code, dependencies, IAM answers, usage) is in
:class:`remit.analysis.Analysis`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

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
    UsagePlan,
    User,
    UserPool,
    UserPoolClient,
)
from remit.model.policy import Policy
from remit.model.resources import Resource, ResourceId
from remit.model.stores import STORES
from remit.model.triggers import Caller, TriggerKind
from remit.model.values import Value
from remit.source import NodePath, Position, SourceLocation, SourceMap

_T = TypeVar("_T")


def _group(items: Iterable[_T], key: Callable[[_T], ResourceId | None]) -> Mapping[ResourceId, tuple[_T, ...]]:
    """An index built once, so a per-function lookup is not a scan of every entity (20,000 resources)."""
    out: dict[ResourceId, list[_T]] = defaultdict(list)
    for item in items:
        found = key(item)
        if found is not None:
            out[found].append(item)
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True, slots=True)
class TemplateOutput:
    """One entry of a template's ``Outputs`` (a Terraform root module's ``output``): its resolved value and whether
    the tool keeps it out of its printed output (Terraform's ``sensitive = true``)."""

    name: str
    value: Value
    node: NodePath
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    id: str
    kind: str
    path: Path
    marks: SourceMap = field(repr=False)
    metadata: Mapping[str, Any] = field(default_factory=dict, repr=False)  # the template's top-level Metadata
    unit: str = ""  # the deployment unit (remit.model.units) it belongs to; empty: its own
    outputs: tuple[TemplateOutput, ...] = ()


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
    def real_root(self) -> Path:
        """The scanned root with its symlinks resolved, once per scan: the code, dependency and secret-file stages
        ask for it per function."""
        return self.root.resolve()

    @cached_property
    def _resources(self) -> Mapping[ResourceId, Resource]:
        return {r.id: r for r in self.resources}

    @cached_property
    def _marks(self) -> Mapping[str, SourceMap]:
        return {d.id: d.marks for d in self.documents}

    @cached_property
    def _units(self) -> Mapping[str, str]:
        return {d.id: d.unit or d.id for d in self.documents}

    def unit_of(self, rid: ResourceId) -> str:
        """The deployment unit of the document ``rid`` comes from (:mod:`remit.model.units`): the attack graph
        moves between resources of one unit only."""
        return self._units.get(rid.doc, rid.doc)

    @cached_property
    def _triggers_by_function(self) -> Mapping[ResourceId, tuple[Trigger, ...]]:
        out: dict[ResourceId, list[Trigger]] = defaultdict(list)
        for t in self.triggers:
            out[t.function_id].append(t)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def _urls_by_function(self) -> Mapping[ResourceId, tuple[FunctionUrl, ...]]:
        return _group(self.function_urls, lambda u: u.function_id)

    @cached_property
    def _permissions_by_function(self) -> Mapping[ResourceId, tuple[LambdaPermission, ...]]:
        return _group(self.permissions, lambda p: p.function_id)

    @cached_property
    def _invoke_configs_by_function(self) -> Mapping[ResourceId, tuple[EventInvokeConfig, ...]]:
        return _group(self.invoke_configs, lambda c: c.function_id)

    @cached_property
    def _routes_by_function(self) -> Mapping[ResourceId, tuple[tuple[Api, Route], ...]]:
        return _group(((api, route) for api in self.apis for route in api.routes), lambda ar: ar[1].function_id)

    @cached_property
    def _functions_by_role(self) -> Mapping[ResourceId, tuple[Function, ...]]:
        return _group(self.functions, lambda f: f.role_id)

    @cached_property
    def stores(self) -> tuple[DataStore, ...]:
        """Every data store, in the store table's order (:data:`remit.model.stores.STORES`); built once (the
        graph and the lookups ask for it in loops)."""
        return tuple(store for spec in STORES for store in getattr(self, spec.collection))

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
        return self._urls_by_function.get(fn.id, ())

    def permissions_of(self, fn: Function) -> tuple[LambdaPermission, ...]:
        return self._permissions_by_function.get(fn.id, ())

    def invoke_configs_of(self, fn: Function) -> tuple[EventInvokeConfig, ...]:
        return self._invoke_configs_by_function.get(fn.id, ())

    def routes_of(self, fn: Function) -> Iterator[tuple[Api, Route]]:
        yield from self._routes_by_function.get(fn.id, ())

    def api(self, rid: ResourceId | None) -> Api | None:
        found = self.entity(rid)
        return found if isinstance(found, Api) else None

    def functions_using_role(self, role: Role) -> tuple[Function, ...]:
        return self._functions_by_role.get(role.id, ())

    def principal_policies(self, principal: IamPrincipal) -> tuple[Policy, ...]:
        """Every identity policy in force for a principal (a user's groups included)."""
        policies = list(principal.policies)
        if isinstance(principal, User):
            for gid in principal.groups:
                group = self.entity(gid)
                if isinstance(group, Group):
                    policies.extend(group.policies)
        return tuple(policies)

    def public_endpoint(self, trigger: Trigger) -> bool:
        """The trigger is an HTTP endpoint on the internet: a function URL, or a route of a public (non-private)
        API (the trigger table's :attr:`~remit.model.triggers.Caller.ENDPOINT` callers)."""
        if trigger.spec.caller is not Caller.ENDPOINT:
            return False
        api = self.api(trigger.source_id) if trigger.kind is TriggerKind.API_ROUTE else None
        return api is None or not api.private

    def is_internet_facing(self, fn: Function) -> bool:
        """Reachable from the internet: a function URL, or a route of a public (non-private) API."""
        return any(self.public_endpoint(trigger) for trigger in self.triggers_of(fn))

    # -- locations -----------------------------------------------------------------------------
    def marks_of(self, doc: str) -> SourceMap | None:
        """The positions of document ``doc``'s nodes (what :meth:`position` reads), None for no such document."""
        return self._marks.get(doc)

    def position(self, node: NodePath) -> Position:
        marks = self._marks.get(node.doc)
        return marks.position(node.path) if marks is not None else Position(1, 1)

    def locate(self, node: NodePath) -> SourceLocation:
        pos = self.position(node)
        marks = self._marks.get(node.doc)
        in_file = marks.file_of(node.path) if marks is not None else None  # a module of several .tf files
        return SourceLocation(in_file or node.doc, pos.line, pos.column)
