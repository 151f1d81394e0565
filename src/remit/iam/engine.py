"""The IAM engine of an application (``an.iam``): who may do what, on which resource, under which conditions.

One :class:`IamEngine` per :class:`~remit.model.application.Application`, built lazily on first use. It answers
with :mod:`remit.iam.evaluate` over all the policies in force:

* :meth:`IamEngine.can` — one principal, one action, one resource (an entity, an ARN, or a template value);
* :meth:`IamEngine.grants` — every action a principal is allowed after Deny and its boundary;
* :meth:`IamEngine.resources_for` / :meth:`IamEngine.principals_that_can` — the same question turned around;
* :meth:`IamEngine.exposure` — who outside the account a resource policy lets in (:mod:`remit.iam.reach`);
* :meth:`IamEngine.trusted_by` — who may assume a role.

Answers are cached per principal (a principal's statements are collected once, and each question once), so the
rules, the least-privilege analysis and the attack graph can ask freely.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from remit.iam import arns
from remit.iam.actions import action_info, expand, services
from remit.iam.conditions import RequestContext, Tri
from remit.iam.evaluate import (
    Answer,
    Applies,
    Matchers,
    action_matches,
    applies_apart_from_action,
    decide,
    with_action,
)
from remit.iam.match import action_patterns, wildcard_match
from remit.iam.reach import Exposure, Reach, TrustEdge, exposure_of, lambda_statements, trust_edges
from remit.model.entities import Api, DataStore, Entity, Function, IamPrincipal, KmsKey, Role, User
from remit.model.policy import PolicyDocument, Principal, Statement
from remit.model.resources import ResourceId
from remit.model.values import Concat, Symbol, SymbolKind, Value, text

if TYPE_CHECKING:
    from remit.model.application import Application

__all__ = ["Exposure", "Grant", "IamEngine", "Reach", "TrustEdge"]

_ANY = arns.Target(("*",))


@dataclass(frozen=True, slots=True)
class Grant:
    """One action a principal is allowed: the resources as written, the statements, and whether it holds
    only under conditions."""

    action: str
    resources: tuple[Value, ...]
    statements: tuple[Statement, ...]
    conditional: bool = False
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Part:
    """What a statement contributes to a principal's grants: its actions and its answer apart from them."""

    actions: tuple[Value, ...]
    not_action: bool
    rest: Applies


_Plan = tuple[tuple[str, tuple[int, ...], tuple[str, ...]], ...]  # action, allowing statements, conditions
# a principal's plan, the resources and statements of each of its keys, each lower-case action's entry in the plan
_Prepared = tuple[_Plan, dict[tuple[int, ...], tuple[tuple[Value, ...], tuple[Statement, ...]]], dict[str, int]]


def _plan(allows: tuple[_Part, ...], denies: tuple[_Part, ...], bounds: tuple[_Part, ...] | None) -> _Plan:
    """Each granted action with the indices of the ``allows`` granting it and the conditions it holds under
    (:meth:`IamEngine.grants`, from statement content only)."""
    # each action's allowing statements. An `Action: "*"` statement alone is ~22,000 actions: a first statement
    # naming each action once fills the table in one step, and later ones share their one-index key
    per_action: dict[str, tuple[int, ...]] = {}
    for i, part in enumerate(allows):
        actions = _actions_of(part.actions, part.not_action)
        if not per_action and len(set(actions)) == len(actions):
            per_action = dict.fromkeys(actions, (i,))
            continue
        alone = (i,)
        for action in actions:
            had = per_action.get(action)
            per_action[action] = alone if had is None else (*had, i)
    base: dict[tuple[int, ...], tuple[str, ...]] = {}
    unique: dict[tuple[int, ...], tuple[str, ...]] = {}
    out: list[tuple[str, tuple[int, ...], tuple[str, ...]]] = []
    for action, key in per_action.items():
        conditions = base.get(key)
        if conditions is None:
            sure = any(allows[i].rest.tri is Tri.TRUE for i in key)
            conditions = base[key] = () if sure else tuple(" and ".join(allows[i].rest.conditions) for i in key)
            unique[key] = tuple(dict.fromkeys(conditions))
        if not denies and bounds is None:
            out.append((action, key, unique[key]))
            continue
        conds = list(conditions)
        denied = False
        for d in denies:
            got = with_action(_action_tri(d, action), d.rest)
            if got.tri is Tri.TRUE:
                denied = True
                break
            if got.tri is Tri.UNKNOWN:
                conds.append("unless a Deny applies: " + " and ".join(got.conditions))
        if denied:
            continue
        if bounds is not None:
            limits = [with_action(_action_tri(b, action), b.rest) for b in bounds]
            if all(b.tri is Tri.FALSE for b in limits):
                continue
            if not any(b.tri is Tri.TRUE for b in limits):
                conds.append("the permissions boundary's conditions hold")
        out.append((action, key, tuple(dict.fromkeys(conds))))
    return tuple(out)


