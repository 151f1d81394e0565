"""Who outside the account a resource policy lets in, and who may assume a role.

:func:`exposure_of` judges a resource policy (a bucket, queue, topic, bus, secret, key or REST API policy, or a
function's ``AWS::Lambda::Permission`` s read as statements) by asking, statement by statement, whether *an
outsider* can make a request that the ``Allow`` admits and no ``Deny`` refuses:

* the outsider is in no organization of yours, calls from no VPC or endpoint of yours, on behalf of no resource
  of yours: every *restricting* key (:data:`remit.iam.keys.RESTRICTING_KEYS`: ``aws:SourceArn``,
  ``aws:SourceAccount``, ``aws:PrincipalOrgID``, ``aws:SourceVpce``, ``aws:SourceIp``...) is either absent
  from their request or holds a value of theirs, which matches only patterns that are not concrete
  (``*``, an ARN with a wildcard account);
* every other key (``aws:SecureTransport``, ``lambda:FunctionUrlAuthType``, ``s3:prefix``, tags...) is the
  outsider's to choose, absent included.

Conditions are decided in Python per key and candidate value (each literal the policy names, one value of the
outsider's own, absent); z3 (imported on first need, with a timeout) then decides whether some choice satisfies
the ``Allow`` and none of the ``Deny`` statements that cover it. When each key appears once and no ``Deny``
applies, the answer is read directly, without z3. The answer names the clauses that keep the outsider out
(``restricted_by`` as people read them, ``kept_by`` as facts: the clause and the Deny that carries it) or that
the outsider must satisfy (``conditions``).

Two variations of the question: :func:`judge_action` asks it for one action (each ``Allow`` narrowed to it,
against the ``Deny`` statements that cover it), and ``inside`` names restricting keys whose values the outsider
holds (an anonymous caller on the right network holds any ``aws:SourceIp`` or ``aws:SourceVpce`` the policy
names, never a principal, an account or a source ARN).

The :class:`Reach` of a resource is the widest that holds: ``public`` (anyone, unsigned requests included, for
S3 buckets, REST APIs and function URLs), ``any-account`` (any AWS account), ``cross-account`` (a named
foreign account), ``service`` (an AWS service principal, pinned to a source or not), ``account`` (principals of
the owning account), ``none``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from remit.iam import arns
from remit.iam.conditions import RequestContext, Tri, describe, evaluate_clause, split_operator
from remit.iam.evaluate import action_matches
from remit.iam.keys import POSITIVE, RESTRICTING_KEYS, concrete
from remit.iam.match import wildcard_match
from remit.model.entities import Api, Bucket, Entity, LambdaPermission, Role
from remit.model.policy import ConditionClause, PolicyDocument, Principal, Statement
from remit.model.values import Value, may_be_absent, present_options, render, text

__all__ = ["Exposure", "Kept", "Reach", "TrustEdge", "Verdict", "anonymous_ok", "exposure_of", "judge_action",
           "judge_statements", "lambda_statements", "outsider_can", "pins", "trust_edges"]

Z3_TIMEOUT_MS = 2000
_OUTSIDER = "remit-outsider-value"
_OUTSIDER_IP = "198.51.100.23"


class Reach(StrEnum):
    PUBLIC = "public"
    ANY_ACCOUNT = "any-account"
    CROSS_ACCOUNT = "cross-account"
    ACCOUNT = "account"
    SERVICE = "service"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Kept:
    """A clause that keeps the outsider out: on the Allow itself (``deny`` is None) or on a Deny for everyone."""

    clause: ConditionClause
    deny: Statement | None = None

    @property
    def key(self) -> str:
        """The condition key, lower case."""
        return self.clause.key_lower


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether an outsider gets through one Allow statement."""

    reachable: bool
    conditions: tuple[str, ...] = ()  # clauses the outsider must (and can) satisfy
    restricted_by: tuple[str, ...] = ()  # clauses that keep the outsider out, as people read them
    method: str = "direct"  # "direct" or "z3"
    kept_by: tuple[Kept, ...] = ()  # the restricting clauses among them, as facts

    @property
    def restricted_keys(self) -> tuple[str, ...]:
        """The lower-case keys of the clauses that keep the outsider out, each once."""
        return tuple(dict.fromkeys(k.key for k in self.kept_by))


