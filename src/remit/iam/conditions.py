"""IAM condition operators, evaluated three-valued against what remit knows of a request.

A request context maps condition keys (lower case) to their values. When the context is *complete*, a key it
does not list is absent from the request; otherwise an unlisted key is unknown and every clause on it answers
:attr:`Tri.UNKNOWN` — the usual case offline, where the clause then becomes a condition of the answer.

Semantics follow the IAM reference: a positive operator on an absent key is false and a negated one
(``StringNotEquals``, ``NotIpAddress``, ``ArnNotLike``...) true; ``...IfExists`` makes an absent key true;
``ForAnyValue:`` is true when some request value satisfies the operator (false for an absent or empty key),
``ForAllValues:`` when every request value does (true for an absent or empty key); ``Null: true`` holds when the
key is absent. ``StringLike`` and ``ArnLike`` are case-sensitive globs, ``ArnLike`` field by field. Policy
variables (``${aws:username}``, ``${aws:PrincipalTag/team}``) in values are replaced from the context; ``${*}``,
``${?}`` and ``${$}`` stand for the literal characters.

Time keys (``aws:CurrentTime``, ``aws:EpochTime``, ``aws:TokenIssueTime``) that a request does not state are
decided against the scan's moment (:func:`clock`, the ``--now`` option; else the system clock): a grant whose
window has closed does not hold, one whose window opens later is unknown (conditional), one open now holds.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum

from remit.iam.match import glob_match
from remit.model.policy import ConditionClause
from remit.model.values import render, text

__all__ = ["RequestContext", "Tri", "describe", "evaluate_clause", "split_operator", "substitute"]


class Tri(Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    def __and__(self, other: Tri) -> Tri:
        if self is Tri.FALSE or other is Tri.FALSE:
            return Tri.FALSE
        if self is Tri.UNKNOWN or other is Tri.UNKNOWN:
            return Tri.UNKNOWN
        return Tri.TRUE

    def __or__(self, other: Tri) -> Tri:
        if self is Tri.TRUE or other is Tri.TRUE:
            return Tri.TRUE
        if self is Tri.UNKNOWN or other is Tri.UNKNOWN:
            return Tri.UNKNOWN
        return Tri.FALSE

    def __invert__(self) -> Tri:
        return {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN}[self]

    @staticmethod
    def of(value: bool) -> Tri:
        return Tri.TRUE if value else Tri.FALSE


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What is known of a request's condition keys (lower-case names)."""

    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    complete: bool = False  # True: a key not in ``values`` is absent from the request

    def lookup(self, key: str) -> tuple[str, ...] | None:
        """The key's values; ``()`` when absent; None when unknown."""
        found = self.values.get(key.lower())
        if found is not None:
            return found
        return () if self.complete else None


_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def substitute(value: str, context: RequestContext) -> str | None:
    """``value`` with policy variables replaced; None when a variable's value is not known. A variable with a
    default (``${aws:username, 'none'}``) takes it when the key is absent."""
    if "${" not in value:
        return value
    failed = False

    def one(m: re.Match[str]) -> str:
        nonlocal failed
        inner = m.group(1).strip()
        if inner in _ESCAPES:
            return _ESCAPES[inner]
        name, _, default = inner.partition(",")
        found = context.lookup(name.strip())
        if found:
            return found[0]
        if found == () and default:
            return default.strip().strip("'\"")
        failed = True
        return ""

    out = _VARIABLE.sub(one, value)
    return None if failed else out