def _action_tri(part: _Part, action: str) -> Tri:
    """:func:`remit.iam.evaluate.action_matches` for a statement's part."""
    compiled = action_patterns(part.actions)
    found = Tri.TRUE if compiled.hit(action) else Tri.UNKNOWN if compiled.unknown else Tri.FALSE
    return ~found if part.not_action else found


class _Granted(Mapping[str, Grant]):
    """A principal's grants by lower-case action, made one by one as they are read (:meth:`IamEngine.granted`)."""

    def __init__(self, engine: IamEngine, principal: IamPrincipal, index: Mapping[str, int]) -> None:
        self._engine = engine
        self._principal = principal
        self._index = index

    def __getitem__(self, action: str) -> Grant:
        found = self._engine.grant(self._principal, action) if action in self._index else None
        if found is None:
            raise KeyError(action)
        return found

    def __contains__(self, action: object) -> bool:
        return action in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class IamEngine:
    """IAM answers for one application (see the module docstring)."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self._statements: dict[ResourceId, tuple[tuple[Statement, ...], tuple[Statement, ...] | None]] = {}
        self._answers: dict[tuple[ResourceId, str, tuple[str, ...]], Answer] = {}
        self._grants: dict[ResourceId, tuple[Grant, ...]] = {}
        self._exposures: dict[ResourceId, Exposure] = {}
        self._trust: dict[ResourceId, tuple[TrustEdge, ...]] = {}
        self._by_arn: dict[str, Entity] | None = None
        self._relevant: dict[tuple[object, str], tuple[Statement, ...]] = {}
        self._patterns: dict[tuple[str, object], tuple[str, str] | None] = {}
        self._probes: dict[ResourceId, tuple[str, ...]] = {}
        self._grant_index: dict[ResourceId, dict[str, Grant | None]] = {}  # grants asked for one by one
        self._prep: dict[ResourceId, _Prepared] = {}
        self._plan_index: dict[int, dict[str, int]] = {}  # per remembered plan: lower-case action -> its entry
        self._plans: dict[object, _Plan] = {}
        self._admins: dict[ResourceId, bool] = {}
        # a principal's remembered plan with the resources of each of its keys; and the administrator answer per
        # (plan, keys with "*" among their resources): many principals share a plan, and so that answer
        self._planned: dict[ResourceId, tuple[_Plan, dict[tuple[int, ...], tuple[Value, ...]]]] = {}
        self._admin_plans: dict[tuple[int, frozenset[tuple[int, ...]]], bool] = {}

    # -- helpers -------------------------------------------------------------------------------
    def _lookup(self, doc: str) -> arns.Lookup:
        def find(logical_id: str) -> Entity | None:
            return self.app.entity(ResourceId(doc, logical_id))

        return find

    def _policies(self, principal: IamPrincipal) -> tuple[tuple[Statement, ...], tuple[Statement, ...] | None]:
        found = self._statements.get(principal.id)
        if found is None:
            identity = tuple(st for p in self.app.principal_policies(principal) for st in p.statements)
            boundary = None
            if principal.boundary is not None and isinstance(principal.boundary.document, PolicyDocument):
                boundary = principal.boundary.statements  # an unknown boundary document limits nothing known
            found = (identity, boundary)
            self._statements[principal.id] = found
        return found

    def _entity_for_arn(self, arn: str) -> Entity | None:
        if self._by_arn is None:
            self._by_arn = {}
            for group in (self.app.stores, self.app.functions, self.app.roles, self.app.users, self.app.apis):
                for e in group:
                    if not arns.entity_name(e).startswith(arns.UNNAMED):
                        self._by_arn.setdefault(arns.entity_arn(e), e)
        found = self._by_arn.get(arn)
        if found is None and arn.startswith("arn:aws:s3:::") and "/" in arn:
            found = self._by_arn.get(arn.split("/", 1)[0])  # an object: its bucket's policy applies
        return found

    def target(self, resource: Entity | str | Value, doc: str | None = None) -> arns.Target:
        """The request resource for an entity, an ARN or a template value (written in ``doc``). An ARN with
        wildcards is what a caller names without fixing all of it (:func:`remit.iam.arns.request`): a name in
        the caller's own account and region, some object of a bucket."""
        if isinstance(resource, Entity):
            return arns.Target(self._entity_probes(resource), resource)
        if isinstance(resource, str):
            if resource.strip() == "*":
                return _ANY
            return self._named(resource)
        if isinstance(resource, (Symbol, Concat)) and doc is not None:
            lookup = self._lookup(doc)
            entity = None
            refs = [resource] if isinstance(resource, Symbol) else [p for p in resource.parts
                                                                     if isinstance(p, Symbol)]
            named = [s for s in refs if s.kind is SymbolKind.RESOURCE]
            if len(named) == 1:
                entity = lookup(named[0].name)
            found = arns.patterns(resource, lookup)
            if isinstance(resource, Symbol) and entity is not None:
                return arns.Target(arns.probes(entity), entity)
            if found is not None:
                return arns.Target((arns.request(found[0]),), entity)
        literal = text(resource) if not isinstance(resource, Entity) else None
        return arns.Target((arns.request(literal),)) if literal else _ANY

    def _named(self, arn: str) -> arns.Target:
        """The request resource for an ARN: the modelled entity it names, when there is one, with its probes."""
        asked = arns.request(arn)
        entity = self._entity_for_arn(asked.replace(arns.UNSURE, "*"))
        if entity is not None:
            return arns.Target((asked, *arns.probes(entity)), entity)
        return arns.Target((asked,))

    def _entity_probes(self, entity: Entity) -> tuple[str, ...]:
        found = self._probes.get(entity.id)
        if found is None:
            found = self._probes[entity.id] = arns.probes(entity)
        return found

    def _covers(self, doc: str, value: Value, targets: tuple[str, ...]) -> Tri:
        """:func:`remit.iam.arns.covers`, with each statement value written out once."""
        try:
            key: tuple[str, object] = (doc, value)
            found = self._patterns.get(key)
            if key not in self._patterns:
                found = self._patterns[key] = arns.patterns(value, self._lookup(doc))
        except TypeError:  # a list or mapping where a string belongs: not a resource
            return Tri.FALSE
        if found is None:
            return Tri.FALSE
        strict, loose = found
        if any(wildcard_match(strict, t) for t in targets):
            return Tri.TRUE
        if strict != loose and any(wildcard_match(loose, t) for t in targets):
            return Tri.UNKNOWN
        if any((arns.UNSURE in t or arns.SPELLED in t) and _may_overlap(loose, t) for t in targets):
            return Tri.UNKNOWN  # the request's resource is partly unknown (a parameter): it may be this one
        return Tri.FALSE

    def _only(self, key: object, statements: tuple[Statement, ...], action: str) -> tuple[Statement, ...]:
        """The statements whose (Not)Action may cover ``action``, remembered per holder and action."""
        cache_key = (key, action.lower())
        found = self._relevant.get(cache_key)
        if found is None:
            found = tuple(st for st in statements if action_matches(st, action) is not Tri.FALSE)
            if len(self._relevant) > 500_000:
                self._relevant.clear()
            self._relevant[cache_key] = found
        return found

    def _matchers(self, principal: IamPrincipal, target: arns.Target, doc: str) -> Matchers:
        lookup = self._lookup(doc)
        caller_arns = self._entity_probes(principal)

        def resource(value: Value) -> Tri:
            return self._covers(doc, value, target.arns)

        def who(p: Principal) -> Tri:
            if p.is_anyone:
                return Tri.TRUE
            if p.kind != "AWS":
                return Tri.FALSE
            if isinstance(p.value, Symbol) and p.value.kind is SymbolKind.RESOURCE:
                return Tri.of(p.value.name == principal.logical_id and doc == principal.id.doc)
            found = self._covers(doc, p.value, caller_arns)
            if found is not Tri.FALSE:
                return found
            return Tri.of(_is_account(p.value, lookup))  # the account: delegation to IAM (see can())

        return Matchers(resource, who)

    # -- questions -----------------------------------------------------------------------------
    def can(self, principal: IamPrincipal, action: str, resource: Entity | str | Value = "*") -> Answer:
        """Whether ``principal`` may perform ``action`` on ``resource`` (see :mod:`remit.iam.evaluate`)."""
        info = action_info(action)
        tgt = self.target(resource, principal.id.doc)
        if info is not None and not info.supports_resource_level:
            tgt = arns.Target(("*",), tgt.entity)  # the action takes Resource "*" only
        key = (principal.id, action.lower(), tgt.key)
        cached = self._answers.get(key)
        if cached is not None:
            return cached
        identity, boundary = self._policies(principal)
        identity = self._only(("id", principal.id), identity, action)
        if boundary is not None:
            boundary = self._only(("boundary", principal.id), boundary, action)
        rp: tuple[Statement, ...] = ()
        rp_doc = principal.id.doc
        required = False
        entity = tgt.entity
        if isinstance(entity, (DataStore, Api)) and entity.policy is not None:
            rp = self._only(("rp", entity.id), entity.policy.statements, action)
            rp_doc = entity.id.doc
        if rp:
            lookup = self._lookup(rp_doc)
            delegating = tuple(st for st in rp if st.allows and st.principals and not st.not_principal
                               and all(p.kind == "AWS" and _is_account(p.value, lookup) for p in st.principals))
            if isinstance(entity, KmsKey):
                # a key policy is the key's only gate: IAM policies count only when it delegates to the account
                delegated = any(action_matches(st, action) is not Tri.FALSE for st in delegating)
                required = not delegated
            rp = tuple(st for st in rp if st not in delegating)
        elif isinstance(entity, KmsKey) and entity.policy is not None:
            required = True
        matchers = self._matchers(principal, tgt, principal.id.doc)
        if rp and rp_doc != principal.id.doc:
            matchers = self._matchers(principal, tgt, rp_doc)
        answer = decide(action, identity=identity, resource_policy=rp, boundary=boundary, matchers=matchers,
                        context=_context(principal), resource_policy_required=required)
        if len(self._answers) > 500_000:
            self._answers.clear()
        self._answers[key] = answer
        return answer

    def grants(self, principal: IamPrincipal) -> tuple[Grant, ...]:
        """Every action the principal is allowed (on some resource), after explicit Deny and its boundary."""
        cached = self._grants.get(principal.id)
        if cached is not None:
            return cached
        plan, shared, _index = self._prepared(principal)
        result = tuple(Grant(action, *shared[key], bool(conditions), conditions) for action, key, conditions in plan)
        self._grants[principal.id] = result
        return result

    def _prepared(self, principal: IamPrincipal) -> _Prepared:
        """The principal's plan, the resources and statements of each of its keys, and where each (lower-case)
        action is in the plan: what :meth:`grants` makes its ``Grant`` objects from. An administrator-shaped
        principal's plan has ~22,000 actions; :meth:`grant`, :meth:`granted`, :meth:`is_admin` and
        :meth:`count_unconditional` answer from it without making them all."""
        found = self._prep.get(principal.id)
        if found is not None:
            return found
        identity, boundary = self._policies(principal)
        every = Matchers(lambda _v: Tri.TRUE)  # the grant's resources are kept as written
        ctx = RequestContext()
        # what does not depend on the action is asked once per statement (``rest``); which actions are granted
        # under which conditions depends only on the statements' actions and those answers, so that plan is
        # worked out once per distinct content (many roles carry the same policies) and only filled in here
        allows: list[tuple[Statement, Applies]] = []
        for st in identity:
            if st.allows:
                rest = applies_apart_from_action(st, every, ctx)
                if rest.tri is not Tri.FALSE:
                    compiled = action_patterns(st.actions)
                    allows.append((st, with_action(Tri.UNKNOWN if st.not_action and compiled.unknown else Tri.TRUE,
                                                   rest)))
        denies = [(st, applies_apart_from_action(st, Matchers(), ctx))  # a Deny of every resource ("*")
                  for st in identity if not st.allows]
        bounds = None
        if boundary is not None:
            bounds = tuple(_Part(b.actions, b.not_action, applies_apart_from_action(b, every, ctx))
                           for b in boundary if b.allows)
        content = (tuple(_Part(st.actions, st.not_action, got) for st, got in allows),
                   tuple(_Part(st.actions, st.not_action, rest) for st, rest in denies if rest.tri is not Tri.FALSE),
                   bounds)
        try:
            plan = self._plans.get(content)
            remember = True
        except TypeError:  # a list or mapping where an action belongs: not remembered
            plan, remember = None, False
        if plan is None:
            plan = _plan(*content)
            if remember:
                self._plans[content] = plan
        index = self._plan_index.get(id(plan)) if remember else None
        if index is None:
            index = {action.lower(): i for i, (action, _key, _conditions) in enumerate(plan)}
            if remember:
                self._plan_index[id(plan)] = index
        shared = {key: (_distinct(v for i in key for v in allows[i][0].resources), tuple(allows[i][0] for i in key))
                  for key in dict.fromkeys(key for _action, key, _conditions in plan)}
        found = self._prep[principal.id] = (plan, shared, index)
        if remember:
            self._planned[principal.id] = (plan, {key: common[0] for key, common in shared.items()})
        return found

    def grant(self, principal: IamPrincipal, action: str) -> Grant | None:
        """The principal's grant of one action (any case), as :meth:`grants` has it, or None."""
        built = self._grants.get(principal.id)
        made = self._grant_index.setdefault(principal.id, {})
        low = action.lower()
        if low in made:
            return made[low]
        plan, shared, index = self._prepared(principal)
        at = index.get(low)
        found: Grant | None = None
        if at is not None:
            if built is not None:
                found = built[at]
            else:
                name, key, conditions = plan[at]
                found = Grant(name, *shared[key], bool(conditions), conditions)
        made[low] = found
        return found

    def granted(self, principal: IamPrincipal) -> Mapping[str, Grant]:
        """The principal's grants by lower-case action (each made when it is first read)."""
        return _Granted(self, principal, self._prepared(principal)[2])

    def grants_beyond(self, other: IamPrincipal, principal: IamPrincipal,
                      wider: Callable[[tuple[Value, ...], tuple[Value, ...]], bool]) -> bool:
        """Whether ``other`` is granted something ``principal`` is not: an action, an action without the
        conditions the principal's grant of it has, or an action on resources for which ``wider(others',
        principal's)`` holds (asked once per pair of resource tuples). Read from both plans, without making
        either's ``Grant`` objects."""
        plan, shared, _index = self._prepared(other)
        mine, my_shared, my_index = self._prepared(principal)
        if len(plan) > len(my_index):
            return True  # one grant per action: the other holds an action the principal lacks
        asked: dict[tuple[tuple[int, ...], tuple[int, ...]], bool] = {}
        for action, key, conditions in plan:
            at = my_index.get(action.lower())
            if at is None:
                return True
            _mine, my_key, my_conditions = mine[at]
            if my_conditions and not conditions:
                return True
            pair = (key, my_key)
            found = asked.get(pair)
            if found is None:
                found = asked[pair] = wider(shared[key][0], my_shared[my_key][0])
            if found:
                return True
        return False

    def count_unconditional(self, principal: IamPrincipal, on: Callable[[tuple[Value, ...]], bool]) -> int:
        """How many actions the principal holds unconditionally on resources for which ``on`` holds (asked once
        per distinct tuple of resources)."""
        plan, shared, index = self._prepared(principal)
        asked: dict[tuple[int, ...], bool] = {}
        count = 0
        for at in index.values():
            _action, key, conditions = plan[at]
            if conditions:
                continue
            hit = asked.get(key)
            if hit is None:
                hit = asked[key] = on(shared[key][0])
            count += hit
        return count

    def is_admin(self, principal: IamPrincipal) -> bool:
        """Whether the principal is allowed every action on every resource, unconditionally (a grant of each
        action, with ``*`` among its resources). Decided without the whole catalog whenever some service is
        missing from the principal's unconditional grants, as every service has actions."""
        found = self._admins.get(principal.id)
        if found is None:
            found = self._admins[principal.id] = self._is_admin(principal)
        return found

    def _is_admin(self, principal: IamPrincipal) -> bool:
        every_service = services()
        if len(self._prepared(principal)[0]) < len(every_service):
            return False
        planned = self._planned.get(principal.id)
        if planned is not None:  # answered from the plan, once per plan and set of keys on "*"
            plan, resources = planned
            starred = frozenset(k for k, rs in resources.items() if any(text(r) == "*" for r in rs))
            memo = (id(plan), starred)
            found = self._admin_plans.get(memo)
            if found is None:
                found = self._admin_plans[memo] = _covers_all(
                    {action.lower() for action, key, conditions in plan if not conditions and key in starred})
            return found
        star: dict[int, bool] = {}  # grants share their resource tuples
        full: set[str] = set()
        for g in self.grants(principal):
            on_star = star.get(id(g.resources))
            if on_star is None:
                on_star = star[id(g.resources)] = any(text(r) == "*" for r in g.resources)
            if on_star and not g.conditional:
                full.add(g.action.lower())
        return _covers_all(full)

    def resources_for(self, principal: IamPrincipal, action: str) -> tuple[Entity, ...]:
        """The modelled entities ``action`` may touch for this principal (allowed or conditional)."""
        candidates: Sequence[Entity] = (*self.app.stores, *self.app.functions, *self.app.roles, *self.app.users,
                                        *self.app.apis, *self.app.log_groups)
        return tuple(e for e in candidates if self.can(principal, action, e).possible)

    def principals_that_can(self, action: str, resource: Entity | str | Value) -> \
            tuple[tuple[IamPrincipal, Answer], ...]:
        """Every role and user of the application that may perform ``action`` on ``resource``."""
        out: list[tuple[IamPrincipal, Answer]] = []
        for principal in (*self.app.roles, *self.app.users):
            answer = self.can(principal, action, resource)
            if answer.possible:
                out.append((principal, answer))
        return tuple(out)

    def exposure(self, entity: Entity) -> Exposure:
        """Who outside the account the entity's resource policy lets in (see :mod:`remit.iam.reach`)."""
        cached = self._exposures.get(entity.id)
        if cached is None:
            statements: tuple[Statement, ...] = ()
            if isinstance(entity, Function):
                statements = lambda_statements(self.app.permissions_of(entity))
            elif isinstance(entity, (DataStore, Api)) and entity.policy is not None:
                statements = entity.policy.statements
            cached = exposure_of(entity, statements)
            self._exposures[entity.id] = cached
        return cached

    def trusted_by(self, role: Role) -> tuple[TrustEdge, ...]:
        """Who may assume the role: anyone, any account, an account, a service, a federated identity (worked out
        once per role: the rules, the escalation catalog and the attack graph all ask)."""
        found = self._trust.get(role.id)
        if found is None:
            found = self._trust[role.id] = trust_edges(role)
        return found