@dataclass(frozen=True, slots=True)
class Exposure:
    """The verdict on one resource policy."""

    reach: Reach
    conditions: tuple[str, ...] = ()  # what restricts (or, when reachable, what a caller must satisfy)
    actions: tuple[str, ...] = ()  # the actions opened at this reach, as written
    statements: tuple[Statement, ...] = ()
    accounts: tuple[str, ...] = ()  # named foreign accounts (cross-account)
    services: tuple[str, ...] = ()  # service principals (service)
    restricted_by: tuple[str, ...] = ()  # clauses that keep anyone/any account out of other statements

    @property
    def open(self) -> bool:
        return self.reach in (Reach.PUBLIC, Reach.ANY_ACCOUNT)

    def describe(self) -> str:
        who = {Reach.PUBLIC: "anyone on the internet", Reach.ANY_ACCOUNT: "any AWS account",
               Reach.CROSS_ACCOUNT: "account(s) " + ", ".join(self.accounts),
               Reach.SERVICE: "service(s) " + ", ".join(self.services),
               Reach.ACCOUNT: "principals of the owning account", Reach.NONE: "no one"}[self.reach]
        out = f"{self.reach.value}: {who}"
        if self.actions:
            out += " may " + ", ".join(self.actions[:6]) + (" ..." if len(self.actions) > 6 else "")
        if self.conditions:
            out += " when " + "; ".join(self.conditions)
        if self.restricted_by:
            out += " (anyone else is kept out by " + "; ".join(self.restricted_by) + ")"
        return out


@dataclass(frozen=True, slots=True)
class TrustEdge:
    """Someone a role's trust policy lets assume it."""

    kind: str  # anyone, account, principal, service, federated
    value: str  # as written ("*", an account id, "lambda.amazonaws.com"...)
    statements: tuple[Statement, ...]
    conditions: tuple[str, ...] = ()
    restricted: bool = False  # a condition pins who (source ARN/account, audience, organization...)
    restricted_by: tuple[str, ...] = ()  # the clauses that pin who (or keep an outsider out), as people read them
    account: str | None = None  # account/principal edges: the account id named, "self" for the template's own


# ------------------------------------------------------------------------------------------------
# principals


def _for_anyone(st: Statement) -> bool:
    if st.not_principal:
        return not any(p.is_anyone for p in st.principals)
    return any(p.is_anyone for p in st.principals)


def _account_of(p: Principal) -> str | None:
    """The account an AWS principal value names: a literal account id, ``self`` for the template's own."""
    shown = render(p.value)
    if "AWS::AccountId" in shown:
        return "self"
    if shown.isdigit() and len(shown) == 12:
        return shown
    parts = shown.split(":")
    if len(parts) >= 6 and parts[2] == "iam" and parts[4].isdigit():
        return parts[4]
    return None


def lambda_statements(permissions: Iterable[LambdaPermission]) -> tuple[Statement, ...]:
    """A function's ``AWS::Lambda::Permission`` s as resource-policy statements (a property that a template
    condition may remove does not count as a condition)."""
    out: list[Statement] = []
    for perm in permissions:
        clauses: list[ConditionClause] = []
        for key, op, value in (("AWS:SourceArn", "ArnLike", perm.source_arn),
                               ("AWS:SourceAccount", "StringEquals", perm.source_account),
                               ("aws:PrincipalOrgID", "StringEquals", perm.principal_org_id),
                               ("lambda:FunctionUrlAuthType", "StringEquals", perm.function_url_auth_type),
                               ("lambda:EventSourceToken", "StringEquals", perm.event_source_token)):
            if value is not None and not may_be_absent(value):
                clauses.append(ConditionClause(op, key, tuple(present_options(value))))
        for option in present_options(perm.principal):
            shown = text(option)
            if shown == "*":
                principal = Principal("*", "*")
            elif shown is not None and "." in shown and not shown.startswith("arn:"):
                principal = Principal("Service", option)
            else:
                principal = Principal("AWS", option)
            out.append(Statement("Allow", (perm.action,), ("*",), perm.at("Principal"), principals=(principal,),
                                 has_principal=True, conditions=tuple(clauses)))
    return tuple(out)


