"""Condition operators (remit.iam.conditions), three-valued."""

from __future__ import annotations

import pytest

from remit.iam.conditions import RequestContext, Tri, clock, evaluate_clause, substitute
from remit.model.policy import ConditionClause
from remit.model.values import Symbol, SymbolKind, Value

T, F, U = Tri.TRUE, Tri.FALSE, Tri.UNKNOWN


def ctx(**values: str | tuple[str, ...]) -> RequestContext:
    return RequestContext({k.replace("__", ":").lower(): (v,) if isinstance(v, str) else v
                           for k, v in values.items()}, complete=True)


def clause(operator: str, key: str, *values: Value) -> ConditionClause:
    return ConditionClause(operator, key, tuple(values))


@pytest.mark.parametrize(("operator", "key", "values", "context", "expected"), [
    ("StringEquals", "aws:SourceVpce", ("vpce-1",), ctx(aws__SourceVpce="vpce-1"), T),
    ("StringEquals", "aws:SourceVpce", ("vpce-1",), ctx(aws__SourceVpce="VPCE-1"), F),
    ("StringEqualsIgnoreCase", "aws:SourceVpce", ("vpce-1",), ctx(aws__SourceVpce="VPCE-1"), T),
    ("StringEquals", "aws:SourceVpce", ("vpce-1",), ctx(), F),  # absent: positive operator false
    ("StringNotEquals", "aws:SourceVpce", ("vpce-1",), ctx(), T),  # absent: negated operator true
    ("StringEqualsIfExists", "aws:SourceVpce", ("vpce-1",), ctx(), T),
    ("StringLike", "s3:prefix", ("home/*",), ctx(s3__prefix="home/alice"), T),
    ("StringLike", "s3:prefix", ("home/*",), ctx(s3__prefix="Home/alice"), F),  # case-sensitive
    ("StringNotLike", "s3:prefix", ("home/*",), ctx(s3__prefix="etc/passwd"), T),
    ("ArnLike", "aws:SourceArn", ("arn:aws:sns:*:111122223333:*",),
     ctx(aws__SourceArn="arn:aws:sns:us-east-1:111122223333:t"), T),
    ("ArnLike", "aws:SourceArn", ("arn:aws:sns:*:111122223333:*",),
     ctx(aws__SourceArn="arn:aws:sns:us-east-1:444455556666:t"), F),
    ("ArnNotEquals", "aws:SourceArn", ("arn:aws:sns:us-east-1:1:t",), ctx(aws__SourceArn="arn:aws:sns:us-east-1:1:t"),
     F),
    ("NumericLessThan", "aws:MultiFactorAuthAge", ("3600",), ctx(aws__MultiFactorAuthAge="60"), T),
    ("NumericGreaterThanEquals", "s3:max-keys", ("10",), ctx(s3__max_keys="9"), F),
    ("DateLessThan", "aws:CurrentTime", ("2030-01-01T00:00:00Z",), ctx(aws__CurrentTime="2026-11-28T12:00:00Z"), T),
    ("DateGreaterThan", "aws:CurrentTime", ("2030-01-01T00:00:00Z",), ctx(aws__CurrentTime="2026-11-28T12:00:00Z"),
     F),
    ("Bool", "aws:SecureTransport", ("false",), ctx(aws__SecureTransport="true"), F),
    ("Bool", "aws:SecureTransport", (True,), ctx(aws__SecureTransport="true"), T),
    ("IpAddress", "aws:SourceIp", ("203.0.113.0/24",), ctx(aws__SourceIp="203.0.113.9"), T),
    ("NotIpAddress", "aws:SourceIp", ("203.0.113.0/24",), ctx(aws__SourceIp="203.0.113.9"), F),
    ("Null", "aws:TokenIssueTime", ("true",), ctx(), T),
    ("Null", "aws:TokenIssueTime", ("false",), ctx(), F),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ("env",), ctx(aws__TagKeys=("team", "env")), T),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ("env",), ctx(), F),
    ("ForAllValues:StringEquals", "aws:TagKeys", ("env", "team"), ctx(aws__TagKeys=("team", "env")), T),
    ("ForAllValues:StringEquals", "aws:TagKeys", ("env",), ctx(aws__TagKeys=("team", "env")), F),
    ("ForAllValues:StringEquals", "aws:TagKeys", ("env",), ctx(), T),  # empty set: vacuously true
])
def test_operators(operator: str, key: str, values: tuple[Value, ...], context: RequestContext,
                   expected: Tri) -> None:
    assert evaluate_clause(clause(operator, key, *values), context) is expected


def test_unknown_key_and_symbolic_value_are_unknown() -> None:
    assert evaluate_clause(clause("StringEquals", "aws:SourceVpce", "vpce-1"), RequestContext()) is U
    symbolic = clause("StringEquals", "aws:SourceAccount", Symbol(SymbolKind.PSEUDO, "AWS::AccountId"))
    assert evaluate_clause(symbolic, ctx(aws__SourceAccount="111122223333")) is U


def test_policy_variables() -> None:
    known = ctx(aws__username="alice")
    assert substitute("home/${aws:username}/*", known) == "home/alice/*"
    assert substitute("home/${aws:username}/*", RequestContext()) is None
    assert substitute("a${*}b${?}${$}", known) == "a*b?$"
    assert substitute("${aws:username, 'nobody'}", ctx()) == "nobody"
    held = clause("StringLike", "s3:prefix", "home/${aws:username}/*")
    assert evaluate_clause(held, ctx(aws__username="alice", s3__prefix="home/alice/x")) is T
    assert evaluate_clause(held, ctx(aws__username="bob", s3__prefix="home/alice/x")) is F


def test_tri_logic() -> None:
    assert (T & U) is U
    assert (F & U) is F
    assert (T | U) is T
    assert (F | U) is U
    assert ~U is U
    assert ~T is F


JAN_2025 = 1735689600.0  # 2025-01-01T00:00:00Z


@pytest.mark.parametrize(("operator", "key", "value", "expected"), [
    # an expired grant (its window closed before the scan's moment) does not hold
    ("DateLessThan", "aws:CurrentTime", "2024-06-30T00:00:00Z", F),
    # a window open now holds
    ("DateLessThan", "aws:CurrentTime", "2025-06-30T00:00:00Z", T),
    ("DateGreaterThan", "aws:CurrentTime", "2024-06-30T00:00:00Z", T),
    # a window that opens later is conditional
    ("DateGreaterThan", "aws:CurrentTime", "2026-01-01T00:00:00Z", U),
    ("NumericGreaterThan", "aws:EpochTime", "1767225600", U),
    ("NumericLessThanEquals", "aws:EpochTime", "1700000000", F),
    ("DateLessThan", "aws:TokenIssueTime", "2024-01-01T00:00:00Z", F),
    ("DateGreaterThanEquals", "aws:TokenIssueTime", "2024-01-01", T),
])
def test_time_conditions_are_decided_against_the_scans_moment(operator: str, key: str, value: str,
                                                               expected: Tri) -> None:
    with clock(JAN_2025):
        assert evaluate_clause(clause(operator, key, value), RequestContext()) is expected
        assert evaluate_clause(clause(operator, key, value), RequestContext(complete=True)) is expected


def test_a_time_the_request_states_wins_over_the_scans_moment() -> None:
    with clock(JAN_2025):
        stated = ctx(aws__CurrentTime="2030-01-01T00:00:00Z")
        assert evaluate_clause(clause("DateLessThan", "aws:CurrentTime", "2029-01-01T00:00:00Z"), stated) is F