def _covers_all(full: set[str]) -> bool:
    """Whether these (lower-case) actions are every action of the catalog; every service first, which is cheap."""
    if len({a.partition(":")[0] for a in full}) < len(services()):
        return False
    return len(full) >= len(expand("*"))


def _context(principal: IamPrincipal) -> RequestContext:
    """What is known of any request the principal makes: ``aws:username`` for a user with a written name (for
    policy variables such as ``arn:aws:s3:::home/${aws:username}/*``)."""
    name = text(principal.name) if isinstance(principal, User) else None
    return RequestContext({"aws:username": (name,)}) if name else RequestContext()


def _may_overlap(pattern: str, target: str) -> bool:
    """Whether a pattern may match a target whose unknown parts (``UNSURE``, a spelled deploy-time value) could
    be anything: their known beginnings agree, and so do their known ends."""
    unknown = f"[{arns.UNSURE}{arns.SPELLED}]"
    head = re.split(unknown, target, maxsplit=1)[0].lower()
    known = re.split(r"[*?]", pattern, maxsplit=1)[0].lower()
    if not (known.startswith(head) or head.startswith(known)):
        return False
    tail = re.split(unknown, target)[-1].lower()
    known_end = re.split(r"[*?]", pattern)[-1].lower()
    return known_end.endswith(tail) or tail.endswith(known_end)