# ------------------------------------------------------------------------------------------------
# the outsider question


def _candidates(key: str, clauses: Sequence[ConditionClause], inside: frozenset[str]) -> list[str | None]:
    """Values an outsider's request may carry for ``key`` (None: absent)."""
    if key in RESTRICTING_KEYS and key not in inside:
        return [_OUTSIDER, None]
    values: list[str | None] = []
    for c in clauses:
        for v in c.values:
            t = text(v)
            _, base, _ = split_operator(c.operator)
            if t is not None and "ipaddress" in base:
                with contextlib.suppress(ValueError):  # a range: an address inside it
                    t = str(ipaddress.ip_network(t, strict=False).network_address)
            if t is not None and t not in values:
                values.append(t)
                if base.startswith(("numeric", "date")):
                    try:
                        n = float(t)
                        values.extend(str(x) for x in (n - 1, n + 1))
                    except ValueError:
                        pass
    values.append(_OUTSIDER_IP if "ip" in key else _OUTSIDER)
    values.append(None)
    return values


def _truth(clause: ConditionClause, value: str | None, deny: bool, inside: frozenset[str]) -> bool:
    """Whether ``clause`` holds for an outsider whose request carries ``value`` (None: absent)."""
    key = clause.key_lower
    kind = RESTRICTING_KEYS.get(key) if key not in inside else None
    if value is not None and kind is not None:
        _, base, _ = split_operator(clause.operator)
        if base == "null":
            return any((text(v) or "").lower() == "false" for v in clause.values)
        matches = [not concrete(kind, v) for v in clause.values]  # the outsider's own value fits these
        negated = base.startswith(("stringnot", "arnnot", "notip"))
        return all(not m for m in matches) if negated else any(matches)
    ctx = RequestContext({key: (value,)} if value is not None else {}, complete=True)
    result = evaluate_clause(clause, ctx)
    if result is Tri.UNKNOWN:
        return not deny  # a value computed at deployment: assume the Allow holds and the Deny does not
    return result is Tri.TRUE


def outsider_can(allow: Statement, denies: Sequence[Statement], inside: frozenset[str] = frozenset()) -> Verdict:
    """Whether an outsider can satisfy ``allow`` while none of ``denies`` applies (see the module docstring);
    ``inside``: restricting keys (lower case) whose values the outsider holds."""
    clauses = list(allow.conditions) + [c for d in denies for c in d.conditions]
    by_key: dict[str, list[ConditionClause]] = {}
    for c in clauses:
        by_key.setdefault(c.key_lower, []).append(c)
    if any(not d.conditions for d in denies):
        return Verdict(False, restricted_by=tuple(_deny_label(d) for d in denies if not d.conditions))
    candidates = {k: _candidates(k, cs, inside) for k, cs in by_key.items()}
    tables: dict[int, list[bool]] = {}
    for c in clauses:
        deny = c not in allow.conditions
        tables[id(c)] = [_truth(c, v, deny, inside) for v in candidates[c.key_lower]]
    restricting = [c for c in allow.conditions if not any(tables[id(c)])]
    if restricting:
        return Verdict(False, restricted_by=tuple(describe(c) for c in restricting),
                       kept_by=tuple(Kept(c) for c in restricting))
    if not denies and all(len(cs) == 1 for cs in by_key.values()):
        return Verdict(True, _needs(allow, candidates, tables, inside))
    solved = _solve(allow, denies, candidates, tables)
    if solved is None or solved is True:
        return Verdict(True, ("remit could not decide the conditions in time",), method="z3")
    if solved is False:
        kept = [Kept(c, d) for d in denies for c in d.conditions if _restricts(c.key_lower, inside)]
        kept += [Kept(c) for c in allow.conditions if _restricts(c.key_lower, inside)]
        blocking = tuple(dict.fromkeys(describe(k.clause) for k in kept))
        return Verdict(False, restricted_by=blocking or ("the Deny statements",), method="z3", kept_by=tuple(kept))
    return Verdict(True, _needs(allow, candidates, tables, inside, solved), method="z3")