def split_operator(operator: str) -> tuple[str, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> (``foranyvalue``, ``stringlike``, True)."""
    qualifier, _, base = operator.rpartition(":")
    base = base.lower()
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base[: -len("ifexists")]
    return qualifier.lower(), base, if_exists


_NEGATED = {"stringnotequals": "stringequals", "stringnotequalsignorecase": "stringequalsignorecase",
            "stringnotlike": "stringlike", "arnnotequals": "arnequals", "arnnotlike": "arnlike",
            "notipaddress": "ipaddress", "numericnotequals": "numericequals", "datenotequals": "dateequals"}


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _date(value: str) -> float | None:
    number = _number(value)
    if number is not None:
        return number
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _arn_like(pattern: str, value: str) -> bool:
    p_parts = pattern.split(":", 5)
    v_parts = value.split(":", 5)
    if len(p_parts) != len(v_parts):
        return len(p_parts) < 6 and glob_match(pattern, value)
    return all(glob_match(p, v) for p, v in zip(p_parts, v_parts, strict=True))


def _compare(base: str, wanted: str, actual: str) -> bool | None:
    """One positive comparison; None when the operator is not one remit knows or a value does not parse."""
    if base == "stringequals":
        return wanted == actual
    if base == "stringequalsignorecase":
        return wanted.lower() == actual.lower()
    if base == "stringlike":
        return glob_match(wanted, actual)
    if base in ("arnequals", "arnlike"):
        return _arn_like(wanted, actual)
    if base == "bool":
        return wanted.lower() == actual.lower()
    if base == "binaryequals":
        return wanted == actual
    if base == "ipaddress":
        try:
            return ipaddress.ip_address(actual) in ipaddress.ip_network(wanted, strict=False)
        except ValueError:
            return None
    if base.startswith(("numeric", "date")):
        conv = _number if base.startswith("numeric") else _date
        a, w = conv(actual), conv(wanted)
        if a is None or w is None:
            return None
        op = base.removeprefix("numeric").removeprefix("date")
        return {"equals": a == w, "lessthan": a < w, "lessthanequals": a <= w, "greaterthan": a > w,
                "greaterthanequals": a >= w}.get(op)
    return None


#: the moment time conditions are decided against: the scan's ``--now``, else the clock when asked
_NOW: ContextVar[float | None] = ContextVar("remit_now", default=None)
#: condition keys that hold the time of the request (or of the credentials it is signed with)
TIME_KEYS = frozenset({"aws:currenttime", "aws:epochtime", "aws:tokenissuetime"})
_LATER = 100 * 365 * 86400.0  # a moment after any grant written today has started


def now() -> float:
    found = _NOW.get()
    return time.time() if found is None else found


@contextmanager
def clock(moment: float | None) -> Iterator[None]:
    """Decide time conditions against ``moment`` (seconds since the epoch) inside the block; None: the clock."""
    token = _NOW.set(moment)
    try:
        yield
    finally:
        _NOW.reset(token)


def _at_time(clause: ConditionClause, context: RequestContext) -> Tri:
    """A time clause no request states: decided at the scan's moment. A grant that has expired does not hold; one
    that starts later is conditional (it holds once its time comes)."""
    moment = now()

    def at(seconds: float) -> Tri:
        stamp = str(int(seconds))
        values = {**context.values, clause.key.lower(): (stamp,)}
        return evaluate_clause(clause, RequestContext(values, context.complete))

    current = at(moment)
    if current is Tri.FALSE and at(moment + _LATER) is Tri.TRUE:
        return Tri.UNKNOWN
    return current


def evaluate_clause(clause: ConditionClause, context: RequestContext) -> Tri:
    """Whether one ``operator: {key: values}`` clause holds for the request (UNKNOWN when remit cannot tell)."""
    qualifier, base, if_exists = split_operator(clause.operator)
    actual = context.lookup(clause.key)
    if clause.key.lower() in TIME_KEYS and clause.key.lower() not in context.values and base != "null":
        return _at_time(clause, context)
    if base == "null":
        wanted = {(text(v) or "").lower() for v in clause.values}
        if actual is None:
            return Tri.UNKNOWN
        held = {Tri.of((len(actual) == 0) == (w == "true")) for w in wanted}
        return Tri.TRUE if Tri.TRUE in held else Tri.FALSE
    if actual is None:
        return Tri.UNKNOWN
    negated = base in _NEGATED
    positive = _NEGATED.get(base, base)
    if not actual:
        if qualifier == "forallvalues" or if_exists:
            return Tri.TRUE
        if qualifier == "foranyvalue":
            return Tri.FALSE
        return Tri.of(negated)
    wanted_values: list[str] = []
    for v in clause.values:
        literal = text(v)
        if literal is None:
            return Tri.UNKNOWN  # a value computed at deployment
        substituted = substitute(literal, context)
        if substituted is None:
            return Tri.UNKNOWN
        wanted_values.append(substituted)

    def satisfies(one: str) -> Tri:
        found = [_compare(positive, w, one) for w in wanted_values]
        if any(f is True for f in found):
            return Tri.FALSE if negated else Tri.TRUE
        if any(f is None for f in found):
            return Tri.UNKNOWN
        return Tri.TRUE if negated else Tri.FALSE

    results = [satisfies(a) for a in actual]
    if qualifier == "forallvalues":
        out = Tri.TRUE
        for r in results:
            out = out & r
        return out
    if qualifier == "foranyvalue" or not negated:
        out = Tri.FALSE
        for r in results:
            out = out | r
        return out
    out = Tri.TRUE  # a negated operator on a multi-valued key without qualifier: none may match
    for r in results:
        out = out & r
    return out


def describe(clause: ConditionClause) -> str:
    """A clause as people read it: ``StringEquals aws:SourceVpce = vpce-1a2b3c``."""
    values = ", ".join(render(v) for v in clause.values) or "?"
    return f"{clause.operator} {clause.key} = {values}"
