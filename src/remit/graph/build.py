"""Building the attack graph from the application, its IAM and what the code and dependency stages learnt.

The graph is built *lazily*: starting points and entry points are laid out first; a compromised function's
role, and everything that role may touch, is worked out only when the search reaches it. So a template with
thousands of functions costs what an attacker can actually reach, and the graph that is kept (and exported)
is the reachable one. Fan-out from one role to one kind of target is capped (:data:`MAX_FANOUT`): a role that
may rewrite every function of a huge account does not need 5,000 edges to be reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from remit.analysis import Analysis
from remit.code.facts import SinkKind
from remit.graph.access import ANY_ROLE, Access, Permission, trusts_service
from remit.graph.hints import EXECUTES, QUERIES, CodeHint, HintKind, gather, sink_text
from remit.graph.model import AttackGraph, Edge, EdgeKind, Evidence, Node, NodeKind, Start
from remit.iam.conditions import Tri
from remit.iam.evaluate import action_matches
from remit.iam.privesc import Escalation, catalog, escalations
from remit.iam.reach import COGNITO, Exposure, Reach, TrustEdge, web_identity_gap
from remit.model.entities import (
    Api,
    AuthKind,
    Bucket,
    DataStore,
    Entity,
    Function,
    IamPrincipal,
    IdentityPool,
    KmsKey,
    Role,
    Route,
    Secret,
    Table,
    Trigger,
    User,
)
from remit.model.policy import Statement
from remit.model.resources import ResourceId
from remit.model.stores import STORES, StoreSpec
from remit.model.values import SymbolKind, render, symbols, text, truthy
from remit.source import NodePath, SourceLocation

MAX_FANOUT = 100  # targets of one kind (functions, roles, stores) one role may reach, best first


# what reading or writing one kind of store takes, and what it is worth: the store table's (model/stores.py)
_STORE_ACCESS: Mapping[type, StoreSpec] = {s.kind: s for s in STORES}
_USER_KEYS = ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile")
PARTNER, PARTNER_CONDITIONED = 0.2, 0.1  # a role (or store) trusted by one named foreign account
SSRF_LEAK = 0.15  # an SSRF leaks the function's credentials only through file:// or a steerable proxy (see hints)
_ADMIN = "admin"
_ACCOUNT_IN = re.compile(r"^(?:arn:aws[\w-]*:iam::)?(\d{12})(?::|$)")  # a literal account id or its ARN


def _feeds(triggers: Iterable[Trigger]) -> tuple[str, ...]:
    """The writes to a source that deliver an event into the functions it triggers (the trigger table's)."""
    return tuple(dict.fromkeys(a for t in triggers for a in t.spec.feeds))


def rid(r: ResourceId) -> str:
    return f"{r.doc}#{r.logical_id}"


# services whose workloads run code with a role the app defines: a foothold on the workload is that role
WORKLOADS: Mapping[str, tuple[str, float]] = {
    "ec2.amazonaws.com": ("EC2 instances", 1.0),
    "ecs-tasks.amazonaws.com": ("ECS and Batch tasks", 1.0),
    "codebuild.amazonaws.com": ("CodeBuild builds", 1.0),
    "glue.amazonaws.com": ("Glue jobs", 1.0),
    "sagemaker.amazonaws.com": ("SageMaker notebooks, jobs and endpoints", 1.0),
    # a state machine runs no code of the attacker's: its input only steers the SDK integrations it defines
    "states.amazonaws.com": ("Step Functions state machines", 0.3),
}
# what runs with a role a catalog method takes over, when no workload foothold starts there (stacks do not)
_TAKEN_OVER = {"cloudformation.amazonaws.com": "CloudFormation stacks"}
# the workloads an existing-passrole method of the catalog takes over, by the kind of resource it names
TAKEOVER_SERVICES: Mapping[str, str] = {"instance": "ec2.amazonaws.com", "task": "ecs-tasks.amazonaws.com",
                                         "stack": "cloudformation.amazonaws.com"}
BROAD, BROAD_IMPACT = 100, 6.0  # a principal holding this many actions on "*" is a prize in itself
LEAKED_KEY, NO_KEY_IN_APP = 1.0, 0.6  # a user with an access key or password made in the app; one without
FEDERATED_PINNED = 0.15  # a federated trust pinned to one subject (a repository, a pool): that subject compromised


def _named(edge: TrustEdge) -> Iterator[str]:
    """Keys of the principals a trust edge names: ``ref:<logical id>`` for a reference (``!GetAtt Deployer.Arn``),
    ``role/<name>`` or ``user/<name>`` for an ARN (a path allowed)."""
    for p in (q for st in edge.statements for q in st.principals):
        if render(p.value) != edge.value:
            continue
        for s in symbols(p.value):
            if s.kind is SymbolKind.RESOURCE:
                yield f"ref:{s.name}"
        literal = text(p.value)
        for kind in ("role", "user"):
            if literal and f":{kind}/" in literal:
                yield f"{kind}/{literal.rsplit('/', 1)[-1]}"


def _keys(principal: IamPrincipal) -> set[str]:
    """The keys a trust edge names this principal by (:func:`_named`)."""
    name = text(principal.name)
    kind = "user" if isinstance(principal, User) else "role"
    return {f"ref:{principal.logical_id}", *((f"{kind}/{name}",) if name else ())}


def _title(principal: IamPrincipal) -> str:
    return f"{'user' if isinstance(principal, User) else 'role'} {principal.logical_id}"


def _only_if(perm: Permission) -> str:
    """A conditional grant, marked in the edge's label (its likelihood is halved)."""
    if not perm.conditional:
        return ""
    shown = "; ".join(perm.conditions[:2]) or "its conditions hold"
    return f" [conditional: only if {shown}]"


def store_kind(store: DataStore) -> NodeKind:
    if isinstance(store, Secret):
        return NodeKind.SECRET
    if isinstance(store, KmsKey):
        return NodeKind.KEY
    return NodeKind.DATA


def _store_word(store: DataStore) -> str:
    return {"s3-bucket": "bucket", "dynamodb-table": "table", "sqs-queue": "queue", "sns-topic": "topic",
            "eventbridge-bus": "event bus", "secret": "secret", "kms-key": "KMS key",
            "state-machine": "state machine"}.get(store.kind, "store")


class Builder:
    """Lays out nodes and edges; :meth:`expand` adds a node's outgoing edges the first time it is asked."""

    def __init__(self, an: Analysis, hints: Iterable[CodeHint] = ()) -> None:
        app = self.app = an.app
        self.iam = an.iam
        self.access = Access(an.iam)
        self.nodes: dict[str, Node] = {}
        self.out: dict[str, list[Edge]] = defaultdict(list)
        self._expanded: set[str] = set()
        self._edge_keys: set[tuple[str, str, EdgeKind, str]] = set()
        self.hints: dict[ResourceId, list[CodeHint]] = defaultdict(list)
        for h in gather(an, hints):
            self.hints[h.function].append(h)
        self._sources: dict[ResourceId, list[Trigger]] = defaultdict(list)  # store -> triggers it drives
        for t in app.triggers:
            if t.spec.feeds and t.source_id is not None:
                self._sources[t.source_id].append(t)
        self._stores = {s.id: s for s in app.stores}
        # a role moves only within its deployment unit (remit.model.units): per unit, the stores by type
        self._stores_by_type: dict[str, dict[type, list[DataStore]]] = defaultdict(lambda: defaultdict(list))
        for store in app.stores:
            if type(store) in _STORE_ACCESS:
                self._stores_by_type[app.unit_of(store.id)][type(store)].append(store)
        self._source_stores = {unit: {kind: [st for st in stores if st.id in self._sources]
                                      for kind, stores in by_type.items()}
                               for unit, by_type in self._stores_by_type.items()}
        self._by_unit: dict[str, dict[str, list[Any]]] = {}  # kind -> unit -> its entities
        self._ranked: dict[str, list[Function]] = {}
        self._trust_index: dict[str, dict[str, list[tuple[Role, TrustEdge]]]] = {}  # unit -> key -> roles
        self._principal_keys: dict[str, set[str]] = {}  # unit -> keys of its users and roles
        self._worth: dict[str, float] = {}
        self._located: dict[NodePath, SourceLocation] = {}
        self._evidence: dict[tuple[str, tuple[int, ...]], tuple[Evidence, ...]] = {}
        self._hinted: dict[str, list[Function]] = {}  # per unit: functions with code hints, worth most first
        self._entries_of: dict[ResourceId, list[tuple[str, str]]] = defaultdict(list)  # fn -> (entry, trigger)
        # the actions (lower case, as grants are keyed) of each escalation method but function takeovers, which
        # _role_functions draws: asked of every role
        self._method_actions = tuple(tuple(a.lower() for a in m.actions) for m in catalog() if m.existing != "function")
        self._layout()

    # -- nodes -------------------------------------------------------------------------------------
    def _node(self, node_id: str, kind: NodeKind, resource: str, label: str, at: NodePath | None = None) -> str:
        if node_id not in self.nodes:
            self.nodes[node_id] = Node(node_id, kind, resource, label, self.app.locate(at) if at else None)
        return node_id

    def start(self, start: Start) -> str:
        return self._node(f"start:{start.value}", NodeKind.ATTACKER, start.value, start.description)

    def function(self, fn: Function) -> str:
        return self._node(f"fn:{rid(fn.id)}", NodeKind.FUNCTION, fn.resource.origin.logical_id,
                          f"code of function {fn.logical_id} under the attacker's control", fn.node)

    def role(self, role: Role) -> str:
        return self._node(f"role:{rid(role.id)}", NodeKind.ROLE, role.logical_id,
                          f"the permissions of role {role.logical_id}", role.node)

    def user(self, user: User) -> str:
        return self._node(f"user:{rid(user.id)}", NodeKind.USER, user.logical_id,
                          f"the permissions of IAM user {user.logical_id}", user.node)

    def store(self, store: DataStore) -> str:
        return self._node(f"store:{rid(store.id)}", store_kind(store), store.logical_id,
                          f"{_store_word(store)} {store.logical_id}", store.node)

    def admin(self) -> str:
        return self._node(_ADMIN, NodeKind.ADMIN, "account-admin", "administrator of the AWS account")

    def _edge(self, edge: Edge) -> None:
        key = (edge.source, edge.target, edge.kind, edge.label)
        if key not in self._edge_keys:
            self._edge_keys.add(key)
            self.out[edge.source].append(edge)

    def where(self, statement: Statement) -> SourceLocation:
        found = self._located.get(statement.node)
        if found is None:
            found = self._located[statement.node] = self.app.locate(statement.node)
        return found

    # -- entry points ----------------------------------------------------------------------------
    def _layout(self) -> None:
        app = self.app
        for fn in app.functions:
            self._routes(fn)
            for url in app.urls_of(fn):
                auth = text(url.auth_type) or render(url.auth_type)
                entry = self._node(f"entry:url:{rid(fn.id)}", NodeKind.ENTRY, url.resource.origin.logical_id,
                                   f"function URL of {fn.logical_id} (AuthType {auth})", url.node)
                self._entries_of[fn.id].append((entry, "function-url"))
                loc = app.locate(url.at("AuthType"))
                if auth == "NONE":
                    self._edge(Edge(self.start(Start.INTERNET), entry, EdgeKind.REACHES,
                                    f"function URL of {fn.logical_id} has AuthType NONE", 1.0,
                                    evidence=(Evidence("AuthType NONE", loc),)))
                else:
                    self._edge(Edge(self.start(Start.AUTHENTICATED), entry, EdgeKind.REACHES,
                                    f"function URL of {fn.logical_id} takes IAM-signed calls", 0.6,
                                    evidence=(Evidence(f"AuthType {auth}", loc),)))
            for perm in app.permissions_of(fn):
                if perm.for_function_url or text(perm.principal) != "*" or perm.source_arn is not None \
                        or perm.source_account is not None or perm.principal_org_id is not None:
                    continue
                entry = self.invoke_entry(fn)
                self._edge(Edge(self.start(Start.OTHER_ACCOUNT), entry, EdgeKind.REACHES,
                                f"a Lambda permission lets any account invoke {fn.logical_id}", 0.9,
                                evidence=(Evidence("Principal: *", app.locate(perm.at("Principal"))),)))
            self.function_hints(fn)
        for store_id, triggers in self._sources.items():
            store = self._stores.get(store_id)
            if store is not None:
                self._source_entry(store, triggers)
        for store in app.stores:
            self._public_store(store)
        for role in app.roles:
            self._trusted(role)
            self._workload(role)
        for user in app.users:
            self._leaked(user)
        for pool in app.identity_pools:
            self._identity_pool(pool)

    def _trusted(self, role: Role) -> None:
        """A trust policy (``an.iam.trusted_by``) that lets anyone, or an outside account, assume the role."""
        edges = self.iam.trusted_by(role)
        for edge in edges:
            if edge.kind == "anyone" and not edge.restricted:
                self._edge(Edge(self.start(Start.OTHER_ACCOUNT), self.role(role), EdgeKind.REACHES,
                                f"the trust policy of role {role.logical_id} lets any AWS account assume it", 1.0,
                                evidence=(Evidence("Principal: *", self.where(edge.statements[0])),)))
                return
        for edge in edges:
            if edge.kind == "federated":
                if edge.restricted and edge.value.lower() == COGNITO:
                    continue  # pinned to an identity pool: that pool's own steps say who gets the role
                # an OIDC / SAML provider's users: anyone it signs in, unless the trust pins who (sub, aud...)
                likelihood = FEDERATED_PINNED if edge.restricted else 1.0
                gap = web_identity_gap(edge.value, edge.statements[0].conditions)
                pinned = f" (only {'; '.join(edge.restricted_by)})" if edge.restricted else f", {gap}" if gap else ""
                self._edge(Edge(self.start(Start.FEDERATED), self.role(role), EdgeKind.ASSUME,
                                f"the trust policy of role {role.logical_id} lets users of {edge.value} assume it"
                                + pinned, likelihood,
                                evidence=(Evidence(f"Federated: {edge.value}", self.where(edge.statements[0])),)))
        for edge in edges:
            if edge.kind not in ("account", "principal") or self._own_principal(edge, role):
                continue
            if edge.account is None and not edge.restricted:
                # a principal remit cannot place (a parameter, an import, a variable): possibly outside
                self._edge(Edge(self.start(Start.OTHER_ACCOUNT), self.role(role), EdgeKind.ASSUME,
                                f"the trust policy of role {role.logical_id} names {edge.value}, which may be in "
                                "another account", PARTNER_CONDITIONED,
                                evidence=(Evidence(f"Principal: {edge.value}", self.where(edge.statements[0])),)))
                continue
            account = _ACCOUNT_IN.search(edge.value)
            if account is None:
                continue  # the template's own account: not an outsider
            # a named account is a partner the attacker must compromise first: unlikely, not a stranger's move
            likelihood = PARTNER_CONDITIONED if edge.conditions else PARTNER
            self._edge(Edge(self.start(Start.OTHER_ACCOUNT), self.role(role), EdgeKind.REACHES,
                            f"the trust policy of role {role.logical_id} lets account {account.group(1)} assume it"
                            + (" (under conditions)" if edge.conditions else ""), likelihood,
                            evidence=(Evidence(f"Principal: {edge.value}", self.where(edge.statements[0])),)))
            return

    def _own_principal(self, edge: TrustEdge, role: Role) -> bool:
        """A trust edge naming a resource of the app, or a user or role of its unit by an ARN ending in its name:
        the app's own account, no outsider (:meth:`_assumes` draws that move from the principal)."""
        unit = self.app.unit_of(role.id)
        names = self._principal_keys.get(unit)
        if names is None:
            names = self._principal_keys[unit] = {k for kind in ("roles", "users") for p in self._in_unit(kind, role)
                                                  for k in _keys(p)}
        return any(k.startswith("ref:") or k in names for k in _named(edge))

    def _trusting(self, principal: IamPrincipal) -> list[tuple[Role, TrustEdge]]:
        """The roles of the principal's unit whose trust policy names it, with the naming edge (an index built
        once per unit: a dense app asks for every role the search reaches)."""
        unit = self.app.unit_of(principal.id)
        index = self._trust_index.get(unit)
        if index is None:
            index = self._trust_index[unit] = defaultdict(list)
            for role in self._in_unit("roles", principal):
                for edge in self.iam.trusted_by(role):
                    if edge.kind == "principal":
                        for key in dict.fromkeys(_named(edge)):
                            index[key].append((role, edge))
        found: dict[ResourceId, tuple[Role, TrustEdge]] = {}
        for key in sorted(_keys(principal)):
            for role, edge in index.get(key, ()):
                found.setdefault(role.id, (role, edge))
        return list(found.values())

    def _workload(self, role: Role) -> None:
        """A role an EC2 instance, container task, build, job or notebook of the app runs with: code running
        there (a vulnerable web app on the instance, a poisoned build) holds the role's credentials."""
        for edge in self.iam.trusted_by(role):
            found = WORKLOADS.get(edge.value.lower()) if edge.kind == "service" else None
            if found is None:
                continue
            what, likelihood = found
            self._edge(Edge(self.start(Start.WORKLOAD), self.role(role), EdgeKind.ASSUME,
                            f"{what} run with role {role.logical_id} (its trust policy names {edge.value})",
                            likelihood, evidence=(Evidence(f"Service: {edge.value}", self.where(edge.statements[0])),)))
            return

    def _leaked(self, user: User) -> None:
        """An IAM user's access key or console password, leaked (in a repository, a CI log, a laptop): the most
        common way into AWS. Surer when the app itself makes the key or password."""
        made = user.has_access_key or user.has_login_profile
        what = "an access key" if user.has_access_key else "a console password" if user.has_login_profile else \
            "credentials made outside the template"
        self._edge(Edge(self.start(Start.LEAKED_CREDENTIALS), self.user(user), EdgeKind.REACHES,
                        f"IAM user {user.logical_id} has {what}: whoever holds them acts as the user",
                        LEAKED_KEY if made else NO_KEY_IN_APP,
                        evidence=(Evidence(f"IAM user {user.logical_id}", self.app.locate(user.node)),)))

    def _assumes(self, node_id: str, principal: IamPrincipal) -> None:
        """Roles of the same unit whose trust policy names this principal itself (by reference or ARN): within
        one account such a trust is enough, no identity-policy grant is needed (sts:AssumeRole)."""
        for other, edge in self._trusting(principal):
            if other.id == principal.id or self.access.denied(principal, "sts:AssumeRole", other):
                continue
            self._edge(Edge(node_id, self.role(other), EdgeKind.ASSUME,
                            f"{_title(principal)} may assume role {other.logical_id}: its trust policy names "
                            f"{principal.logical_id}" + (" (under conditions)" if edge.conditions else ""),
                            0.5 if edge.conditions else 1.0, 0.0,
                            (Evidence(f"Principal: {edge.value}", self.where(edge.statements[0])),)))

    def _outsiders(self, store: DataStore, actions: Sequence[str]) -> tuple[Start, float, str, Statement] | None:
        """Who outside the account the store's resource policy (``an.iam.exposure``) lets perform one of
        ``actions``: the starting point, a likelihood, the action and the statement; None for no outsider."""
        if not actions or store.policy is None:
            return None
        exposure: Exposure = self.iam.exposure(store)
        if exposure.reach not in (Reach.PUBLIC, Reach.ANY_ACCOUNT, Reach.CROSS_ACCOUNT):
            return None
        if (exposure.reach in (Reach.PUBLIC, Reach.ANY_ACCOUNT) and isinstance(store, Bucket)
                and store.blocks("BlockPublicPolicy", "RestrictPublicBuckets")):
            return None  # S3 refuses to attach a public policy to this bucket, or restricts it to the account
        for st in exposure.statements:
            opened = next((a for a in actions if action_matches(st, a) is Tri.TRUE), None)
            if opened is None:
                continue
            if exposure.reach is Reach.PUBLIC:
                return Start.INTERNET, 1.0, opened, st
            if exposure.reach is Reach.ANY_ACCOUNT:
                return Start.OTHER_ACCOUNT, 1.0, opened, st
            return Start.OTHER_ACCOUNT, PARTNER_CONDITIONED if exposure.conditions else PARTNER, opened, st
        return None

    @staticmethod
    def _who(start: Start, accounts: tuple[str, ...] = ()) -> str:
        if start is Start.INTERNET:
            return "anyone"
        return "any AWS account" if not accounts else "account " + ", ".join(accounts)

    def _identity_pool(self, pool: IdentityPool) -> None:
        """Cognito identity pools hand out role credentials: to guests (anyone) and to signed-in users. Each is
        a step of its own that names the pool, then the role it hands out."""
        guests = truthy(pool.allow_unauthenticated) if pool.allow_unauthenticated is not None else False
        where = self.app.locate(pool.node)
        for role_id, start, likelihood, who, tag in (
                (pool.unauthenticated_role, Start.INTERNET, 1.0, "guest (unauthenticated) identities", "guest"),
                (pool.authenticated_role, Start.AUTHENTICATED, 0.8, "signed-in identities", "signed-in")):
            role = self.app.role(role_id)
            if role is None or (start is Start.INTERNET and not guests):
                continue
            entry = self._node(f"entry:pool:{tag}:{rid(pool.id)}", NodeKind.ENTRY, pool.logical_id,
                               f"{who} of identity pool {pool.logical_id}", pool.node)
            self._edge(Edge(self.start(start), entry, EdgeKind.REACHES,
                            f"identity pool {pool.logical_id} gives {who} credentials"
                            + (" (AllowUnauthenticatedIdentities)" if tag == "guest" else ""), likelihood,
                            evidence=(Evidence(f"identity pool {pool.logical_id}", where),)))
            self._edge(Edge(entry, self.role(role), EdgeKind.ASSUME,
                            f"identity pool {pool.logical_id} gives its {who} the credentials of role "
                            f"{role.logical_id}", 1.0,
                            evidence=(Evidence(f"role {role.logical_id}", where),)))

    def _public_store(self, store: DataStore) -> None:
        """A resource policy (or bucket ACL) that lets anyone read the store: a path of one hop."""
        access = _STORE_ACCESS.get(type(store))
        if access is None or not access.read:
            return
        word = _store_word(store)
        found = self._outsiders(store, access.read)
        if found is not None:
            start, likelihood, opened, st = found
            who = self._who(start, self.iam.exposure(store).accounts)
            self._edge(Edge(self.start(start), self.store(store), EdgeKind.READ,
                            f"the {word} policy of {store.logical_id} lets {who} {opened}", likelihood,
                            access.read_impact, (Evidence(f"{who}: {opened}", self.where(st)),)))
            return
        if (isinstance(store, Bucket) and text(store.acl) in ("PublicRead", "PublicReadWrite")
                and not store.blocks("IgnorePublicAcls", "BlockPublicAcls")):
            self._edge(Edge(self.start(Start.INTERNET), self.store(store), EdgeKind.READ,
                            f"bucket {store.logical_id} has the ACL {text(store.acl)}: anyone may list and read it",
                            0.9, access.read_impact,
                            (Evidence(f"AccessControl: {text(store.acl)}",
                                      self.app.locate(store.at("AccessControl"))),)))

    def _routes(self, fn: Function) -> None:
        groups: dict[tuple[ResourceId, str], list[Route]] = defaultdict(list)
        for api, route in self.app.routes_of(fn):
            if api.private:
                continue
            if route.auth.is_open:
                who = "open"
            elif route.auth.kind is AuthKind.NONE and route.auth.api_key_required:
                who = "api-key"
            else:
                who = "auth"
            groups[(api.id, who)].append(route)
        for (api_id, who), routes in sorted(groups.items()):
            found_api = self.app.api(api_id)
            routes.sort(key=lambda r: (r.method == "OPTIONS", r.path, r.method))
            first = routes[0]
            name = found_api.logical_id if isinstance(found_api, Api) else api_id.logical_id
            more = f" (+{len(routes) - 1} routes)" if len(routes) > 1 else ""
            keys = ", ".join(r.key for r in routes[:4]) + (", ..." if len(routes) > 4 else "")
            written = first.node.path[1] if len(first.node.path) > 1 and first.node.path[0] == "Resources" else name
            entry = self._node(f"entry:route:{rid(api_id)}:{who}:{rid(fn.id)}", NodeKind.ENTRY,
                               str(written), f"API {name}: {first.key}{more} ({keys})", first.node)
            self._entries_of[fn.id].append((entry, "api-route"))
            loc = self.app.locate(first.node)
            if who == "open":
                self._edge(Edge(self.start(Start.INTERNET), entry, EdgeKind.REACHES,
                                f"{first.key} on {name} has no authorizer and no API key", 1.0,
                                evidence=(Evidence("no authorizer", loc),)))
            elif who == "api-key":
                self._edge(Edge(self.start(Start.AUTHENTICATED), entry, EdgeKind.REACHES,
                                f"{first.key} on {name} needs only an API key", 0.7,
                                evidence=(Evidence("API key, no authorizer", loc),)))
            else:
                self._edge(Edge(self.start(Start.AUTHENTICATED), entry, EdgeKind.REACHES,
                                f"{first.key} on {name} admits callers authorized by {first.auth.describe()}", 0.8,
                                evidence=(Evidence(first.auth.describe(), loc),)))

    def invoke_entry(self, fn: Function) -> str:
        entry = self._node(f"entry:invoke:{rid(fn.id)}", NodeKind.ENTRY, fn.resource.origin.logical_id,
                           f"direct invocation of {fn.logical_id} with any event", fn.node)
        if (entry, "*") not in self._entries_of[fn.id]:
            self._entries_of[fn.id].append((entry, "*"))
            self._edge_function_hints(entry, fn, "*")
        return entry

    def source_entry_id(self, store: DataStore) -> str:
        return f"entry:source:{rid(store.id)}"

    def _source_entry(self, store: DataStore, triggers: list[Trigger]) -> None:
        word = _store_word(store)
        entry = self._node(self.source_entry_id(store), NodeKind.ENTRY, store.logical_id,
                           f"writing to {word} {store.logical_id}, which invokes "
                           + ", ".join(sorted({t.function_id.logical_id for t in triggers})), store.node)
        found = self._outsiders(store, _feeds(triggers))
        if found is not None:
            start, likelihood, opened, st = found
            who = self._who(start, self.iam.exposure(store).accounts)
            self._edge(Edge(self.start(start), entry, EdgeKind.REACHES,
                            f"the {word} policy of {store.logical_id} lets {who} {opened}", likelihood,
                            evidence=(Evidence(f"{who}: {opened}", self.where(st)),)))
        if (isinstance(store, Bucket) and text(store.acl) == "PublicReadWrite"
                and not store.blocks("IgnorePublicAcls", "BlockPublicAcls")):
            self._edge(Edge(self.start(Start.INTERNET), entry, EdgeKind.REACHES,
                            f"bucket {store.logical_id} has the ACL PublicReadWrite", 1.0,
                            evidence=(Evidence("AccessControl: PublicReadWrite",
                                               self.app.locate(store.at("AccessControl"))),)))
        first = triggers[0]
        self._edge(Edge(self.start(Start.INSIDER), entry, EdgeKind.REACHES,
                        f"anyone allowed to write to {word} {store.logical_id} invokes its functions", 1.0,
                        evidence=(Evidence(first.detail, self.app.locate(first.node)),)))
        for t in triggers:
            fn = self.app.function(t.function_id)
            if fn is not None:
                self._edge_function_hints(entry, fn, t.kind.value)

    # -- code execution ----------------------------------------------------------------------------
    def function_hints(self, fn: Function) -> None:
        """Edges from each entry point of ``fn`` (other than stores, added with them) into it."""
        for entry, trigger in self._entries_of.get(fn.id, ()):
            self._edge_function_hints(entry, fn, trigger)
        for h in self.hints.get(fn.id, ()):
            if h.kind is HintKind.MALICIOUS_PACKAGE:
                self._edge(Edge(self.start(Start.SUPPLY_CHAIN), self.function(fn), EdgeKind.SHIPS,
                                f"{fn.logical_id} ships a compromised package: {h.label}", h.likelihood,
                                evidence=(Evidence(h.label, h.location),)))

    def _edge_function_hints(self, entry: str, fn: Function, trigger: str) -> None:
        for h in self.hints.get(fn.id, ()):
            if h.kind is HintKind.MALICIOUS_PACKAGE:
                continue
            if trigger != "*" and h.triggers and trigger not in h.triggers:
                continue
            evidence = (Evidence(h.label, h.location),)
            if h.kind is HintKind.VULNERABLE_PACKAGE:
                self._edge(Edge(entry, self.function(fn), EdgeKind.TRIGGERS,
                                f"{fn.logical_id} ships a vulnerable package: {h.label}", h.likelihood,
                                evidence=evidence))
            elif h.sink is not None and h.sink in EXECUTES:
                self._edge(Edge(entry, self.function(fn), EdgeKind.TRIGGERS, f"{fn.logical_id}: {h.label}",
                                h.likelihood * EXECUTES[h.sink], evidence=evidence))
            elif h.sink in QUERIES:
                self._query_edges(entry, fn, h)
            elif h.sink is SinkKind.SSRF:
                self._ssrf_edge(entry, fn, h)

    def _ssrf_edge(self, entry: str, fn: Function, hint: CodeHint) -> None:
        """SSRF: Lambda has no instance metadata service, and its runtime API (``AWS_LAMBDA_RUNTIME_API``)
        serves invocation events, not credentials; the credentials are environment variables. An SSRF leaks
        them only if the client follows ``file://`` (``/proc/self/environ``) or the URL can be steered through
        a proxy the attacker reads: possible, seldom, hence a modest likelihood (:data:`SSRF_LEAK`). The path
        keeps the function step: its credentials are what leaks, and its role what they give."""
        if self.app.role_of(fn) is None:
            return
        self._edge(Edge(entry, self.function(fn), EdgeKind.TRIGGERS,
                        f"{fn.logical_id}: {hint.label}; its credentials (environment variables; Lambda has no "
                        "metadata service) leak only if the client follows file:// or a proxy",
                        hint.likelihood * SSRF_LEAK, evidence=(Evidence(hint.label, hint.location),)))

    def _query_edges(self, entry: str, fn: Function, hint: CodeHint) -> None:
        """SQL / NoSQL injection: the attacker reads the tables the function's own queries may read."""
        role = self.app.role_of(fn)
        if role is None:
            return
        access = _STORE_ACCESS[Table]
        for table in self._in_unit("tables", role)[:MAX_FANOUT]:
            found = self.access.allowed_any(role, access.read, table)
            if found is None:
                continue
            action, perm = found
            assert hint.sink is not None
            self._edge(Edge(entry, self.store(table), EdgeKind.INJECTS,
                            f"{fn.logical_id}: {hint.label}; its role may {action} on {table.logical_id}",
                            hint.likelihood * 0.8 * (0.5 if perm.conditional else 1.0), access.read_impact,
                            (Evidence(f"{sink_text(hint.sink)} in {fn.logical_id}", hint.location),
                             *self._grant_evidence(action, perm))))

    def _grant_evidence(self, action: str, perm: Permission) -> tuple[Evidence, ...]:
        key = (action, tuple(id(st) for st in perm.statements[:2]))  # statements may hold unhashable values
        found = self._evidence.get(key)
        if found is None:
            found = self._evidence[key] = tuple(Evidence(f"{action} granted", self.where(st))
                                                for st in perm.statements[:2])
        return found

    # -- lazy expansion ----------------------------------------------------------------------------
    def expand(self, node_id: str) -> Sequence[Edge]:
        if node_id not in self._expanded:
            self._expanded.add(node_id)
            if node_id.startswith("fn:"):
                self._expand_function(node_id)
            elif node_id.startswith(("role:", "user:")):
                self._expand_principal(node_id)
        return self.out.get(node_id, ())

    def worth(self, node_id: str) -> float:
        """What holding a role or user is worth in itself when nothing the app models lies beyond it: broad
        powers on every resource (``BROAD`` actions or more, unconditionally on ``*``) — the account's other
        resources are the prize. 0 for anything else (its worth is what it leads to)."""
        found = self._worth.get(node_id)
        if found is None:
            found = 0.0
            principal = self._entity_of(node_id)
            if isinstance(principal, (Role, User)) and self.access.power(principal) >= BROAD:
                found = BROAD_IMPACT
            self._worth[node_id] = found
        return found

    def _entity_of(self, node_id: str) -> Entity | None:
        """The function, role or user a ``fn:`` / ``role:`` / ``user:`` node stands for (``kind:doc#logical``)."""
        if not node_id.startswith(("fn:", "role:", "user:")):
            return None
        doc, _, logical = node_id.split(":", 1)[1].rpartition("#")
        return self.app.entity(ResourceId(doc, logical))

    def _expand_function(self, node_id: str) -> None:
        fn = self._entity_of(node_id)
        if not isinstance(fn, Function):
            return
        role = self.app.role_of(fn)
        if role is None:
            return
        self._edge(Edge(node_id, self.role(role), EdgeKind.RUNS_AS,
                        f"{fn.logical_id} runs with role {role.logical_id}'s credentials", 1.0,
                        evidence=(Evidence(f"role {role.logical_id}", self.app.locate(fn.at("Role"))),)))

    def _expand_principal(self, node_id: str) -> None:
        """What a role's or user's credentials give: administrator, stores, functions, other roles."""
        found = self._entity_of(node_id)
        if not isinstance(found, (Role, User)):
            return
        self._role_admin(node_id, found)
        self._role_stores(node_id, found)
        self._role_functions(node_id, found)
        self._assumes(node_id, found)

    def _role_admin(self, node_id: str, role: IamPrincipal) -> None:
        """Administrator already (``an.iam.is_admin``), or one of the catalog's escalation methods
        (``remit.iam.privesc.escalations``): one edge per target, the likeliest method named."""
        grant = self.access.grant(role, "iam:PutRolePolicy")  # held on * by every administrator: asked first
        if grant is not None and not grant.conditional and self.iam.is_admin(role):
            statements = grant.statements[:2]
            self._edge(Edge(node_id, self.admin(), EdgeKind.ESCALATE,
                            f"{_title(role)} may perform every action on every resource", 1.0, 10.0,
                            tuple(Evidence("every action on every resource", self.where(st)) for st in statements)))
            return
        granted = self.access.grants(role)
        if not any(all(a in granted for a in actions) for actions in self._method_actions):
            return  # nothing but function takeovers, which _role_functions draws (escalations() asks per function)
        best: dict[str, Edge] = {}
        counts: dict[str, int] = defaultdict(int)
        for esc in escalations(self.iam, role):
            for edge in self._escalation_edges(node_id, role, esc):
                counts[edge.target] += 1
                held = best.get(edge.target)
                if held is None or edge.likelihood > held.likelihood:
                    best[edge.target] = edge
        for target, found in best.items():
            more = counts[target] - 1
            if more:
                found = Edge(found.source, found.target, found.kind,  # noqa: PLW2901 - the label gains a count
                             f"{found.label} (+{more} other method{'s' if more > 1 else ''})", found.likelihood,
                             found.impact, found.evidence)
            self._edge(found)

    def _escalation_edges(self, node_id: str, role: IamPrincipal, esc: Escalation) -> list[Edge]:
        method = esc.method
        factor = 0.5 if esc.conditional else 1.0
        when = " [conditional]" if esc.conditional else ""
        acts = " + ".join(a.action for a in esc.actions)
        evidence = tuple(Evidence(f"{a.action} granted", self.where(st)) for a in esc.actions
                         for st in a.statements[:1])
        if method.category == "new-passrole" and method.passes_to:
            service = method.passes_to.split(".", 1)[0]
            out: list[Edge] = []
            passable = [r for r in self._in_unit("roles", role) if r.id != role.id
                        and trusts_service(self.iam, r, method.passes_to)]
            for other, _, perm in self.access.targets(role, ("iam:PassRole",), passable, MAX_FANOUT):
                out.append(Edge(node_id, self.role(other), EdgeKind.PASS_ROLE,
                                f"{_title(role)} may pass role {other.logical_id} to {service} "
                                f"({acts}: {method.id}){when}", 0.9 * factor * (0.5 if perm.conditional else 1.0),
                                0.0, evidence))
            pass_any = self.access.allowed(role, "iam:PassRole", probe=ANY_ROLE)
            if pass_any is not None:
                out.append(Edge(node_id, self.admin(), EdgeKind.PASS_ROLE,
                                f"{_title(role)} may pass any role of the account, an administrator's "
                                f"included, to {service} ({acts}: {method.id}){when}",
                                0.7 * factor * (0.5 if pass_any.conditional else 1.0), 10.0, evidence))
            return out
        if method.category == "existing-passrole":
            if method.existing == "function":
                return []  # each function taken over is an update-code edge (_role_functions)
            out = self._workload_takeovers(node_id, role, esc, acts, when, factor, evidence)
            return [*out, Edge(node_id, self.admin(), EdgeKind.ESCALATE,
                         f"{_title(role)} may {acts} on any existing {method.existing} and run code with "
                         f"its role (an administrator's, if one has it; {method.id}){when}", 0.4 * factor, 10.0,
                         evidence)]
        if method.id == "sts-001":
            out = []
            for other in self._in_unit("roles", role):
                if other.id == role.id or not any(e.kind in ("account", "anyone", "principal")
                                                  for e in self.iam.trusted_by(other)):
                    continue
                assume = self.access.allowed(role, "sts:AssumeRole", other)
                if assume is not None:
                    out.append(Edge(node_id, self.role(other), EdgeKind.ESCALATE,
                                    f"{_title(role)} may assume role {other.logical_id} (sts:AssumeRole)"
                                    + when, 0.9 * factor * (0.5 if assume.conditional else 1.0), 0.0, evidence))
            return out[:MAX_FANOUT]
        if method.category == "credential-access":
            return []  # secrets are read edges; parameters and environment variables are in the blast radius
        if "admin" in method.gain:
            gain = method.gain.replace(": admin", "")
            first = method.actions[0].lower()
            if first.endswith(("userpolicy", "grouppolicy")):
                # a role cannot hold a user's policy: the gain needs that user's credentials, which
                # iam:CreateAccessKey / CreateLoginProfile / UpdateLoginProfile hand over
                keys = next((a for a in _USER_KEYS if self.access.grant(role, a) is not None), None)
                how = f"then {keys} for that user and act as it" if keys else "and needs that user's credentials"
                return [Edge(node_id, self.admin(), EdgeKind.ESCALATE,
                             f"{_title(role)} may {acts} ({gain}) {how} ({method.id}){when}",
                             (0.7 if keys else 0.3) * factor, 10.0, evidence)]
            if first.endswith("rolepolicy") and self.access.allowed(role, method.actions[0], role) is None:
                return [Edge(node_id, self.admin(), EdgeKind.ESCALATE,
                             f"{_title(role)} may {acts} on other roles ({gain}), then needs to use one of "
                             f"them ({method.id}){when}", 0.5 * factor, 10.0, evidence)]
            return [Edge(node_id, self.admin(), EdgeKind.ESCALATE,
                         f"{_title(role)} may {acts} and so {gain}, granting itself anything "
                         f"({method.id}){when}", 0.9 * factor, 10.0, evidence)]
        return [Edge(node_id, self.admin(), EdgeKind.ESCALATE,
                     f"{_title(role)} may {acts}: {method.gain} (an administrator's, if the account has one; "
                     f"{method.id}){when}", 0.5 * factor, 10.0, evidence)]

    def _in_unit(self, kind: str, of: Entity) -> list[Any]:
        """The application's ``kind`` entities (``roles``, ``tables``, ``functions``) deployed with ``of``."""
        units = self._by_unit.get(kind)
        if units is None:  # one pass per kind for every unit (a pass per unit was quadratic over many templates)
            units = self._by_unit[kind] = {}
            for e in getattr(self.app, kind):
                units.setdefault(self.app.unit_of(e.id), []).append(e)
        return units.get(self.app.unit_of(of.id), [])

    def _workload_takeovers(self, node_id: str, principal: IamPrincipal, esc: Escalation, acts: str, when: str,
                            factor: float, evidence: tuple[Evidence, ...]) -> list[Edge]:
        """Compute access (SSM Run Command or Session Manager, EC2 Instance Connect, ECS Exec) on the app's own
        instances or tasks: the attacker runs commands there and holds the role they run with."""
        service = TAKEOVER_SERVICES.get(esc.method.existing or "")
        if service is None:
            return []
        out = []
        for other in self._in_unit("roles", principal):
            if other.id == principal.id or not any(e.kind == "service" and e.value.lower() == service
                                                   for e in self.iam.trusted_by(other)):
                continue
            what = WORKLOADS[service][0] if service in WORKLOADS else _TAKEN_OVER[service]
            out.append(Edge(node_id, self.role(other), EdgeKind.ESCALATE,
                            f"{_title(principal)} may {acts} on the {what} that run with role {other.logical_id} "
                            f"and act as it ({esc.method.id}){when}", 0.8 * factor, 0.0, evidence))
        return out[:MAX_FANOUT]

    def _role_stores(self, node_id: str, role: IamPrincipal) -> None:
        unit = self.app.unit_of(role.id)
        for kind, stores in self._stores_by_type.get(unit, {}).items():
            access = _STORE_ACCESS[kind]
            word = _store_word(stores[0])
            for store, action, perm in self.access.targets(role, access.read, stores, MAX_FANOUT):
                self._edge(Edge(node_id, self.store(store), EdgeKind.READ,
                                f"{_title(role)} may {action} on {word} {store.logical_id}{_only_if(perm)}",
                                0.5 if perm.conditional else 1.0, access.read_impact,
                                self._grant_evidence(action, perm)))
            for store, action, perm in self.access.targets(role, access.write, stores, MAX_FANOUT):
                self._edge(Edge(node_id, self.store(store), EdgeKind.WRITE,
                                f"{_title(role)} may {action} on {word} {store.logical_id}{_only_if(perm)}",
                                0.5 if perm.conditional else 1.0, access.write_impact,
                                self._grant_evidence(action, perm)))
            sources = self._source_stores.get(unit, {}).get(kind)
            if sources:
                feeds = _feeds(self._sources[sources[0].id])
                for store, action, perm in self.access.targets(role, feeds, sources, MAX_FANOUT):
                    self._edge(Edge(node_id, self.source_entry_id(store), EdgeKind.WRITE,
                                    f"{_title(role)} may {action} on {store.logical_id}, which invokes "
                                    "functions", 0.5 if perm.conditional else 1.0, 0.0,
                                    self._grant_evidence(action, perm)))

    def _role_functions(self, node_id: str, role: IamPrincipal) -> None:
        unit = self.app.unit_of(role.id)
        ranked = self._functions_by_power(role)
        updates = self.access.targets(role, ("lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"),
                                      ranked, MAX_FANOUT + 1)
        for fn, action, perm in [u for u in updates if u[0].role_id != role.id][:MAX_FANOUT]:
            how = "replace its code" if action.endswith("Code") else "add a layer or change its handler"
            self._edge(Edge(node_id, self.function(fn), EdgeKind.UPDATE_CODE,
                            f"{_title(role)} may {action} on {fn.logical_id} ({how}){_only_if(perm)}",
                            0.5 if perm.conditional else 1.0, 7.0, self._grant_evidence(action, perm)))
        hinted = self._hinted.get(unit)
        if hinted is None:
            hinted = self._hinted[unit] = [fn for fn in ranked if fn.id in self.hints]
        invokes = self.access.targets(role, ("lambda:InvokeFunction",), hinted, MAX_FANOUT + 1)
        for fn, action, perm in [i for i in invokes if i[0].role_id != role.id][:MAX_FANOUT]:
            self._edge(Edge(node_id, self.invoke_entry(fn), EdgeKind.INVOKE,
                            f"{_title(role)} may {action} on {fn.logical_id} with any event",
                            0.5 if perm.conditional else 1.0, 0.0, self._grant_evidence(action, perm)))

    def _functions_by_power(self, of: IamPrincipal) -> list[Function]:
        """The functions deployed with ``of``, those whose roles hold the most on every resource first: the
        takeovers worth most."""
        unit = self.app.unit_of(of.id)
        ranked = self._ranked.get(unit)
        if ranked is None:
            functions: list[Function] = self._in_unit("functions", of)
            power: dict[ResourceId | None, int] = {}
            for fn in functions:
                if fn.role_id not in power:
                    role = self.app.role_of(fn)
                    power[fn.role_id] = self.access.power(role) if role is not None else 0
            ranked = self._ranked[unit] = sorted(functions, key=lambda fn: -power[fn.role_id])
        return ranked

    # -- result ------------------------------------------------------------------------------------
    def graph(self) -> AttackGraph:
        edges = tuple(e for src in self.out for e in self.out[src] if e.target in self.nodes)
        return AttackGraph(dict(self.nodes), edges)