def _is_account(value: Value, lookup: arns.Lookup) -> bool:
    """An account principal: an account id or ``arn:...:iam::<account>:root`` (own account's symbol included)."""
    found = arns.patterns(value, lookup)
    if found is None:
        return False
    strict = found[0]
    if strict.isdigit() and len(strict) == 12:
        return True
    return strict.startswith("arn:") and strict.endswith(":root") and ":iam::" in strict


def _actions_of(actions: tuple[Value, ...], not_action: bool) -> tuple[str, ...]:
    """The canonical actions a statement's Action names (NotAction: every action it does not name)."""
    try:
        return _cached_actions(actions, not_action)
    except TypeError:  # a list or mapping where a string belongs
        return _expand_actions(actions, not_action)


@lru_cache(maxsize=4096)
def _cached_actions(actions: tuple[Value, ...], not_action: bool) -> tuple[str, ...]:
    return _expand_actions(actions, not_action)


def _expand_actions(actions: tuple[Value, ...], not_action: bool) -> tuple[str, ...]:
    if not_action:
        compiled = action_patterns(actions)
        return tuple(a for a in expand("*") if not compiled.hit(a))
    out: list[str] = []
    for w in (t for t in (text(a) for a in actions) if t is not None):
        out.extend(expand(w))
    return tuple(dict.fromkeys(out))


def _distinct(values: Iterable[Value]) -> tuple[Value, ...]:
    """The values in order, each once (in linear time when they can be hashed)."""
    listed = list(values)
    try:
        return tuple(dict.fromkeys(listed))
    except TypeError:  # a list or mapping where a string belongs
        out: list[Value] = []
        for v in listed:
            if v not in out:
                out.append(v)
        return tuple(out)
