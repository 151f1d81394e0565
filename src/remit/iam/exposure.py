"""Who a resource policy lets in: the statements that open a resource to *anyone*, and what narrows them.

The questions rules ask of a resource policy (a bucket, queue, topic, bus, secret or key policy) are answered
here, as frozen values:

* :func:`exposures` - every ``Allow`` statement whose principal is anyone (``Principal: "*"``,
  ``Principal: {AWS: "*"}``, or ``NotPrincipal`` with ``Allow``: everyone but a few), each with the actions it
  opens and the :class:`Restriction` that narrows it, or ``None`` when nothing does;
* :func:`open_exposures` - the same, only those nothing narrows;
* :meth:`Exposure.covers` - whether an exposure opens one action (wildcards, ``NotAction`` and unconditional
  ``Deny`` statements for everyone taken into account).

A later IAM evaluator replaces how these answers are computed; callers depend only on the answers.

What narrows an ``Allow`` for anyone (decided from the IAM documentation on global condition keys and
condition operators, and documented here because it is a judgement):

* A **restricting condition** on the ``Allow`` itself: a condition key that names *who* is calling or *where*
  from (:data:`RESTRICTING_KEYS`), with a positive operator (``StringEquals``, ``StringEqualsIgnoreCase``,
  ``StringLike``, ``ArnEquals``, ``ArnLike``, ``IpAddress``, alone or with the ``ForAnyValue:`` qualifier) and
  only concrete values.
* A **Deny for everyone outside a condition**: a ``Deny`` statement for anyone, covering the ``Allow``'s
  actions and resources, whose only conditions are restricting keys under a negated operator
  (``StringNotEquals``, ``StringNotLike``, ``ArnNotEquals``, ``ArnNotLike``, ``NotIpAddress``, with or without
  ``IfExists`` or ``ForAllValues:``). Negated operators are true when the key is absent, so such a Deny also
  refuses callers that do not carry the key at all (an internet caller has no ``aws:SourceVpce``). A ``Deny``
  with ``NotPrincipal`` and no condition ("deny everyone but these principals") narrows the same way.

What does **not** narrow, on purpose:

* ``...IfExists`` forms of positive operators: when the key is absent from the request the condition is
  *true*. ``aws:SourceVpce`` is absent for an internet caller, ``aws:SourceArn`` for a direct caller,
  ``aws:SourceIp`` for a caller that comes through its own VPC endpoint, ``aws:PrincipalOrgID`` for an
  anonymous caller: each ``IfExists`` condition lets the outsider through.
* ``ForAllValues:`` positive operators: true for a request whose key holds no values at all.
* ``aws:SecureTransport``, ``aws:CurrentTime``, tags and other keys that say *how* or *when*, not *who*.
  Tags in particular (``aws:PrincipalTag``) are set by the caller's own account.
* ``kms:ViaService`` alone: it says through which service the key is used, not by whom; any account can ask
  that service to use the key for its own data. AWS's own key policies pair it with ``kms:CallerAccount``.
* ``aws:VpcSourceIp`` alone: private address ranges repeat in every VPC, an attacker's included.
* ``aws:username``: IAM user names are unique only within one account.
* Values that are wildcards where it matters: ``*``, an account or organization id containing ``*``/``?``, an
  ARN whose account field is a wildcard (``arn:aws:sns:*:*:*``: any topic of any account), an S3 ARN with a
  wildcard in the bucket name, an IP range wider than /8 (IPv4) or /16 (IPv6). A value computed at deployment
  (a ``!Ref``, an imported value) counts as concrete: the author named something specific.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from remit.iam.match import statement_matches_action, wildcard_match
from remit.model.policy import ConditionClause, PolicyDocument, Principal, Statement
from remit.model.values import Unknown, Value, render, text

__all__ = [
    "RESTRICTING_KEYS",
    "Exposure",
    "Restriction",
    "exposures",
    "open_exposures",
]


class _KeyKind(Enum):
    ID = "id"  # an account, organization, VPC or endpoint id: no wildcard at all
    ARN = "arn"  # an ARN: the account field (or, without one, the whole ARN) free of wildcards
    ORG_PATH = "org-path"  # o-xxxx/r-xxxx/ou-...: the organization id free of wildcards
    USER_ID = "user-id"  # AROAEXAMPLE:session: the unique id before ':' free of wildcards
    IP = "ip"  # a CIDR no wider than /8 (IPv4) or /16 (IPv6)


#: Condition keys (lower case) that name who calls or where from, and how to tell a concrete value.
RESTRICTING_KEYS: Mapping[str, _KeyKind] = {
    # the calling principal
    "aws:principalaccount": _KeyKind.ID,
    "aws:principalarn": _KeyKind.ARN,
    "aws:principalorgid": _KeyKind.ID,
    "aws:principalorgpaths": _KeyKind.ORG_PATH,
    "aws:userid": _KeyKind.USER_ID,
    "kms:calleraccount": _KeyKind.ID,
    # the resource on whose behalf an AWS service calls (confused-deputy protection)
    "aws:sourcearn": _KeyKind.ARN,
    "aws:sourceaccount": _KeyKind.ID,
    "aws:sourceowner": _KeyKind.ID,
    "aws:sourceorgid": _KeyKind.ID,
    "aws:sourceorgpaths": _KeyKind.ORG_PATH,
    # the network the request comes from
    "aws:sourcevpc": _KeyKind.ID,
    "aws:sourcevpce": _KeyKind.ID,
    "aws:sourcevpcarn": _KeyKind.ARN,
    "aws:sourceip": _KeyKind.IP,
    # S3 access points delegating from a bucket policy
    "s3:dataaccesspointaccount": _KeyKind.ID,
    "s3:dataaccesspointarn": _KeyKind.ARN,
}

_POSITIVE = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"})
_NEGATED = frozenset({"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike",
                      "notipaddress"})
_WILDCARDS = ("*", "?")


# ------------------------------------------------------------------------------------------------
# answers


@dataclass(frozen=True, slots=True)
class Restriction:
    """What keeps an ``Allow`` for anyone from being open: a condition on the statement itself, or a ``Deny``
    (``by``) that refuses everyone outside the condition."""

    key: str  # the condition key as written (``aws:SourceVpce``), or ``NotPrincipal``
    operator: str  # as written
    values: tuple[str, ...]  # rendered
    by: Statement | None = None  # the Deny statement that imposes it; None when it is on the Allow

    def describe(self) -> str:
        shown = ", ".join(self.values) if self.values else "?"
        if self.by is None:
            return f"only when {self.key} is {shown}"
        sid = f" ({self.by.sid})" if self.by.sid else ""
        if self.key == "NotPrincipal":
            return f"a Deny{sid} refuses everyone but {shown}"
        return f"a Deny{sid} refuses every request whose {self.key} is not {shown}"


@dataclass(frozen=True, slots=True)
class Exposure:
    """One ``Allow`` statement for anyone: what it opens and what (if anything) narrows it."""

    statement: Statement
    actions: tuple[str, ...]  # the Action (or NotAction) patterns as written
    not_action: bool
    restriction: Restriction | None
    excepted_principals: tuple[str, ...] = ()  # NotPrincipal with Allow: everyone but these
    _denied: tuple[Statement, ...] = field(default=(), repr=False, compare=False)

    @property
    def is_open(self) -> bool:
        """Nothing narrows who may use it."""
        return self.restriction is None

    def covers(self, action: str) -> bool:
        """Whether anyone may perform ``action`` through this statement (not cancelled by an unconditional
        Deny for everyone)."""
        if not statement_matches_action(self.statement, action):
            return False
        return not any(statement_matches_action(deny, action) for deny in self._denied)

    def covers_any(self, actions: Iterable[str]) -> tuple[str, ...]:
        """The actions of ``actions`` this exposure opens, in order."""
        return tuple(a for a in actions if self.covers(a))

    def describe_actions(self, limit: int = 6) -> str:
        shown = list(self.actions[:limit]) + ([f"{len(self.actions) - limit} more"] if len(self.actions) > limit
                                              else [])
        listed = ", ".join(shown) if shown else "no action"
        return f"every action except {listed}" if self.not_action else listed

    def describe_principal(self) -> str:
        if self.excepted_principals:
            return "anyone except " + ", ".join(self.excepted_principals)
        return "anyone"


def exposures(document: PolicyDocument | Unknown | None) -> tuple[Exposure, ...]:
    """Every ``Allow`` statement of a resource policy that names anyone as principal, with its restriction.

    An ``Allow`` entirely cancelled by unconditional ``Deny`` statements for everyone is left out.
    """
    if not isinstance(document, PolicyDocument):
        return ()
    denies = [s for s in document.statements if s.effect == "Deny"]
    unconditional = tuple(d for d in denies if not d.conditions and not d.not_principal
                          and any(p.is_anyone for p in d.principals))
    out: list[Exposure] = []
    for st in document.statements:
        if not st.allows or not _for_anyone(st):
            continue
        relevant = tuple(d for d in unconditional if _resources_cover(d, st))
        if relevant and all(any(_action_covers(d, a, st.not_action) for d in relevant)
                            for a in _patterns(st.actions)):
            continue  # every action it opens is denied to everyone, always
        restriction = _own_restriction(st) or _deny_restriction(st, denies)
        out.append(Exposure(st, _patterns(st.actions), st.not_action, restriction,
                            _excepted(st), relevant))
    return tuple(out)


def open_exposures(document: PolicyDocument | Unknown | None) -> tuple[Exposure, ...]:
    """:func:`exposures` that nothing narrows: anyone on the internet (any AWS account, or no account at all
    for services that accept anonymous requests) may perform their actions."""
    return tuple(e for e in exposures(document) if e.is_open)


# ------------------------------------------------------------------------------------------------
# how (replaceable)


def _patterns(values: tuple[Value, ...]) -> tuple[str, ...]:
    return tuple(render(v) for v in values)


def _for_anyone(st: Statement) -> bool:
    """The statement's principal includes anyone: ``*``, ``AWS: *``, or NotPrincipal (everyone but a few)."""
    if st.not_principal:
        return not any(p.is_anyone for p in st.principals)
    return any(p.is_anyone for p in st.principals)