def _restricts(key: str, inside: frozenset[str]) -> bool:
    return key in RESTRICTING_KEYS and key not in inside


def _deny_label(d: Statement) -> str:
    return f"the Deny{' ' + d.sid if d.sid else ''} for everyone"


def _needs(allow: Statement, candidates: dict[str, list[str | None]], tables: dict[int, list[bool]],
           inside: frozenset[str], chosen: dict[str, int] | None = None) -> tuple[str, ...]:
    """The Allow's clauses that an outsider satisfies only by choosing a value (not by default)."""
    out = []
    for c in allow.conditions:
        values = candidates[c.key_lower]
        idx = chosen.get(c.key_lower) if chosen else None
        if idx is None:
            idx = next(i for i, ok in enumerate(tables[id(c)]) if ok)
        if values[idx] is not None or _restricts(c.key_lower, inside):
            out.append(describe(c))
    return tuple(out)


def _solve(allow: Statement, denies: Sequence[Statement], candidates: dict[str, list[str | None]],
           tables: dict[int, list[bool]]) -> dict[str, int] | bool | None:
    """A choice of candidate per key satisfying the Allow and no Deny (its indices), False when there is none,
    None when the solver gave up. Uses z3 when importable; otherwise enumerates (small products only)."""
    try:
        import z3  # type: ignore[import-untyped]  # noqa: PLC0415 - heavy, and needed only for policies with interacting conditions
    except ImportError:  # pragma: no cover - z3-solver is a dependency
        return _enumerate(allow, denies, candidates, tables)
    variables = {k: z3.Int(f"k{i}") for i, k in enumerate(candidates)}
    solver = z3.Solver()
    solver.set("timeout", Z3_TIMEOUT_MS)
    for k, var in variables.items():
        solver.add(var >= 0, var < len(candidates[k]))

    def clause(c: ConditionClause) -> Any:
        var = variables[c.key_lower]
        return z3.Or([var == i for i, ok in enumerate(tables[id(c)]) if ok] or [z3.BoolVal(False)])

    solver.add(z3.And([clause(c) for c in allow.conditions] or [z3.BoolVal(True)]))
    for d in denies:
        solver.add(z3.Not(z3.And([clause(c) for c in d.conditions])))
    result = solver.check()
    if result == z3.sat:
        model = solver.model()
        return {k: model.eval(var, model_completion=True).as_long() for k, var in variables.items()}
    if result == z3.unsat:
        return False
    return None


def _enumerate(allow: Statement, denies: Sequence[Statement], candidates: dict[str, list[str | None]],
               tables: dict[int, list[bool]]) -> dict[str, int] | bool | None:
    keys = list(candidates)
    sizes = [range(len(candidates[k])) for k in keys]
    total = 1
    for s in sizes:
        total *= len(s)
    if total > 100_000:
        return None
    for combo in itertools.product(*sizes):
        chosen = dict(zip(keys, combo, strict=True))
        if all(tables[id(c)][chosen[c.key_lower]] for c in allow.conditions) and not any(
                all(tables[id(c)][chosen[c.key_lower]] for c in d.conditions) for d in denies):
            return chosen
    return False


# ------------------------------------------------------------------------------------------------
# one resource


def anonymous_ok(entity: Entity, st: Statement) -> bool:
    if isinstance(entity, (Bucket, Api)):
        return True
    return any(c.key_lower == "lambda:functionurlauthtype" and any(text(v) == "NONE" for v in c.values)
               for c in st.conditions)


def _patterns(values: tuple[Value, ...]) -> tuple[str, ...]:
    return tuple(render(v) for v in values)