def _excepted(st: Statement) -> tuple[str, ...]:
    return tuple(render(p.value) for p in st.principals) if st.not_principal else ()


def _split_operator(operator: str) -> tuple[str, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> (``foranyvalue``, ``stringlike``, True)."""
    qualifier, _, base = operator.rpartition(":")
    base = base.lower()
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base[: -len("ifexists")]
    return qualifier.lower(), base, if_exists


def _concrete(kind: _KeyKind, value: Value) -> bool:
    """Whether a condition value names something specific (see the module docstring)."""
    literal = text(value)
    if literal is None:
        if isinstance(value, (list, dict)) or value is None:
            return False
        literal = render(value)  # a symbol, a template string or an unknown: the author named something
        if "*" not in literal and "?" not in literal:
            return True
    literal = literal.strip()
    if not literal or all(c in "*?" for c in literal):
        return False
    wild = any(w in literal for w in _WILDCARDS)
    if kind is _KeyKind.ID:
        return not wild
    if kind is _KeyKind.USER_ID:
        head = literal.split(":", 1)[0]
        return bool(head) and not any(w in head for w in _WILDCARDS)
    if kind is _KeyKind.ORG_PATH:
        head = literal.split("/", 1)[0]
        return bool(head) and not any(w in head for w in _WILDCARDS)
    if kind is _KeyKind.ARN:
        if not wild:
            return True
        parts = literal.split(":", 5)
        account = parts[4] if len(parts) > 4 else ""
        return bool(account) and not any(w in account for w in _WILDCARDS)
    # IP
    if wild:
        return False
    try:
        network = ipaddress.ip_network(literal, strict=False)
    except ValueError:
        return "${" in literal  # a parameter or reference: trust the author; anything else is not an address
    return network.prefixlen >= (8 if network.version == 4 else 16)


def _restricting(clause: ConditionClause, operators: frozenset[str], *, deny: bool) -> bool:
    kind = RESTRICTING_KEYS.get(clause.key_lower)
    if kind is None or not clause.values:
        return False
    qualifier, base, if_exists = _split_operator(clause.operator)
    if base not in operators:
        return False
    if deny:
        if qualifier not in ("", "forallvalues"):
            return False
    elif if_exists or qualifier not in ("", "foranyvalue"):
        return False
    return all(_concrete(kind, v) for v in clause.values)


def _restriction(clause: ConditionClause, by: Statement | None) -> Restriction:
    return Restriction(clause.key, clause.operator, _patterns(clause.values), by)


def _own_restriction(st: Statement) -> Restriction | None:
    for clause in st.conditions:
        if _restricting(clause, _POSITIVE, deny=False):
            return _restriction(clause, None)
    return None


def _action_covers(deny: Statement, pattern: str, allow_not_action: bool) -> bool:
    """Whether the Deny's actions include every action the Allow pattern may stand for."""
    deny_patterns = _patterns(deny.actions)
    if allow_not_action:  # the Allow opens almost everything: only a Deny of everything covers it
        return not deny.not_action and any(_is_everything(p) for p in deny_patterns)
    if deny.not_action:
        return not any(wildcard_match(p, pattern) or wildcard_match(pattern, p) for p in deny_patterns)
    return any(_is_everything(p) or wildcard_match(p, pattern) for p in deny_patterns)


def _resources_cover(deny: Statement, allow: Statement) -> bool:
    if deny.not_resource:
        return False
    deny_patterns = _patterns(deny.resources)
    if any(_is_everything(p) for p in deny_patterns):
        return True
    if allow.not_resource or not allow.resources:
        return False
    return all(any(p == r or wildcard_match(p, r) for p in deny_patterns) for r in _patterns(allow.resources))


def _is_everything(pattern: str) -> bool:
    return pattern.strip() in ("*", "*:*")


def _deny_restriction(allow: Statement, denies: list[Statement]) -> Restriction | None:
    """A Deny that refuses everyone outside a restricting condition, for all the Allow's actions and
    resources."""
    for deny in denies:
        if not _resources_cover(deny, allow):
            continue
        if not all(_action_covers(deny, a, allow.not_action) for a in _patterns(allow.actions)):
            continue
        if deny.not_principal:
            named = [p for p in deny.principals if not p.is_anyone]
            if named and not deny.conditions:
                return Restriction("NotPrincipal", "Deny", tuple(_principal_text(p) for p in named), deny)
            continue
        if not any(p.is_anyone for p in deny.principals) or not deny.conditions:
            continue
        # every clause must restrict: an extra clause (aws:SecureTransport...) makes the Deny narrower
        if all(_restricting(c, _NEGATED, deny=True) for c in deny.conditions):
            return _restriction(deny.conditions[0], deny)
    return None


def _principal_text(p: Principal) -> str:
    return render(p.value)