def _is_everything(pattern: str) -> bool:
    return pattern.strip() in ("*", "*:*")


def _action_covers(deny: Statement, pattern: str, allow_not_action: bool) -> bool:
    """Whether the Deny's actions include every action the Allow pattern may stand for."""
    deny_patterns = _patterns(deny.actions)
    if allow_not_action:  # the Allow opens almost everything: only a Deny of everything covers it
        return not deny.not_action and any(_is_everything(p) for p in deny_patterns)
    if deny.not_action:
        return not any(wildcard_match(p, pattern) or wildcard_match(pattern, p) for p in deny_patterns)
    return any(_is_everything(p) or wildcard_match(p, pattern) for p in deny_patterns)


def _resources_cover(deny: Statement, allow: Statement) -> bool:
    """Whether the Deny's resources include every resource of the Allow."""
    if deny.not_resource:
        return False
    deny_patterns = _patterns(deny.resources)
    if any(_is_everything(p) for p in deny_patterns):
        return True
    if allow.not_resource or not allow.resources:
        return False
    return all(any(p == r or wildcard_match(p, r) for p in deny_patterns) for r in _patterns(allow.resources))


def _covering_denies(allow: Statement, denies: Sequence[Statement]) -> list[Statement]:
    """Denies for everyone that cover all of the Allow's actions and resources."""
    out = []
    for d in denies:
        if d.not_principal:
            if any(p.is_anyone for p in d.principals) or d.conditions:
                continue
            # "deny everyone but these": the outsider is not among them
            if _resources_cover(d, allow) and all(_action_covers(d, render(a), allow.not_action)
                                                  for a in allow.actions):
                out.append(Statement(d.effect, d.actions, d.resources, d.node, d.not_action, d.not_resource,
                                     (), False, True, (), d.sid, d.when))
            continue
        if not any(p.is_anyone for p in d.principals):
            continue
        if d.when:
            continue  # a Deny that a template condition may remove does not count
        if _resources_cover(d, allow) and all(_action_covers(d, render(a), allow.not_action) for a in allow.actions):
            out.append(d)
    return out


def judge_statements(statements: Sequence[Statement], inside: frozenset[str] = frozenset()) \
        -> tuple[tuple[Statement, Verdict], ...]:
    """Every ``Allow`` for anyone (``*``, ``AWS: *``, ``NotPrincipal``) with the outsider's verdict (``inside``:
    restricting keys whose values the outsider holds)."""
    denies = [st for st in statements if not st.allows]
    return tuple((st, outsider_can(st, _covering_denies(st, denies), inside)) for st in statements
                 if st.allows and _for_anyone(st))


def judge_action(statements: Sequence[Statement], action: str, inside: frozenset[str] = frozenset()) \
        -> tuple[tuple[Statement, Verdict], ...]:
    """:func:`judge_statements` for one action: each ``Allow`` for anyone whose actions may include ``action``,
    narrowed to it, so that a ``Deny`` for everyone of that action alone (``s3:PutObject`` out of ``s3:*``)
    counts. The statements returned are the narrowed ones."""
    narrowed = [st if not st.allows else replace(st, actions=(action,), not_action=False)
                for st in statements if not st.allows or action_matches(st, action) is not Tri.FALSE]
    return judge_statements(narrowed, inside)


def exposure_of(entity: Entity, statements: Sequence[Statement]) -> Exposure:
    """The widest reach of a resource policy (see the module docstring)."""
    allows = [st for st in statements if st.allows]
    judged = judge_statements(statements)
    open_ = [(st, v) for st, v in judged if v.reachable]
    kept = tuple(dict.fromkeys(c for _, v in judged if not v.reachable for c in v.restricted_by))
    if open_:
        public = any(anonymous_ok(entity, st) for st, _ in open_)
        return Exposure(Reach.PUBLIC if public else Reach.ANY_ACCOUNT,
                        tuple(dict.fromkeys(c for _, v in open_ for c in v.conditions)),
                        _actions(st for st, _ in open_), tuple(st for st, _ in open_), restricted_by=kept)
    cross = [(st, acc) for st in allows if not st.not_principal for p in st.principals if p.kind == "AWS"
             for acc in [_account_of(p)] if acc not in (None, "self", arns.ACCOUNT)]
    if cross:
        return Exposure(Reach.CROSS_ACCOUNT, _clauses(st for st, _ in cross), _actions(st for st, _ in cross),
                        tuple(dict.fromkeys(st for st, _ in cross)),
                        accounts=tuple(dict.fromkeys(str(a) for _, a in cross)), restricted_by=kept)
    service = [(st, render(p.value)) for st in allows if not st.not_principal for p in st.principals
               if p.kind == "Service"]
    if service:
        return Exposure(Reach.SERVICE, _clauses(st for st, _ in service), _actions(st for st, _ in service),
                        tuple(dict.fromkeys(st for st, _ in service)),
                        services=tuple(dict.fromkeys(s for _, s in service)), restricted_by=kept)
    own = [st for st in allows if st.principals]
    if own or kept:
        return Exposure(Reach.ACCOUNT, (), _actions(own), tuple(own), restricted_by=kept)
    return Exposure(Reach.NONE)


def _actions(statements: Iterable[Statement]) -> tuple[str, ...]:
    out: list[str] = []
    for st in statements:
        out.extend(("not " if st.not_action else "") + render(a) for a in st.actions)
    return tuple(dict.fromkeys(out))


def _clauses(statements: Iterable[Statement]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(describe(c) for st in statements for c in st.conditions))


# ------------------------------------------------------------------------------------------------
# trust

_ASSUME = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
#: Keys that pin who assumes a role, per kind of trusted principal (lower case).
_PIN_CALLER = frozenset({"sts:externalid", "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn",
                         "aws:principalaccount", "aws:userid"})
_PIN_SERVICE = frozenset({"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths",
                          "aws:sourceowner", "sts:externalid"})


def _specific(value: Value) -> bool:
    """A condition value that names something: not empty, not only wildcards (a template value counts)."""
    literal = text(value)
    if literal is None:
        return not isinstance(value, (list, dict)) and value is not None
    literal = literal.strip()
    return bool(literal) and not all(c in "*?" for c in literal)


def pins(clause: ConditionClause) -> bool:
    """Whether a clause pins its key to specific values: a positive operator (not ``...IfExists``), every value
    concrete (:data:`remit.iam.keys.RESTRICTING_KEYS` rules for their keys, otherwise not only wildcards)."""
    _, base, if_exists = split_operator(clause.operator)
    if if_exists or base not in POSITIVE or not clause.values:
        return False
    kind = RESTRICTING_KEYS.get(clause.key_lower)
    return all(concrete(kind, v) if kind is not None else _specific(v) for v in clause.values)


def _pinned(st: Statement, keys: Callable[[str], bool]) -> tuple[str, ...]:
    return tuple(describe(c) for c in st.conditions if keys(c.key_lower) and pins(c))


GITHUB = "token.actions.githubusercontent.com"
COGNITO = "cognito-identity.amazonaws.com"
_WILD = ("*", "?")


def _pinned_key(clauses: Sequence[ConditionClause], key: str) -> list[ConditionClause]:
    return [c for c in clauses if c.key_lower == key and pins(c)]


def _owner_wild(sub: str) -> bool:
    """``repo:*``, ``*``, ``repo:*/app:*``: the owner part is a wildcard."""
    if not sub.startswith("repo:"):
        return all(c in "*?" for c in sub.split(":", 1)[0])
    owner = sub[len("repo:"):].split("/", 1)[0]
    return not owner or any(w in owner for w in _WILD)


def web_identity_gap(provider: str, clauses: Sequence[ConditionClause]) -> str:
    """Why a trust in a web identity provider lets in identities anyone can get ("" when it pins them):
    GitHub Actions needs a ``sub`` naming a repository owner (``aud`` alone restricts nothing: every workflow
    of every repository can get a ``sts.amazonaws.com`` token); Cognito identity pools need an ``aud`` naming
    the pool. Other providers are judged by their pinned claims (:func:`trust_edges`)."""
    value = provider.lower()
    if GITHUB in value:
        subs = _pinned_key(clauses, GITHUB + ":sub")
        if not subs:
            return f"with no {GITHUB}:sub condition naming a repository (aud alone restricts nothing)"
        open_ = [v for c in subs for v in (text(x) for x in c.values) if v is not None and _owner_wild(v)]
        if open_:
            return f"whose {GITHUB}:sub condition ({', '.join(open_)}) has a wildcard repository owner"
        return ""
    if value == COGNITO and not _pinned_key(clauses, COGNITO + ":aud"):
        return f"with no StringEquals {COGNITO}:aud condition naming your identity pool"
    return ""


def _provider_key(value: str) -> Callable[[str], bool]:
    """Condition keys of a federated provider: ``<host>:aud``, ``<host>:sub``... (host as in the provider ARN)."""
    host = value.rsplit("oidc-provider/", 1)[-1].lower()
    named = "oidc-provider/" in value or "${" not in value  # otherwise a reference: the host is not known

    def of_provider(key: str) -> bool:
        if "saml-provider/" in value:
            return key.startswith("saml:")
        if named and key.startswith(host + ":"):
            return True
        return not named and key.endswith((":aud", ":sub", ":amr", ":app_id", ":oaud"))

    return of_provider


def trust_edges(role: Role) -> tuple[TrustEdge, ...]:
    """Who the role's trust policy lets assume it.

    ``anyone`` edges (``*``, ``AWS: *``, ``NotPrincipal``) are judged like a resource policy's Allow for
    anyone (:func:`outsider_can`, with the trust policy's Deny statements for everyone): restricted when an
    outside account cannot meet the conditions (``aws:PrincipalOrgID``, a concrete ``aws:PrincipalArn``...),
    not when it can (``sts:ExternalId``, ``aws:MultiFactorAuthPresent``, a ``PrincipalArn`` with a wildcard
    account). Other edges are restricted when a clause pins the caller: ``sts:ExternalId``, the caller's
    organization, ARN or account for accounts and principals; ``aws:SourceArn``/``SourceAccount`` (or
    ``sts:ExternalId``) for services; the provider's claims (``aud``, ``sub``, ``amr``) for federated ones.
    """
    if not isinstance(role.trust, PolicyDocument):
        return ()
    out: list[TrustEdge] = []
    statements = role.trust.statements
    for st in statements:
        assumed = [a for a in _ASSUME if action_matches(st, a) is not Tri.FALSE]
        if not st.allows or not assumed:
            continue
        denies = [d for d in statements if not d.allows and not d.not_principal and not d.when
                  and any(p.is_anyone for p in d.principals)
                  and all(action_matches(d, a) is Tri.TRUE for a in assumed)]
        if any(not d.conditions for d in denies):
            continue
        conditions = tuple(describe(c) for c in st.conditions)
        for p in st.principals:
            value = render(p.value)
            account: str | None = None
            if p.is_anyone or st.not_principal:
                kind = "anyone"
                verdict = outsider_can(st, denies)
                restricted, restricted_by = not verdict.reachable, verdict.restricted_by
            elif p.kind == "Service":
                kind = "service"
                restricted_by = _pinned(st, _PIN_SERVICE.__contains__)
                restricted = bool(restricted_by)
            elif p.kind == "Federated":
                kind = "federated"
                restricted_by = _pinned(st, _provider_key(value))
                restricted = bool(restricted_by) and not web_identity_gap(value, st.conditions)
            else:
                account = _account_of(p)
                whole = value.endswith((":root", "AccountId}")) or value.isdigit()
                kind = "account" if account is not None and whole else "principal"
                restricted_by = _pinned(st, _PIN_CALLER.__contains__)
                restricted = bool(restricted_by)
            out.append(TrustEdge(kind, value, (st,), conditions, restricted, restricted_by, account))
    return tuple(out)
